"""Pages carried over: a page is rendered only when what it shows has changed.

Pelican renders and writes every page on every build. The writer here computes, for each
page, a digest of what its template can show: the values of every variable the template
(with the templates it extends, imports and includes) reads, found by Jinja's own analysis
of its source, plus a digest of the site (the theme's templates, the settings, the plugin's
code, Pelican's and Jinja's versions). When a page's digest is the one the previous build
recorded for it, the previous file is hard-linked (or copied) into the staging folder
instead of rendered, so the atomic swap of `site_build` stays.

What a value contributes is explicit (`Fingerprints`): for a story or page bound to a
template variable, all it shows; for one that is listed (a related story, a story in a
list, an entity "in this story"), the fields lists show, restricted to the attribute names
the template mentions at all; a value of an unknown type makes the page uncarryable, so it
is always rendered. The site-wide parts of every page (the navigation's pages, the beats)
are variables like any other and so are part of each page's digest; they change rarely.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime
from enum import Enum
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import TemplateNotFound, meta, nodes
from pelican import signals
from pelican.contents import Content
from pelican.paginator import Page as PaginatorPage
from pelican.paginator import Paginator
from pelican.urlwrappers import URLWrapper
from pelican.utils import sanitised_join
from pelican.writers import FileOverwriteFailedError, Writer

from . import timings
from .extraction_pool import available_cores
from .output_pool import Outcome, as_work, chunks, is_worth_forking, run_all
from .stable_pages import paginated_pages
from .stage_cache import CACHE_FILE, StageCache, installed_version

PLUGIN = Path(__file__).parent
STAGE = "pages"
TEMPLATE_READS = "template-reads"
# Settings that say where or how a build runs, not what a page shows.
NOT_SHOWN = {"OUTPUT_PATH", "CACHE_PATH", "NEWSARCHIVE_CARRY_FROM", "NEWSARCHIVE_FRESH",
             "NEWSARCHIVE_PROCESSES", "NEWSARCHIVE_PROGRESS_EVERY", "NEWSARCHIVE_REVIEW_FILE",
             "NEWSARCHIVE_ENTITY_IDS", "NEWSARCHIVE_DASK_SCHEDULER", "PATH"}  # fmt: skip
# Links Pelican rewrites when rendering (`{filename}`, `{static}`, `{attach}`…), other than
# those to entity pages: their targets are not part of a story's digest, and `{attach}`
# moves a file when rendered, so a story holding one is always rendered.
_INTRASITE = re.compile(r"[{|](filename|static|attach|category|tag|author|index)[}|]")
_ENTITY_LINK = "{filename}/newsarchive-entity/"
_ADDRESS = re.compile(r" at 0x[0-9a-f]+")
_CORE = f"{__package__}.core."

# What a listed story shows (story_item, related stories, entity pages, the timeline) and
# what `published()` and `script_attributes()` read in Python, out of the template's sight.
ARTICLE_LISTED = ("url", "title", "title_lang", "title_dir", "place", "category", "source",
                  "summary")  # fmt: skip
ARTICLE_ALWAYS = ("url", "undated", "date", "locale_date", "title_lang", "title_dir")
_EVERY_LISTED_FIELD = frozenset(ARTICLE_LISTED)
# What an article page shows of itself, beyond that.
ARTICLE_OWN = ("save_as", "authors", "source_url", "copies", "related", "date_mentions",
               "entities", "mentioned_dates", "lang", "slug", "status", "template")  # fmt: skip
ENTITY_LISTED = ("id", "url", "name", "kind", "kind_label", "story_count", "json_ld")
ENTITY_OWN = ("save_as", "description", "wikidata", "links", "spellings", "timeline",
              "same_as", "schema_type", "mention_count", "appearances", "articles",
              "co_mentions")  # fmt: skip
# What a template can show of a list's paginator.
_PAGINATOR_SHOWN = ("count", "num_pages", "per_page", "page_range", "orphans")


class Uncarryable(Exception):
    """A page shows something the fingerprints cannot vouch for: render it."""


def _encoded(tag: bytes, payload: bytes) -> bytes:
    return tag + len(payload).to_bytes(4, "little") + payload


def _hash(*parts: bytes | str) -> bytes:
    # One update of the parts each followed by a zero byte: the same digest as one update a
    # part, at a fraction of the calls (hundreds of thousands a build).
    joined = b"\0".join([p.encode("utf-8") if isinstance(p, str) else p for p in parts])
    return hashlib.blake2b(joined + b"\0" if parts else b"", digest_size=16).digest()


def stable_repr(value: Any) -> str:
    """A repr that is the same in every process: functions by name, dicts sorted, no
    addresses."""
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{getattr(value, '__module__', '')}.{value.__qualname__}"
    if isinstance(value, dict):
        items = sorted((stable_repr(k), stable_repr(v)) for k, v in value.items())
        return "{" + ",".join(f"{k}:{v}" for k, v in items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(stable_repr(v) for v in value) + "]"
    if isinstance(value, set | frozenset):
        return "{" + ",".join(sorted(stable_repr(v) for v in value)) + "}"
    return _ADDRESS.sub("", repr(value))


def site_digest(settings: dict[str, Any], template_folders: Iterable[Path]) -> bytes:
    """What every page depends on: the templates, the settings, the plugin's code, and the
    versions of Pelican and Jinja."""
    parts: list[bytes | str] = [installed_version("pelican"), installed_version("jinja2")]
    for folder in template_folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                parts += [str(path.relative_to(folder)), path.read_bytes()]
    for path in sorted(PLUGIN.rglob("*.py")):
        parts += [str(path.relative_to(PLUGIN)), path.read_bytes()]
    for key in sorted(settings):
        if key.isupper() and key not in NOT_SHOWN:
            parts += [key, stable_repr(settings[key])]
    return _hash(*parts)


class TemplateReads:
    """The variables a template reads and the attribute names it mentions, with those of
    the templates it extends, imports and includes. Jinja's analysis costs 0.2 s a build,
    so what an earlier build found for the same site digest is passed in as `known`."""

    def __init__(
        self,
        environment: Any,
        known: dict[str, tuple[frozenset[str], frozenset[str]]] | None = None,
    ) -> None:
        self.environment = environment
        self.found: dict[str, tuple[frozenset[str], frozenset[str]]] = dict(known or {})
        self.learned = False  # whether `found` holds more than `known`

    def of(self, name: str) -> tuple[frozenset[str], frozenset[str]]:
        if name not in self.found:
            variables: set[str] = set()
            names: set[str] = set()
            pending, seen = [name], set()
            while pending:
                current = pending.pop()
                if current in seen:
                    continue
                seen.add(current)
                source = self.environment.loader.get_source(self.environment, current)[0]
                tree = self.environment.parse(source)
                variables |= meta.find_undeclared_variables(tree)
                for node in tree.find_all((nodes.Getattr, nodes.Const)):
                    value = node.attr if isinstance(node, nodes.Getattr) else node.value
                    if isinstance(value, str):  # `groupby('date.year')`, `map(attribute=…)`
                        names.update(value.split("."))
                for referenced in meta.find_referenced_templates(tree):
                    if referenced is None:
                        raise Uncarryable(f"{current} picks a template at render time")
                    pending.append(referenced)
            self.found[name] = (frozenset(variables), frozenset(names))
            self.learned = True
        return self.found[name]


class _Sort(Enum):
    """How `Fingerprints` encodes a value of a type, found once per type."""

    SEQUENCE = "list or tuple"
    MAPPING = "dict"
    TEXT = "str or number subclass"
    MOMENT = "date or datetime"
    SET = "set"
    PLAIN_DATA = "frozen dataclass of the core"
    CONTENT = "story or page"
    OBJECT = "anything else"


def _sort_of(kind: type) -> _Sort:
    if issubclass(kind, list | tuple):
        return _Sort.SEQUENCE
    if kind is dict:
        return _Sort.MAPPING
    if issubclass(kind, str | bytes | bool | int | float):
        return _Sort.TEXT
    if issubclass(kind, datetime | date):
        return _Sort.MOMENT
    if issubclass(kind, set | frozenset):
        return _Sort.SET
    frozen = is_dataclass(kind) and kind.__dataclass_params__.frozen
    if frozen and kind.__module__.startswith(_CORE):
        return _Sort.PLAIN_DATA
    if issubclass(kind, Content):
        return _Sort.CONTENT
    return _Sort.OBJECT


class Fingerprints:
    """Digests of the values a page shows, each computed once a build (the context is not
    changed while pages are written)."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        self._objects: dict[tuple[int, bool, frozenset[str]], tuple[Any, bytes]] = {}
        self._wrappers: dict[tuple[str, str, str], bytes] = {}
        self._field_names: dict[tuple[Any, ...], tuple[str, ...]] = {}
        self._sorts: dict[type, _Sort] = {}

    def variable(self, value: Any, mentioned: frozenset[str]) -> bytes:
        """A template variable's value: a story, page or entity shows all of itself."""
        if not isinstance(value, list | tuple | dict):
            return self._of(value, mentioned, own=True)
        key = (id(value), True, mentioned)  # the site's lists, read by every page
        if key not in self._objects:
            self._objects[key] = (value, self._of(value, mentioned))
        return self._objects[key][1]

    def _of(self, value: Any, mentioned: frozenset[str], own: bool = False) -> bytes:
        """An unambiguous encoding of what `value` shows: plain values and containers
        spelled out (each part tagged and its length given), objects by their digest."""
        kind = type(value)
        if kind is str:
            return _encoded(b"s", value.encode("utf-8"))
        if value is None or kind in (bool, int, float):
            return _encoded(b"r", repr(value).encode())
        sort = self._sorts.get(kind)
        if sort is None:
            sort = self._sorts[kind] = _sort_of(kind)
        if sort is _Sort.SEQUENCE:
            return _encoded(b"[", b"".join([self._of(v, mentioned) for v in value]))
        if sort is _Sort.MAPPING:
            items = [self._of(k, mentioned) + self._of(v, mentioned) for k, v in value.items()]
            return _encoded(b"{", b"".join(items))
        if sort is _Sort.TEXT:  # subclasses, e.g. Markup
            return _encoded(b"s", str(value).encode("utf-8"))
        if sort is _Sort.MOMENT:
            zone = getattr(value, "tzinfo", None)
            return _encoded(b"d", f"{value.isoformat()} {zone!r}".encode())
        if sort is _Sort.SET:
            return _encoded(b"(", b"".join(sorted(self._of(v, mentioned) for v in value)))
        if sort is _Sort.PLAIN_DATA:  # core never holds Pelican's objects; seldom shown twice
            return _encoded(b"o", _hash(repr(value)))
        if sort is _Sort.CONTENT and not own:
            # A listed story counts with every field a list can show, whatever this
            # template names: digested once a build, not once per template listing it.
            mentioned = _EVERY_LISTED_FIELD
        key = (id(value), own, mentioned)
        known = self._objects.get(key)
        if known is not None:
            return known[1]
        result = _encoded(b"o", self._object(value, mentioned, own))
        self._objects[key] = (value, result)  # the value is kept, so its id is not reused
        return result

    def _object(self, value: Any, mentioned: frozenset[str], own: bool) -> bytes:
        from .enrich import Archive, Entity, RelatedStory, Spelling

        if isinstance(value, Archive):  # the home page shows the most mentioned entities
            shown = value.most_mentioned[: self.settings.get("NEWSARCHIVE_HOME_ENTITIES", 12)]
            return _hash("archive", repr(bool(value.entities)), self._of(shown, mentioned))
        if isinstance(value, Content):
            return self._content(value, mentioned, own)
        if isinstance(value, Entity):
            wanted = ENTITY_LISTED + (ENTITY_OWN if own else ())
            return self._fields(value, wanted, mentioned, ("id", "url"))
        if isinstance(value, URLWrapper):  # categories, authors, tags
            # Pelican makes one per article, so they are known by name: their addresses
            # follow from it and from the settings, which a build does not change.
            known = (type(value).__name__, value.name, value.slug)
            if known not in self._wrappers:
                self._wrappers[known] = _hash(*known, value.url, value.save_as)
            return self._wrappers[known]
        if isinstance(value, RelatedStory):
            return _hash("related", self._of(value.article, mentioned), value.reason)
        if isinstance(value, Spelling):
            return _hash("spelling", value.text)
        if isinstance(value, PaginatorPage):
            return _hash("page", repr((value.number, value.has_previous(), value.has_next())),
                         value.url, value.save_as, self._of(list(value.object_list), mentioned),
                         self._of(value.paginator, mentioned))  # fmt: skip
        if isinstance(value, Paginator):
            # Only what the templates read of it: a list's pages keep their stories when
            # one is added (stable_pages), but its count changes.
            shown = [(name, getattr(value, name)) for name in _PAGINATOR_SHOWN if name in mentioned]
            return _hash("paginator", repr(shown))
        if is_dataclass(value) and not isinstance(value, type):
            shown = [self._of(getattr(value, f.name), mentioned) for f in fields(value)]
            return _hash(type(value).__qualname__, *shown)
        if callable(value):
            return _hash(stable_repr(value))
        raise Uncarryable(f"no fingerprint for a {type(value).__name__}")

    def _content(self, content: Content, mentioned: frozenset[str], own: bool) -> bytes:
        text = content._content or ""
        if own and _INTRASITE.search(text.replace(_ENTITY_LINK, "")):
            raise Uncarryable(f"{content.source_path} links other content")
        wanted = ARTICLE_LISTED + (ARTICLE_OWN if own else ())
        parts = [self._fields(content, wanted, mentioned, ARTICLE_ALWAYS)]
        summary = content.metadata.get("summary")
        if own or summary is None:  # a summary cut from the text changes with the text
            parts.append(_hash("content", text))
        return _hash(type(content).__name__, *parts)

    def _fields(
        self, value: Any, wanted: tuple[str, ...], mentioned: frozenset[str], always: tuple
    ) -> bytes:
        parts: list[bytes | str] = []
        for name in self._shown_fields(wanted, mentioned, always):
            if name == "summary":
                shown = value.metadata.get("summary")
            else:
                shown = getattr(value, name, None)
            parts += [name, self._of(shown, mentioned)]
        return _hash(*parts)

    def _shown_fields(
        self, wanted: tuple[str, ...], mentioned: frozenset[str], always: tuple
    ) -> tuple[str, ...]:
        """The fields of `wanted` a template mentioning `mentioned` can show, once each."""
        key = (wanted, mentioned, always)
        if key not in self._field_names:
            self._field_names[key] = tuple(
                name
                for name in dict.fromkeys((*always, *wanted))
                if (name in always or name in mentioned) and name not in ("content", "_content")
            )
        return self._field_names[key]


