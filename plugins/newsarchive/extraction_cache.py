"""The extraction cache: one SQLite file, keyed by an article's text and the pipeline version.

Named-entity recognition is the slow part of a build. An article whose text has not
changed, extracted by the same code, model and registry, gets its last result back. Each
batch is one transaction, so an interrupted build loses at most the batch under way.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .core.extract import Definition, Extraction, Mention

SCHEMA = """
CREATE TABLE IF NOT EXISTS extraction (
    key TEXT PRIMARY KEY,
    version TEXT NOT NULL,
    result TEXT NOT NULL,
    last_used REAL NOT NULL
)
"""
# Entries of this pipeline version not used for this long are pruned.
KEEP_UNUSED_SECONDS = 14 * 24 * 3600


def pipeline_version(parts: Iterable[str]) -> str:
    """One hash over everything that shapes an extraction: code, model, registry."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def article_key(version: str, text: str, dateline: str) -> str:
    return pipeline_version([version, text, dateline])


def rows_for_keys(
    connection: sqlite3.Connection, select: str, touch: str, args: list[Any], keys: list[str]
) -> list[tuple[Any, ...]]:
    """The rows of `select` for many keys, 500 at a time (SQLite's limit on parameters),
    marking them used with `touch`. Both take `args`, then the keys as `IN ({marks})`."""
    rows: list[tuple[Any, ...]] = []
    now = time.time()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows += connection.execute(select.format(marks=marks), [*args, *chunk]).fetchall()
        with connection:
            connection.execute(touch.format(marks=marks), [now, *args, *chunk])
    return rows


def _to_json(extraction: Extraction) -> str:
    # Each mention's own fields as they are: `dataclasses.asdict` copies every value deeply,
    # 0.7 ms an article, in the building process beside the model's workers.
    data = {
        "mentions": [vars(m) for m in extraction.mentions],
        "definitions": [
            {"name": vars(d.name), "alias": vars(d.alias)} for d in extraction.definitions
        ],
        "sentences": extraction.sentences,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class StoredExtraction:
    """An extraction as the cache holds it, decoded only as far as it is read. A warm build
    reads only the sentences of most articles (for the quotes on entity pages): decoding
    every mention of 10,000 articles into objects took about 4 s, the sentences alone a
    tenth of that. Reads like an `Extraction`."""

    __slots__ = ("_decoded", "_sentences", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._decoded: Extraction | None = None
        self._sentences: tuple[tuple[int, int], ...] | None = None

    def decoded(self) -> Extraction:
        if self._decoded is None:
            self._decoded = _from_json(self._text)
        return self._decoded

    @property
    def mentions(self) -> tuple[Mention, ...]:
        return self.decoded().mentions

    @property
    def definitions(self) -> tuple[Definition, ...]:
        return self.decoded().definitions

    @property
    def sentences(self) -> tuple[tuple[int, int], ...]:
        if self._sentences is None:
            # `_to_json` writes the sentences last; a quote inside a mention is escaped, so
            # this is the key, and what follows it, up to the closing brace, their list.
            start = self._text.rindex('"sentences":') + len('"sentences":')
            self._sentences = tuple(tuple(s) for s in json.loads(self._text[start:-1]))
        return self._sentences


def _from_json(text: str) -> Extraction:
    data = json.loads(text)
    return Extraction(
        tuple(Mention(**m) for m in data["mentions"]),
        tuple(Definition(Mention(**d["name"]), Mention(**d["alias"])) for d in data["definitions"]),
        tuple(tuple(s) for s in data["sentences"]),
    )


class ExtractionCache:
    def __init__(self, path: Path, version: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.version = version
        self.connection = sqlite3.connect(path)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute(SCHEMA)
        self.hits = 0
        self.misses = 0

    def get_many(self, keys: list[str]) -> dict[str, StoredExtraction]:
        rows = rows_for_keys(
            self.connection,
            "SELECT key, result FROM extraction WHERE version = ? AND key IN ({marks})",
            "UPDATE extraction SET last_used = ? WHERE version = ? AND key IN ({marks})",
            [self.version],
            keys,
        )
        found = {key: StoredExtraction(result) for key, result in rows}
        self.hits += len(found)
        self.misses += len(keys) - len(found)
        return found

    def put_many(self, items: list[tuple[str, Extraction]]) -> None:
        now = time.time()
        with self.connection:
            self.connection.executemany(
                "INSERT OR REPLACE INTO extraction (key, version, result, last_used)"
                " VALUES (?, ?, ?, ?)",
                [(key, self.version, _to_json(extraction), now) for key, extraction in items],
            )

    def prune(self) -> int:
        """Remove entries of other pipeline versions, and ones unused for two weeks."""
        with self.connection:
            cursor = self.connection.execute(
                "DELETE FROM extraction WHERE version != ? OR last_used < ?",
                [self.version, time.time() - KEEP_UNUSED_SECONDS],
            )
        return cursor.rowcount

    def close(self) -> None:
        self.connection.close()
