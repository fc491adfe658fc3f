"""Runs the core stages over Pelican's articles once they are all read.

extract (per article) -> resolve (per article, then across the archive) -> stable ids ->
dates (per article) -> link (each article's HTML); the results go into the shared context
for the entity and timeline generators. Pelican objects stop here: the core sees only text
and plain data.
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, partial
from pathlib import Path
from typing import Any

from pelican.urlwrappers import URLWrapper

from . import timings
from .core.dateline import parse_dateline
from .core.dates import DateMention, html_datetime, tag_dates
from .core.entity_ids import IdMap, apply_ids, assign_ids
from .core.extract import AliasMatcher, Extraction, with_registry_names
from .core.html_text import TextMap, insert_markup, text_map
from .core.link import EntityTarget, date_markups, entity_markups
from .core.publish import co_mentions, sentence_with_mention, timeline_svg
from .core.registry import Registry, RegistryError, load_registry
from .core.relate import Document, TermCounts, Weights, reason, relate, term_counts
from .core.resolve import (
    ArticleNames,
    LinkedMention,
    Resolution,
    normalise,
    resolve_article,
    resolve_corpus,
)
from .core.resolve import Entity as ResolvedEntity
from .core.scripts import detect
from .extraction_cache import ExtractionCache, StoredExtraction, article_key
from .extraction_pool import (
    ModelInWaiting,
    available_cores,
    extract_in_chunks,
    extraction_version,
)
from .output_pool import map_on_all_cores, return_freed_memory
from .progress import Progress
from .stage_cache import CACHE_FILE, StageCache, code_version, digest

logger = logging.getLogger(__name__)

# How the per-article work of new stories is done: on all cores when there are many.
MapNew = Callable[[Callable[[Any], Any], Sequence[Any]], list[Any]]

# Entity pages are registered under this made-up source path, so article bodies can
# link them as {filename}/... and Pelican makes those links relative where it should.
ENTITY_SOURCE_PREFIX = "newsarchive-entity/"
ANNOTATED_CHARACTERS = 500_000  # about 80,000 words: longer than any news story
# The modules an extraction's result depends on; a change to any of them empties the cache.
KIND_LABELS = {
    "person": "People",
    "organization": "Organisations",
    "place": "Places",
    "other": "Other",
}
SCHEMA_TYPES = {
    "person": "Person",
    "organization": "Organization",
    "place": "Place",
    "other": "Thing",
}


class Entity(URLWrapper):
    """An entity's page; its URL comes from ENTITY_URL / ENTITY_SAVE_AS with {slug} the id."""

    def __init__(self, resolved: ResolvedEntity, settings: dict[str, Any]) -> None:
        super().__init__(resolved.name, settings)
        self.slug = resolved.id
        self.id = resolved.id
        self.kind = resolved.kind
        self.kind_label = KIND_LABELS[resolved.kind]
        self.mention_count = resolved.mentions
        entry = resolved.registry
        self.in_registry = entry is not None
        self.description = entry.description if entry else ""
        self.wikidata = entry.wikidata if entry else None
        self.links = list(entry.links) if entry else []
        self.spellings = [Spelling(alias) for alias in resolved.aliases]
        # (article, sentence html, its copies that mention this too), newest first
        self.appearances: list[tuple[Any, str, list[Any]]] = []
        self.articles: list[Any] = []  # those appearances and their copies
        self.co_mentions: list[tuple[Entity, int]] = []
        self.timeline = ""
        # The stories mentioning it: the number pages and search results show beside the
        # entity, and the one lists are sorted by. Counted with the mentions, before the
        # stories themselves are listed, so the search aids can be written early.
        self.story_count = 0

    # URLWrapper formats these anew on every use; an entity's id never changes in a build.
    @cached_property
    def url(self) -> str:  # type: ignore[override]
        return self._from_settings("URL")

    @cached_property
    def save_as(self) -> str:  # type: ignore[override]
        return self._from_settings("SAVE_AS")

    @property
    def same_as(self) -> list[str]:
        urls = [f"https://www.wikidata.org/wiki/{self.wikidata}"] if self.wikidata else []
        return urls + [url for _, url in self.links]

    @property
    def schema_type(self) -> str:
        return SCHEMA_TYPES[self.kind]

    @property
    def json_ld(self) -> dict[str, Any]:
        """This entity as schema.org data, for the `mentions` of an article."""
        data: dict[str, Any] = {"@type": self.schema_type, "name": self.name}
        if self.same_as:
            data["sameAs"] = self.same_as
        return data


