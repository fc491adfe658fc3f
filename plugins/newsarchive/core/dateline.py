"""Datelines: the `TEHRAN (Tasnim) –` that opens a wire story, parsed into place and source."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_LETTERS = r"[^\W\d_]"
_NAME_CHAR = r"(?:[^\W\d_]|['’.\- ])"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"

DATELINE_PATTERN = re.compile(
    rf"""
    ^(?P<place>{_LETTERS}{_NAME_CHAR}{{0,40}}?{_LETTERS}\.?)            # TEHRAN, NEW YORK, ST. PAUL
    (?:,\ (?P<region>(?!{_MONTH}\ \d){_LETTERS}{_NAME_CHAR}{{0,40}}?))?  # , Afghanistan
    (?:,\ (?P<day>{_MONTH}\ \d{{1,2}}))?                                 # , Aug 22
    \s*(?:\((?P<source>[^()\n]{{1,40}})\))?                              # (Tasnim)
    \s*(?:[–—]|--?)\s+(?=\S)                                             # the dash before the text
    """,
    re.VERBOSE,
)

# Lower-case particles inside place names ("Port-au-Prince", "Dar es Salaam").
_PARTICLES = frozenset({"au", "aux", "de", "del", "des", "du", "el", "es", "la", "le", "of", "sur"})


@dataclass(frozen=True)
class Dateline:
    text: str  # exactly as written, dash included
    place: str  # display form: "Tehran", "Kabul, Afghanistan"
    place_text: str  # the place as written: "TEHRAN"
    source: str | None  # the agency in brackets, if any


def _display_place(upper: str) -> str:
    def word(token: str, first: bool) -> str:
        lower = token.lower()
        if not first and lower in _PARTICLES:
            return lower
        return lower[:1].upper() + lower[1:]

    words = []
    for i, space_part in enumerate(upper.split(" ")):
        pieces = space_part.split("-")
        words.append("-".join(word(p, first=(i == 0 and j == 0)) for j, p in enumerate(pieces)))
    return " ".join(words)


def parse_dateline(paragraph: str) -> Dateline | None:
    """The dateline opening `paragraph`, or None if it does not open with one.

    The place must be written in capitals, as wire services do; a source in
    brackets or a place of three letters or more is required, so "US – China
    talks" is not taken for a dateline.
    """
    match = DATELINE_PATTERN.match(paragraph)
    if not match:
        return None
    place = match["place"]
    letters = [c for c in place if c.isalpha()]
    if not all(c.isupper() for c in letters):
        return None
    if match["source"] is None and len(letters) < 3:
        return None
    display = _display_place(place)
    if match["region"]:
        display = f"{display}, {match['region'].strip()}"
    source = match["source"].strip() if match["source"] else None
    return Dateline(text=match.group(0).rstrip(), place=display, place_text=place, source=source)


# Wire copy also sets the dateline on a line of its own above the story, with the date
# and no dash: "KELLAN 2026-03-04", "ORVALE, Qaragol 2026-03-04", "KELLAN, March 4".
_DATE = rf"(?:\d{{4}}-\d\d-\d\d|{_MONTH}\ \d{{1,2}}(?:,?\ \d{{4}})?)"
DATELINE_LINE_PATTERN = re.compile(
    rf"""
    ^(?P<place>{_LETTERS}{_NAME_CHAR}{{0,40}}?{_LETTERS}\.?)
    (?:\ ?,\ (?P<region>(?!{_DATE}){_LETTERS}{_NAME_CHAR}{{0,40}}?{_LETTERS}\.?))?
    \ ?,?\ +{_DATE}\ *$
    """,
    re.VERBOSE | re.MULTILINE,
)


def dateline_line_places(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each place named by a dateline on a line of its own: the place
    in capitals and the region after it, if any."""
    spans = []
    for match in DATELINE_LINE_PATTERN.finditer(text):
        if not all(c.isupper() for c in match["place"] if c.isalpha()):
            continue  # "Results 2026-03-04" is a heading, not a dateline
        spans.append(match.span("place"))
        if match["region"]:
            spans.append(match.span("region"))
    return spans


_OPENING_PARAGRAPH = re.compile(r"\s*<p>(?P<inner>.*?)</p>", re.DOTALL)


def mark_dateline_in_html(body: str) -> tuple[str, Dateline | None, str | None]:
    """Find the dateline opening an HTML body (a Markdown article's first paragraph).

    Returns the body with the dateline wrapped in `<span class="dateline">` (its text
    unchanged), the dateline, and the rest of that first paragraph as a lede.
    """
    match = _OPENING_PARAGRAPH.match(body)
    if not match:
        return body, None, None
    inner = match["inner"]
    dateline = parse_dateline(html.unescape(inner.split("<", 1)[0]))
    if dateline is None:
        return body, None, inner
    written = html.escape(dateline.text, quote=False)
    if not inner.startswith(written):
        return body, None, inner
    start = match.start("inner")
    marked = f'{body[:start]}<span class="dateline">{written}</span>{body[start + len(written) :]}'
    return marked, dateline, inner[len(written) :].lstrip()
