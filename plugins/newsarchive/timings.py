"""Seconds each stage of the build under way took, for the build summary and the benchmark."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

_seconds: dict[str, float] = {}
_started: dict[str, float] = {}


def reset() -> None:
    _seconds.clear()
    _started.clear()


def start(stage: str) -> None:
    _started[stage] = time.perf_counter()


def stop(stage: str) -> None:
    if stage in _started:
        add(stage, time.perf_counter() - _started.pop(stage))


def add(stage: str, seconds: float) -> None:
    """Seconds spent on `stage` elsewhere (in a worker process)."""
    _seconds[stage] = _seconds.get(stage, 0.0) + seconds


@contextmanager
def timed(stage: str) -> Iterator[None]:
    start(stage)
    try:
        yield
    finally:
        stop(stage)


def seconds() -> dict[str, float]:
    return dict(_seconds)
