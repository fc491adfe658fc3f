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


def timeline_svg(dates: Iterable[date], label: str) -> str:
    """A bar per month from the first mention to the last, as a self-contained SVG."""
    months = Counter((d.year, d.month) for d in dates)
    if not months:
        return ""
    first, last = min(months), max(months)
    span = []
    year, month = first
    while (year, month) <= last:
        span.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    bar, gap, height, top = 10, 2, 60, 4
    width = len(span) * (bar + gap)
    tallest = max(months.values())
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img" '
        f'viewBox="0 0 {width} {height + 18}" width="{width}" height="{height + 18}" '
        f'aria-label="{html.escape(label)}">'
    ]
    for index, (y, m) in enumerate(span):
        count = months.get((y, m), 0)
        bar_height = round(height * count / tallest) if count else 0
        x = index * (bar + gap)
        title = f"{date(y, m, 1):%B %Y}: {count} article{'s' * (count != 1)}"
        y_top = top + height - bar_height
        parts.append(
            f'<rect x="{x}" y="{y_top}" width="{bar}" height="{max(bar_height, 1)}"'
            f' class="{"bar" if count else "bar empty"}"><title>{title}</title></rect>'
        )
        if m == 1 or index == 0:
            parts.append(f'<text x="{x}" y="{height + 16}" class="year">{y}</text>')
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
