"""No SQLite connection is open in a build when it forks: a forked process inherits
SQLite's record of the parent's locks, and writing to the cache through a connection of
its own (the search process does) can then damage the cache."""

from __future__ import annotations

import os
import shutil
import sys

import pytest
from conftest import ROOT, build


def _cache_files_open() -> list[str]:
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # closed meanwhile (the listing's own descriptor)
            continue
        if ".sqlite3" in target:
            found.append(target)
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/fd")
def test_no_cache_connection_is_open_at_any_fork_of_two_builds_in_one_process(
    tmp_path, monkeypatch
):
    at_forks: list[list[str]] = []
    fork = os.fork

    def watched_fork() -> int:
        at_forks.append(_cache_files_open())
        return fork()

    monkeypatch.setattr(os, "fork", watched_fork)
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    cache = str(tmp_path / "cache")
    # A first build (its new stories' names shared out too), then a rebuild after a story
    # is added: the model and the search are forked at its start, the pages' worker at its
    # end.
    build(content, tmp_path / "a", CACHE_PATH=cache, NEWSARCHIVE_PROCESSES=2,
          NEWSARCHIVE_PARALLEL_MINIMUM=0)  # fmt: skip
    (content / "added.txt").write_text(
        "Date: 2024-03-01\n\nA story added\n\nAnna Petrova of the Qaragol Ledger spoke.\n"
    )
    build(content, tmp_path / "b", CACHE_PATH=cache, NEWSARCHIVE_PROCESSES=2)
    assert len(at_forks) >= 5
    assert [files for files in at_forks if files] == []