@dataclass(frozen=True)
class Spelling:
    text: str

    @property
    def lang(self) -> str | None:
        return detect(self.text).lang if not detect(self.text).is_latin else None

    @property
    def direction(self) -> str | None:
        script = detect(self.text)
        return None if script.is_latin else script.direction


@dataclass
class Archive:
    """What enrichment leaves for the entity generator."""

    entities: dict[str, Entity] = field(default_factory=dict)
    most_mentioned: list[Entity] = field(default_factory=list)  # for the home page
    redirects: dict[str, str] = field(default_factory=dict)  # old id -> id
    resolution: Resolution | None = None
    id_map: IdMap | None = None
    id_map_path: Path | None = None
    mention_facts: dict[str, MentionFacts] = field(default_factory=dict)  # for the review


def load_editor_registry(settings: dict[str, Any]) -> Registry:
    """The registry files named in NEWSARCHIVE_REGISTRY; an invalid one is reported and
    left out, so the rest of the site still builds."""
    content = Path(settings["PATH"])
    paths = [content / name for name in settings["NEWSARCHIVE_REGISTRY"]]
    registry = load_registry([p for p in paths if p.is_file()])
    for problem in registry.problems:
        if problem.warning:
            logger.warning("%s", problem)
        else:
            logger.error("%s (the entry is left out until this is fixed)", problem)
    return registry


def _report_unknown_merges(registry: Registry, previous: IdMap, resolution: Resolution) -> None:
    """A merge naming no entity of the archive (by an id it has had or a name it is
    written by) is a mistake the editor cannot see on any page: say so."""
    ids = {*previous.spellings, *previous.redirects, *resolution.entities}
    names = {normalise(a) for e in resolution.entities.values() for a in e.aliases}
    for entry in registry.entities:
        for merged in entry.merges:
            if merged not in ids and normalise(merged) not in names:
                logger.warning(
                    "%s",
                    RegistryError(
                        entry.source,
                        entry.line_of("merges"),
                        f"{entry.name!r} merges {merged!r}, which names no entity of this archive",
                        "Use the id in the address of that entity's page "
                        "(entity/ID.html) or a name as the articles write it",
                    ),
                )


def id_map_path(settings: dict[str, Any]) -> Path:
    configured = Path(settings["NEWSARCHIVE_ENTITY_IDS"])
    return configured if configured.is_absolute() else Path(settings["PATH"]) / configured


def _load_id_map(path: Path) -> IdMap:
    if not path.is_file():
        return IdMap()
    try:
        return IdMap.from_json(path.read_text(encoding="utf-8"))
    except (ValueError, KeyError) as error:
        logger.error("%s: cannot read entity ids (%s); delete it to start afresh", path, error)
        return IdMap()


def published_date(article: Any) -> date | None:
    return None if getattr(article, "undated", False) else article.date.date()


