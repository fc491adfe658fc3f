"""The output written on all cores: pieces of work in forked workers, their results, log
records and timings back in the parent, and a failure anywhere failing the build."""

from __future__ import annotations

import logging
import multiprocessing
import os
import sqlite3
import time

import pytest
from newsarchive import timings
from newsarchive.output_pool import (
    Outcome,
    as_work,
    map_on_all_cores,
    run_all,
    start_early,
    start_waiting,
)

logger = logging.getLogger("newsarchive.test_output_pool")


def _where(number: int, says: str = "") -> Outcome:
    with timings.timed("test piece"):
        if says:
            logger.warning("piece %d says %s", number, says)
        return Outcome(digests={f"page-{number}.html": str(os.getpid())}, rendered=1)


class TestRunAll:
    def test_every_piece_runs_once_and_outcomes_come_back_in_order(self):
        work = [lambda n=n: _where(n) for n in range(40)]
        outcomes = run_all(work, processes=2)
        assert [list(o.digests) for o in outcomes] == [[f"page-{n}.html"] for n in range(40)]
        assert sum(o.rendered for o in outcomes) == 40

    def test_the_parent_and_a_forked_worker_share_the_work(self):
        # Two pieces that can only finish together: each process must have taken one.
        together = multiprocessing.get_context("fork").Barrier(2, timeout=20)

        def meet(number: int) -> Outcome:
            together.wait()
            return _where(number)

        outcomes = run_all([lambda n=n: meet(n) for n in range(2)], processes=2)
        processes = {pid for o in outcomes for pid in o.digests.values()}
        assert str(os.getpid()) in processes and len(processes) == 2

    def test_a_workers_log_records_and_timings_reach_the_parent(self, caplog):
        timings.reset()
        together = multiprocessing.get_context("fork").Barrier(2, timeout=20)

        def meet(number: int) -> Outcome:
            together.wait()  # so one of the two runs in the worker
            # Each says something of its own: Pelican drops a message said before.
            return _where(number, f"hello {number} from {os.getpid()}")

        with caplog.at_level(logging.WARNING):
            outcomes = run_all([lambda n=n: meet(n) for n in range(2)], processes=2)
        worker = next(o for o in outcomes if str(os.getpid()) not in o.digests.values())
        assert worker.seconds["test piece"] > 0
        number = int(next(iter(worker.digests)).removeprefix("page-").removesuffix(".html"))
        assert f"piece {number} says hello {number} from" in caplog.text
        assert timings.seconds()["test piece"] > 0

    def test_a_failing_piece_fails_the_whole_with_its_traceback(self):
        def fails() -> Outcome:
            raise ValueError("template broke on page 7")

        work = [lambda n=n: _where(n) for n in range(10)] + [fails]
        with pytest.raises(RuntimeError, match="template broke on page 7"):
            run_all(work, processes=2)

    def test_a_damaged_cache_in_a_worker_stays_recognisable(self):
        """site_build sets a damaged cache aside and builds again: it must still see one."""

        def damaged() -> Outcome:
            raise sqlite3.DatabaseError("database disk image is malformed")

        with pytest.raises(RuntimeError) as raised:
            run_all([lambda n=n: _where(n) for n in range(6)] + [damaged], processes=2)
        assert isinstance(raised.value.__cause__, sqlite3.DatabaseError)
        assert "malformed" in str(raised.value.__cause__)

    def test_one_process_runs_everything_here(self):
        outcomes = run_all([lambda n=n: _where(n) for n in range(5)], processes=1)
        assert {pid for o in outcomes for pid in o.digests.values()} == {str(os.getpid())}

    def test_a_task_returns_its_value(self):
        (outcome,) = run_all([as_work(lambda: {"folder": "aids-1"})], processes=2)
        assert outcome.value == {"folder": "aids-1"}