def page_digest(
    site: bytes, template: Any, localcontext: dict[str, Any], reads: TemplateReads,
    prints: Fingerprints,
) -> str | None:  # fmt: skip
    """The digest of one page, or None if it cannot be carried over."""
    try:
        variables, mentioned = reads.of(template.name)
        parts = [site, template.name]
        for name in sorted(variables):
            if name in localcontext:
                parts += [name, prints.variable(localcontext[name], mentioned)]
    except Uncarryable:
        return None
    return _hash(*parts).hex()


def _marker_identity(folder: Path, marker: str) -> str | None:
    """Which build wrote `folder`: its marker file's inode and time (a swap keeps both)."""
    try:
        stat = (folder / marker).stat()
    except OSError:
        return None
    return f"{folder}:{stat.st_ino}:{stat.st_mtime_ns}"


@dataclass
class _QueuedPage:
    """A page to write at the end: its template, the context Pelican rendered it from, and
    what the page's own context holds beside it (its story, its address, ...)."""

    template: Any
    context: dict[str, Any]
    own: dict[str, Any]

    def localcontext(self) -> dict[str, Any]:
        localcontext = self.context.copy()
        localcontext.update(self.own)
        return localcontext


class CarryingWriter(Writer):
    """Pelican's writer, carrying over each page whose digest is unchanged.

    With more than one process (NEWSARCHIVE_PROCESSES, default all cores), pages are queued
    as Pelican asks for them and written at the end of the build (`write_queued`) on all
    cores, with the tasks queued beside them (the search, where it was not started early)."""

    last: CarryingWriter | None = None  # the writer of the build under way, for site_build

    def __init__(self, output_path: str, settings: dict[str, Any] | None = None) -> None:
        super().__init__(output_path, settings)
        settings = settings or {}
        self.previous_output = settings.get("NEWSARCHIVE_CARRY_FROM")
        self.cache_file = Path(settings.get("CACHE_PATH", "cache")) / CACHE_FILE
        self.previous: dict[str, str] = {}
        if self.previous_output and not settings.get("NEWSARCHIVE_FRESH"):
            self.previous = load_digests(self.cache_file, Path(self.previous_output))
        self.site: bytes | None = None
        self.digests: dict[str, str] = {}
        self.rendered = 0
        self.carried = 0
        self.processes = settings.get("NEWSARCHIVE_PROCESSES") or available_cores()
        self._queuing = False
        self._queued: dict[str, _QueuedPage] = {}  # path in staging -> page
        self._tasks: list[tuple[Callable[[], Any], Callable[[Any], None]]] = []
        self._after: list[Callable[[], None]] = []
        self._context: dict[str, Any] = {}  # the one of the write_file under way
        self._page_asked: tuple[Any, dict[str, Any]] | None = None  # (template, localcontext)
        self._linked: set[str] = set()
        self._carry_next: tuple[str, str] | None = None  # (path in staging, previous file)
        self._prints = Fingerprints(settings)
        self._reads: TemplateReads | None = None
        CarryingWriter.last = self

    def write_file(self, name: Any, template: Any, context: dict[str, Any],
                   relative_urls: bool = False, paginated: dict[str, list[Any]] | None = None,
                   template_name: str | None = None, override_output: bool = False,
                   url: str | None = None, **kwargs: Any) -> None:  # fmt: skip
        if self.site is None:
            folders = [Path(p) for p in getattr(template.environment.loader, "searchpath", ())]
            for loader in getattr(template.environment.loader, "loaders", ()):
                for mapping in getattr(loader, "mapping", {}).values():
                    folders += [Path(p) for p in getattr(mapping, "searchpath", ())]
                folders += [Path(p) for p in getattr(loader, "searchpath", ())]
            self.site = site_digest(self.settings, dict.fromkeys(folders))
            known = _stored(self.cache_file, TEMPLATE_READS, self.site.hex())
            self._reads = TemplateReads(template.environment, known)
            # A plugin watching each file as it is written expects to find it written.
            self._queuing = self.processes > 1 and not signals.content_written.receivers
        self._context = context
        watched = _Watched(template, self)
        if paginated is None:  # as Pelican's writer
            paginated = {key: kwargs[key] for key in ("articles", "dates") if key in kwargs}
        pages = self.settings["PAGINATED_TEMPLATES"]
        if name and paginated and template_name in pages:
            # Pages that keep their stories when one is added (stable_pages), each written
            # as a page of its own; those after the first with the theme's
            # `<template>_older.html` if it has one, so that what only the first page shows
            # is not part of their digest.
            per_page = pages[template_name] or self.settings["DEFAULT_PAGINATION"]
            older = _Watched(_older_pages_template(template, template_name), self)
            listed = paginated_pages(name, url, paginated, per_page, self.settings)
            for place, (save_as, added) in enumerate(listed, start=1):
                super().write_file(save_as, watched if place == 1 else older, context,
                                   relative_urls, {}, template_name, override_output, url,
                                   **kwargs, **added)  # fmt: skip
            return
        super().write_file(name, watched, context, relative_urls, paginated, template_name,
                           override_output, url, **kwargs)  # fmt: skip

    def queue_task(self, task: Callable[[], Any], done: Callable[[Any], None]) -> None:
        """Runs `task` (which writes files of its own) beside the pages at the end of the
        build when pages are queued, else now; then, here, `done` with what it returned."""
        if self._queuing:
            self._tasks.append((task, done))
        else:
            done(task())

    def after_pages(self, callback: Callable[[], None]) -> None:
        """Calls `callback` here once the queued pages and tasks are written, or now."""
        if self._queuing:
            self._after.append(callback)
        else:
            callback()

    def _render(self, template: Any, localcontext: dict[str, Any]) -> str:
        if self._queuing:  # _open_w, next, queues it
            self._page_asked = (template, localcontext)
            return ""
        name = localcontext["output_file"]
        digest, previous = self._compare(template, localcontext)
        if digest is not None:
            self.digests[name] = digest
        if previous is not None:
            self._carry_next = (sanitised_join(self.output_path, name), previous)
            return ""
        self.rendered += 1
        return template.render(localcontext)

    def _compare(
        self, template: Any, localcontext: dict[str, Any]
    ) -> tuple[str | None, str | None]:
        """The page's digest (None if it cannot be carried over) and the previous output's
        file of this page, if that shows what this one would."""
        assert self.site is not None and self._reads is not None
        with timings.timed("page digests"):
            digest = page_digest(self.site, template, localcontext, self._reads, self._prints)
        name = localcontext["output_file"]
        if digest is None or self.previous.get(name) != digest:
            return digest, None
        previous = os.path.join(self.previous_output, name)
        return digest, previous if os.path.isfile(previous) else None

    def _open_w(self, filename: str, encoding: str, override: bool = False) -> Any:
        asked, self._page_asked = self._page_asked, None
        if asked is not None:
            if self._claim(filename, override):
                template, localcontext = asked
                own = {key: value for key, value in localcontext.items()
                       if self._context.get(key, _ABSENT) is not value}  # fmt: skip
                own["localsiteurl"] = localcontext["localsiteurl"]
                self._queued[filename] = _QueuedPage(template, self._context, own)
            return open(os.devnull, "w", encoding=encoding)
        carry, self._carry_next = self._carry_next, None
        if filename in self._linked:  # never write through a link into the previous output
            os.unlink(filename)
            self._linked.discard(filename)
        if carry is None or carry[0] != filename:
            return super()._open_w(filename, encoding, override)
        if filename in self._written_files or filename in self._overridden_files:
            handle = super()._open_w(filename, encoding, override)  # Pelican's checks
            if handle.name == os.devnull:  # Pelican keeps the file written first
                return handle
            handle.close()
            os.unlink(filename)
        else:  # Pelican's bookkeeping, without creating a file only to replace it
            self._written_files.add(filename)
            if override:
                self._overridden_files.add(filename)
        _link_or_copy(carry[1], filename)
        self._linked.add(filename)
        self.carried += 1
        return open(os.devnull, "w", encoding=encoding)

    def _claim(self, filename: str, override: bool) -> bool:
        """Pelican's rule for a file asked for twice (Writer._open_w), without opening it:
        whether this write is the one kept."""
        if filename in self._overridden_files:
            if override:
                raise FileOverwriteFailedError(
                    f'Failed to overwrite "{filename}" a second time (was previously overwritten)'
                )
            return False
        if filename in self._written_files and not override:
            raise FileOverwriteFailedError(
                f'Failed to overwrite "{filename}" as Pelican has already written to it '
                "previously (set `override=True` if intended)"
            )
        if override:
            self._overridden_files.add(filename)
        self._written_files.add(filename)
        return True

    def write_queued(self) -> None:
        """Renders or carries over every queued page and runs the queued tasks, on up to
        NEWSARCHIVE_PROCESSES forked workers; the tasks first, as they take longest."""
        pages, self._queued = list(self._queued.items()), {}
        if self._reads is not None:
            # Found here, before the fork, rather than once in each process; and kept.
            for _, page in pages:
                with contextlib.suppress(Uncarryable):
                    self._reads.of(page.template.name)
            if self._reads.learned:
                assert self.site is not None
                _store(self.cache_file, TEMPLATE_READS, self.site.hex(), self._reads.found)
        tasks, self._tasks = self._tasks, []
        after, self._after = self._after, []
        work = [as_work(task) for task, _ in tasks]
        work += [partial(self.write_pages, pages[r.start : r.stop]) for r in chunks(len(pages))]
        processes = self.processes if is_worth_forking(len(pages)) else 1
        with timings.timed("writing pages"):
            outcomes = run_all(work, processes)
        for (_, done), outcome in zip(tasks, outcomes, strict=False):
            done(outcome.value)
        for outcome in outcomes:
            self.digests.update(outcome.digests)
            self.rendered += outcome.rendered
            self.carried += outcome.carried
        for callback in after:
            callback()

    def write_pages(self, pages: list[tuple[str, _QueuedPage]]) -> Outcome:
        """Each page rendered into its file, or linked from the previous output."""
        outcome = Outcome()
        for filename, page in pages:
            localcontext = page.localcontext()
            if localcontext["localsiteurl"]:  # as Pelican's writer does before rendering
                page.context["localsiteurl"] = localcontext["localsiteurl"]
            digest, previous = self._compare(page.template, localcontext)
            if digest is not None:
                outcome.digests[localcontext["output_file"]] = digest
            if previous is not None:
                _link_or_copy(previous, filename)
                outcome.carried += 1
                continue
            output = page.template.render(localcontext)
            with open(filename, "w", encoding="utf-8") as handle:
                handle.write(output)
            outcome.rendered += 1
        return outcome


