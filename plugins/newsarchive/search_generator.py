"""Writes the search page and its index: a manifest, term-range shards, one small record per
article for result snippets, and lunr.js itself (from npm's node_modules)."""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from pelican.generators import Generator

from . import timings
from .carried_pages import write_or_carry
from .core.publish import safe_json
from .core.search_aids import EntityCard, aid_files, analyse_aids, facet_order
from .core.search_index import (
    SearchDocument,
    SearchIndex,
    Shard,
    analyse,
    search_record,
    shard_files,
    short_ref,
)
from .enrich import published_date
from .extraction_pool import available_cores
from .output_pool import Waiting, return_freed_memory, start_waiting
from .stage_cache import StageCache, code_version, digest

logger = logging.getLogger(__name__)
EARLY_SEARCH = "newsarchive_search"  # the context's key for the search sent its inputs

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LUNR_JS = PROJECT_ROOT / "node_modules" / "lunr" / "lunr.min.js"


class SearchGenerator(Generator):
    def generate_output(self, writer: Any) -> None:
        settings = self.settings
        save_as = settings["SEARCH_SAVE_AS"]
        if not save_as:
            return
        folder = Path(self.output_path) / settings["SEARCH_INDEX_PATH"]
        folder.mkdir(parents=True, exist_ok=True)
        lunr_ready = self._copy_lunr(folder)
        writer.write_file(
            save_as,
            self.get_template("search"),
            self.context,
            relative_urls=settings["RELATIVE_URLS"],
            url=settings["SEARCH_URL"],
            page_name="search",
            search_index_path=settings["SEARCH_INDEX_PATH"],
            search_ready=lunr_ready,
        )
        # The index and the aids are the longest part of the output: sent to the process
        # forked for them at the start of the build as soon as what they show is known
        # (send_to_search), else written beside the pages where they are written on all
        # cores (CarryingWriter), else now.
        waiting: Waiting | None = self.context.pop(EARLY_SEARCH, None)
        if waiting is not None:
            after_pages = getattr(writer, "after_pages", _call_now)
            after_pages(lambda: _write_manifest(folder, *waiting.join()))
            return
        queue = getattr(writer, "queue_task", _run_now)
        parts: dict[str, Any] = {}

        def part_done(name: str) -> Callable[[Any], None]:
            def done(value: Any) -> None:
                parts[name] = value
                if len(parts) == 2:
                    _write_manifest(folder, parts["index"], parts["aids"])

            return done

        archive = self.context.get("newsarchive")
        inputs = search_inputs(self.context, list(archive.entities.values()) if archive else [])
        queue(lambda: write_index(inputs, self.settings, folder), part_done("index"))
        queue(lambda: write_aids(inputs, self.settings, folder), part_done("aids"))

    def _copy_lunr(self, folder: Path) -> bool:
        source = Path(self.settings["SEARCH_LUNR_JS"] or LUNR_JS)
        if not source.is_file():
            logger.error(
                "%s: lunr.js is missing, so the search page cannot search. "
                "Run `npm ci` in %s (./install does)",
                source,
                PROJECT_ROOT,
            )
            return False
        shutil.copyfile(source, folder / "lunr.min.js")
        return True


@dataclass
class SearchInputs:
    """All the search index and aids are made of, as plain data with few objects (it is
    pickled to the process that writes them): each story, in the index's order, as its
    title, address, date shown, text and entities (their numbers in `cards`)."""

    stories: list[tuple[str, str, str, str, list[int]]]
    facets: dict[str, list[str | None]]
    cards: list[EntityCard]

    @cached_property
    def documents(self) -> list[SearchDocument]:
        """Each story's search document: made once for the index and the aids."""
        return [
            SearchDocument(title, tuple(s for n in shown for s in self.cards[n].spellings), text)
            for title, _, _, text, shown in self.stories
        ]

    def records(self) -> Iterator[dict[str, Any]]:
        """Each story's result record."""
        for title, url, date_shown, text, shown in self.stories:
            cards = [self.cards[n] for n in shown]
            yield search_record(title, url, date_shown, text, [list(c.spellings) for c in cards],
                                [(c.id, c.name, c.kind) for c in cards])  # fmt: skip

    def entity_ids(self) -> list[list[str]]:
        return [[self.cards[n].id for n in shown] for *_, shown in self.stories]


