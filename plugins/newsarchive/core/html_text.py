"""The text of an HTML fragment, with a map back to the HTML, and markup inserted by that map.

Extraction reads plain text; linking must put tags into the HTML around exactly the
characters extraction found, without changing what a reader sees. `TextMap` keeps,
for every run of text, where it stands in both.
"""

from __future__ import annotations

import html
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property
from html.parser import HTMLParser

from .spans import SpanSet

BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt",
        "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
    }
)  # fmt: skip
# Text inside these is never wrapped: links stay single, code and headings untouched.
UNLINKABLE_TAGS = frozenset(
    {"a", "code", "pre", "kbd", "samp", "script", "style", "h1", "h2", "h3", "h4", "h5", "h6",
     "time", "textarea", "title", "svg", "math", "button", "select", "option", "template"}
)  # fmt: skip
VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
     "track", "wbr"}
)  # fmt: skip
# Extraction sees a paragraph break here, so no name runs across two blocks.
BLOCK_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class TextRun:
    """A run of text: text[text_start:text_end] is html[html_start:html_end] unescaped."""

    text_start: int
    text_end: int
    html_start: int
    html_end: int
    literal: bool  # True when every text character is one HTML character (no entity)
    linkable: bool
    group: int  # runs in the same group touch each other with no tag between


@dataclass
class TextMap:
    html: str
    text: str
    runs: tuple[TextRun, ...]

    @cached_property
    def run_ends(self) -> list[int]:
        return [run.text_end for run in self.runs]

    def html_span(self, start: int, end: int) -> tuple[int, int] | None:
        """The HTML span of text[start:end], or None if it cannot be wrapped whole.

        It cannot when it crosses a tag, falls where wrapping is not allowed, or
        cuts into a character reference.
        """
        first_index = bisect_right(self.run_ends, start)
        covered = []
        for run in self.runs[first_index:]:
            if run.text_start >= end:
                break
            covered.append(run)
        if not covered or not all(r.linkable for r in covered):
            return None
        if len({r.group for r in covered}) != 1:
            return None
        first, last = covered[0], covered[-1]
        if covered != sorted(covered, key=lambda r: r.text_start):
            return None
        if (not first.literal and start != first.text_start) or (
            not last.literal and end != last.text_end
        ):
            return None
        if first.text_start > start or last.text_end < end:
            return None
        return (
            first.html_start + (start - first.text_start),
            last.html_end - (last.text_end - end),
        )


class _Walker(HTMLParser):
    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self.source = source
        self.line_starts = [0]
        for index, char in enumerate(source):
            if char == "\n":
                self.line_starts.append(index + 1)
        self.events: list[tuple[int, str, str, bool]] = []  # (offset, kind, payload, linkable)
        self.open_tags: list[str] = []

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def _linkable(self) -> bool:
        return not any(tag in UNLINKABLE_TAGS for tag in self.open_tags)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.events.append((self._offset(), "tag", tag, False))
        if tag not in VOID_TAGS:
            self.open_tags.append(tag)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.events.append((self._offset(), "tag", tag, False))

    def handle_endtag(self, tag: str) -> None:
        self.events.append((self._offset(), "tag", tag, False))
        if tag in self.open_tags:
            # Close up to the matching tag, as browsers do with unclosed inline tags.
            while self.open_tags and self.open_tags.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        self.events.append((self._offset(), "data", data, self._linkable()))

    def handle_entityref(self, name: str) -> None:
        self.events.append((self._offset(), "ref", f"&{name};", self._linkable()))

    def handle_charref(self, name: str) -> None:
        self.events.append((self._offset(), "ref", f"&#{name};", self._linkable()))

    def handle_comment(self, data: str) -> None:
        self.events.append((self._offset(), "tag", "!--", False))

    def handle_decl(self, decl: str) -> None:
        self.events.append((self._offset(), "tag", "!", False))

    def handle_pi(self, data: str) -> None:
        self.events.append((self._offset(), "tag", "?", False))

    def unknown_decl(self, data: str) -> None:
        self.events.append((self._offset(), "tag", "!", False))


def text_map(fragment: str) -> TextMap:
    """Parse an HTML fragment into its text (with block breaks) and the map back."""
    walker = _Walker(fragment)
    walker.feed(fragment)
    walker.close()
    events = walker.events
    parts: list[str] = []
    runs: list[TextRun] = []
    length = 0
    group = 0
    for index, (offset, kind, payload, linkable) in enumerate(events):
        end = events[index + 1][0] if index + 1 < len(events) else len(fragment)
        if kind == "tag":
            group += 1
            if payload in BLOCK_TAGS and parts and not parts[-1].endswith(BLOCK_SEPARATOR):
                parts.append(BLOCK_SEPARATOR)
                length += len(BLOCK_SEPARATOR)
            continue
        raw = fragment[offset:end]
        # A reference the parser could not close (a bare "&") is literal text.
        text = html.unescape(raw) if kind == "ref" else raw
        literal = text == raw
        runs.append(TextRun(length, length + len(text), offset, end, literal, linkable, group))
        parts.append(text)
        length += len(text)
    return TextMap(fragment, "".join(parts), tuple(runs))


@dataclass(frozen=True)
class Markup:
    """Tags to put around text[start:end] of a TextMap."""

    start: int
    end: int
    open_tag: str
    close_tag: str


def insert_markup(mapped: TextMap, markups: list[Markup]) -> str:
    """The HTML with each markup's tags around its text; markups that cannot be placed
    whole, or that overlap one placed before them, are left out."""
    placed: list[tuple[int, int, Markup]] = []
    taken = SpanSet()
    for markup in sorted(markups, key=lambda m: (m.start, -m.end)):
        if taken.overlaps(markup.start, markup.end):
            continue
        span = mapped.html_span(markup.start, markup.end)
        if span is None:
            continue
        taken.add(markup.start, markup.end)
        placed.append((span[0], span[1], markup))
    pieces: list[str] = []
    cursor = 0
    for html_start, html_end, markup in sorted(placed, key=lambda p: p[0]):
        pieces.append(mapped.html[cursor:html_start])
        pieces.append(markup.open_tag)
        pieces.append(mapped.html[html_start:html_end])
        pieces.append(markup.close_tag)
        cursor = html_end
    pieces.append(mapped.html[cursor:])
    return "".join(pieces)
