"""The thin layer between Pelican and the core: a reader, signal receivers, settings.

Everything here translates: Pelican's objects in, plain data to `core`, results back
onto Pelican's objects. Receivers are module-level functions because Pelican holds
signal receivers weakly.
"""

from __future__ import annotations

import codecs
import fnmatch
import html
import logging
import os
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import yaml
from jinja2 import FileSystemBytecodeCache
from pelican import signals
from pelican.contents import Page
from pelican.generators import PelicanTemplateNotFound
from pelican.readers import BaseReader, MarkdownReader
from pelican.utils import order_content

from . import timings
from .carried_pages import get_writer, write_queued_pages
from .core.content_files import content_files, refusal
from .core.dateline import mark_dateline_in_html
from .core.dates import describe, html_datetime
from .core.publish import latest_day_mentioned, timeline_month_slug, timeline_point_anchor
from .core.read import (
    ArticleFormatError,
    Field,
    RawArticle,
    parse_fields,
    parse_raw_article,
    render_html,
)
from .core.sanitize import clean_html, is_site_path, is_web_address
from .core.scripts import detect
from .core.search_index import DEFAULT_BOOSTS, SHARD_BYTES
from .core.slugs import SlugClaim, deduplicate, make_slug
from .enrich import enrich
from .entity_generator import EntityGenerator
from .extraction_pool import PARALLEL_MINIMUM, load_model_early
from .header_dates import checked_date
from .markdown_cache import CachedMarkdownReader, save_conversions
from .output_claims import CLAIMED_PATHS, claim_output_paths, claim_page_paths
from .pelican_grouping import group_in_sets, install_period_archives
from .progress import Progress
from .search_generator import SearchGenerator, start_search_waiting
from .template_helpers import published, script_attributes
from .timeline_generator import TimelineGenerator

logger = logging.getLogger(__name__)

DEFAULT_SETTINGS: dict[str, Any] = {
    "UNDATED_ARTICLE_URL": "undated/{slug}.html",
    "UNDATED_ARTICLE_SAVE_AS": "undated/{slug}.html",
    "ENTITY_URL": "entity/{slug}.html",
    "ENTITY_SAVE_AS": "entity/{slug}.html",
    "ENTITY_FEED_ATOM": None,
    "TIMELINE_URL": "timeline.html",
    "TIMELINE_SAVE_AS": "timeline.html",
    "TIMELINE_MONTH_URL": "timeline/{slug}.html",
    "TIMELINE_MONTH_SAVE_AS": "timeline/{slug}.html",
    "NEWSARCHIVE_SIDECAR_EXTENSION": ".meta",
    "NEWSARCHIVE_PROGRESS_EVERY": 250,
    "NEWSARCHIVE_MAX_FILE_BYTES": 32_000_000,
    "NEWSARCHIVE_REGISTRY": ["registry.yaml"],
    "NEWSARCHIVE_SITE_FILE": "site.yaml",
    "NEWSARCHIVE_ENTITY_IDS": "entity-ids.json",
    "NEWSARCHIVE_REVIEW_FILE": None,
    "NEWSARCHIVE_FRESH": False,
    "RELATED_COUNT": 5,
    "RELATED_WEIGHTS": None,
    "NEWSARCHIVE_HOME_PLACES": 12,
    "NEWSARCHIVE_HOME_ENTITIES": 12,
    "NEWSARCHIVE_INDEX_PAGE_SIZE": 300,
    "NEWSARCHIVE_PROCESSES": None,
    "NEWSARCHIVE_PARALLEL_MINIMUM": PARALLEL_MINIMUM,
    "NEWSARCHIVE_DASK_SCHEDULER": None,
    "NEWSARCHIVE_EXTRACT_ONLY": False,
    "SEARCH_URL": "search.html",
    "SEARCH_SAVE_AS": "search.html",
    "SEARCH_INDEX_PATH": "search",
    "SEARCH_BOOSTS": DEFAULT_BOOSTS,
    "SEARCH_SHARD_BYTES": SHARD_BYTES,
    "SEARCH_LUNR_JS": None,
}