def enrich(generator: Any) -> None:
    """article_generator_finalized: extract, resolve, link; entity pages into the context."""
    settings = generator.settings
    articles = [*generator.articles, *generator.translations, *generator.hidden_articles]
    articles.sort(key=lambda a: a.relative_source_path)
    registry = load_editor_registry(settings)
    path = id_map_path(settings)
    previous = _load_id_map(path)

    # Closed once related stories are found; a failed build leaves it to the collector.
    stages = StageCache.of_build(settings)
    processes = settings["NEWSARCHIVE_PROCESSES"] or available_cores()
    map_new: MapNew = partial(
        map_on_all_cores,
        processes=processes,
        minimum=settings["NEWSARCHIVE_PARALLEL_MINIMUM"],  # new articles worth other processes
        while_shared=stages.closed,  # no SQLite connection is open across a fork
    )
    timings.start("extract")
    mapped = _TextMaps(articles)
    texts = {key: _annotated_part(key, text) for key, text in _texts_all(mapped, stages).items()}
    waiting = getattr(generator, "newsarchive_model", None)
    text_work = _TextWork(articles, texts, stages, map_new)
    extractions, extraction_keys = _extract_all(
        texts,
        settings,
        processes,
        waiting,
        meanwhile=text_work.pieces(),
    )
    timings.stop("extract")
    if settings["NEWSARCHIVE_EXTRACT_ONLY"]:  # invoke extract: the cache is all it fills
        stages.close()
        if search := getattr(generator, "newsarchive_search", None):
            search.let_go()
        return
    timings.start("resolve")
    resolution, article_names = _resolve_all(
        texts,
        extractions,
        extraction_keys,
        registry,
        previous,
        stages,
        map_new,
        names_needed=bool(settings.get("NEWSARCHIVE_REVIEW_FILE")),
    )
    assignment = assign_ids(resolution.entities.values(), previous)
    resolution = apply_ids(resolution, assignment)
    _report_unknown_merges(registry, previous, resolution)

    entities = {entity_id: Entity(e, settings) for entity_id, e in resolution.entities.items()}
    targets = {
        entity_id: EntityTarget(e.name, e.kind, f"{{filename}}/{ENTITY_SOURCE_PREFIX}{entity_id}")
        for entity_id, e in resolution.entities.items()
    }
    timings.stop("resolve")
    timings.start("dates and links")
    # What the search shows first: each story's entities, and each entity's story count.
    entities_by_article: dict[str, set[str]] = {}
    first_mentions: dict[str, dict[str, LinkedMention]] = {}
    for article in articles:
        key = article.relative_source_path
        first_mention: dict[str, LinkedMention] = {}
        for mention in resolution.article_mentions.get(key, ()):
            first_mention.setdefault(mention.entity_id, mention)
        first_mentions[key] = first_mention
        article.entities = [entities[entity_id] for entity_id in first_mention]
        article.search_text = texts[key]
        entities_by_article[key] = set(first_mention)
        for entity_id in first_mention:
            entities[entity_id].story_count += 1
    extracted_now = sum(isinstance(e, Extraction) for e in extractions.values())  # not cached
    if extracted_now >= settings["NEWSARCHIVE_PARALLEL_MINIMUM"]:
        # Many new stories (a first build): their dates are found now, on all cores while
        # the search process waits, rather than beside it.
        text_work.dates  # noqa: B018 (a cached property)
    timings.stop("dates and links")
    # Imported here: the search generator imports this module.
    from .search_generator import send_to_search

    # Sent before the links are made, which the search does not need.
    search = getattr(generator, "newsarchive_search", None)
    send_to_search(generator.context, list(entities.values()), search)
    timings.start("dates and links")
    article_dates = text_work.dates
    linked = _link_all(mapped, resolution, targets, article_dates, stages)
    del mapped  # the HTML before its links, and its text maps: 100 MB at 10,000 stories
    appearances: dict[str, list[tuple[Any, str]]] = defaultdict(list)
    for article in articles:
        key = article.relative_source_path
        mentions = resolution.article_mentions.get(key, ())
        dates = article_dates[key]
        article.date_mentions = [d for d in dates if html_datetime(d.value)]
        article.mentioned_dates = sorted({html_datetime(d.value) for d in article.date_mentions})
        article._content = linked[key]
        # The sentence shown on the entity page: the first one in the article's language.
        quoted = dict(first_mentions[key])
        for mention in reversed(mentions):
            if detect(texts[key][mention.start : mention.end]).is_latin:
                quoted[mention.entity_id] = mention
        for entity_id, mention in quoted.items():
            sentence = sentence_with_mention(
                texts[key], extractions[key].sentences, mention.start, mention.end
            )
            appearances[entity_id].append((article, sentence))
    del extractions  # as the cache holds them: 100 MB at 10,000 stories, before the pages
    timings.stop("dates and links")
    with timings.timed("related stories"):
        _relate_articles(articles, text_work, entities_by_article, entities, settings, stages)
    del text_work  # the term counts: tens of MB at 10,000 stories, before the pages
    stages.prune()
    stages.close()
    return_freed_memory()
    timings.start("entity pages")

    shared_articles = co_mentions(entities_by_article)
    for entity_id, entity in entities.items():
        entity.appearances = _fold_copies(appearances[entity_id])
        entity.articles = [a for first, _, copies in entity.appearances for a in (first, *copies)]
        entity.co_mentions = [
            (entities[other], shared) for other, shared in shared_articles.get(entity_id, ())
        ]
        dates = [d for d in (published_date(a) for a in entity.articles) if d]
        entity.timeline = timeline_svg(dates, entity.name)
        generator.context["generated_content"][f"{ENTITY_SOURCE_PREFIX}{entity_id}"] = entity

    generator.context["newsarchive"] = Archive(
        entities=entities,
        most_mentioned=sorted(
            entities.values(), key=lambda e: (-e.story_count, -e.mention_count, e.name.casefold())
        ),
        redirects=assignment.redirects,
        resolution=resolution,
        id_map=assignment.id_map,
        id_map_path=path,
        mention_facts=(
            mention_facts(texts, article_names, resolution.article_mentions)
            if settings.get("NEWSARCHIVE_REVIEW_FILE")
            else {}
        ),
    )
    timings.stop("entity pages")


