"""Extraction on a Dask cluster: chunks of articles submitted to the workers of a scheduler,
each worker holding the model once (a worker plugin), results taken as they come back.

Only article text and datelines go over the network; the registry is applied later, on the
machine that builds the site.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from itertools import accumulate, islice
from typing import Any

from distributed import Client, WorkerPlugin, as_completed, get_worker

from .core.extract import Extraction
from .extraction_pool import Inputs, chunk_extractor, extraction_version

CONNECT_SECONDS = 30  # for a Dask scheduler to answer
RETRIES = 2  # resubmissions of a chunk whose task failed on the cluster
WORKER_PLUGIN = "newsarchive-extraction"
IN_FLIGHT_PER_THREAD = 2  # chunks given to a worker thread at once: one running, one ready

logger = logging.getLogger(__name__)


class SchedulerUnreachable(RuntimeError):
    """The Dask scheduler given for extraction did not answer."""


class OtherVersion(RuntimeError):
    """A worker runs other extraction code, model or gazetteer than the building machine."""


class ExtractionWorker(WorkerPlugin):
    """The model and the place names, loaded once per worker."""

    def setup(self, worker: Any) -> None:
        worker.newsarchive_extract = chunk_extractor()
        worker.newsarchive_version = extraction_version()

    def teardown(self, worker: Any) -> None:
        del worker.newsarchive_extract, worker.newsarchive_version


def _extract_on_worker(chunk: Inputs, version: str) -> list[Extraction]:
    worker = get_worker()
    # Its results would be cached under this machine's version and never be found wrong.
    if worker.newsarchive_version != version:
        raise OtherVersion(
            f"worker {worker.address} runs other extraction code or model versions; install "
            "it from the same checkout (./install) as the building machine"
        )
    return worker.newsarchive_extract(chunk)


def extract_on_cluster(
    chunks: list[Inputs], scheduler: str
) -> Iterator[tuple[int, list[Extraction]]]:
    """Chunks submitted to the cluster, each worker holding the model (ExtractionWorker);
    a chunk whose workers kept dying, or that failed there, is extracted here instead."""
    try:
        client = Client(scheduler, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError) as error:
        raise SchedulerUnreachable(
            f"the Dask scheduler {scheduler} did not answer ({error}); start one with "
            "`dask scheduler` and workers with `dask worker`, or unset "
            "NEWSARCHIVE_DASK_SCHEDULER (or --scheduler) to extract on this machine"
        ) from error
    with client:
        client.register_plugin(ExtractionWorker(), name=WORKER_PLUGIN)
        workers = len(client.nthreads())
        logger.info("Finding entities on the Dask cluster at %s (%d workers)", scheduler, workers)
        if not workers:
            logger.warning("The cluster at %s has no workers yet; waiting for one", scheduler)
        version = extraction_version()
        starts = list(accumulate(map(len, chunks), initial=0))
        waiting = iter(enumerate(chunks))
        numbers: dict[str, int] = {}

        def more_work() -> list[Any]:
            """Chunks to put in flight: a few per worker thread, counted anew as workers
            come and go, so the scheduler never holds the whole archive."""
            threads = sum(client.nthreads().values())
            wanted = max(0, IN_FLIGHT_PER_THREAD * max(threads, 1) - len(numbers))
            futures = []
            for number, chunk in islice(waiting, wanted):
                # pure=False: two equal chunks (copies of stories) stay two tasks.
                future = client.submit(
                    _extract_on_worker, chunk, version, pure=False, retries=RETRIES
                )
                numbers[future.key] = number
                futures.append(future)
            return futures

        running = as_completed(more_work(), loop=client.loop)
        local = None
        for future in running:
            number = numbers.pop(future.key)
            try:
                result = future.result()
            except Exception as error:  # KilledWorker, or the task's own failure there
                chunk = chunks[number]
                logger.warning(
                    "Articles %d-%d failed on the cluster (%s); extracting them here",
                    starts[number] + 1,
                    starts[number + 1],
                    error,
                )
                local = local or chunk_extractor()
                result = local(chunk)
            future.release()  # the cluster may drop the result now that it is here
            running.update(more_work())
            yield starts[number], result
