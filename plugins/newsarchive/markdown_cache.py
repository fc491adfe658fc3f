"""Markdown conversions reused across builds.

Pelican converts every Markdown article on every build, which costs more than anything else
in a warm rebuild of a Markdown archive (about 1 ms to set up the converter and 1–2 ms to
convert, per article). The HTML and the raw header fields are kept in the stage cache under
a digest of the file's text, the versions of Markdown and Pygments (which highlights code)
and the MARKDOWN setting, so an edit, an upgrade or a changed setting converts again (after
upgrading a third-party Markdown extension, `invoke build --fresh`). Pelican's own
CACHE_CONTENT is not used: it knows a file only by its modification time or hash, so it
would miss such changes, and it keeps every article in one pickle loaded and written whole.
Header fields are still processed on every build, so dates, categories and tags come out
exactly as Pelican makes them.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import markdown
from markdown.extensions.meta import MetaPreprocessor
from pelican.readers import MarkdownReader
from pelican.utils import pelican_open

from .core.read import ArticleFormatError
from .header_dates import checked_date
from .stage_cache import CACHE_FILE, StageCache, digest, installed_version

STAGE = "markdown"
logger = logging.getLogger(__name__)


CONVERTER_VERSIONS = [installed_version("markdown"), installed_version("pygments")]


class CachedMarkdownReader(MarkdownReader):
    """Pelican's Markdown reader, converting only files whose text it has not seen."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._cache: StageCache | None = None
        self._converted: list[tuple[str, tuple[str, dict[str, list[str]]]]] = []
        self._reused: list[str] = []
        self._for_headers: markdown.Markdown | None = None
        self._text: str | None = None  # the file being read, for the line of a header field

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        self._source_path = source_path
        with pelican_open(source_path) as text:
            key = digest([text, *CONVERTER_VERSIONS, self.settings["MARKDOWN"]])
        cached = self._open_cache().lookup(STAGE, key)
        if cached is None:
            self._md = markdown.Markdown(**self.settings["MARKDOWN"])
            cached = (self._md.convert(text), getattr(self._md, "Meta", {}))
            self._converted.append((key, cached))
        else:
            self._reused.append(key)
            self._md = self._header_converter()
        content, header = cached
        self._shown_path = os.path.relpath(source_path, self.settings.get("PATH", "."))
        self._text = text
        try:
            _refuse_repeated_fields(header, text, source_path, self.settings.get("PATH", "."))
            return content, self._parse_metadata(header)
        except ArticleFormatError as error:
            logger.error("%s", error)  # Pelican itself only says "Could not process"
            raise
        finally:
            self._text = None

    def process_metadata(self, name: str, value: Any) -> Any:
        """Dates as the raw-text reader reads them (the same messages for the same
        mistakes); every other field as Pelican does."""
        if name not in ("date", "modified") or self._text is None:  # a date from the file name
            return super().process_metadata(name, value)
        lines = [n for n, line in enumerate(self._text.splitlines(), 1)
                 if line.casefold().startswith(f"{name}:")]  # fmt: skip
        return checked_date(str(value), self._shown_path, lines[0] if lines else None)

    def save(self) -> None:
        """Stores this build's new conversions (one transaction, not one per file)."""
        if self._cache is None:
            return
        self._cache.put_many(STAGE, self._converted)
        self._cache.mark_used(STAGE, self._reused)
        self._converted, self._reused = [], []
        self._cache.close()
        self._cache = None

    def _open_cache(self) -> StageCache:
        if self._cache is None:
            path = Path(self.settings["CACHE_PATH"]) / CACHE_FILE
            self._cache = StageCache(path, self.settings.get("NEWSARCHIVE_FRESH", False))
        return self._cache

    def _header_converter(self) -> markdown.Markdown:
        """One converter for the header fields of every file found in the cache (setting one
        up costs as much as converting a short article). Pelican takes its header extension
        out before converting fields such as the summary; it goes back in for the next file."""
        if self._for_headers is None:
            self._for_headers = markdown.Markdown(**self.settings["MARKDOWN"])
        converter = self._for_headers
        if "meta" not in converter.preprocessors:
            converter.preprocessors.register(MetaPreprocessor(converter), "meta", 27)
        converter.reset()
        return converter


# Header fields that hold one value: a second line of one is a mistake, not a list.
SINGLE_FIELDS = ("title", "date", "modified", "slug", "save_as", "url", "template", "status",
                 "lang", "category")  # fmt: skip


def _refuse_repeated_fields(header: dict[str, list[str]], text: str, path: str, root: str) -> None:
    for field in SINGLE_FIELDS:
        if len(header.get(field, ())) > 1:
            written = [n for n, line in enumerate(text.splitlines(), 1)
                       if line.casefold().startswith(f"{field}:")]  # fmt: skip
            where = f":{written[1]}" if len(written) > 1 else ""
            message = (
                f"{os.path.relpath(path, root)}{where}: a second {field.title()} line; "
                f"an article has one {field.title()}. Keep one of the lines"
            )
            logger.error("%s", message)  # Pelican itself only says "Could not process"
            raise ValueError(message)


def save_conversions(generator: Any) -> None:
    """After a generator has read its files: keep what its Markdown reader converted."""
    for reader in generator.readers.readers.values():
        if isinstance(reader, CachedMarkdownReader):
            reader.save()
