"""Cleaning a mention of what is not its name.

"Foreign Ministry Spokesman Bahram Qassemi" is Bahram Qassemi; "the International Atomic
Energy Agency" is International Atomic Energy Agency; "Valmora 2-0" is Valmora.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .names import NAME_PARTICLES
from .scripts import detect

# Words that title or describe a person rather than name them.
ROLE_WORDS = frozenset(
    """
    president vice prime minister ministers foreign defense defence interior energy finance
    economy justice health education trade spokesman spokeswoman spokesperson ambassador
    envoy governor mayor general brigadier colonel major captain lieutenant admiral sergeant
    commander dr dr. mr mr. mrs mrs. ms ms. miss sir lord lady king queen prince princess
    sheikh ayatollah imam pope chancellor senator sen. rep. representative judge chairman
    chairwoman chair director chief executive ceo secretary deputy coach striker goalkeeper
    midfielder defender professor prof. ministry leader opposition head candidate mp
    deputy-head former late acting interim first lady premier diplomat hydrologist scientist
    economist analyst official officials minister's president's affairs
    """.split()
)
# A mention ending in one of these describes a person, so it is no organisation.
PERSON_ROLE_NOUNS = frozenset(
    {"spokesman", "spokeswoman", "spokesperson", "minister", "ambassador", "envoy",
     "president", "governor", "mayor", "chairman", "director", "secretary", "chief", "coach"}
)  # fmt: skip
ROLE_PREPOSITIONS = frozenset({"to", "of", "for", "in", "at"})
DETERMINERS = frozenset({"the", "a", "an", "this", "that"})
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_TOKEN = re.compile(r"\S+")
_ABBREVIATION = re.compile(r"(?:^|\s)(?:\w\.){2,}$")


@dataclass(frozen=True)
class CleanName:
    text: str
    start: int  # offsets into the text the mention came from
    end: int


def clean_mention(text: str, start: int, kind: str) -> CleanName | None:
    """Strip determiners, titles and possessives from a mention; None if nothing is left.

    `start` is the mention's offset in its text, so the clean name keeps exact offsets.
    """
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    words = [text[s:e] for s, e in tokens]

    def lower(i: int) -> str:
        return words[i].strip(",.;:").casefold()

    first, last = 0, len(tokens)
    # Lower-case words before a name ("the", "opposition") are not part of it.
    while first < last and (
        lower(first) in DETERMINERS
        or (words[first].islower() and lower(first) not in NAME_PARTICLES)
    ):
        first += 1
    # Nor are scores and numbers after it ("Valmora 2-0"), or common words ("news agency").
    while last > first and (any(c.isdigit() for c in words[last - 1]) or words[last - 1].islower()):
        last -= 1
    if kind == "person":
        # Titles and roles before the name; also "Iran's" before "Foreign Minister".
        while first < last and (lower(first) in ROLE_WORDS or _POSSESSIVE.search(words[first])):
            first += 1
        # "Russian Ambassador to Iran Levan Jagarian": the name follows the last role word.
        roles = [i for i in range(first, last - 1) if lower(i) in ROLE_WORDS]
        if roles:
            after = roles[-1] + 1
            if lower(after) in ROLE_PREPOSITIONS and after + 2 < last:
                after += 2
            first = after
    if first >= last:
        return None
    if kind == "organization" and lower(last - 1) in PERSON_ROLE_NOUNS:
        return None
    if all(lower(i) in ROLE_WORDS for i in range(first, last)):
        return None
    span_start, span_end = tokens[first][0], tokens[last - 1][1]
    span = text[span_start:span_end]
    possessive = _POSSESSIVE.search(span)
    if possessive:
        span_end -= len(possessive.group(0))
    span = text[span_start:span_end].rstrip(",;:")
    if span.endswith(".") and not _ABBREVIATION.search(span):
        span = span[:-1]  # a full stop, not the end of "U.S."
    span_end = span_start + len(span)
    if not span or not any(c.isalpha() for c in span):
        return None
    if not any(c.isupper() for c in span) and detect(span).is_latin:
        return None  # "the ministry", lower-case words are not names
    return CleanName(span, start + span_start, start + span_end)
