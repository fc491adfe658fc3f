"""Writes what enrichment found: entity pages, indexes by kind, redirects, feeds, open data."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from pelican.generators import Generator

from . import timings
from .core.publish import article_record, by_letter, entity_record, safe_json
from .enrich import KIND_LABELS, Archive, published_date

logger = logging.getLogger(__name__)

INDEX_FOLDER = "entities"  # the entity indexes by kind and order
DATA_FOLDER = "data"  # the open data: entities.json, articles.json


def _letter_slug(letter: str) -> str:
    return "0-9" if letter == "0–9" else letter.lower()


def _site_url(settings: dict[str, Any], url: str) -> str:
    """An absolute URL when the site has one (publishing), else one relative to its root."""
    site = settings.get("SITEURL", "")
    return f"{site}/{url}" if site else url


class EntityGenerator(Generator):
    def generate_output(self, writer: Any) -> None:
        archive: Archive | None = self.context.get("newsarchive")
        if archive is None:
            return
        with timings.timed("entity pages"):
            self._write_all(writer, archive)

    def _write_all(self, writer: Any, archive: Archive) -> None:
        entities = sorted(archive.entities.values(), key=lambda e: e.id)
        entity_template = self.get_template("entity")
        for entity in entities:
            writer.write_file(
                entity.save_as,
                entity_template,
                self.context,
                relative_urls=self.settings["RELATIVE_URLS"],
                entity=entity,
                url=entity.url,
                page_name=entity.url.rsplit(".", 1)[0],
            )
            dated = [a for a in entity.articles if published_date(a)]
            if dated and self.settings.get("ENTITY_FEED_ATOM"):
                writer.write_feed(
                    dated,
                    self.context,
                    self.settings["ENTITY_FEED_ATOM"].format(slug=entity.id),
                    feed_title=entity.name,  # Pelican puts the site name before it
                )
        self._write_indexes(writer, entities)
        self._write_redirects(writer, archive)
        self._write_data(archive)
        self._save_id_map(archive)
        if self.settings.get("NEWSARCHIVE_REVIEW_FILE"):
            review = review_for_editors(archive)
            Path(self.settings["NEWSARCHIVE_REVIEW_FILE"]).write_text(
                json.dumps(review, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
            )

    def _write_indexes(self, writer: Any, entities: list[Any]) -> None:
        """Per kind (and all): most mentioned first, in pages; and A–Z under letter headings
        with a jump bar: one page, or a page a letter where one page would be too long."""
        kinds = [kind for kind in KIND_LABELS if any(e.kind == kind for e in entities)]
        size = self.settings["NEWSARCHIVE_INDEX_PAGE_SIZE"]
        for kind in [None, *kinds]:
            chosen = [e for e in entities if kind is None or e.kind == kind]
            most = sorted(chosen, key=lambda e: (-e.story_count, e.name.casefold()))
            pages = [most[start : start + size] for start in range(0, len(most), size)] or [[]]
            urls = [self._index_path(kind, "mentions", n) for n in range(1, len(pages) + 1)]
            for number, listed in enumerate(pages, 1):
                self._write_index(
                    writer, kind, kinds, urls[number - 1], order="mentions",
                    listed_entities=listed, page_number=number, page_urls=urls,
                    first_rank=(number - 1) * size + 1,
                )  # fmt: skip
            a_to_z = sorted(chosen, key=lambda e: (e.name.casefold(), e.id))
            letters = by_letter(a_to_z, lambda e: e.name)
            if len(chosen) <= size:
                page = self._index_path(kind, "name")
                anchors = {letter: f"{page}#letter-{_letter_slug(letter)}" for letter, _ in letters}
                self._write_index(writer, kind, kinds, page, order="name", letters=letters,
                                  letter_urls=anchors)  # fmt: skip
                continue
            pages_by_letter = {
                letter: self._index_path(kind, "name", letter) for letter, _ in letters
            }
            for letter, group in letters:
                self._write_index(writer, kind, kinds, pages_by_letter[letter], order="name",
                                  letters=[(letter, group)], letter_urls=pages_by_letter,
                                  current_letter=letter)  # fmt: skip
            # The A–Z address itself opens at the first letter.
            self._write_index(writer, kind, kinds, self._index_path(kind, "name"), order="name",
                              letters=letters[:1], letter_urls=pages_by_letter,
                              current_letter=letters[0][0])  # fmt: skip

    def _write_index(
        self, writer: Any, kind: str | None, kinds: list[str], save_as: str, **values: Any
    ) -> None:
        writer.write_file(
            save_as,
            self.get_template("entities"),
            self.context,
            relative_urls=self.settings["RELATIVE_URLS"],
            entity_kind=kind,
            entity_kinds=kinds,
            kind_labels=KIND_LABELS,
            url=save_as,
            page_name=save_as.rsplit(".", 1)[0],
            **values,
        )

    def _index_path(self, kind: str | None, order: str, page: int | str | None = None) -> str:
        """entities/person.html, person-2.html …; person-a-z.html, person-a-z-b.html …"""
        name = kind or "all"
        if order == "mentions":
            return f"{INDEX_FOLDER}/{name}{f'-{page}' if page and page != 1 else ''}.html"
        return f"{INDEX_FOLDER}/{name}-a-z{f'-{_letter_slug(page)}' if page else ''}.html"

    def _write_redirects(self, writer: Any, archive: Archive) -> None:
        template = self.get_template("redirect")
        save_format = self.settings["ENTITY_SAVE_AS"]
        for old_id, new_id in sorted(archive.redirects.items()):
            target = archive.entities.get(new_id)
            if target is None or old_id in archive.entities:
                continue
            save_as = save_format.format(slug=old_id)
            writer.write_file(
                save_as,
                template,
                self.context,
                relative_urls=self.settings["RELATIVE_URLS"],
                target=target,
                url=save_as,
            )

    def _write_data(self, archive: Archive) -> None:
        settings = self.settings
        entities = [
            entity_record(
                e.id,
                e.name,
                e.kind,
                [s.text for s in e.spellings],
                _site_url(settings, e.url),
                [_site_url(settings, a.url) for a in e.articles],
            )
            for e in sorted(archive.entities.values(), key=lambda e: e.id)
        ]
        articles = [
            article_record(
                _site_url(settings, a.url),
                a.title,
                published_date(a),
                [e.id for e in getattr(a, "entities", [])],
                getattr(a, "mentioned_dates", []),
                [_site_url(settings, r.article.url) for r in getattr(a, "related", [])],
            )
            for a in sorted(
                self.context.get("articles", []) + self.context.get("undated_articles", []),
                key=lambda a: a.url,
            )
        ]
        folder = Path(self.output_path) / DATA_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        for name, records in (("entities.json", entities), ("articles.json", articles)):
            (folder / name).write_text(
                safe_json(records) + "\n",
                encoding="utf-8",
            )

    def _save_id_map(self, archive: Archive) -> None:
        if archive.id_map is None or archive.id_map_path is None:
            return
        text = archive.id_map.to_json()
        path = archive.id_map_path
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{path.name}.{os.getpid()}")
            temporary.write_text(text, encoding="utf-8")
            os.replace(temporary, path)
        except OSError as error:
            logger.warning(
                "%s: cannot save entity ids (%s); entity URLs may move next build", path, error
            )


def review_for_editors(archive: Archive) -> dict[str, Any]:
    """What the machine decided that an editor may want to confirm in the registry."""
    resolution = archive.resolution
    new = []
    for e in sorted(archive.entities.values(), key=lambda e: (-e.story_count, e.id)):
        if e.in_registry:
            continue
        facts = archive.mention_facts.get(e.id)
        new.append(
            {"id": e.id, "name": e.name, "kind": e.kind,
             "aliases": [s.text for s in e.spellings[1:]], "stories": e.story_count,
             "mentions": e.mention_count,
             # What `invoke entities-report` checks for names that are not names.
             "kind_votes": dict(facts.kinds.most_common()) if facts else {},
             "written": [text for text, _ in facts.written.most_common(20)] if facts else [],
             "lowercase_uses": facts.lowercase_uses if facts else 0}
        )  # fmt: skip
    return {
        "new_entities": new,
        "merged": [{"a": a, "b": b, "score": round(score, 3)} for a, b, score in resolution.merges],
        "proposed_merges": [
            {"a": a, "b": b, "score": round(score, 3)} for a, b, score in resolution.near_misses
        ],
        "ambiguous_surnames": [
            {"article": article, "surname": surname, "could_be": list(names)}
            for article, items in sorted(resolution.ambiguous.items())
            for surname, names in items
        ],
    }
