"""Progress for long work: a log line every so many items, readable in a terminal and in CI logs."""

from __future__ import annotations

import logging
import time

logger = logging.getLogger("newsarchive")


class Progress:
    def __init__(self, label: str, total: int, every: int = 250) -> None:
        self.label = label
        self.total = total
        self.every = max(1, every)
        self.done = 0
        self.started = time.perf_counter()

    def advance(self, count: int = 1) -> None:
        before = self.done // self.every
        self.done += count
        # Small jobs finish before anyone would read a progress line.
        if self.total > self.every and self.done // self.every > before:
            elapsed = time.perf_counter() - self.started
            logger.info(
                "%s: %d/%d (%d%%), %.1f s",
                self.label,
                self.done,
                self.total,
                100 * self.done // max(1, self.total),
                elapsed,
            )