def _resolve_all(
    texts: dict[str, str],
    extractions: dict[str, Extraction | StoredExtraction],
    extraction_keys: dict[str, str],
    registry: Registry,
    previous: IdMap,
    stages: StageCache,
    map_new: MapNew,
    names_needed: bool = False,
) -> tuple[Resolution, dict[str, ArticleNames]]:
    """Names per article (those not in the stage cache found by `map_new`), then
    entities across the archive; each reused from the stage cache when what it depends on
    is unchanged. Returns the entities and, per article, its names (only when
    `names_needed`: at 10,000 stories they hold 100 MB)."""
    code = code_version("resolve.py")
    # Sorted: a frozenset's order changes from one process to the next.
    registry_version = digest([repr(registry.entities), sorted(registry.not_entities)])
    per_article = {
        key: digest([code, registry_version, extraction_keys[key]]) for key in sorted(texts)
    }
    merged_spellings = {
        entry.id: [s for old in entry.merges for s in previous.spellings.get(old, ())]
        for entry in registry.entities
    }
    corpus = digest([code, registry_version, repr(sorted(merged_spellings.items())),
                     *(f"{key}={value}" for key, value in per_article.items())])  # fmt: skip
    resolution = stages.get("archive-entities", corpus)
    if resolution is not None and not names_needed:
        # The names are not read, but must outlive pruning: the next edit reuses them.
        stages.mark_used("names", list(per_article.values()))
        return resolution, {}
    names = stages.get_many("names", list(per_article.values()))
    missing = [key for key in per_article if per_article[key] not in names]
    registry_names = AliasMatcher(registry) if missing else None

    def names_of(key: str) -> ArticleNames:
        named = with_registry_names(texts[key], extractions[key], registry_names)
        return resolve_article(texts[key], named, registry)

    computed = dict(zip(missing, map_new(names_of, missing), strict=True))
    stages.put_many("names", [(per_article[key], computed[key]) for key in missing])
    by_article = {key: computed.get(key) or names[per_article[key]] for key in per_article}
    if resolution is None:
        resolution = resolve_corpus(by_article, texts, registry, merged_spellings)
        stages.put_latest("archive-entities", corpus, resolution)
    return resolution, by_article if names_needed else {}


@dataclass
class MentionFacts:
    """How an entity's mentions were written and typed, for the editors' review."""

    kinds: Counter[str] = field(default_factory=Counter)  # the kind each mention was given
    written: Counter[str] = field(default_factory=Counter)  # the text as written, breaks kept
    lowercase_uses: int = 0  # of an entity named once: its name in lower case in the archive


