"""The search index: a lunr index built in Python, cut into term-range shards for lunr.js.

Readers load only the shards that hold their query's terms. Each shard carries, for each of
its terms, the term's position in the whole index and the weight of every document field it
occurs in, computed by lunr from the statistics of the whole archive; so the scores lunr.js
computes from the loaded shards are the scores of the whole index.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lunr.builder import Builder
from lunr.index import Index
from lunr.pipeline import Pipeline
from lunr.stop_word_filter import stop_word_filter
from lunr.token import Token
from lunr.trimmer import trimmer

from .publish import safe_json
from .stemmer import stem

DEFAULT_BOOSTS = {"title": 10, "names": 5, "body": 1}
SHARD_BYTES = 48_000  # uncompressed; about 15 KB gzipped
SNIPPET_CHARACTERS = 30_000  # of an article's text kept in its search record


def _stem_token(token: Token, i: int | None = None, tokens: list[Token] | None = None) -> Token:
    return token.update(lambda text, metadata: stem(text))


# Serialised under lunr's own name, so lunr.js runs its own stemmer on queries.
_stem_token.label = "stemmer"  # type: ignore[attr-defined]

_WORDLIKE = re.compile(r"\w")


def _drop_punctuation(
    token: Token, i: int | None = None, tokens: list[Token] | None = None
) -> Token | None:
    """Drops tokens with no letter or digit ("–", "..."), which lunr.py's trimmer keeps."""
    return token if _WORDLIKE.search(str(token)) else None


Pipeline.register_function(_drop_punctuation, "newsarchive-drop-punctuation")

_POSSESSIVE = re.compile(r"['’]s\b", re.IGNORECASE)
_SPACE = re.compile(r"\s")  # every space lunr.js splits on, not only the ones lunr.py knows


def searchable(text: str) -> str:
    """Text as it is indexed: possessives dropped (so "Dzhagaryan's" is found as
    "Dzhagaryan") and every kind of space a plain one."""
    return _SPACE.sub(" ", _POSSESSIVE.sub("", text))


@dataclass(frozen=True)
class SearchDocument:
    ref: str
    title: str
    names: tuple[str, ...]  # every spelling of every entity the article mentions
    body: str


def short_ref(number: int) -> str:
    """A document's ref: its number in base 36, the shortest text JSON keeps as a key."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if number == 0:
            return text


def build_index(documents: Iterable[SearchDocument], boosts: dict[str, float]) -> Index:
    """A lunr index over titles, entity names and text; no positions are kept."""
    builder = Builder()
    builder.pipeline.add(_drop_punctuation, trimmer, stop_word_filter, _stem_token)
    builder.search_pipeline.add(_stem_token)
    builder.ref("ref")
    for name, boost in boosts.items():
        builder.field(name, boost=boost)
    for document in documents:
        builder.add(
            {
                "ref": document.ref,
                "title": searchable(document.title),
                "names": searchable(" ".join(document.names)),
                "body": searchable(document.body),
            }
        )
    return builder.build()


def utf16_order(term: str) -> bytes:
    """The order JavaScript compares strings in, which lunr.js and the shard lookup use."""
    return term.encode("utf-16-be", "surrogatepass")


@dataclass(frozen=True)
class Shard:
    first: str
    last: str
    text: str  # the JSON written to its file

    @property
    def name(self) -> str:
        """Named by content, so a browser never mixes shards of two builds."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:16] + ".json"


def shard_index(serialized: dict[str, Any], shard_bytes: int = SHARD_BYTES) -> list[Shard]:
    """The index's terms in lunr.js order, cut into shards of about shard_bytes.

    Each term is [term, position, refs, weights, refs, weights, ...] with one refs/weights
    pair per field in the index's field order; refs are document numbers, each stored as
    the difference from the one before.
    """
    fields = serialized["fields"]
    weights: dict[int, dict[str, list[tuple[int, float]]]] = defaultdict(lambda: defaultdict(list))
    for field_ref, vector in serialized["fieldVectors"]:
        field, ref = field_ref.split("/", 1)
        number = int(ref, 36)
        for position, weight in zip(vector[::2], vector[1::2], strict=True):
            weights[position][field].append((number, weight))
    entries = []
    for term, posting in sorted(serialized["invertedIndex"], key=lambda t: utf16_order(t[0])):
        position = posting["_index"]
        entry: list[Any] = [term, position]
        for field in fields:
            postings = sorted(weights[position].get(field, ()))
            refs = [n for n, _ in postings]
            entry.append([b - a for a, b in zip([0, *refs], refs, strict=False)])
            entry.append([w for _, w in postings])
        entries.append(entry)
    return list(_cut(entries, shard_bytes))


def _cut(entries: list[list[Any]], shard_bytes: int) -> Iterable[Shard]:
    chunk: list[str] = []
    size = 0
    for entry in entries:
        text = safe_json(entry, compact=True)
        if chunk and size + len(text) > shard_bytes:
            yield _shard(chunk)
            chunk, size = [], 0
        chunk.append(text)
        size += len(text) + 1
    if chunk:
        yield _shard(chunk)


def _shard(entries: list[str]) -> Shard:
    first = json.loads(entries[0])[0]
    last = json.loads(entries[-1])[0]
    return Shard(first, last, "[" + ",".join(entries) + "]")


def manifest(serialized: dict[str, Any], shards: list[Shard], documents: int) -> dict[str, Any]:
    """What the page loads first: fields, pipeline and each shard's term range and file."""
    return {
        "version": serialized["version"],
        "fields": serialized["fields"],
        "pipeline": serialized["pipeline"],
        "documents": documents,
        "shards": [[s.first, s.last, s.name] for s in shards],
    }


def search_record(
    title: str, url: str, date: str, text: str, spellings: Iterable[Iterable[str]]
) -> dict[str, Any]:
    """What a result shows: title, link, date and text for the snippet; and each mentioned
    entity's spellings, so a match on "Jagarian" can highlight "Dzhagaryan"."""
    return {
        "title": title,
        "url": url,
        "date": date,
        "text": text[:SNIPPET_CHARACTERS],
        "names": [list(group) for group in spellings],
    }
