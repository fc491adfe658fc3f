"""Every output path is claimed once: a story never replaces a page the site writes, a file
in one of the site's own folders, or another story.

Plain data in, plain data out: the paths the site reserves (each with what writes it), the
folders it owns, and the stories' claims in a fixed order; the first claim of a free path
wins, and every other claim gets a free path of its own beside the one it asked for.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .slugs import make_slug, short_hash


@dataclass(frozen=True)
class Moved:
    path: str  # where the story is written instead
    wanted: str  # the path it asked for
    owner: str  # what the site writes there, or the story that claimed it first


def normalise(path: str) -> str:
    """An output path as the file system sees it: no leading slash, no `.` or `..` steps."""
    return posixpath.normpath("/" + path).lstrip("/")


MAX_NAME_BYTES = 255  # of one file or folder name, on most file systems
# Characters a link cannot hold as they are (a query, a fragment, an escape, a space...).
_NOT_IN_A_LINK = re.compile(r'[?#%\\"<>\s\x00-\x1f]')


def unusable(path: str) -> str | None:
    """Why no file at `path` could be linked to or written, if so."""
    if any(len(part.encode()) > MAX_NAME_BYTES for part in path.split("/")):
        return "no file system: a name in it is longer than the 255 bytes one allows"
    if _NOT_IN_A_LINK.search(path):
        return "no link: it holds a character a web address cannot (?, #, %, a space …)"
    return None


def _owning_folder(path: str, folders: Mapping[str, str]) -> str | None:
    for folder, owner in folders.items():
        if path.startswith(folder.rstrip("/") + "/"):
            return owner
    return None


def _free_path(wanted: str, key: str, taken: Mapping[str, str], folders: Mapping[str, str]) -> str:
    folder, name = posixpath.split(wanted)
    if _owning_folder(wanted, folders) is not None or unusable(folder):
        folder = ""  # out of the site's own folder altogether
    stem = make_slug(posixpath.splitext(name)[0], key)
    for attempt in range(100):
        tag = short_hash(f"{key}#{attempt}" if attempt else key)
        candidate = posixpath.join(folder, f"{stem}-{tag}.html")
        if candidate not in taken and _owning_folder(candidate, folders) is None:
            return candidate
    raise RuntimeError(f"no free output path for {key}")  # 100 hash collisions in a row


def short_enough(wanted: str, key: str) -> str:
    """`wanted`, or a free path beside it when no file there could be written or linked."""
    return _free_path(wanted, key, {}, {}) if unusable(wanted) else wanted


def settle_claims(
    claims: Iterable[tuple[str, str]],
    reserved: Mapping[str, str],
    folders: Mapping[str, str],
) -> dict[str, Moved]:
    """`claims` are (story key, output path) in the order they are served. `reserved` maps
    each path the site writes to what writes it; `folders` each folder the site fills to
    what fills it. Returns, for every story that may not have its path, where it goes."""
    taken = {normalise(path): owner for path, owner in reserved.items()}
    moved: dict[str, Moved] = {}
    for key, wanted in claims:
        path = normalise(wanted)
        owner = taken.get(path) or _owning_folder(path, folders) or unusable(path)
        if owner is None:
            taken[path] = f"the story {key}"
            continue
        free = _free_path(path, key, taken, folders)
        taken[free] = f"the story {key}"
        moved[key] = Moved(path=free, wanted=path, owner=owner)
    return moved
