"""Dates stage: the dates a news text mentions, normalised as TimeML values.

A rule tagger in the manner of HeidelTime. Absolute expressions keep the precision they
were written with ("March 2011" is 2011-03). Relative ones are resolved against the
publication date: a bare weekday is the latest such day on or before it (the same
weekday is the publication date itself) unless the sentence speaks of the future;
"last" and "next" are strict; a month without a year, or a quarter, moves by tense.
Durations, ages, counts and scores ("515 years", "2000 soldiers", "3-1") are not dates.
Without a publication date only absolute expressions are resolved.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from .spans import SpanSet

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9,
    "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12,
    "december": 12,
}  # fmt: skip
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
            "saturday": 5, "sunday": 6}  # fmt: skip
ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
}
SEASONS = {"spring": "SP", "summer": "SU", "autumn": "FA", "fall": "FA", "winter": "WI"}
NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
                "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
                "twelve": 12}  # fmt: skip
# "soon" and "the past" are left out: news uses them mostly in other senses.
REFERENCES = {"now": "PRESENT_REF", "currently": "PRESENT_REF", "recently": "PAST_REF",
              "the future": "FUTURE_REF"}  # fmt: skip

_MONTH = r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"  # noqa: E501
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>1[0-9]{3}|20[0-9]{2})"
_WEEKDAY = r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_PART = r"(?:\s+(?P<part>morning|afternoon|evening|night))?"
_FUTURE = re.compile(
    r"(?:\b(?:will|won't|shall|going to|plans? to|expects? to|expected to|scheduled|due to|"
    r"next|upcoming|later this)\b|'ll\b)",
    re.I,
)
# Words before a four-digit number that make it a year ("in 1995"), not a count ("2000 soldiers").
_YEAR_CONTEXT = re.compile(
    r"(?:\b(?:in|since|by|of|from|until|till|to|through|throughout|before|after|during|early|"
    r"late|mid|fiscal|year|the|and|or|between|around|circa|for|than|at|on|that|this|last|"
    r"next|each|every|spring|summer|autumn|fall|winter)|[(,–-])\s*$",
    re.I,
)


_PREPOSITION = re.compile(r"(?:on|in|since|by|until)\s+", re.I)


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    text: str
    value: str  # TimeML: 2016-08-22, 2011-03, 2016, 2016-W33, 1989-Q4, PRESENT_REF …


@dataclass(frozen=True)
class _Context:
    text: str
    match: re.Match[str]
    dct: date | None

    @property
    def future(self) -> bool:
        start = max(
            self.text.rfind(". ", 0, self.match.start()),
            self.text.rfind("\n", 0, self.match.start()),
        )
        ends = [
            i
            for i in (
                self.text.find(". ", self.match.end()),
                self.text.find("\n", self.match.end()),
            )
            if i != -1
        ]
        sentence = self.text[start + 1 : min(ends) if ends else len(self.text)]
        return bool(_FUTURE.search(sentence))


def _month(name: str) -> int:
    return MONTHS[name.lower().rstrip(".")]


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _shift_month(day: date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


# --- resolvers: each takes the context and returns a value or None ------------------------


def _full_date(c: _Context) -> str | None:
    year, month, day = int(c.match["year"]), _month(c.match["month"]), int(c.match["day"])
    return f"{year:04d}-{month:02d}-{day:02d}" if _valid(year, month, day) else None


def _iso_date(c: _Context) -> str | None:
    year, month, day = int(c.match["year"]), int(c.match["m"]), int(c.match["day"])
    return f"{year:04d}-{month:02d}-{day:02d}" if _valid(year, month, day) else None


def _month_day(c: _Context) -> str | None:
    if c.dct is None:
        return None
    month, day = _month(c.match["month"]), int(c.match["day"])
    year = c.dct.year
    if not _valid(year, month, day) and not (month == 2 and day == 29):
        return None
    # Tense moves a date without a year into the next or the previous year.
    candidate = (month, day)
    if c.future and candidate < (c.dct.month, c.dct.day) and (c.dct.month - month) % 12 > 2:
        year += 1
    elif not c.future and candidate > (c.dct.month, c.dct.day) and (month - c.dct.month) % 12 > 1:
        year -= 1
    return f"{year:04d}-{month:02d}-{day:02d}" if _valid(year, month, day) else None


def _month_year(c: _Context) -> str | None:
    return f"{int(c.match['year']):04d}-{_month(c.match['month']):02d}"


def _bare_month(c: _Context) -> str | None:
    if c.dct is None:
        return None
    month = _month(c.match["month"])
    modifier = (c.match["modifier"] or "").lower()
    before = c.text[max(0, c.match.start() - 30) : c.match.start()]
    if not modifier and re.search(r"\b[A-Z][a-z]+\s+$", before):
        return None  # "Theresa May", "Fred March": a name, not a month
    year = c.dct.year
    if modifier == "last":
        year -= 1 if month >= c.dct.month else 0
    elif modifier == "next":
        year += 1 if month <= c.dct.month else 0
    elif c.future and month < c.dct.month:
        year += 1
    elif not c.future and month > c.dct.month and modifier != "this":
        year -= 1
    return f"{year:04d}-{month:02d}"


def _year(c: _Context) -> str | None:
    before = c.text[max(0, c.match.start() - 25) : c.match.start()]
    after = c.text[c.match.end() : c.match.end() + 12]
    if re.match(r"\s*(?:%|percent|per cent|[a-z]+s\b)", after) or re.search(r"[$£€#]\s*$", before):
        return None  # "2000 soldiers", "$1995", "1995 percent"
    if re.match(r"[\d,.]\d", after) or re.search(r"\d[.,]?$", before):
        return None  # part of a larger number
    if not _YEAR_CONTEXT.search(before) and not re.match(r"\s*(?:[,.;)]|'s|’s|$)", after):
        return None
    return c.match["year"]


def _decade(c: _Context) -> str | None:
    return c.match["decade"][:3]


def _weekday(c: _Context) -> str | None:
    if c.dct is None:
        return None
    weekday = WEEKDAYS[c.match["weekday"].lower()]
    modifier = (c.match["modifier"] or "").lower()
    back = (c.dct.weekday() - weekday) % 7
    forward = (weekday - c.dct.weekday()) % 7
    if modifier in ("last", "previous"):
        day = c.dct - timedelta(days=back or 7)
    elif modifier in ("next", "following", "coming"):
        day = c.dct + timedelta(days=forward or 7)
    elif modifier == "this" or c.future:
        day = c.dct + timedelta(days=forward)
    else:
        day = c.dct - timedelta(days=back)
    return day.isoformat()


def _deictic_day(c: _Context) -> str | None:
    if c.dct is None:
        return None
    word = c.match["word"].lower()
    offset = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}[word]
    day = c.dct + timedelta(days=offset)
    return day.isoformat()


def _relative_unit(c: _Context) -> str | None:
    if c.dct is None:
        return None
    step = {"last": -1, "past": -1, "previous": -1, "this": 0, "next": 1, "coming": 1}[
        c.match["modifier"].lower()
    ]
    unit = c.match["unit"].lower()
    if c.match["earlier"]:
        step = 0
    if unit == "week":
        return _iso_week(c.dct + timedelta(weeks=step))
    if unit == "month":
        year, month = _shift_month(c.dct, step)
        return f"{year:04d}-{month:02d}"
    return f"{c.dct.year + step:04d}"


def _ago(c: _Context) -> str | None:
    if c.dct is None:
        return None
    count = NUMBER_WORDS.get(c.match["count"].lower()) or int(c.match["count"])
    unit = c.match["unit"].lower().rstrip("s")
    if unit == "day":
        return (c.dct - timedelta(days=count)).isoformat()
    if unit == "week":
        return _iso_week(c.dct - timedelta(weeks=count))
    if unit == "month":
        year, month = _shift_month(c.dct, -count)
        return f"{year:04d}-{month:02d}"
    return f"{c.dct.year - count:04d}"


def _quarter(c: _Context) -> str | None:
    quarter = ORDINALS[c.match["ordinal"].lower()]
    if c.match["year"]:
        return f"{c.match['year']}-Q{quarter}"
    if c.dct is None:
        return None
    current = (c.dct.month - 1) // 3 + 1
    year = c.dct.year
    if not c.future and quarter > current:
        year -= 1
    return f"{year:04d}-Q{quarter}"


def _recent_quarter(c: _Context) -> str | None:
    """ "The quarter", "the latest quarter": in news, the last one that has ended."""
    if c.dct is None:
        return None
    current = (c.dct.month - 1) // 3 + 1
    if (c.match["which"] or "").lower() == "this":
        return f"{c.dct.year:04d}-Q{current}"
    year, quarter = (c.dct.year, current - 1) if current > 1 else (c.dct.year - 1, 4)
    return f"{year:04d}-Q{quarter}"


def _half(c: _Context) -> str | None:
    half = 1 if c.match["which"].lower() in ("first", "1st") else 2
    return f"{c.match['year']}-H{half}"


def _season(c: _Context) -> str | None:
    season = SEASONS[c.match["season"].lower()]
    if c.match["year"]:
        return f"{c.match['year']}-{season}"
    if c.dct is None:
        return None
    modifier = (c.match["modifier"] or "this").lower()
    year = c.dct.year + {"last": -1, "next": 1, "this": 0}[modifier]
    return f"{year:04d}-{season}"


def _reference(c: _Context) -> str | None:
    return REFERENCES[c.match["reference"].lower()]


_Rule = tuple[re.Pattern[str], Callable[[_Context], str | None]]
RULES: list[_Rule] = [
    (re.compile(rf"\b(?:{_WEEKDAY},?\s+)?{_MONTH}\s+{_DAY},?\s+{_YEAR}\b"), _full_date),
    (re.compile(rf"\b(?:{_WEEKDAY},?\s+)?{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b"), _full_date),
    (
        re.compile(r"\b(?P<year>1[0-9]{3}|20[0-9]{2})-(?P<m>0[1-9]|1[0-2])-(?P<day>[0-3]\d)\b"),
        _iso_date,
    ),
    (re.compile(rf"\b{_MONTH}\s+(?:of\s+)?{_YEAR}\b"), _month_year),
    (
        re.compile(
            rf"\b(?:the\s+)?(?P<which>first|second|1st|2nd|last)\s+half\s+of\s+{_YEAR}\b", re.I
        ),
        _half,
    ),
    (
        re.compile(
            rf"\b(?:the\s+)?(?P<ordinal>first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+quarter(?:\s+of\s+{_YEAR})?",
            re.I,
        ),
        _quarter,
    ),
    (
        re.compile(
            r"\b(?:the\s+(?:latest\s+|most\s+recent\s+)?|(?P<which>last|this)\s+)quarter\b(?!\s+of)",
            re.I,
        ),
        _recent_quarter,
    ),
    (
        re.compile(
            rf"\b(?:(?P<modifier>last|next|this)\s+|(?:in\s+)?the\s+)(?P<season>spring|summer|autumn|fall|winter)(?:\s+(?:of\s+)?{_YEAR})?\b",
            re.I,
        ),
        _season,
    ),
    (re.compile(rf"\b(?:{_WEEKDAY},?\s+)?{_MONTH}\s+{_DAY}\b(?![,.]?\s*\d)"), _month_day),
    (
        re.compile(
            rf"\b(?:{_WEEKDAY},?\s+)?(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}\b(?!\s*,?\s*\d)"
        ),
        _month_day,
    ),
    (
        re.compile(
            rf"(?:\b(?P<modifier>(?i:last|next|this|early|late|mid|in|since|until|by))[\s-]+|(?<![-\w])){_MONTH}(?!\s*\d)\b"
        ),
        _bare_month,
    ),
    (re.compile(r"\b(?:the\s+)?(?P<decade>1[0-9]{2}0|20[0-9]0)s\b"), _decade),
    (re.compile(rf"\b(?:fiscal\s+)?{_YEAR}\b(?!-\d)"), _year),
    (
        re.compile(
            rf"\b(?:(?:the\s+)?(?P<modifier>last|next|this|on|early|late|previous|following|coming)\s+)?{_WEEKDAY}{_PART}\b",
            re.I,
        ),
        _weekday,
    ),
    (
        re.compile(
            rf"\b(?:late\s+|early\s+)?(?P<word>today|tonight|yesterday|tomorrow){_PART}\b", re.I
        ),
        _deictic_day,
    ),
    (
        re.compile(
            r"\b(?P<earlier>earlier\s+|later\s+)?(?P<modifier>last|past|previous|this|next|coming)\s+(?P<unit>week|month|year)\b",
            re.I,
        ),
        _relative_unit,
    ),
    (
        re.compile(
            r"\b(?P<count>a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d{1,2})\s+(?P<unit>days?|weeks?|months?|years?)\s+ago\b",
            re.I,
        ),
        _ago,
    ),
    (re.compile(r"\b(?P<reference>now|currently|recently|the future)\b", re.I), _reference),
]


def tag_dates(text: str, dct: date | None) -> list[DateMention]:
    """Every date `text` mentions, resolved against the publication date `dct`."""
    found: list[DateMention] = []
    taken = SpanSet()
    candidates = []
    for order, (pattern, resolve) in enumerate(RULES):
        for match in pattern.finditer(text):
            candidates.append(
                (match.start(), -(match.end() - match.start()), order, match, resolve)
            )
    # The longest expression wins where two overlap ("Oct. 31" over "by Oct").
    for start, _, _, match, resolve in sorted(candidates, key=lambda c: (c[1], c[0], c[2])):
        end = match.end()
        if taken.overlaps(start, end):
            continue
        value = resolve(_Context(text, match, dct))
        if value is None:
            continue
        taken.add(start, end)
        # "on Thursday", "in March": the preposition is not part of the date.
        preposition = _PREPOSITION.match(text, start, end)
        if preposition:
            start = preposition.end()
        found.append(DateMention(start, end, text[start:end], value))
    return sorted(found, key=lambda m: m.start)


HTML_DATETIME = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?|-W\d{2})?$")


def html_datetime(value: str) -> str | None:
    """The value as an HTML `datetime` attribute, if HTML can say it (not quarters or refs)."""
    base = value.split("T", 1)[0]
    return base if HTML_DATETIME.match(base) else None


@lru_cache(maxsize=65536)  # pages show the same few thousand dates many times over
def describe(value: str) -> str:
    """A reader's wording of a value: "Monday 22 August 2016", "March 2011", "week 33 of 2016"."""
    base = value.split("T", 1)[0]
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", base):
        day = date.fromisoformat(base)
        return f"{day:%A} {day.day} {day:%B %Y}"
    if re.fullmatch(r"\d{4}-\d{2}", base):
        return f"{date(int(base[:4]), int(base[5:]), 1):%B %Y}"
    if re.fullmatch(r"\d{4}-W\d{2}", base):
        return f"week {int(base[6:])} of {base[:4]}"
    return base
