"""Run a whole Pelican build safely: into a staging folder, swapped into place only on success.

A failed build leaves the previous output untouched; a finished one ends with a
one-line summary of what was built.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pelican import Pelican, signals
from pelican.log import LimitFilter
from pelican.settings import read_settings

from . import timings

logger = logging.getLogger("newsarchive")

STAGING_PREFIX = "building-"
RETIRED_PREFIX = "retired-"


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


def _swap_into_place(staging: Path, final: Path) -> None:
    if final.exists():
        retired = final.with_name(f".{final.name}.{RETIRED_PREFIX}{os.getpid()}")
        os.rename(final, retired)
        os.rename(staging, final)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.rename(staging, final)


def _folder_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def build_site(
    settings_file: str | os.PathLike[str],
    output: str | os.PathLike[str] | None = None,
    overrides: dict[str, Any] | None = None,
) -> BuildReport:
    """Build the site described by `settings_file` into `output` (default: its OUTPUT_PATH).

    Raises BuildFailed, with `output` as it was before, if Pelican stops. Articles
    that cannot be read are reported and skipped, and do not fail the build.
    """
    started = time.perf_counter()
    settings = read_settings(str(settings_file), override=dict(overrides or {}))
    final = Path(output or settings["OUTPUT_PATH"]).resolve()
    final.parent.mkdir(parents=True, exist_ok=True)
    remove_build_leftovers(final)
    staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.{STAGING_PREFIX}", dir=final.parent))
    settings["OUTPUT_PATH"] = str(staging)
    settings["DELETE_OUTPUT_DIRECTORY"] = False  # the staging folder is new

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
        Pelican(settings).run()
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(error, KeyboardInterrupt):
            raise
        raise BuildFailed(f"build failed, {final} left as it was: {error}") from error
    finally:
        logging.getLogger().removeHandler(counter)

    files, size = _folder_size(staging)
    _swap_into_place(staging, final)
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
    )
