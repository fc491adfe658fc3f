"""The stage cache: results kept under the digest of their inputs, and pruned when unused."""

from __future__ import annotations

import os

from newsarchive import stage_cache
from newsarchive.stage_cache import KEEP_UNUSED_SECONDS, PRUNE_EVERY_SECONDS, StageCache


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def test_results_unused_for_two_weeks_are_pruned_and_used_ones_kept(tmp_path, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(stage_cache.time, "time", clock)
    cache = StageCache(tmp_path / "cache.sqlite3")
    cache.put_many("names", [("old", "a story gone from the archive"), ("kept", "a story")])
    clock.now += KEEP_UNUSED_SECONDS - 3600
    assert cache.get("names", "kept") == "a story"  # used by a build: its clock starts again
    clock.now += 2 * 3600
    cache.prune()
    assert cache.get_many("names", ["old", "kept"]) == {"kept": "a story"}


def test_pruning_reads_the_cache_at_most_once_a_day(tmp_path, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(stage_cache.time, "time", clock)
    cache = StageCache(tmp_path / "cache.sqlite3")
    cache.put_many("names", [("old", "a story gone from the archive")])
    clock.now += KEEP_UNUSED_SECONDS - 3600
    cache.prune()  # the first build of the day prunes: nothing is old enough yet
    clock.now += 2 * 3600
    # Another build, later that day (another process: it sees when pruning was last done).
    later = StageCache(tmp_path / "cache.sqlite3")
    later.prune()
    assert later.lookup("names", "old") == "a story gone from the archive"
    clock.now += PRUNE_EVERY_SECONDS
    later.prune()
    assert later.lookup("names", "old") is None


def _open_on(path) -> int:
    """How many of this process's file descriptors are open on `path` (Linux)."""
    links = (os.path.join("/proc/self/fd", fd) for fd in os.listdir("/proc/self/fd"))
    return sum(os.path.realpath(link) == str(path.resolve()) for link in links)


def test_closed_for_a_fork_then_usable_again(tmp_path):
    path = tmp_path / "cache.sqlite3"
    cache = StageCache(path)
    cache.put_many("names", [("a", "a story")])
    assert _open_on(path) >= 1
    with cache.closed():  # a process forked now inherits no connection to the file
        assert _open_on(path) == 0
    assert cache.get("names", "a") == "a story"
    cache.close()