def mention_facts(
    texts: dict[str, str],
    names: dict[str, ArticleNames],
    article_mentions: dict[str, tuple[LinkedMention, ...]],
) -> dict[str, MentionFacts]:
    """Per entity id, the kind of each of its mentions (as its article's names typed it;
    a mention the names do not hold counts no kind), the text of each, and for an entity
    mentioned once, how often the archive writes that text in lower case."""
    facts: dict[str, MentionFacts] = defaultdict(MentionFacts)
    for key, mentions in article_mentions.items():
        kind_at = {(m.start, m.end): m.kind for m in names[key].mentions} if key in names else {}
        for mention in mentions:
            entity = facts[mention.entity_id]
            entity.written[texts[key][mention.start : mention.end]] += 1
            kind = kind_at.get((mention.start, mention.end))
            if kind:
                entity.kinds[kind] += 1
    once = {
        entity_id: next(iter(entity.written))
        for entity_id, entity in facts.items()
        if entity.written.total() == 1
    }
    uses = lowercase_uses(texts.values(), once.values())
    for entity_id, written in once.items():
        facts[entity_id].lowercase_uses = uses[written]
    return dict(facts)


_WORD = re.compile(r"\w+(?:['’-]\w+)*")


def lowercase_uses(texts: Iterable[str], names: Iterable[str]) -> Counter[str]:
    """How often each name is written all in lower case in `texts`, as whole words."""
    wanted: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for name in set(names):
        words = tuple(_WORD.findall(name.lower()))
        if words and words != tuple(_WORD.findall(name)):
            wanted[words].append(name)
    lengths: dict[str, set[int]] = defaultdict(set)  # first word -> lengths of names
    for words in wanted:
        lengths[words[0]].add(len(words))
    counts: Counter[str] = Counter()
    for text in texts:
        words = _WORD.findall(text)
        for index, word in enumerate(words):
            for length in lengths.get(word, ()):
                for name in wanted.get(tuple(words[index : index + length]), ()):
                    counts[name] += 1
    return counts


class _TextMaps:
    """Each article's HTML and, parsed when first asked for, its text map."""

    def __init__(self, articles: list[Any]) -> None:
        self.html = {a.relative_source_path: a._content or "" for a in articles}
        self._parsed: dict[str, TextMap] = {}

    def __getitem__(self, key: str) -> TextMap:
        if key not in self._parsed:
            self._parsed[key] = text_map(self.html[key])
        return self._parsed[key]


def _texts_all(mapped: _TextMaps, stages: StageCache) -> dict[str, str]:
    """Every article's text, reused where its HTML is unchanged."""
    code = code_version("html_text.py")
    entries = {key: digest([code, html]) for key, html in mapped.html.items()}
    found = stages.get_many("text", list(entries.values()))
    computed = [(entry, mapped[key].text) for key, entry in entries.items() if entry not in found]
    stages.put_many("text", computed)
    found.update(computed)
    return {key: found[entry] for key, entry in entries.items()}


def _link_all(
    mapped: _TextMaps,
    resolution: Resolution,
    targets: dict[str, EntityTarget],
    article_dates: dict[str, list[DateMention]],
    stages: StageCache,
) -> dict[str, str]:
    """Every article's HTML with its entities linked and its dates marked up, reused where
    the HTML, the mentions, their entities' names and pages, and the dates are unchanged."""
    code = code_version("link.py", "dates.py")
    entries = {}
    for key, html in mapped.html.items():
        mentions = resolution.article_mentions.get(key, ())
        linked_to = [targets[entity_id] for entity_id in sorted({m.entity_id for m in mentions})]
        # Plain tuples: a dataclass's repr costs three times a tuple's, for 300,000 mentions.
        spans = [(m.start, m.end, m.entity_id) for m in mentions]
        dates = [(d.start, d.end, d.text, d.value) for d in article_dates[key]]
        entries[key] = digest([code, html, spans, linked_to, dates])
    found = stages.get_many("linked", list(entries.values()))
    computed = []
    for key, entry in entries.items():
        if entry not in found:
            mentions = resolution.article_mentions.get(key, ())
            markups = entity_markups(mapped[key], mentions, targets)
            markups += date_markups(article_dates[key])
            computed.append((entry, insert_markup(mapped[key], markups)))
    stages.put_many("linked", computed)
    found.update(computed)
    return {key: found[entry] for key, entry in entries.items()}


