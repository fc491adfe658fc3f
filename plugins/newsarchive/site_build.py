"""Run a whole Pelican build safely: into a staging folder, swapped into place only on success.

A failed build leaves the previous output untouched; a finished one ends with a
one-line summary of what was built. Only a folder we built is ever replaced (it holds
OUTPUT_MARKER), never one holding the content, theme, plugins, cache or project; and one
build at a time writes an output and a cache (a file lock each, released by the operating
system when a build dies).
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pelican
from filelock import FileLock, Timeout
from pelican import Pelican, signals
from pelican.generators import ArticlesGenerator
from pelican.log import LimitFilter
from pelican.settings import read_settings
from rich.console import Console

from . import timings
from .carried_pages import CarryingWriter, save_digests
from .output_pool import stop_early_tasks
from .stage_cache import CACHE_FILE, cache_damage

logger = logging.getLogger("newsarchive")

STAGING_PREFIX = "building-"
RETIRED_PREFIX = "retired-"
OUTPUT_MARKER = ".newsarchive-output"
_MARKER_TEXT = "Written by newsarchive: a build replaces this folder whole, keep no files here.\n"


class BuildFailed(RuntimeError):
    """The build stopped; the previous output was kept."""


@dataclass(frozen=True)
class BuildReport:
    output: Path
    articles: int
    undated: int
    pages: int
    files_written: int
    bytes_written: int
    skipped: int
    warnings: int
    errors: int
    seconds: float
    stages: dict[str, float] = field(default_factory=dict)  # seconds per stage of the plugin
    pages_rendered: int = 0  # pages rendered by this build
    pages_carried: int = 0  # pages carried over from the previous output, unchanged

    def summary(self) -> str:
        undated = f" ({self.undated} undated)" if self.undated else ""
        problems = f"{self.warnings} warning{'s' * (self.warnings != 1)}"
        if self.errors:
            problems += f", {self.errors} error{'s' * (self.errors != 1)}"
        if self.skipped:
            problems += f", {self.skipped} file{'s' * (self.skipped != 1)} skipped (see above)"
        return (
            f"Built {self.articles} articles{undated} and {self.pages} pages: "
            f"{self.files_written} files, {self.bytes_written / 1e6:.1f} MB in {self.output}; "
            f"{problems}; {self.seconds:.1f} s"
        )


class _LogCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.warnings = 0
        self.errors = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            self.errors += 1
        else:
            self.warnings += 1


# What the generators saw in the build under way; filled by the receivers below.
_observed: dict[str, int] = {}


def _observe(generators: list[Any]) -> None:
    context = generators[0].context
    undated = len(context.get("undated_articles", ()))
    _observed["undated"] = undated
    _observed["articles"] = len(context.get("articles", ())) + undated
    _observed["pages"] = len(context.get("pages", ())) + len(context.get("hidden_pages", ()))
    # Pelican marks each source it could not turn into a page with None.
    _observed["skipped"] = sum(1 for v in context["generated_content"].values() if v is None)


def remove_build_leftovers(output: str | os.PathLike[str]) -> None:
    """Remove staging folders of builds into `output` that were killed before cleaning up."""
    output = Path(output).resolve()
    for prefix in (STAGING_PREFIX, RETIRED_PREFIX):
        for leftover in output.parent.glob(f".{output.name}.{prefix}*"):
            shutil.rmtree(leftover, ignore_errors=True)


def refuse_unsafe_output(final: Path, protected: dict[str, Path]) -> None:
    """Raise BuildFailed when replacing `final` could destroy something that is not a build:
    a `protected` folder (by what it is: content, theme, ...) it equals, contains or, for all
    but the project, lies inside; or a folder of files without our marker."""
    for what, folder in protected.items():
        if final == folder or folder.is_relative_to(final):
            raise BuildFailed(
                f"refusing to build into {final}: a build replaces its output folder whole, "
                f"and that would delete the {what} folder {folder}; choose another --output"
            )
        if what != "project" and final.is_relative_to(folder):
            raise BuildFailed(
                f"refusing to build into {final}: it lies inside the {what} folder {folder}; "
                "choose an output folder outside it"
            )
    if final.exists() and not final.is_dir():
        raise BuildFailed(f"refusing to build into {final}: it is a file, not a folder")
    if holds_files_not_ours(final):
        raise BuildFailed(
            f"refusing to build into {final}: it holds files that newsarchive did not write "
            f"(no {OUTPUT_MARKER} in it), and a build replaces the folder whole; empty it, "
            "remove it or choose another --output"
        )


def holds_files_not_ours(folder: Path) -> bool:
    """`folder` has files, and is not a site newsarchive built: it lacks the marker and
    (built before there was one) the home page, search manifest and open data."""
    legacy = ("index.html", "search/manifest.json", "data/entities.json")
    ours = (folder / OUTPUT_MARKER).is_file() or all((folder / p).is_file() for p in legacy)
    return folder.is_dir() and not ours and any(folder.iterdir())


def _protected_folders(settings: dict[str, Any], settings_file: Path) -> dict[str, Path]:
    folders = {
        "content": settings["PATH"],
        "theme": settings["THEME"],
        "cache": settings["CACHE_PATH"],
        "project": settings_file.parent,
        **{f"plugin ({path})": path for path in settings.get("PLUGIN_PATHS", ())},
    }
    return {what: Path(folder).resolve() for what, folder in folders.items()}


@contextmanager
def one_build_at_a_time(lock_files: list[Path], wait: bool = True) -> Iterator[None]:
    """Hold a lock on each of `lock_files` (a build's output and cache) for the block. When
    another build holds one, wait for it with a message, or raise BuildFailed if not `wait`.
    A lock dies with its process, so a killed build never blocks the next."""
    with ExitStack() as held:
        for lock_file in sorted(set(lock_files)):  # one order everywhere: no deadlock
            lock_file.parent.mkdir(parents=True, exist_ok=True)
            lock = FileLock(lock_file)
            try:
                lock.acquire(timeout=0)
            except Timeout:
                if not wait:
                    raise BuildFailed(
                        f"another build is running (it holds {lock_file}); "
                        "try again when it has finished"
                    ) from None
                logger.warning("Another build holds %s; waiting for it to finish", lock_file)
                lock.acquire()
            held.callback(lock.release)
        yield


def output_lock(final: Path) -> Path:
    return final.parent / f".{final.name}.lock"


def _swap_into_place(staging: Path, final: Path) -> None:
    if final.exists():
        retired = final.with_name(f".{final.name}.{RETIRED_PREFIX}{os.getpid()}")
        os.rename(final, retired)
        os.rename(staging, final)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.rename(staging, final)


def _cache_error(error: BaseException) -> sqlite3.DatabaseError | None:
    """The SQLite error of the cache behind `error` (raised by it, or the cause of it)."""
    while error is not None:
        if isinstance(error, sqlite3.DatabaseError):
            return error
        error = error.__cause__ or error.__context__
    return None


def set_damaged_cache_aside(cache: Path) -> Path:
    """Move the cache database (and its journal files) aside, named by the time; returns
    where the database went."""
    aside = cache.with_name(f"{cache.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
    for suffix in ("", "-wal", "-shm"):
        part = cache.with_name(cache.name + suffix)
        if part.exists():
            os.replace(part, aside.with_name(aside.name + suffix))
    return aside


def _warn_and_set_aside(cache: Path, damage: str) -> None:
    aside = set_damaged_cache_aside(cache)
    logger.warning(
        "The cache %s is damaged (%s); it was moved to %s and is built anew",
        cache, damage, aside,
    )  # fmt: skip


@contextmanager
def _without_pelicans_count() -> Iterator[None]:
    """Pelican's closing line counts undated stories as hidden ones ("Processed 0 articles,
    … 300 hidden articles" for an undated archive); the build's own summary says what was
    built, so Pelican's is not printed. Its log messages go through another console."""
    shown = pelican.console
    pelican.console = Console(quiet=True)
    try:
        yield
    finally:
        pelican.console = shown


def _run_pelican(settings: dict[str, Any], staging: Path) -> None:
    """Pelican's run with a sound cache: one found damaged (overwritten, cut short) before
    or during the run is set aside with a warning, and the build runs without it."""
    cache = Path(settings["CACHE_PATH"]) / CACHE_FILE
    if damage := cache_damage(cache):
        _warn_and_set_aside(cache, damage)
    before = dict(settings)
    try:
        Pelican(settings).run()
        return
    except Exception as error:
        damage = str(_cache_error(error) or "")
        if "full" in damage:
            raise BuildFailed(
                f"the disk holding the cache {cache} is full; free some space there, or set "
                "CACHE_PATH to a folder on another disk"
            ) from error
        # Only damage: a locked or busy cache is no reason to set it aside.
        if not any(sign in damage for sign in ("malformed", "not a database")):
            raise
        _warn_and_set_aside(cache, damage)
    stop_early_tasks()  # the failed run's, before its files are removed
    for leftover in staging.iterdir():
        if leftover.name != OUTPUT_MARKER:
            shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    Pelican(dict(before)).run()


def _folder_size(folder: Path) -> tuple[int, int]:
    """How many files `folder` holds, and their bytes: with `os.scandir`, whose entries know
    their type, as a path object per file took 0.85 s at 30,000 files."""
    files = size = 0
    pending = [os.fspath(folder)]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                elif entry.is_file():
                    files += 1
                    size += entry.stat().st_size
    return files, size


def build_site(
    settings_file: str | os.PathLike[str],
    output: str | os.PathLike[str] | None = None,
    overrides: dict[str, Any] | None = None,
    wait: bool = True,
) -> BuildReport:
    """Build the site described by `settings_file` into `output` (default: its OUTPUT_PATH).

    Raises BuildFailed, with `output` as it was before, if Pelican stops, if `output` is
    not a folder a build may replace, or if another build holds it and not `wait`.
    Articles that cannot be read are reported and skipped, and do not fail the build.
    """
    started = time.perf_counter()
    try:
        settings = read_settings(str(settings_file), override=dict(overrides or {}))
    except Exception as error:  # Pelican raises ValueError, a settings file anything
        raise BuildFailed(f"settings {settings_file}: {error}") from error
    final = Path(output or settings["OUTPUT_PATH"]).resolve()
    refuse_unsafe_output(final, _protected_folders(settings, Path(settings_file).resolve()))
    final.parent.mkdir(parents=True, exist_ok=True)
    cache_lock = Path(settings["CACHE_PATH"]).resolve() / "build.lock"
    with one_build_at_a_time([output_lock(final), cache_lock], wait):
        return _build_locked(settings, final, started)


def _build_locked(settings: dict[str, Any], final: Path, started: float) -> BuildReport:
    remove_build_leftovers(final)
    staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.{STAGING_PREFIX}", dir=final.parent))
    staging.chmod(0o755)  # mkdtemp's 0700 would lock out a web server running as another user
    (staging / OUTPUT_MARKER).write_text(_MARKER_TEXT, encoding="utf-8")
    settings["OUTPUT_PATH"] = str(staging)
    settings["DELETE_OUTPUT_DIRECTORY"] = False  # the staging folder is new
    # Pages whose inputs are unchanged are linked from the output in place (carried_pages).
    settings["NEWSARCHIVE_CARRY_FROM"] = str(final) if (final / OUTPUT_MARKER).is_file() else None
    CarryingWriter.last = None

    # Pelican drops a warning or progress line it has logged before in this process; each
    # build (livereload makes many) must report its own.
    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()
    counter = _LogCounter()
    logging.getLogger().addHandler(counter)
    _observed.clear()
    timings.reset()
    signals.all_generators_finalized.connect(_observe)
    try:
        with _without_pelicans_count():
            _run_pelican(settings, staging)
    except BaseException as error:
        stop_early_tasks()  # none may go on writing into the folder removed here
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(error, KeyboardInterrupt):
            raise
        raise BuildFailed(f"build failed, {final} left as it was: {error}") from error
    finally:
        logging.getLogger().removeHandler(counter)

    files, size = _folder_size(staging)
    _swap_into_place(staging, final)
    writer = CarryingWriter.last
    if writer is not None:
        save_digests(Path(settings["CACHE_PATH"]) / CACHE_FILE, final, writer.digests)
    return BuildReport(
        output=final,
        articles=_observed.get("articles", 0),
        undated=_observed.get("undated", 0),
        pages=_observed.get("pages", 0),
        skipped=_observed.get("skipped", 0),
        files_written=files,
        bytes_written=size,
        warnings=counter.warnings,
        errors=counter.errors,
        seconds=time.perf_counter() - started,
        stages=timings.seconds(),
        pages_rendered=writer.rendered if writer else files,
        pages_carried=writer.carried if writer else 0,
    )


@dataclass
class ExtractReport:
    articles: int
    seconds: float

    def summary(self) -> str:
        return (
            f"Entities of {self.articles} articles in the cache in {self.seconds:.1f} s; "
            "a build finds them there"
        )


def extract_archive(
    settings_file: str | os.PathLike[str],
    overrides: dict[str, Any] | None = None,
    wait: bool = True,
) -> ExtractReport:
    """Fill the extraction cache for every article of the site, and build nothing: the
    articles are read and their entities found (on a cluster if a scheduler is set), as
    the first part of a build would. Raises BuildFailed as build_site does."""
    started = time.perf_counter()
    try:
        settings = read_settings(
            str(settings_file), override={**(overrides or {}), "NEWSARCHIVE_EXTRACT_ONLY": True}
        )
    except Exception as error:  # Pelican raises ValueError, a settings file anything
        raise BuildFailed(f"settings {settings_file}: {error}") from error
    cache_folder = Path(settings["CACHE_PATH"]).resolve()
    cache = cache_folder / CACHE_FILE
    with (
        one_build_at_a_time([cache_folder / "build.lock"], wait),
        tempfile.TemporaryDirectory(prefix="newsarchive-extract-") as unused_output,
    ):
        if damage := cache_damage(cache):
            _warn_and_set_aside(cache, damage)
        settings["OUTPUT_PATH"] = unused_output  # nothing is written, but Pelican wants one
        site = Pelican(settings)
        context = {
            **settings,
            "generated_content": {},
            "static_links": set(),
            "static_content": {},
            "localsiteurl": settings["SITEURL"],
        }
        articles = ArticlesGenerator(
            context=context,
            settings=settings,
            path=site.path,
            theme=site.theme,
            output_path=site.output_path,
        )
        try:
            with _without_pelicans_count():
                articles.generate_context()  # article_generator_finalized: enrich extracts
        except Exception as error:
            raise BuildFailed(f"extraction failed (what was found is kept): {error}") from error
    found = articles.articles + articles.translations + articles.hidden_articles
    return ExtractReport(len(found), time.perf_counter() - started)