def search_inputs(context: dict[str, Any], entities: Sequence[Any]) -> SearchInputs:
    """What the search shows of the context's stories and of `entities` (all those the
    stories show)."""
    articles = sorted(
        [*context.get("articles", []), *context.get("undated_articles", [])],
        key=lambda a: a.url,
    )
    facets = _facet_values(articles)
    order = facet_order(facets)
    articles = [articles[number] for number in order]
    facets = {facet: [values[number] for number in order] for facet, values in facets.items()}
    number_of = {e.id: number for number, e in enumerate(entities)}
    stories = [
        (a.title, a.url, _shown_date(a), getattr(a, "search_text", ""),
         [number_of[e.id] for e in getattr(a, "entities", [])])
        for a in articles
    ]  # fmt: skip
    cards = [
        EntityCard(e.id, e.name, e.kind, e.story_count, e.url, tuple(s.text for s in e.spellings))
        for e in entities
    ]
    return SearchInputs(stories, facets, cards)


def write_index(inputs: SearchInputs, settings: dict[str, Any], folder: Path) -> dict[str, Any]:
    """The shards and the result records; what the manifest says of them."""
    with timings.timed("search index"):
        started = time.perf_counter()
        shards, manifest, terms = _index(settings, inputs.documents)
        previous = previous_folder(settings)
        write_files(folder, shard_files(shards), previous)
        records = {
            f"docs/{short_ref(number)}.json": safe_json(record, compact=True)
            for number, record in enumerate(inputs.records())  # refs are numbers in this order
        }
        write_files(folder, records, previous)
        logger.info(
            "Search: %d articles, %d terms in %d shards, %.1f s",
            len(inputs.stories),
            terms,
            len(shards),
            time.perf_counter() - started,
        )
    return manifest


def write_aids(inputs: SearchInputs, settings: dict[str, Any], folder: Path) -> dict[str, Any]:
    """Phrase pairs, the typo dictionary, entity names and facets (core/search_aids.py),
    in a folder named by their content; what the manifest says of them. Reused whole
    from the stage cache when nothing they are made of changed, else made from each
    document's analysis, itself reused for every document that did not change."""
    with timings.timed("search aids"):
        cards, facets, entity_ids = inputs.cards, inputs.facets, inputs.entity_ids()
        documents = inputs.documents
        code = code_version("search_aids.py", "search_index.py", "stemmer.py")
        keys = [digest([code, d]) for d in documents]
        inputs_digest = digest([code, cards, sorted(facets.items()), entity_ids, *keys])
        stages = StageCache.of_build(settings)
        try:
            cached = stages.get("search-aid-files", inputs_digest)
            if cached is None:
                aids = cached_in_parts(stages, "search-aids", keys, documents, analyse_aids)
                known_terms = stages.get("search-word-terms", code) or {}
                already = len(known_terms)
                cached = aid_files(aids, cards, facets, entity_ids, known_terms)
                stages.put_latest("search-aid-files", inputs_digest, cached)
                if len(known_terms) > already:
                    stages.put_latest("search-word-terms", code, known_terms)
            else:  # the analyses are not needed now, but must outlive pruning for an edit
                stages.mark_used("search-aids", keys)
        finally:
            stages.close()
        manifest, files = cached
        for old in folder.glob("aids-*"):  # an earlier build's, in a reused output
            shutil.rmtree(old)
        write_files(folder, files, previous_folder(settings))
        return manifest


def _index(
    settings: dict[str, Any], documents: list[SearchDocument]
) -> tuple[list[Shard], dict[str, Any], int]:
    """The shards, the manifest and the number of terms; reused from the stage cache
    if no document changed, else built from each document's analysis, itself reused
    for every document that did not change."""
    fields = list(settings["SEARCH_BOOSTS"])
    code = code_version("search_index.py", "stemmer.py")
    keys = [digest([code, fields, document]) for document in documents]
    inputs = digest([code, settings["SEARCH_BOOSTS"], settings["SEARCH_SHARD_BYTES"], *keys])
    stages = StageCache.of_build(settings)
    try:
        cached = stages.get("search-index", inputs)
        if cached is None:
            index = SearchIndex(settings["SEARCH_BOOSTS"])
            analyses = cached_in_parts(
                stages, "search-terms", keys, documents, lambda d: analyse(d, fields)
            )
            for analysis in analyses:
                index.add_analysed(analysis)
            index.finish()
            shards = index.shards(settings["SEARCH_SHARD_BYTES"])
            cached = (shards, index.manifest(shards), index.term_count)
            stages.put_latest("search-index", inputs, cached)
        else:  # the analyses are not needed now, but must outlive pruning for an edit
            stages.mark_used("search-terms", keys)
    finally:
        stages.close()
    return cached


