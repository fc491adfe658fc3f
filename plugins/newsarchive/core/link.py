"""Link stage: wrap an article's entity and date mentions in its HTML, its text unchanged.

The first mention of each entity that can be wrapped becomes a link to the entity's
page; later ones are marked, so a reader sees the name was recognised. Nothing is
wrapped inside an existing link, code or a heading.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .dates import DateMention, describe, html_datetime
from .html_text import Markup, TextMap, insert_markup
from .resolve import LinkedMention


@dataclass(frozen=True)
class EntityTarget:
    name: str
    kind: str
    url: str


def link_entities(
    mapped: TextMap, mentions: tuple[LinkedMention, ...], targets: Mapping[str, EntityTarget]
) -> str:
    """The article HTML with its mentions wrapped; mentions of unknown entities are skipped."""
    return insert_markup(mapped, entity_markups(mapped, mentions, targets))


def date_markups(dates: Iterable[DateMention]) -> list[Markup]:
    """`<time datetime>` around each date HTML can express, the resolved date in its title."""
    markups = []
    for mention in dates:
        value = html_datetime(mention.value)
        if value is None:
            continue
        open_tag = f'<time datetime="{value}" title="{html.escape(describe(mention.value))}">'
        markups.append(Markup(mention.start, mention.end, open_tag, "</time>"))
    return markups


def entity_markups(
    mapped: TextMap, mentions: tuple[LinkedMention, ...], targets: Mapping[str, EntityTarget]
) -> list[Markup]:
    """A link around each entity's first mention that can be wrapped, a mark around the rest."""
    markups: list[Markup] = []
    linked: set[str] = set()
    for mention in sorted(mentions, key=lambda m: m.start):
        target = targets.get(mention.entity_id)
        if target is None or mapped.html_span(mention.start, mention.end) is None:
            continue
        kind = html.escape(target.kind)
        title = html.escape(f"{target.name} ({target.kind})")
        if mention.entity_id in linked:
            open_tag = (
                f'<span class="entity entity-{kind}" data-entity="{html.escape(mention.entity_id)}"'
                f' title="{title}">'
            )
            close_tag = "</span>"
        else:
            linked.add(mention.entity_id)
            open_tag = (
                f'<a class="entity entity-{kind}" href="{html.escape(target.url)}"'
                f' data-entity="{html.escape(mention.entity_id)}" title="{title}">'
            )
            close_tag = "</a>"
        markups.append(Markup(mention.start, mention.end, open_tag, close_tag))
    return markups