_ABSENT = object()


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system, or too many links
        shutil.copy2(source, target)


def write_queued_pages(pelican: Any) -> None:
    """finalized: the pages and tasks the build's writer queued, written on all cores."""
    if CarryingWriter.last is not None:
        CarryingWriter.last.write_queued()


def _older_pages_template(template: Any, template_name: str) -> Any:
    """The theme's template for the pages of a list after the first, or `template`."""
    try:
        return template.environment.get_template(f"{template_name}_older.html")
    except TemplateNotFound:
        return template


class _Watched:
    """A template whose rendering the writer may skip."""

    def __init__(self, template: Any, writer: CarryingWriter) -> None:
        self.template = template
        self.writer = writer

    def __getattr__(self, name: str) -> Any:
        return getattr(self.template, name)

    def render(self, localcontext: dict[str, Any]) -> str:
        return self.writer._render(self.template, localcontext)


def write_or_carry(target: Path, data: bytes, previous: Path | None) -> None:
    """Writes `data` at `target` (a path in the staging folder), or hard-links the previous
    build's file there when it holds exactly these bytes: most of the search index is the
    same from one build to the next, and a link costs no data written."""
    if previous is not None:
        try:
            same = previous.stat().st_size == len(data) and previous.read_bytes() == data
        except OSError:
            same = False
        if same:
            try:
                os.link(previous, target)
                return
            except OSError:  # another file system, or too many links: written below
                pass
    target.unlink(missing_ok=True)  # never write through a link into the previous output
    target.write_bytes(data)