# Pelican requires every article to have a date; an undated one carries this
# placeholder only until it is moved out of every date-ordered list.
UNDATED_PLACEHOLDER = datetime(1, 1, 1)

# Header keys that mean something else to Pelican than to a news file.
RENAMED_KEYS = {"url": "source_url", "byline": "author"}


class RawNewsReader(BaseReader):
    """Reads raw `.txt` news files: title line, blank line, paragraphs."""

    enabled = True
    file_extensions: ClassVar[list[str]] = ["txt"]

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        shown_path = os.path.relpath(source_path, self.settings.get("PATH", "."))
        try:
            text = _decode(source_path, shown_path)
            sidecar = _read_sidecar(source_path, shown_path, self.settings)
            article = parse_raw_article(text, shown_path, sidecar)
            metadata = self._metadata(article, shown_path)
        except ArticleFormatError as error:
            # Pelican itself only logs "Could not process <file>", without the reason.
            logger.error("%s", error)
            raise
        return render_html(article), metadata

    def _metadata(self, article: RawArticle, shown_path: str) -> dict[str, Any]:
        metadata: dict[str, Any] = {"title": article.title}
        if article.summary:
            metadata["summary"] = html.escape(article.summary, quote=False)
        if article.dateline:
            metadata["place"] = article.dateline.place
            if article.dateline.source:
                metadata["source"] = article.dateline.source
        for key, field in article.metadata.items():
            key = RENAMED_KEYS.get(key, key)
            if key == "title":
                continue
            metadata[key] = self._field_value(key, field, shown_path)
        return metadata

    def _field_value(self, key: str, field: Field, shown_path: str) -> Any:
        if key in ("date", "modified"):
            return checked_date(field.value, shown_path, field.line)
        if key == "summary":
            return html.escape(field.value, quote=False)
        return self.process_metadata(key, field.value)


