"""The last part of a build on all cores: pages rendered and written, and tasks run, in the
building process and forked workers once the whole context is built (`run_all`); and
tasks started ahead of that in a forked process (`start_early`), or forked at the start of
the build to be sent their input later (`start_waiting`: the model, the search); and
earlier, the per-article work of many new stories shared out the same way
(`map_on_all_cores`).

Forked, not spawned: a worker starts with the parent's context (every story, entity and
compiled template) without pickling any of it, and only small results come back: each
page's digest, counts, the stage timings and the log records, replayed in the parent so
the build's warnings and summary count them. The result is the same whatever the number
of workers: each page is rendered from the same values, into its own file.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import multiprocessing
import sqlite3
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import partial
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from . import timings

PAGES_PER_CHUNK = 100  # small enough to share out evenly, large enough to cost little
MIN_PARALLEL_PAGES = 200  # below this a fork costs more than it saves
ITEMS_PER_PIECE = 50  # `map_on_all_cores`: at most this many articles per piece (~0.1 s)


@dataclass
class Outcome:
    """What a piece of work in a worker gives back to the parent."""

    digests: dict[str, str] = field(default_factory=dict)  # page -> digest
    rendered: int = 0
    carried: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # stage -> seconds
    records: list[logging.LogRecord] = field(default_factory=list)
    error: str | None = None  # the traceback of what failed
    cache_error: str | None = None  # the message, when what failed was the SQLite cache
    value: Any = None  # what a task returned, for the parent


class _Collect(logging.Handler):
    """Keeps a worker's log records to replay in the parent."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args = record.getMessage(), None  # its arguments may not pickle
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        self.records.append(record)


_collector = _Collect()


def _start_worker() -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(_collector)


def _run(piece: Callable[[], Outcome]) -> Outcome:
    """A piece of work in a worker, its failure, timings and log kept for the parent."""
    timings.reset()
    try:
        outcome = piece()
    except BaseException:  # handed to the parent, which fails the build
        outcome = _failed()
    outcome.seconds = timings.seconds()
    outcome.records, _collector.records = _collector.records, []
    return outcome


def _next(taken: Any, count: int) -> int | None:
    """The number of the next piece no process has taken yet, or None."""
    with taken.get_lock():
        number = taken.value
        if number >= count:
            return None
        taken.value = number + 1
    return number


def _help(work: Sequence[Callable[[], Outcome]], taken: Any, sender: Any) -> None:
    _start_worker()
    done = []
    while (number := _next(taken, len(work))) is not None:
        done.append((number, _run(work[number])))
    sender.send(done)
    sender.close()


def run_all(work: Sequence[Callable[[], Outcome]], processes: int) -> list[Outcome]:
    """Runs every piece of `work` (longest first, as given), here and in up to
    `processes - 1` forked workers, each process taking the next piece none has taken; or
    all here when one process is asked for or forking is not safe. The parent works too,
    so the build holds one copy of its pages fewer than with a pool; and a worker is only
    forked once no task started early holds its core, as it would slow both and hold one
    more copy of the build's memory. Returns the outcomes in the order of `work`; raises
    RuntimeError with the traceback if a piece failed."""
    if processes <= 1 or len(work) <= 1 or not _can_fork():
        return [piece() for piece in work]
    context = multiprocessing.get_context("fork")
    taken = context.Value("l", 0)
    helpers = []
    outcomes: dict[int, Outcome] = {}
    wanted = min(processes, len(work)) - 1
    gc.freeze()  # the workers then leave the parent's objects' pages shared
    try:
        while True:
            while len(helpers) < wanted - _running_early():
                receiver, sender = context.Pipe(duplex=False)
                helper = context.Process(target=_help, args=(work, taken, sender), daemon=True)
                helper.start()
                sender.close()
                helpers.append((helper, receiver))
            number = _next(taken, len(work))
            if number is None:
                break
            try:
                outcomes[number] = work[number]()
            except Exception:
                outcomes[number] = _failed()
                break
    finally:
        with taken.get_lock():  # after a failure the workers stop at their current piece
            taken.value = len(work)
        gc.unfreeze()
        for helper, receiver in helpers:
            try:
                outcomes.update(receiver.recv())
            except EOFError:
                outcomes[-1] = Outcome(error=f"a worker stopped (exit code {helper.exitcode})")
            helper.join()
            receiver.close()
    for outcome in outcomes.values():
        _replay(outcome)
    failed = [o for o in outcomes.values() if o.error]
    if failed:
        _raise(failed[0])
    return [outcomes[number] for number in range(len(work))]


class Early:
    """A task started in a forked process ahead of the output, while the parent goes on
    (the search index and aids, while related stories are found and pages written); `join`
    waits for what it returned, replays its log and adds its timings."""

    def __init__(self, task: Callable[[], Any]) -> None:
        context = multiprocessing.get_context("fork")
        self._results, sender = context.Pipe(duplex=False)
        self._process = context.Process(target=_run_early, args=(task, sender), daemon=True)
        self._process.start()
        sender.close()
        # A `Waiting` task before it is sent its input: the search sits idle until then.
        self.waiting_for_input = False
        _unjoined.add(self)

    def join(self) -> Any:
        try:
            outcome: Outcome = self._results.recv()
        except EOFError:
            outcome = Outcome(error=f"the worker stopped (exit code {self._process.exitcode})")
        finally:
            self._end()
        _replay(outcome)
        if outcome.error:
            _raise(outcome)
        return outcome.value

    def running(self) -> bool:
        return self._process.is_alive()

    def finished(self) -> bool:
        """Whether what it returned (or its failure) is there to join, without waiting."""
        return self._results.poll()

    def stop(self) -> None:
        """Ends the task unfinished (the build failed and its files are being removed)."""
        self._process.terminate()
        self._end()

    def _end(self) -> None:
        self._process.join()
        self._results.close()
        _unjoined.discard(self)


