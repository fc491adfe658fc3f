"""Results of the stages after extraction, reused when their inputs have not changed.

Each result is stored under its stage and a digest of everything it depends on (the inputs
and the source of the code that computes it), in the same SQLite file as the extraction
cache. Per-article stages keep an entry per article, pruned when unused; corpus-wide stages
(resolution across the archive, related stories, the search index) keep only their latest
result, which a warm rebuild of an unchanged archive gets back whole.
Values are pickled: the file is the build's own, never read from elsewhere.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

from .extraction_cache import KEEP_UNUSED_SECONDS, rows_for_keys

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS stage_result (
    stage TEXT NOT NULL,
    digest TEXT NOT NULL,
    value BLOB NOT NULL,
    last_used REAL NOT NULL,
    PRIMARY KEY (stage, digest)
);
CREATE TABLE IF NOT EXISTS upkeep (task TEXT PRIMARY KEY, last_done REAL NOT NULL);
"""
# Pruning reads every result's last use (0.4 s at 10,000 stories): done once a day, not on
# every build; a result unused for KEEP_UNUSED_SECONDS goes within a day of that.
PRUNE_EVERY_SECONDS = 24 * 3600
CORE = Path(__file__).parent / "core"
CACHE_FILE = "newsarchive-extraction.sqlite3"  # under CACHE_PATH, shared with extraction


def digest(parts: Iterable[Any]) -> str:
    """One hash over the parts (strings, or anything with a stable repr)."""
    hashed = hashlib.sha256()
    for part in parts:
        hashed.update((part if isinstance(part, str) else repr(part)).encode("utf-8"))
        hashed.update(b"\0")
    return hashed.hexdigest()[:24]


_RELATIVE_IMPORT = re.compile(r"^from \.(\w+) import", re.M)


def core_sources(*modules: str) -> list[str]:
    """The given core modules ("dates.py", ...) and every core module they import, so a
    cache key follows the code a stage really runs."""
    seen: set[str] = set()
    pending = list(modules)
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        source = (CORE / name).read_text(encoding="utf-8")
        pending += [f"{module}.py" for module in _RELATIVE_IMPORT.findall(source)]
    return sorted(seen)


def code_version(*modules: str) -> str:
    """A hash of the source of the given core modules and of the core modules they import."""
    return digest((CORE / name).read_text(encoding="utf-8") for name in core_sources(*modules))


def installed_version(package: str) -> str:
    """`package==version` for a cache key, so an upgrade computes anew."""
    try:
        return f"{package}=={metadata.version(package)}"
    except metadata.PackageNotFoundError:
        return f"{package} not installed"


_SQLITE_HEADER = b"SQLite format 3\x00"


def cache_damage(path: Path) -> str | None:
    """What is wrong with the cache database at `path` that would fail a build (overwritten,
    cut short, unreadable), or None. Cheap: the header and the schema, not every page."""
    if not path.exists():
        return None
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
        if len(header) < 100 or not header.startswith(_SQLITE_HEADER):
            return "not an SQLite database"
        page_size = int.from_bytes(header[16:18], "big")
        pages = int.from_bytes(header[28:32], "big")
        if path.stat().st_size < (65536 if page_size == 1 else page_size) * pages:
            return "the file is shorter than its header says (cut short)"
        connection = sqlite3.connect(path)
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            connection.close()
    except (OSError, sqlite3.DatabaseError) as error:
        return str(error)
    return None


_UNREADABLE = object()


def _unpickled(stage: str, key: str, value: bytes) -> Any:
    """A stored result, or _UNREADABLE where SQLite gave back bytes that are not a result
    (a damaged value in a sound file): it is then made again, and stored over the bad one."""
    try:
        return pickle.loads(value)
    except Exception as error:
        logger.warning(
            "The cache held an unreadable %s result (%s: %s); it is made again",
            stage, key, error,
        )  # fmt: skip
        return _UNREADABLE


