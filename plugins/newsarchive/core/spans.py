"""A set of non-overlapping text spans that answers "does this overlap?" in log time.

Articles can be long (a 10 MB dump has hundreds of thousands of mentions), so checking
each new span against every span taken so far would be quadratic.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right


class SpanSet:
    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def _range(self, start: int, end: int) -> tuple[int, int]:
        """Indices [first, last) of the spans overlapping [start, end)."""
        first = bisect_right(self.ends, start)  # spans ending at or before start do not overlap
        last = bisect_left(self.starts, end)  # spans starting at or after end do not either
        return first, max(first, last)

    def overlapping(self, start: int, end: int) -> list[tuple[int, int]]:
        first, last = self._range(start, end)
        return list(zip(self.starts[first:last], self.ends[first:last], strict=True))

    def overlaps(self, start: int, end: int) -> bool:
        first, last = self._range(start, end)
        return last > first

    def add(self, start: int, end: int) -> None:
        """Add a span that overlaps none already in the set."""
        index = bisect_right(self.starts, start)
        self.starts.insert(index, start)
        self.ends.insert(index, end)

    def remove(self, start: int, end: int) -> None:
        index = bisect_left(self.starts, start)
        del self.starts[index]
        del self.ends[index]