def load_digests(cache_file: Path, output: Path) -> dict[str, str]:
    """The page digests recorded by the build that wrote `output`, if that build's are the
    ones kept."""
    from .site_build import OUTPUT_MARKER

    identity = _marker_identity(output, OUTPUT_MARKER)
    return (_stored(cache_file, STAGE, identity) if identity else None) or {}


def save_digests(cache_file: Path, output: Path, digests: dict[str, str]) -> None:
    """Record the digests of the pages in `output` (after the swap), replacing the last."""
    from .site_build import OUTPUT_MARKER

    identity = _marker_identity(output, OUTPUT_MARKER)
    if identity is not None:
        _store(cache_file, STAGE, identity, digests)


def _stored(cache_file: Path, stage: str, key: str) -> Any:
    """What the stage cache holds for `key`, or None (also if it cannot be read)."""
    if not cache_file.exists():
        return None
    cache = StageCache(cache_file)
    try:
        return cache.get(stage, key)
    except sqlite3.DatabaseError:
        return None
    finally:
        cache.close()


def _store(cache_file: Path, stage: str, key: str, value: Any) -> None:
    """Keeps `value` for `key` in the stage cache, in place of the stage's last value."""
    cache = StageCache(cache_file)
    try:
        cache.put_latest(stage, key, value)
    finally:
        cache.close()


def get_writer(pelican: Any) -> type[Writer]:
    return CarryingWriter