class _TextWork:
    """What needs the articles' texts but not their names (nor does the search): done when
    first asked for, or while a model process extracts the new stories, where the building
    process would otherwise wait for it idle."""

    def __init__(
        self,
        articles: list[Any],
        texts: dict[str, str],
        stages: StageCache,
        map_new: MapNew,
    ) -> None:
        self.articles = articles
        self.texts = texts
        self.stages = stages
        self.map_new = map_new

    def pieces(self) -> tuple[Callable[[], Any], ...]:
        """Its work in pieces, to do while waiting for something else."""
        return (lambda: self.dates, lambda: self.term_counts)

    @cached_property
    def dates(self) -> dict[str, list[DateMention]]:
        return _dates_all(self.articles, self.texts, self.stages, self.map_new)

    def related_texts(self) -> list[str]:
        """Each article's text as related stories compare it: its title, then its text."""
        return [f"{a.title}\n{self.texts[a.relative_source_path]}" for a in self.articles]

    @cached_property
    def term_counts(self) -> TermCounts:
        """The related texts' term counts, from the last build's: only the texts changed
        since are read again."""
        key = code_version("relate.py")
        counts = term_counts(self.related_texts(), self.stages.get("related-counts", key))
        self.stages.put_latest("related-counts", key, counts)
        return counts


def _dates_all(
    articles: list[Any], texts: dict[str, str], stages: StageCache, map_new: MapNew
) -> dict[str, list[DateMention]]:
    """Every article's dates, reused where its text and publication date are unchanged
    (the others found by `map_new`)."""
    code = code_version("dates.py", "spans.py")
    keys = {
        a.relative_source_path: digest([code, texts[a.relative_source_path], published_date(a)])
        for a in articles
    }
    found = stages.get_many("dates", list(keys.values()))
    missing = [a for a in articles if keys[a.relative_source_path] not in found]

    def dates_of(article: Any) -> list[DateMention]:
        return tag_dates(texts[article.relative_source_path], published_date(article))

    found_now = map_new(dates_of, missing)
    computed = [(keys[a.relative_source_path], d) for a, d in zip(missing, found_now, strict=True)]
    stages.put_many("dates", computed)
    found.update(computed)
    return {key: found[value] for key, value in keys.items()}


def _annotated_part(key: str, text: str) -> str:
    """The part of an article that is annotated: all of it, up to a limit no real news
    story reaches. A longer file (a dump) is published whole, annotated only so far."""
    if len(text) <= ANNOTATED_CHARACTERS:
        return text
    logger.warning(
        "%s: %d characters long; names, dates and related stories are found in the first "
        "%d only. Split it into articles to annotate all of it",
        key, len(text), ANNOTATED_CHARACTERS,
    )  # fmt: skip
    return text[:ANNOTATED_CHARACTERS]


def _fold_copies(appearances: list[tuple[Any, str]]) -> list[tuple[Any, str, list[Any]]]:
    """Newest first, each story once: its copies listed with it, not as stories of their own."""
    ordered = sorted(
        appearances,
        key=lambda pair: (published_date(pair[0]) or date.min, pair[0].relative_source_path),
        reverse=True,
    )
    mentioning = {article.relative_source_path for article, _ in ordered}
    folded: list[tuple[Any, str, list[Any]]] = []
    seen: set[str] = set()
    for article, sentence in ordered:
        if article.relative_source_path in seen:
            continue
        copies = [c for c in getattr(article, "copies", []) if c.relative_source_path in mentioning]
        seen.update(c.relative_source_path for c in copies)
        folded.append((article, sentence, copies))
    return folded