def previous_folder(settings: dict[str, Any]) -> Path | None:
    """The search folder of the output this build replaces, whose unchanged files are
    linked rather than written again (most of them, on most builds)."""
    carry_from = settings.get("NEWSARCHIVE_CARRY_FROM")
    if not carry_from or settings.get("NEWSARCHIVE_FRESH"):
        return None
    return Path(carry_from) / settings["SEARCH_INDEX_PATH"]


def start_search_waiting(settings: dict[str, Any]) -> Waiting | None:
    """The process that writes the search index and aids, forked at the start of the build
    (while the building process is small) and sent what they show once it is known
    (send_to_search), so they are written while related stories are found and pages are
    rendered. None where the build runs in one process, or has no search page."""
    if not settings.get("SEARCH_SAVE_AS"):
        return None

    def write_search(receive: Callable[[], SearchInputs]) -> tuple[dict[str, Any], ...]:
        inputs = receive()
        folder = Path(settings["OUTPUT_PATH"]) / settings["SEARCH_INDEX_PATH"]
        folder.mkdir(parents=True, exist_ok=True)
        index = write_index(inputs, settings, folder)
        return_freed_memory()
        return index, write_aids(inputs, settings, folder)

    return start_waiting(write_search, settings["NEWSARCHIVE_PROCESSES"] or available_cores())


def send_to_search(
    context: dict[str, Any], entities: Sequence[Any], waiting: Waiting | None
) -> None:
    """What the search shows, sent to the process `waiting` for it (joined by the
    SearchGenerator); if there is none or it is gone, the SearchGenerator writes it."""
    if waiting is not None and waiting.send(search_inputs(context, entities)):
        context[EARLY_SEARCH] = waiting


def _write_manifest(folder: Path, index: dict[str, Any], aids: dict[str, Any]) -> None:
    """What the page reads first: the index's shards and the aids' folder and parts."""
    write_files(folder, {"manifest.json": safe_json({**index, "aids": aids})})


def _call_now(task: Callable[[], None]) -> None:
    task()


def _run_now(task: Callable[[], Any], done: Callable[[Any], None]) -> None:
    done(task())


def _facet_values(articles: list[Any]) -> dict[str, list[str | None]]:
    """facet -> each article's value, or None."""
    return {
        "beat": [a.category.name if getattr(a, "category", None) else None for a in articles],
        "year": [str(a.date.year) if published_date(a) else None for a in articles],
        "place": [getattr(a, "place", None) or None for a in articles],
    }


def write_files(folder: Path, files: dict[str, str], previous: Path | None = None) -> None:
    """Writes each text at its path under folder, making the folders it needs; a file the
    `previous` folder holds with the same text is hard-linked instead."""
    made: set[Path] = set()
    for path, text in files.items():
        target = folder / path
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        write_or_carry(target, text.encode("utf-8"), previous / path if previous else None)


def cached_in_parts(
    stages: StageCache,
    stage: str,
    keys: list[str],
    items: list[Any],
    compute: Callable[[Any], Any],
    part: int = 1000,
) -> Iterator[Any]:
    """compute(item) for each item in turn, reused from the stage cache under its key;
    read and stored `part` at a time, as all of an archive's are hundreds of MB."""
    for start in range(0, len(keys), part):
        some_keys, some_items = keys[start : start + part], items[start : start + part]
        found = stages.get_many(stage, some_keys)
        missing = {key: compute(item) for key, item in zip(some_keys, some_items, strict=True)
                   if key not in found}  # fmt: skip
        stages.put_many(stage, list(missing.items()))
        yield from (found[key] if key in found else missing[key] for key in some_keys)


def _shown_date(article: Any) -> str:
    return article.locale_date if published_date(article) else "Undated"
