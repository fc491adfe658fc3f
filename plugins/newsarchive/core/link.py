"""Link stage: wrap an article's entity mentions in its HTML without changing its text.

The first mention of each entity that can be wrapped becomes a link to the entity's
page; later ones are marked, so a reader sees the name was recognised. Nothing is
wrapped inside an existing link, code or a heading.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass

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
    return insert_markup(mapped, markups)