class StageCache:
    def __init__(self, path: Path, fresh: bool = False) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.fresh = fresh  # read nothing, write everything (invoke build --fresh)
        self.connection = self._connect()

    def _connect(self) -> sqlite3.Connection:
        # A generous timeout: a build writes from several processes at once (the search
        # in a forked one while related stories are found).
        connection = sqlite3.connect(self.path, timeout=60)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.executescript(SCHEMA)
        return connection

    @contextmanager
    def closed(self) -> Iterator[None]:
        """The connection closed meanwhile, then opened again: for a fork, as a forked
        process inherits SQLite's record of the parent's locks, and any connection of its
        own to the file could then damage it."""
        self.connection.close()
        try:
            yield
        finally:
            self.connection = self._connect()

    @classmethod
    def of_build(cls, settings: dict[str, Any]) -> StageCache:
        """The cache of the build these Pelican settings describe."""
        return cls(Path(settings["CACHE_PATH"]) / CACHE_FILE, settings["NEWSARCHIVE_FRESH"])

    def get_many(self, stage: str, digests: list[str]) -> dict[str, Any]:
        if self.fresh:
            return {}
        rows = rows_for_keys(
            self.connection,
            "SELECT digest, value FROM stage_result WHERE stage = ? AND digest IN ({marks})",
            "UPDATE stage_result SET last_used = ? WHERE stage = ? AND digest IN ({marks})",
            [stage],
            digests,
        )
        found = {key: _unpickled(stage, key, value) for key, value in rows}
        return {key: value for key, value in found.items() if value is not _UNREADABLE}

    def put_many(self, stage: str, items: list[tuple[str, Any]]) -> None:
        now = time.time()
        with self.connection:
            self.connection.executemany(
                "INSERT OR REPLACE INTO stage_result (stage, digest, value, last_used)"
                " VALUES (?, ?, ?, ?)",
                [(stage, key, pickle.dumps(value, protocol=5), now) for key, value in items],
            )

    def get(self, stage: str, key: str) -> Any | None:
        return self.get_many(stage, [key]).get(key)

    def lookup(self, stage: str, key: str) -> Any | None:
        """One result, not yet marked as used: for callers that ask file by file and then
        mark all they used at once (`mark_used`), rather than writing once per file."""
        if self.fresh:
            return None
        row = self.connection.execute(
            "SELECT value FROM stage_result WHERE stage = ? AND digest = ?", [stage, key]
        ).fetchone()
        value = _UNREADABLE if row is None else _unpickled(stage, key, row[0])
        return None if value is _UNREADABLE else value

    def mark_used(self, stage: str, digests: list[str]) -> None:
        now = time.time()
        with self.connection:
            self.connection.executemany(
                "UPDATE stage_result SET last_used = ? WHERE stage = ? AND digest = ?",
                [(now, stage, key) for key in digests],
            )

    def put_latest(self, stage: str, key: str, value: Any) -> None:
        """A corpus-wide result: replaces the stage's previous one."""
        with self.connection:
            self.connection.execute("DELETE FROM stage_result WHERE stage = ?", [stage])
        self.put_many(stage, [(key, value)])

    def prune(self) -> None:
        """Deletes the results unused for KEEP_UNUSED_SECONDS, if not done in the last
        PRUNE_EVERY_SECONDS."""
        now = time.time()
        with self.connection:
            done = self.connection.execute(
                "SELECT last_done FROM upkeep WHERE task = 'prune'"
            ).fetchone()
            if done is not None and now - done[0] < PRUNE_EVERY_SECONDS:
                return
            self.connection.execute(
                "DELETE FROM stage_result WHERE last_used < ?", [now - KEEP_UNUSED_SECONDS]
            )
            self.connection.execute(
                "INSERT OR REPLACE INTO upkeep (task, last_done) VALUES ('prune', ?)", [now]
            )

    def close(self) -> None:
        self.connection.close()
