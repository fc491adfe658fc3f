"""Publish stage: what entity pages, the timeline and the open-data export show, as plain data.

The sentence a mention appears in (the mention highlighted), the entities an entity
appears with most, a timeline of mentions drawn as SVG, the archive's timeline of the
dates its articles mention, and the JSON export records.
"""

from __future__ import annotations

import html
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from slugify import slugify

SENTENCE_LIMIT = 400  # characters shown either side at most, for run-on "sentences"


@dataclass(frozen=True)
class Appearance:
    article_key: str
    sentence_html: str  # the sentence, escaped, with the mention in <mark>


def sentence_with_mention(
    text: str, sentences: Iterable[tuple[int, int]], start: int, end: int
) -> str:
    """The sentence holding text[start:end], escaped, the mention wrapped in <mark>."""
    sentence_start, sentence_end = (
        max(0, start - SENTENCE_LIMIT),
        min(len(text), end + SENTENCE_LIMIT),
    )
    for s_start, s_end in sentences:
        if s_start <= start < s_end:
            sentence_start, sentence_end = (
                max(s_start, sentence_start),
                max(min(s_end, sentence_end), end),
            )
            break
    # A sentence never runs over a paragraph break.
    paragraph_start = text.rfind("\n", sentence_start, start) + 1 or sentence_start
    paragraph_end = text.find("\n", end, sentence_end)
    sentence_start = max(sentence_start, paragraph_start)
    sentence_end = paragraph_end if paragraph_end != -1 else sentence_end
    before = text[sentence_start:start].lstrip()
    after = text[end:sentence_end].rstrip()
    return f"{html.escape(before)}<mark>{html.escape(text[start:end])}</mark>{html.escape(after)}"


def co_mentions(
    entities_by_article: Mapping[str, set[str]], limit: int = 10
) -> dict[str, list[tuple[str, int]]]:
    """For each entity, the entities sharing most articles with it: (id, articles shared).
    One pass over the articles, so the cost grows with the archive, not with its square."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for entities in entities_by_article.values():
        for entity_id in entities:
            counts[entity_id].update(e for e in entities if e != entity_id)
    return {
        entity_id: sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        for entity_id, shared in counts.items()
    }


TIMELINE_MAX_BARS = 100  # a longer span is drawn in coarser bins; centuries always fit
_BAR, _GAP, _CHART_HEIGHT, _LEFT, _TOP = 10, 2, 60, 28, 14
_LABEL_GAP = 44  # px between year labels: "2024" or "1990s" at 11 px never touch


@dataclass(frozen=True)
class _Unit:
    name: str  # shown in the chart's label: "Articles ... by month"
    bin_of: Callable[[date], int]
    title: Callable[[int], str]  # the bar's tooltip
    label: Callable[[int], str | None]  # the axis label at a bar, where one belongs


_UNITS = (
    _Unit(
        "month",
        lambda d: d.year * 12 + d.month - 1,
        lambda b: f"{date(b // 12, b % 12 + 1, 1):%B} {b // 12}",
        lambda b: str(b // 12) if b % 12 == 0 else None,
    ),
    _Unit("year", lambda d: d.year, str, str),
    _Unit("decade", lambda d: d.year // 10, lambda b: f"{b * 10}s", lambda b: f"{b * 10}s"),
    _Unit(
        "century",
        lambda d: d.year // 100,
        lambda b: f"{b * 100}–{b * 100 + 99}",
        lambda b: str(b * 100),
    ),
)


def _spaced_labels(candidates: list[tuple[float, str]]) -> list[tuple[float, str]]:
    """Axis labels at least _LABEL_GAP apart, taken from the left; the first bar's label
    gives way to the first regular one (a January) when they would touch."""
    if len(candidates) > 1 and candidates[1][0] - candidates[0][0] < _LABEL_GAP:
        candidates = candidates[1:]
    kept: list[tuple[float, str]] = []
    for x, text in candidates:
        if not kept or x - kept[-1][0] >= _LABEL_GAP:
            kept.append((x, text))
    return kept


def timeline_svg(dates: Iterable[date], subject: str) -> str:
    """A bar chart of the articles mentioning `subject` over time, one bar per month (per
    year, decade or century when the span is too long for TIMELINE_MAX_BARS), with a
    baseline, the tallest bar's count, non-overlapping year labels and each bar's count
    as its tooltip. Colours come from the theme's style sheet."""
    dates = list(dates)
    if not dates:
        return ""
    for unit in _UNITS:
        bins = Counter(unit.bin_of(d) for d in dates)
        first, last = min(bins), max(bins)
        if last - first < TIMELINE_MAX_BARS:
            break
    span = range(first, last + 1)
    pitch = _BAR + _GAP
    width = _LEFT + len(span) * pitch
    height = _TOP + _CHART_HEIGHT + 18
    tallest = max(bins.values())
    label = f"Articles mentioning {subject} by {unit.name}; at most {tallest} in one {unit.name}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-label="{html.escape(label)}">',
        *(
            f'<text x="{_LEFT - 4}" y="{y}" class="scale" text-anchor="end">{value}</text>'
            for y, value in ((_TOP + 4, tallest), (_TOP + _CHART_HEIGHT, 0))
        ),
    ]
    candidates = []
    for index, bin_ in enumerate(span):
        count = bins.get(bin_, 0)
        bar_height = round(_CHART_HEIGHT * count / tallest) if count else 0
        x = _LEFT + index * pitch
        title = f"{unit.title(bin_)}: {count} article{'s' * (count != 1)}"
        parts.append(
            f'<rect x="{x}" y="{_TOP + _CHART_HEIGHT - max(bar_height, 1)}" width="{_BAR}" '
            f'height="{max(bar_height, 1)}" class="{"bar" if count else "bar empty"}">'
            f"<title>{html.escape(title)}</title></rect>"
        )
        text = unit.label(bin_) or (unit.title(bin_).split()[-1] if index == 0 else None)
        if text:
            candidates.append((x, text))
    baseline = _TOP + _CHART_HEIGHT + 0.5
    parts.append(f'<line x1="{_LEFT}" y1="{baseline}" x2="{width}" y2="{baseline}" class="axis"/>')
    parts += [
        f'<text x="{x}" y="{height - 2}" class="year">{html.escape(text)}</text>'
        for x, text in _spaced_labels(candidates)
    ]
    parts.append("</svg>")
    return "".join(parts)