_unjoined: set[Early] = set()


def return_freed_memory() -> None:
    """Hands the memory a stage freed back to the system (glibc keeps it otherwise), before
    workers are forked that would each count it, or the next stage of a worker. Only the
    young generations are collected, where a stage's own cycles are: a full collection walks
    the whole build (0.4 s at 10,000 stories) and found nothing there."""
    gc.collect(1)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _running_early() -> int:
    """Tasks started early that hold a core: not those still waiting for their input."""
    return sum(early.running() and not early.waiting_for_input for early in _unjoined)


def stop_early_tasks() -> None:
    """Stops every task started early and not joined: a failed build removes its staging
    folder, and a task still writing there would leave part of it behind."""
    for early in list(_unjoined):
        early.stop()


def _run_early(task: Callable[[], Any], sender: Any) -> None:
    # What it inherited is left to the parent: the collector, walking it, would write to
    # every object and so copy every page of the parent's memory into this process.
    gc.freeze()
    _start_worker()
    sender.send(_run(as_work(task)))
    sender.close()


def start_early(task: Callable[[], Any], processes: int) -> Early | None:
    """`task` started in a forked process, or None where one process is asked for or
    forking is not safe (the caller then runs it in its turn)."""
    return Early(task) if processes > 1 and _can_fork() else None


@dataclass
class Waiting:
    """A task forked before its input exists, while the building process is still small,
    and sent its input when that is ready. It then holds only what it inherited then, what
    it is sent and what it makes: a process forked later shares the whole build's memory,
    and copies each page of it that either process then writes to (a reference count is
    enough)."""

    early: Early
    inputs: Connection

    def send(self, value: Any) -> bool:
        """Hands the task its input; False if the process is gone (the caller then runs
        the task itself)."""
        try:
            self.inputs.send(value)
        except OSError:
            self.let_go()
            return False
        finally:
            self.inputs.close()
        self.early.waiting_for_input = False
        return True

    def join(self) -> Any:
        return self.early.join()

    def let_go(self) -> None:
        self.inputs.close()
        self.early.stop()


W = TypeVar("W", bound=Waiting)


def start_waiting(
    task: Callable[[Callable[[], Any]], Any], processes: int, kind: type[W] = Waiting
) -> W | None:
    """`task(receive)` forked now: it may prepare, then waits in `receive()` for the input
    sent to it (`Waiting.send`), as a `kind` of Waiting. None where `start_early` starts
    nothing."""
    receiver, sender = multiprocessing.get_context("fork").Pipe(duplex=False)
    early = start_early(lambda: task(receiver.recv), processes)
    receiver.close()  # the forked process has its own
    if early is None:
        sender.close()
        return None
    early.waiting_for_input = True
    return kind(early, sender)


def _replay(outcome: Outcome) -> None:
    for record in outcome.records:
        logging.getLogger(record.name).handle(record)
    for stage, seconds in outcome.seconds.items():
        timings.add(stage, seconds)


def _failed() -> Outcome:
    """The exception being handled, as an outcome to hand to the parent."""
    error = sys.exc_info()[1]
    cache_error = str(error) if isinstance(error, sqlite3.DatabaseError) else None
    return Outcome(error=traceback.format_exc(), cache_error=cache_error)


def _raise(outcome: Outcome) -> None:
    # A damaged cache stays recognisable (site_build sets it aside and builds again).
    cause = sqlite3.DatabaseError(outcome.cache_error) if outcome.cache_error else None
    raise RuntimeError(f"writing the site failed in a worker:\n{outcome.error}") from cause


def _can_fork() -> bool:
    """Whether a worker can be forked safely: not while a thread of the build's own is at
    work (a lock it held at the fork would stay held in the worker). Daemon threads are
    left to themselves: those a library keeps idle in the background (Dask's event loop
    after extraction on a cluster) hold nothing a worker takes; Python renews its own
    locks (the interpreter's, logging's) in a forked child."""
    working = [t for t in threading.enumerate() if t is not threading.main_thread()]
    return "fork" in multiprocessing.get_all_start_methods() and all(t.daemon for t in working)


def chunks(count: int, size: int = PAGES_PER_CHUNK) -> list[range]:
    return [range(start, min(start + size, count)) for start in range(0, count, size)]


def is_worth_forking(pages: int) -> bool:
    return pages >= MIN_PARALLEL_PAGES


def map_on_all_cores(
    function: Callable[[Any], Any],
    items: Sequence[Any],
    processes: int,
    minimum: int,
    while_shared: Callable[[], AbstractContextManager[Any]] = contextlib.nullcontext,
) -> list[Any]:
    """function(item) for each item, in order; shared out (`run_all`) between the building
    process and forked workers when there are at least `minimum` items, inside
    `while_shared()` (what must not be open across a fork is closed there). For the
    per-article work of a first build (names, dates), which would otherwise run on one core
    after the model's workers are done."""
    if len(items) < max(minimum, 1):
        return [function(item) for item in items]
    # Pieces of at most ITEMS_PER_PIECE, and a few per process, so that they end together.
    size = min(ITEMS_PER_PIECE, -(-len(items) // (4 * processes)))
    work = [as_work(partial(_apply_to, function, items, p)) for p in chunks(len(items), size)]
    with while_shared():
        return [value for outcome in run_all(work, processes) for value in outcome.value]


def _apply_to(function: Callable[[Any], Any], items: Sequence[Any], part: range) -> list[Any]:
    return [function(items[number]) for number in part]


def as_work(task: Callable[[], Any]) -> Callable[[], Outcome]:
    """A task (which writes files of its own and returns a small value) as a piece of work."""
    return lambda: Outcome(value=task())
