"""Which files under the content folder are read: regular files inside it, each once.

A link that leaves the content folder is not followed (a `x.txt -> /etc/passwd` link would
publish that file), a FIFO or device is never opened (a FIFO blocks for ever, /dev/zero
never ends), a file above the size limit is not read, and a folder reached twice (a link
loop, or a second link to it) is walked once.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Refused:
    path: str  # relative to the content folder
    reason: str  # what is wrong and what to do, for the editor


def _size(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size:,} bytes"


def refusal(path: Path, root: Path, max_bytes: int | None) -> str | None:
    """Why `path` must not be read as part of the content folder `root` (resolved), or None."""
    return _refusal_of(Path(os.path.realpath(path)), root, max_bytes)


def _refusal_of(
    real: Path, root: Path, max_bytes: int | None, info: os.stat_result | None = None
) -> str | None:
    """`refusal` of a path already resolved to `real` (`info`: its stat, if known)."""
    if not real.is_relative_to(root):
        return (
            f"a link to {real}, outside the content folder; not read. Copy the file into "
            "the content folder to publish it"
        )
    if info is None:
        try:
            info = os.stat(real)
        except OSError as error:
            return f"cannot be read ({error.strerror}); not read"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file (a FIFO, socket or device); not read. Remove it"
    if max_bytes is not None and info.st_size > max_bytes:
        return (
            f"{_size(info.st_size)}, more than NEWSARCHIVE_MAX_FILE_BYTES ({_size(max_bytes)}); "
            "not read. Split it, or raise the setting"
        )
    return None


def content_files(
    root: Path,
    folders: Iterable[str],
    skip_folder: Callable[[str, str], bool],
    wanted: Callable[[str], bool],
    max_bytes: int | None,
) -> tuple[set[str], list[Refused]]:
    """The files under `folders` (relative to `root`) to read, as paths relative to `root`,
    and those refused with the reason. `skip_folder(parent, name)` prunes folders,
    `wanted(relative path)` picks files; `max_bytes` limits the size of a wanted file."""
    # Walked as given, so paths and the caller's exclusions stay as it writes them;
    # checked against where it really is.
    real_root = Path(os.path.realpath(root))
    found: set[str] = set()
    refused: list[Refused] = []
    seen_folders: set[Path] = set()
    paths_of: dict[Path, list[str]] = {}  # each real file, and the paths that reach it

    def relative(path: str) -> str:
        return os.path.relpath(path, root)

    for folder in folders:
        top = os.path.join(root, folder) if folder else str(root)
        if not os.path.isdir(top):
            if os.path.lexists(top) and wanted(folder):  # a single file named in the settings
                reason = refusal(Path(top), real_root, max_bytes)
                if reason is None:
                    found.add(folder)
                else:
                    refused.append(Refused(folder, reason))
            continue
        for parent, dirs, files in os.walk(top, topdown=True, followlinks=True):
            real_parent = Path(os.path.realpath(parent))
            seen_folders.add(real_parent)
            shown_parent = relative(parent)
            for name in sorted(dirs):
                path = os.path.join(parent, name)
                real = Path(os.path.realpath(path))
                if skip_folder(parent, name):
                    dirs.remove(name)
                elif not real.is_relative_to(real_root):
                    dirs.remove(name)
                    reason = _refusal_of(real, real_root, None) or ""
                    refused.append(Refused(relative(path), reason))
                elif real in seen_folders:
                    dirs.remove(name)  # a link loop, or a second way into a folder
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(parent, name)
                shown = name if shown_parent == "." else os.path.join(shown_parent, name)
                if not wanted(shown):
                    continue
                # Resolved only if it is a link: the folder it is in already is.
                try:
                    info: os.stat_result | None = os.lstat(path)
                except OSError:
                    info = None
                if info is None or stat.S_ISLNK(info.st_mode):
                    real, info = Path(os.path.realpath(path)), None
                else:
                    real = real_parent / name
                reason = _refusal_of(real, real_root, max_bytes, info)
                if reason is None:
                    paths_of.setdefault(real, []).append(shown)
                else:
                    refused.append(Refused(shown, reason))
    for real, paths in paths_of.items():
        # The file's own path if it was reached by it, else the first link to it.
        kept = next((p for p in paths if real_root / p == real), paths[0])
        found.add(kept)
        refused += [Refused(p, f"the same file as {kept} (through a link); read once")
                    for p in paths if p != kept]  # fmt: skip
    return found, refused