def _decode(path: str, shown_path: str) -> str:
    with open(path, "rb") as handle:
        data = handle.read()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Windows "Unicode" text
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise ArticleFormatError(
                shown_path,
                None,
                f"the file starts as UTF-16 but is not ({error.reason})",
                "Save the file as UTF-8",
            ) from None
    if b"\x00" in data[:8192]:
        raise ArticleFormatError(
            shown_path, None, "this is a binary file, not text", "Remove it from the content folder"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problem = f"byte 0x{data[error.start]:02x} on line {line} is not UTF-8"
    # Old wire files are often Windows-1252 (Latin-1 plus typographic quotes). Decode them
    # so, and say so, where every byte is a printable character in that encoding.
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    if text is not None and all(c.isprintable() or c in "\r\n\t" for c in text):
        logger.warning(
            "%s: %s; read as Windows-1252 (Latin-1). Save the file as UTF-8 to be sure",
            shown_path, problem,
        )  # fmt: skip
        return text
    raise ArticleFormatError(
        shown_path, line, f"the file is not UTF-8 ({problem})", "Save the file as UTF-8"
    )


def _read_sidecar(path: str, shown_path: str, settings: dict[str, Any]) -> dict[str, Field]:
    sidecar = os.path.splitext(path)[0] + settings["NEWSARCHIVE_SIDECAR_EXTENSION"]
    if not os.path.lexists(sidecar):
        return {}
    shown_sidecar = os.path.splitext(shown_path)[0] + os.path.splitext(sidecar)[1]
    root = Path(os.path.realpath(settings["PATH"]))
    if problem := refusal(Path(sidecar), root, settings["NEWSARCHIVE_MAX_FILE_BYTES"]):
        raise ArticleFormatError(shown_sidecar, None, problem, "Its article is skipped too")
    return parse_fields(_decode(sidecar, shown_sidecar).splitlines(), shown_sidecar)


def add_reader(readers: Any) -> None:
    readers.reader_classes["txt"] = RawNewsReader
    for extension in CachedMarkdownReader.file_extensions:
        if readers.reader_classes.get(extension) is MarkdownReader:  # not one of the user's own
            readers.reader_classes[extension] = CachedMarkdownReader


def prepare_page_metadata(generator: Any, metadata: dict[str, Any]) -> None:
    """Before a story or page object exists: a safe slug (no slash or `..` to write it
    elsewhere) and the title's direction."""
    title = str(metadata.get("title", ""))
    metadata["slug"] = make_slug(str(metadata.get("slug") or title), stable_key=title)
    script = detect(title)
    if not script.is_latin:
        metadata["title_lang"] = script.lang
        metadata["title_dir"] = script.direction


def prepare_metadata(generator: Any, metadata: dict[str, Any]) -> None:
    """Before an article object exists: as for pages, and the undated marker."""
    prepare_page_metadata(generator, metadata)
    if "date" not in metadata:
        metadata["undated"] = True
        metadata["date"] = UNDATED_PLACEHOLDER


def finish_reading(generator: Any) -> None:
    """After all articles are read: unique slugs, undated articles out of date lists."""
    if progress := getattr(generator, "newsarchive_progress", None):
        progress.close()  # files Pelican skipped never advanced it
    timings.stop("read")
    # Pelican lists files in set order, which changes from process to process; sorted by
    # path first, articles of the same date come out in the same order every build.
    for name in ("articles", "hidden_articles", "drafts"):
        by_path = sorted(getattr(generator, name), key=lambda a: a.relative_source_path)
        setattr(generator, name, order_content(by_path, generator.settings["ARTICLE_ORDER_BY"]))
    everything = generator.articles + generator.hidden_articles + generator.drafts
    final_slugs = deduplicate(
        SlugClaim(
            key=article.relative_source_path,
            slug=article.slug,
            published=None if _is_undated(article) else article.date.date(),
        )
        for article in everything
    )
    for article in everything:
        article.slug = final_slugs[article.relative_source_path]

    keep_to_known_templates(generator, [*everything, *generator.translations])
    for article in everything:
        article._content = clean_html(article._content or "")
        if getattr(article, "reader", None) != "rawnews":
            _mark_dateline(article)

    settings = generator.settings
    undated = [a for a in generator.articles if _is_undated(a)]
    for article in undated:
        article.override_url = settings["UNDATED_ARTICLE_URL"].format(slug=article.slug)
        article.override_save_as = settings["UNDATED_ARTICLE_SAVE_AS"].format(slug=article.slug)
    # Hidden articles are written but kept out of date-ordered lists and feeds.
    generator.articles = [a for a in generator.articles if not _is_undated(a)]
    generator.hidden_articles = generator.hidden_articles + undated
    generator.context["undated_articles"] = sorted(undated, key=lambda a: (a.title, a.slug))
    # Pelican formats an article's URL anew whenever it is asked for, and entity pages,
    # related stories and the search index ask thousands of times; slug and date are final
    # now, so the URL is fixed once.
    for article in [*generator.articles, *generator.hidden_articles]:
        _refuse_unsafe_addresses(article)
        article.override_url = _address(article)
        article.override_save_as = article.save_as
    stories = [*generator.articles, *generator.hidden_articles, *generator.translations,
               *generator.drafts]  # fmt: skip
    generator.context[CLAIMED_PATHS] = claim_output_paths(
        sorted(stories, key=lambda a: a.relative_source_path), settings, _page_paths(generator)
    )


def _page_paths(generator: Any) -> dict[str, str]:
    """Where the site's pages (the content's and the theme's own) will be written, read
    ahead of Pelican's page generator, which runs after the articles': a story must not
    take one's place. Quietly: the page generator reports a page it cannot read."""
    settings = generator.settings
    sources = [(generator.path, path) for path in generator.get_files(
        settings["PAGE_PATHS"], exclude=settings["PAGE_EXCLUDES"])]  # fmt: skip
    theme_pages = Path(generator.theme) / "pages"
    sources += [(str(theme_pages), p.name) for p in sorted(theme_pages.glob("*.md"))]
    paths: dict[str, str] = {}
    logging.disable(logging.CRITICAL)
    try:
        for base, path in sources:
            try:
                page = generator.readers.read_file(
                    base_path=base, path=path, content_class=Page, context=generator.context,
                    context_signal=signals.page_generator_context, context_sender=generator,
                )  # fmt: skip
            except Exception:  # reported when the page generator reads it
                continue
            if page.status != "draft":
                paths.setdefault(page.save_as, f"the page {path}")
    finally:
        logging.disable(logging.NOTSET)
    return paths


def keep_to_known_templates(generator: Any, contents: list[Any]) -> None:
    """A story or page asking for a template the theme lacks (`Template: nope`) is
    published with the usual one and an error, instead of stopping the whole build."""
    for content in contents:
        try:
            generator.get_template(content.template)
        except PelicanTemplateNotFound:
            logger.error(
                "%s: there is no template %r in the theme; published with %r. Remove the "
                "Template line or add %s.html to the theme's templates",
                content.relative_source_path, content.template, content.default_template,
                content.template,
            )  # fmt: skip
            content.template = content.default_template


def _address(content: Any) -> str:
    """Where links to a story or page point: where it is written when a `Save_as` says so
    without a `URL` (Pelican would link to the address its URL pattern gives, where there
    is no file)."""
    if "save_as" in content.metadata and "url" not in content.metadata:
        return content.save_as
    return content.url


def settle_pages(generator: Any) -> None:
    """page_generator_finalized: pages keep to the theme's templates, are sanitised as
    stories are, have unique slugs, and never take a path the site or a story writes."""
    pages = sorted([*generator.pages, *generator.hidden_pages, *generator.draft_pages],
                   key=lambda p: p.relative_source_path)  # fmt: skip
    final_slugs = deduplicate(
        SlugClaim(key=page.relative_source_path, slug=page.slug, published=None) for page in pages
    )
    for page in pages:
        page.slug = final_slugs[page.relative_source_path]
        page._content = clean_html(page._content or "")
        page.override_url = _address(page)
    claim_page_paths(pages, generator.settings, generator.context.get(CLAIMED_PATHS, {}))
    keep_to_known_templates(generator, pages)


def _refuse_unsafe_addresses(article: Any) -> None:
    """A source link only to a web address; a story's own URL only inside the site."""
    source = article.relative_source_path
    address = getattr(article, "source_url", None)
    if address and not is_web_address(str(address)):
        logger.warning(
            "%s: the source address %r is not an http(s) address and is not published as a "
            "link; write it as https://…", source, address,
        )  # fmt: skip
        article.source_url = None
        article.metadata.pop("source_url", None)
    own = article.metadata.get("url")
    if own and not is_site_path(str(own)):
        logger.warning(
            "%s: URL %r is not a path inside the site; the story keeps its usual address. "
            "For the source of the story write Source_URL: https://…", source, own,
        )  # fmt: skip
        del article.metadata["url"]
        if getattr(article, "override_url", None) == own:
            del article.override_url


def _mark_dateline(article: Any) -> None:
    """Give articles from other readers (Markdown) the dateline handling raw files get."""
    body, dateline, lede = mark_dateline_in_html(article._content or "")
    article._content = body
    if dateline:
        if not getattr(article, "place", None):
            article.place = dateline.place
        if dateline.source and not getattr(article, "source", None):
            article.source = dateline.source
    if lede and "summary" not in article.metadata:
        # The lede, not Pelican's first-N-words cut that runs on into paragraph two.
        article.metadata["summary"] = article._summary = lede


def _is_undated(article: Any) -> bool:
    return bool(getattr(article, "undated", False))


def collect_places(generator: Any) -> None:
    """The dateline places the archive reports from most, for the home page; and the beats
    that have a page, for every story's kicker (the beats alone, not their stories: a page
    is rendered again only when what it shows changes, see carried_pages)."""
    counts = Counter(a.place for a in generator.articles if getattr(a, "place", None))
    generator.context["dateline_places"] = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    generator.context["beats"] = [category for category, _ in generator.context["categories"]]


def read_only_inside_content(generator: Any) -> None:
    """generator_init: every generator lists its files through `content_files`, which
    refuses links leaving the content folder, FIFOs, devices and oversized articles. A
    generator asking twice alike (counting its articles, then reading them) walks once."""
    settings = generator.settings
    walked: dict[str, set[str]] = {}

    def get_files(paths: Any, exclude: list[str] | None = None, extensions: Any = None) -> set[str]:
        asked = repr((paths, exclude, extensions))
        if asked not in walked:
            walked[asked] = walk(paths, exclude, extensions)
        return set(walked[asked])

    def walk(paths: Any, exclude: list[str] | None, extensions: Any) -> set[str]:
        excluded_by_parent: dict[str, set[str]] = {}
        for excluded in exclude or ():
            parent, name = os.path.split(os.path.join(generator.path, excluded))
            excluded_by_parent.setdefault(parent, set()).add(name)
        ignores = settings["IGNORE_FILES"]

        def skip_folder(parent: str, name: str) -> bool:
            return name in excluded_by_parent.get(parent, ()) or any(
                fnmatch.fnmatch(name, pattern) for pattern in ignores
            )

        found, refused = content_files(
            Path(generator.path),
            [paths] if isinstance(paths, str) else paths,
            skip_folder,
            lambda path: generator._include_path(path, extensions),
            # Static files (extensions=False) are copied, not read into memory.
            None if extensions is False else settings["NEWSARCHIVE_MAX_FILE_BYTES"],
        )
        for problem in refused:  # Pelican's log filter drops a repeat from another generator
            logger.warning("%s: %s", problem.path, problem.reason)
        return found

    generator.get_files = get_files


def start_reading(generator: Any) -> None:
    """article_generator_init: the model loaded on a spare core while the articles are read,
    and the process that will write the search (both forked while this one is small, and
    first: the progress bar then starts a thread); and a progress bar."""
    generator.newsarchive_model = load_model_early(generator.settings)
    generator.newsarchive_search = start_search_waiting(generator.settings)
    files = generator.get_files(
        generator.settings["ARTICLE_PATHS"], exclude=generator.settings["ARTICLE_EXCLUDES"]
    )
    total = sum(1 for f in files if os.path.splitext(f)[1].lstrip(".") in generator.readers.readers)
    timings.start("read")
    generator.newsarchive_progress = Progress(
        "Reading articles", total, every=generator.settings["NEWSARCHIVE_PROGRESS_EVERY"]
    )


def advance_progress(generator: Any) -> None:
    progress = getattr(generator, "newsarchive_progress", None)
    if progress is not None:
        progress.advance()


def apply_default_settings(pelican: Any) -> None:
    for name, value in DEFAULT_SETTINGS.items():
        pelican.settings.setdefault(name, value)
    site_file = Path(pelican.settings["PATH"]) / pelican.settings["NEWSARCHIVE_SITE_FILE"]
    pelican.settings.update(archive_identity(site_file))
    _compile_templates_once(pelican.settings)
    month_url = pelican.settings["TIMELINE_MONTH_URL"]

    def timeline_url(value: str) -> str:
        """Where the timeline lists the date `value`."""
        slug = timeline_month_slug(value)
        return f"{month_url.format(slug=slug)}#{timeline_point_anchor(value)}"

    # Helpers the theme uses to show dates.
    pelican.settings["JINJA_GLOBALS"] = {
        "describe_date": describe,
        "html_datetime": html_datetime,
        "timeline_url": timeline_url,
        "published": published,
        "script_attributes": script_attributes,
        **pelican.settings.get("JINJA_GLOBALS", {}),
    }


def _compile_templates_once(settings: dict[str, Any]) -> None:
    """Compiled templates kept in the cache folder (Jinja's bytecode cache, checked against
    each template's source): every generator has its own Jinja environment, and each
    compiled the theme again on every build, about 0.1 s a build."""
    environment = settings["JINJA_ENVIRONMENT"]
    if environment.get("bytecode_cache") is not None:
        return  # the site's own choice
    folder = Path(settings["CACHE_PATH"]) / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return  # no cache folder to write: compiled each build, as before
    # A copy: Pelican's default settings hold the dict every build starts from.
    compiled = FileSystemBytecodeCache(str(folder))
    settings["JINJA_ENVIRONMENT"] = {**environment, "bytecode_cache": compiled}


IDENTITY_SETTINGS = ("SITENAME", "SITESUBTITLE")


def archive_identity(path: Path) -> dict[str, str]:
    """The archive's own name and tagline from site.yaml in its content folder; only these
    settings, as the content folder is the editors' and not the build's configuration."""
    if not path.is_file():
        return {}
    try:
        values = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        logger.error("%s: not readable YAML (%s); the site's name is left as set", where, error)
        return {}
    if not isinstance(values, dict):
        logger.error("%s: write 'SITENAME: …' and 'SITESUBTITLE: …' lines", path)
        return {}
    identity = {}
    for key, value in values.items():
        if key not in IDENTITY_SETTINGS or not isinstance(value, str | int | float):
            logger.error(
                "%s: %r is not a setting this file takes; use %s (other settings belong in "
                "pelicanconf.py)", path, key, " or ".join(IDENTITY_SETTINGS),
            )  # fmt: skip
            continue
        identity[key] = str(value)
    return identity


def add_theme_pages(generator: Any) -> None:
    """page_generator_finalized: the theme's own About and 404 pages for an archive that
    has none (no content/pages), so every site has both."""
    folder = Path(generator.theme) / "pages"
    if not folder.is_dir():
        return
    written = {p.save_as for p in (*generator.pages, *generator.hidden_pages)}
    for source in sorted(folder.glob("*.md")):
        page = generator.readers.read_file(
            base_path=str(folder), path=source.name, content_class=Page, context=generator.context
        )
        if page.save_as in written:
            continue
        (generator.hidden_pages if page.status == "hidden" else generator.pages).append(page)
    generator.pages[:] = order_content(generator.pages, generator.settings["PAGE_ORDER_BY"])


def write_undated_front_page(generator: Any, writer: Any) -> None:
    """article_writer_finalized: an archive with no dated story gets a front page of its
    undated ones, paginated like any, latest mentioned date first (then by title), in place
    of the empty one Pelican wrote."""
    undated = generator.context.get("undated_articles", [])
    if generator.articles or not undated:
        return
    settings = generator.settings
    ordered = sorted(undated, key=_front_page_order)
    writer.write_file(
        settings["INDEX_SAVE_AS"],
        generator.get_template("index"),
        generator.context,
        relative_urls=settings["RELATIVE_URLS"],
        override_output=True,
        articles=ordered,
        dates=ordered,
        blog=True,
        undated_front_page=True,
        template_name="index",
        page_name=os.path.splitext(settings["INDEX_SAVE_AS"])[0],
        url=settings.get("INDEX_URL", "index.html"),
    )


def _front_page_order(article: Any) -> tuple[int, str, str]:
    latest = latest_day_mentioned(getattr(article, "mentioned_dates", ()))
    return (-latest.toordinal() if latest else 0, article.title.casefold(), article.slug)


def get_generators(pelican: Any) -> list[type[Any]]:
    return [EntityGenerator, TimelineGenerator, SearchGenerator]


def register() -> None:
    install_period_archives()
    signals.initialized.connect(apply_default_settings)
    signals.get_generators.connect(get_generators)
    signals.get_writer.connect(get_writer)
    signals.finalized.connect(write_queued_pages)
    signals.generator_init.connect(read_only_inside_content)
    signals.readers_init.connect(add_reader)
    signals.article_generator_init.connect(start_reading)
    signals.article_generator_preread.connect(advance_progress)
    signals.article_generator_context.connect(prepare_metadata)
    signals.page_generator_context.connect(prepare_page_metadata)
    signals.article_generator_pretaxonomy.connect(finish_reading)
    signals.article_generator_finalized.connect(save_conversions)
    signals.article_writer_finalized.connect(write_undated_front_page)
    signals.page_generator_finalized.connect(add_theme_pages)
    signals.page_generator_finalized.connect(settle_pages)
    # After the theme's pages are read: the reader's cache is closed before any fork (a
    # process forked with it open, writing to the cache through a connection of its own,
    # can damage it), and the theme pages' conversions are kept too.
    signals.page_generator_finalized.connect(save_conversions)
    signals.article_generator_finalized.connect(group_in_sets)
    signals.article_generator_finalized.connect(collect_places)
    signals.article_generator_finalized.connect(enrich)