class TestEarly:
    def test_a_task_started_early_gives_its_value_when_joined(self, tmp_path):
        def write() -> str:
            (tmp_path / "written").write_text(str(os.getpid()))
            return "manifest"

        early = start_early(write, processes=2)
        assert early is not None
        assert early.join() == "manifest"
        assert (tmp_path / "written").read_text() != str(os.getpid())  # written by the fork

    def test_a_failing_early_task_fails_when_joined(self):
        def fails() -> None:
            raise OSError("disk full")

        early = start_early(fails, processes=2)
        assert early is not None
        with pytest.raises(RuntimeError, match="disk full"):
            early.join()

    def test_no_worker_is_forked_while_a_task_started_early_holds_a_core(self):
        release = multiprocessing.get_context("fork").Event()
        early = start_early(lambda: release.wait(20), processes=2)
        assert early is not None

        def slow(number: int) -> Outcome:
            time.sleep(0.05)  # long enough for a worker, had one been forked, to take some
            return _where(number)

        try:
            outcomes = run_all([lambda n=n: slow(n) for n in range(10)], processes=2)
        finally:
            release.set()
            early.join()
        assert {pid for o in outcomes for pid in o.digests.values()} == {str(os.getpid())}

    def test_a_worker_is_forked_once_the_early_task_is_done(self):
        fork = multiprocessing.get_context("fork")
        release, together = fork.Event(), fork.Barrier(2, timeout=20)
        early = start_early(lambda: release.wait(20), processes=2)
        assert early is not None

        def end_early_task() -> Outcome:
            release.set()
            while early.running():
                time.sleep(0.01)
            return _where(0)

        def meet(number: int) -> Outcome:
            together.wait()  # only if a worker took the other one
            return _where(number)

        work = [end_early_task, *(lambda n=n: meet(n) for n in (1, 2))]
        outcomes = run_all(work, processes=2)
        early.join()
        assert len({pid for o in outcomes for pid in o.digests.values()}) == 2

    def test_nothing_is_started_for_one_process(self):
        assert start_early(lambda: None, processes=1) is None


class TestWaiting:
    def test_it_prepares_before_its_input_exists_then_gives_what_it_made_of_it(self, tmp_path):
        def task(receive) -> str:
            (tmp_path / "prepared").write_text("model loaded")
            return f"{receive()} in {os.getpid()}"

        waiting = start_waiting(task, processes=2)
        assert waiting is not None
        deadline = time.monotonic() + 20
        while not (tmp_path / "prepared").exists():  # with no input sent yet
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert waiting.send(["story"])
        assert waiting.join() == f"['story'] in {waiting.early._process.pid}"

    def test_one_never_sent_its_input_is_let_go(self):
        waiting = start_waiting(lambda receive: receive(), processes=2)
        assert waiting is not None
        waiting.let_go()
        assert not waiting.early.running()

    def test_sending_to_a_process_that_is_gone_says_so(self):
        waiting = start_waiting(lambda receive: receive(), processes=2)
        assert waiting is not None
        waiting.early._process.kill()
        waiting.early._process.join()
        # Large enough not to fit in the pipe's buffer: the send itself finds it gone.
        assert waiting.send("x" * 2**22) is False
        assert not waiting.early.running()

    def test_nothing_is_forked_for_one_process(self):
        assert start_waiting(lambda receive: receive(), processes=1) is None

    def test_waiting_for_its_input_it_holds_no_core_and_work_is_shared_beside_it(self):
        waiting = start_waiting(lambda receive: receive(), processes=2)
        assert waiting is not None
        together = multiprocessing.get_context("fork").Barrier(2, timeout=20)

        def meet(number: int) -> Outcome:
            together.wait()  # only if a worker was forked to take the other one
            return _where(number)

        try:
            outcomes = run_all([lambda n=n: meet(n) for n in range(2)], processes=2)
        finally:
            waiting.let_go()
        assert len({pid for o in outcomes for pid in o.digests.values()}) == 2


class TestMapOnAllCores:
    def test_each_item_in_order_shared_with_a_worker(self):
        items = list(range(400))

        def slowly(number: int) -> tuple[int, int]:
            time.sleep(0.001)  # so that a worker, once forked, takes some
            return number * number, os.getpid()

        results = map_on_all_cores(slowly, items, processes=2, minimum=100)
        assert [square for square, _ in results] == [n * n for n in items]
        assert {pid for _, pid in results} - {os.getpid()}

    def test_a_few_items_or_one_process_stay_here(self):
        few = map_on_all_cores(lambda n: os.getpid(), list(range(10)), processes=2, minimum=100)
        many = map_on_all_cores(lambda n: os.getpid(), list(range(1000)), processes=1, minimum=100)
        assert set(few) == set(many) == {os.getpid()}

    def test_a_failure_in_a_worker_fails_the_whole(self):
        def fails_late(number: int) -> int:
            if number == 399:
                raise ValueError("bad article 399")
            return number

        with pytest.raises(RuntimeError, match="bad article 399"):
            map_on_all_cores(fails_late, list(range(400)), processes=2, minimum=100)
