"""Names in lines of results and tables, where the model reads worst.

A results line ("Kellan Rovers 2 Orvale 1"), a table row ("Orvale 4 3 1 0 9 4 10") or a
scorecard ("Kellan : Orvale 301 ( A. Brodsky 112 , T.O'Neill 54 )") is no sentence: the words
around a name tell nothing of its kind, and the model misses or mistypes most of them.
The layout does tell: a name heads each row or sits between two scores, a scorecard
writes a player as an initial and a surname, and the ground before a colon.
"""

from __future__ import annotations

import re

from .acronyms import COMMON_ACRONYMS, undotted
from .dates import MONTHS, WEEKDAYS
from .gazetteer import place_names

# "A. Brodsky", "T.O'Neill", "J.J. Kenny": a player on a scorecard. The initials must
# not be a country's ("U.S. Open").
_INITIALS_AND_SURNAME = re.compile(
    r"(?<![\w.'’])(?P<initials>(?:[A-Z]\.\s?){1,3})[A-Z](?:['’][A-Z])?[a-z]+(?:-[A-Z][a-z]+)*"
    r"(?![\w'’-]|\s[A-Z])"
)
# A name in a row: capitalised words, joined by a possessive ("Queen 's Park") or a
# particle ("Port of Kellan").
_ROW_WORD = r"[A-Z](?:[^\W\d_]|['’.&-])*"  # letters only: a table number is no part of it
_ROW_NAME = re.compile(
    rf"{_ROW_WORD}(?:\s+(?:['’]s\s+|(?:of|de|la|del|van|von|der)\s+)?{_ROW_WORD})*"
)
# "Kellan : Orvale 301 ...", "At Kellan Park ( Kellan ) : ...": where the match was played.
_GROUND = re.compile(
    rf"^(?:At\s+)?(?P<ground>{_ROW_NAME.pattern})(?:\s*\(\s*(?P<town>{_ROW_NAME.pattern})\s*\))?\s*:"
)
_NUMBER_AFTER = re.compile(r"(?:\s+\([^()]{1,30}\))?\s+\d")  # "Orvale ( Zarkhan ) 2:10.5"
_BEFORE_A_ROW_NAME = re.compile(r"(?:^|\d[\d.,:/=-]*\s+|[,;:]\s+)$")
_DATE_WORDS = frozenset(MONTHS) | frozenset(WEEKDAYS)


def scorecard_people(line: str) -> list[tuple[int, int]]:
    """The (start, end) in `line` of each player written as initials and a surname."""
    spans = []
    for match in _INITIALS_AND_SURNAME.finditer(line):
        initials = match["initials"].strip()
        if undotted(initials) not in COMMON_ACRONYMS and initials not in place_names():
            spans.append(match.span())
    return spans


def grounds(line: str, lower_words: set[str]) -> list[tuple[int, int]]:
    """The (start, end) of the ground, and its town, that open a line of scores before a
    colon; a label there ("Bowling :") is a word the article writes in lower case."""
    match = _GROUND.match(line)
    if match is None or match["ground"].casefold() in lower_words:
        return []
    return [match.span(group) for group in ("ground", "town") if match[group]]


def row_names(line: str, lower_words: set[str]) -> list[tuple[int, int]]:
    """The (start, end) in `line` of each name that heads a row or follows a score, and is
    followed by a score itself: "Kellan Rovers" and "Orvale" of "Kellan Rovers 2 Orvale 1".

    A date ("May 17") heads no row; nor does a single word the article writes in lower
    case elsewhere (`lower_words`), a row label ("Revenue 4,120 3,900").
    """
    spans = []
    for match in _ROW_NAME.finditer(line):
        words = match.group(0).split()
        if (
            not _NUMBER_AFTER.match(line, match.end())
            or not _BEFORE_A_ROW_NAME.search(line[: match.start()])
            or words[0].casefold().rstrip(".") in _DATE_WORDS
            or (len(words) == 1 and words[0].casefold() in lower_words)
        ):
            continue
        spans.append(match.span())
    return spans