@dataclass(frozen=True)
class RelatedStory:
    article: Any
    reason: str


def _relate_articles(
    articles: list[Any],
    text_work: _TextWork,
    entities_by_article: dict[str, set[str]],
    entities: dict[str, Entity],
    settings: dict[str, Any],
    stages: StageCache,
) -> None:
    """Each article's related stories (with the reason) and its copies, on the article."""
    documents = [
        Document(
            a.relative_source_path,
            text,
            frozenset(entities_by_article[a.relative_source_path]),
            published_date(a),
        )
        for a, text in zip(articles, text_work.related_texts(), strict=True)
    ]
    weights = Weights(**settings["RELATED_WEIGHTS"]) if settings["RELATED_WEIGHTS"] else Weights()
    inputs = digest(
        [code_version("relate.py"), settings["RELATED_COUNT"], weights]
        + [(d.key, d.text, sorted(d.entities), d.published) for d in documents]
    )
    relations = stages.get("related", inputs)
    if relations is None:
        relations = relate(
            documents,
            count=settings["RELATED_COUNT"],
            weights=weights,
            counts=text_work.term_counts,
        )
        stages.put_latest("related", inputs, relations)
    by_key = {a.relative_source_path: a for a in articles}
    names = {entity_id: entity.name for entity_id, entity in entities.items()}
    for article in articles:
        key = article.relative_source_path
        article.related = [
            RelatedStory(by_key[r.key], reason(r, names)) for r in relations.related.get(key, ())
        ]
        article.copies = [by_key[k] for k in relations.duplicates.get(key, ())]


def _extract_all(
    texts: dict[str, str],
    settings: dict[str, Any],
    processes: int,
    waiting: ModelInWaiting | None = None,
    meanwhile: Sequence[Callable[[], Any]] = (),
) -> tuple[dict[str, Extraction | StoredExtraction], dict[str, str]]:
    """Every article's extraction, from the cache where the text is unchanged, else anew
    (by the model `waiting`, if loaded early, for a few, doing `meanwhile` while it
    works); and each article's cache key, a digest of all the extraction depends on."""
    version = extraction_version()
    cache = ExtractionCache(Path(settings["CACHE_PATH"]) / CACHE_FILE, version)
    datelines = {key: _dateline_of(text) for key, text in texts.items()}
    keys = {key: article_key(version, text, repr(datelines[key])) for key, text in texts.items()}
    try:
        cached = {} if settings["NEWSARCHIVE_FRESH"] else cache.get_many(list(keys.values()))
        extractions = {key: cached[keys[key]] for key in texts if keys[key] in cached}
        missing = [key for key in texts if key not in extractions]
        if missing:
            progress = Progress(
                "Finding entities", len(missing), settings["NEWSARCHIVE_PROGRESS_EVERY"]
            )
            inputs = [(texts[key], datelines[key]) for key in missing]
            try:
                for offset, chunk in extract_in_chunks(
                    inputs,
                    processes,
                    settings["NEWSARCHIVE_PARALLEL_MINIMUM"],
                    settings["NEWSARCHIVE_DASK_SCHEDULER"],
                    waiting,
                    meanwhile,
                ):
                    chunk_keys = missing[offset : offset + len(chunk)]
                    extractions.update(zip(chunk_keys, chunk, strict=True))
                    cache.put_many(
                        [(keys[key], e) for key, e in zip(chunk_keys, chunk, strict=True)]
                    )
                    progress.advance(len(chunk))
            finally:
                progress.close()
        cache.prune()
    finally:
        cache.close()
        if waiting is not None:
            waiting.let_go()
    logger.info(
        "Entities: %d articles from the cache, %d extracted",
        len(texts) - len(missing),
        len(missing),
    )
    return extractions, keys


def _dateline_of(text: str) -> Any:
    """The dateline opening the first paragraph in Latin script, if any."""
    for paragraph in text.split("\n\n"):
        if paragraph.strip() and detect(paragraph).is_latin:
            return parse_dateline(paragraph.strip())
    return None