def entity_record(
    entity_id: str,
    name: str,
    kind: str,
    aliases: Iterable[str],
    url: str,
    article_urls: Iterable[str],
) -> dict:
    """One entity in output/data/entities.json."""
    return {
        "id": entity_id,
        "name": name,
        "kind": kind,
        "aliases": list(aliases),
        "url": url,
        "articles": list(article_urls),
    }


def article_record(
    url: str, title: str, published: date | None, entity_ids: Iterable[str],
    dates: Iterable[str], related: Iterable[str],
) -> dict:  # fmt: skip
    """One article in output/data/articles.json."""
    return {
        "url": url,
        "title": title,
        "date": published.isoformat() if published else None,
        "entities": list(entity_ids),
        "dates": list(dates),
        "related": list(related),
    }


@dataclass(frozen=True)
class TimelinePoint:
    value: str  # 2016-08-22, 2016-08, 2016-W33, 2016
    label: str  # "Monday 22 August 2016"
    article_keys: tuple[str, ...]


@dataclass(frozen=True)
class TimelineMonth:
    year: int
    month: int | None  # None: mentions of the year as a whole
    points: tuple[TimelinePoint, ...]

    @property
    def label(self) -> str:
        return (
            f"{date(self.year, self.month, 1):%B %Y}" if self.month else f"{self.year} as a whole"
        )

    @property
    def slug(self) -> str:
        """Names the month's page: 2016-08, or 2016 for the year as a whole."""
        return _month_slug(self.year, self.month)

    @property
    def anchor(self) -> str:
        return f"timeline-{self.slug}"

    @property
    def story_count(self) -> int:
        return len({key for point in self.points for key in point.article_keys})


def _month_slug(year: int, month: int | None) -> str:
    return f"{year}-{month:02d}" if month else str(year)


def timeline_month_slug(value: str) -> str:
    """The slug of the timeline month page where the date `value` is listed."""
    return _month_slug(*_month_of(value))


def timeline_point_anchor(value: str) -> str:
    """The fragment of a timeline month page where the date `value` is listed."""
    return f"date-{value}"


def _month_of(value: str) -> tuple[int, int | None]:
    year = int(value[:4])
    if "-W" in value:
        monday = date.fromisocalendar(year, int(value[6:8]), 1)
        return monday.year, monday.month
    return year, int(value[5:7]) if len(value) >= 7 else None


def index_letter(name: str) -> str:
    """The A–Z heading a name is filed under: its first letter in ASCII ("Ögedei" and
    "Öcalan" under O, "Рустам" under R), "0–9" for a digit."""
    first = slugify(name)[:1].upper()
    return "0–9" if first.isdigit() else first or "#"


def by_letter(entities: Iterable[Any], name: Callable[[Any], str]) -> list[tuple[str, list]]:
    """Entities already in A–Z order, grouped under their letters, digits first."""
    groups: dict[str, list] = {}
    for entity in entities:
        groups.setdefault(index_letter(name(entity)), []).append(entity)
    return sorted(groups.items(), key=lambda item: (item[0] != "0–9", item[0]))


def latest_day_mentioned(values: Iterable[str]) -> date | None:
    """The latest day a story's dates reach (a week by its Monday, a month or year by its
    first day): what orders the stories of an undated archive on its front page."""
    days = []
    for value in values:
        year, month = _month_of(value)
        if "-W" in value:
            days.append(date.fromisocalendar(year, int(value[6:8]), 1))
        elif len(value) >= 10:
            days.append(date.fromisoformat(value[:10]))
        else:
            days.append(date(year, month or 1, 1))
    return max(days, default=None)


def timeline(
    dates_by_article: Mapping[str, Iterable[str]], describe: Callable[[str], str]
) -> list[TimelineMonth]:
    """What the archive mentions, grouped by month (weeks by their Monday), newest first."""
    articles_by_value: dict[str, set[str]] = {}
    for key, values in dates_by_article.items():
        for value in values:
            articles_by_value.setdefault(value, set()).add(key)
    months: dict[tuple[int, int | None], list[TimelinePoint]] = {}
    for value in sorted(articles_by_value, reverse=True):
        point = TimelinePoint(value, describe(value), tuple(sorted(articles_by_value[value])))
        months.setdefault(_month_of(value), []).append(point)
    ordered = sorted(months, key=lambda ym: (ym[0], ym[1] or 13), reverse=True)
    return [TimelineMonth(year, month, tuple(months[(year, month)])) for year, month in ordered]


def safe_json(data: Any, compact: bool = False) -> str:
    """JSON in which <, > and & are escaped, so text holding markup stays inert even
    where someone pastes the file into a page; parsed, it is the same data."""
    layout: dict[str, Any] = {"separators": (",", ":")} if compact else {"indent": 1}
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, **layout)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
