"""Progress for long work: a bar in a terminal, a log line every so many items elsewhere
(CI logs, files), so both a person watching and a log reader see how far it got."""

from __future__ import annotations

import logging
import time

from pelican.log import console
from rich.progress import BarColumn, MofNCompleteColumn, TimeRemainingColumn
from rich.progress import Progress as RichProgress

logger = logging.getLogger("newsarchive")


class Progress:
    def __init__(self, label: str, total: int, every: int = 250) -> None:
        self.label = label
        self.total = total
        self.every = max(1, every)
        self.done = 0
        self.started = time.perf_counter()
        self._bar: RichProgress | None = None
        # Small jobs finish before anyone would read a progress line.
        if total > self.every and console.is_terminal:
            self._bar = RichProgress(
                f"[bold]{label}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            )
            self._task = self._bar.add_task(label, total=total)
            self._bar.start()

    def advance(self, count: int = 1) -> None:
        before = self.done // self.every
        self.done += count
        if self._bar is not None:
            self._bar.advance(self._task, count)
            if self.done >= self.total:
                self.close()
        elif self.total > self.every and self.done // self.every > before:
            elapsed = time.perf_counter() - self.started
            logger.info(
                "%s: %d/%d (%d%%), %.1f s",
                self.label,
                self.done,
                self.total,
                100 * self.done // max(1, self.total),
                elapsed,
            )

    def close(self) -> None:
        """Takes the bar off the screen (also when the work stopped early)."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
