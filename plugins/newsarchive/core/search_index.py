"""The search index: a lunr index built in Python, cut into term-range shards for lunr.js.

Readers load only the shards that hold their query's terms. Each shard carries, for each of
its terms, the term's position in the whole index and the weight of every document field it
occurs in, computed by lunr from the statistics of the whole archive; so the scores lunr.js
computes from the loaded shards are the scores of the whole index.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from lunr import __TARGET_JS_VERSION__
from lunr.pipeline import Pipeline
from lunr.stop_word_filter import stop_word_filter
from lunr.token import Token
from lunr.trimmer import trimmer

from .publish import safe_json
from .stemmer import stem

DEFAULT_BOOSTS = {"title": 10, "names": 5, "body": 1}
SHARD_BYTES = 32_000  # uncompressed; about 10 KB gzipped
SNIPPET_CHARACTERS = 30_000  # of an article's text kept in its search record


def _stem_token(token: Token, i: int | None = None, tokens: list[Token] | None = None) -> Token:
    return token.update(lambda text, metadata: stem(text))


# Serialised under lunr's own name, so lunr.js runs its own stemmer on queries.
SEARCH_PIPELINE = "stemmer"
_stem_token.label = SEARCH_PIPELINE  # type: ignore[attr-defined]

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


_SEPARATOR = re.compile(r"[ \-]+")  # lunr's: spaces (made plain by searchable) and hyphens
_INDEXING = (_drop_punctuation, trimmer, stop_word_filter, _stem_token)


@lru_cache(maxsize=500_000)
def index_term(token: str) -> str | None:
    """What lunr's indexing pipeline (trim, drop stop words, stem) makes of a lower-case
    token; None if it drops it. Run once per distinct token, not once per occurrence."""
    result: Token | None = Token(token)
    for step in _INDEXING:
        result = step(result)
        if result is None:
            return None
    return str(result)


def index_terms(text: str) -> list[str]:
    """The terms lunr would index for a text, in order."""
    terms = (index_term(token) for token in _SEPARATOR.split(searchable(text).lower()) if token)
    return [term for term in terms if term]


# Per field: how many terms it has, and each term with its frequency in order of first use.
Analysis = tuple[tuple[int, tuple[tuple[str, int], ...]], ...]


def analyse(document: SearchDocument, fields: Sequence[str]) -> Analysis:
    """All of indexing that depends on this document alone (the weights depend on them all),
    so a rebuild after one edit analyses one document."""
    texts = {"title": document.title, "names": " ".join(document.names), "body": document.body}
    analysis = []
    for name in fields:
        terms = index_terms(texts[name])
        analysis.append((len(terms), tuple(Counter(terms).items())))  # first-use order, as lunr
    return tuple(analysis)


K1 = 1.2  # lunr's BM25 parameters (lunr.Builder's defaults)
B = 0.75


class SearchIndex:
    """A lunr index: lunr's weights for every (term, document, field), kept as flat arrays.

    lunr.py's Builder tokenizes character by character and keeps a dict per posting; at
    tens of thousands of articles that takes minutes. Here each distinct token goes through
    lunr's pipeline once (index_term) and the BM25 weights are computed in bulk with numpy,
    in lunr's order of operations and with Python's rounding, so every weight is the float
    lunr.py makes: a test compares the whole index with one from lunr.py's own builder.
    """

    def __init__(self, boosts: dict[str, float]) -> None:
        self.fields = list(boosts)
        self._boosts = [boosts[name] for name in self.fields]
        self._positions: dict[str, int] = {}  # term -> position, in order of first use
        # One entry per (document, field, term); 32 bits: millions of them at 10,000 stories.
        self._term = array("i")
        self._document = array("i")
        self._field = array("i")
        self._frequency = array("i")
        self._lengths = array("i")  # terms per (document, field)
        self.document_count = 0
        self._weights = np.empty(0)

    @property
    def term_count(self) -> int:
        return len(self._positions)

    def add(self, document: SearchDocument) -> None:
        self.add_analysed(analyse(document, self.fields))

    def add_analysed(self, analysis: Analysis) -> None:
        """Adds a document as `analyse` found it (for `fields` in this index's order)."""
        number = self.document_count
        self.document_count += 1
        for field_number, (length, frequencies) in enumerate(analysis):
            self._lengths.append(length)
            for term, frequency in frequencies:
                self._term.append(self._positions.setdefault(term, len(self._positions)))
                self._document.append(number)
                self._field.append(field_number)
                self._frequency.append(frequency)

    def finish(self) -> None:
        """Weighs every posting as lunr.Builder does (BM25, field boosts, 3 decimals)."""
        count = self.document_count
        terms = np.frombuffer(self._term, dtype=np.int32)
        postings = np.bincount(terms, minlength=self.term_count).tolist()
        # lunr.idf counts a term once per field it is in; math.log, as lunr.py
        idfs = np.array([math.log(1 + abs((count - n + 0.5) / (n + 0.5))) for n in postings])
        lengths = np.frombuffer(self._lengths, dtype=np.int32).reshape(count, len(self.fields))
        averages = [sum(column) / max(count, 1) for column in lengths.T.tolist()]
        with np.errstate(divide="ignore", invalid="ignore"):  # a field empty everywhere
            norms = K1 * (1 - B + B * (lengths / np.array(averages)))
        documents = np.frombuffer(self._document, dtype=np.int32)
        fields = np.frombuffer(self._field, dtype=np.int32)
        frequencies = np.frombuffer(self._frequency, dtype=np.int32).astype(np.int64)
        scores = idfs[terms] * ((K1 + 1) * frequencies) / (norms[documents, fields] + frequencies)
        scores = scores * np.array(self._boosts, dtype=float)[fields]
        self._weights = round_as_python(scores, 3)

    def shards(self, shard_bytes: int = SHARD_BYTES) -> list[Shard]:
        """The terms in lunr.js order, cut into shards of about shard_bytes.

        Each term is [term, position, refs, weights, refs, weights, ...] with one refs/weights
        pair per field in field order; refs are document numbers, each stored as the
        difference from the one before.
        """
        terms = np.frombuffer(self._term, dtype=np.int32).astype(np.int64)
        documents = np.frombuffer(self._document, dtype=np.int32).astype(np.int64)
        fields = np.frombuffer(self._field, dtype=np.int32).astype(np.int64)
        order = np.lexsort((documents, fields, terms))
        groups = terms[order] * len(self.fields) + fields[order]
        del terms
        sorted_documents = documents[order]
        deltas = np.diff(sorted_documents, prepend=0)
        starts = np.flatnonzero(np.diff(groups, prepend=-1))
        deltas[starts] = sorted_documents[starts]  # each list starts from document 0
        weights = self._weights[order]
        bounds = np.concatenate(
            [[0], np.cumsum(np.bincount(groups, minlength=self.term_count * len(self.fields)))]
        ).tolist()

        def entries() -> Iterable[list[Any]]:  # one term at a time: millions of numbers
            for term in sorted(self._positions, key=utf16_order):
                position = self._positions[term]
                entry: list[Any] = [term, position]
                for field_number in range(len(self.fields)):
                    group = position * len(self.fields) + field_number
                    start, end = bounds[group], bounds[group + 1]
                    entry.append(deltas[start:end].tolist())
                    entry.append(weights[start:end].tolist())
                yield entry

        return list(_cut(entries(), shard_bytes))

    def manifest(self, shards: list[Shard]) -> dict[str, Any]:
        """What the page loads first: fields, pipeline, and where the shards are: their
        folder, named by their content so a browser never mixes two builds' shards, and
        each shard's first term (a shard holds the terms up to the next one's first), which
        keeps the manifest small at any size."""
        return {
            "version": __TARGET_JS_VERSION__,
            "fields": self.fields,
            "pipeline": [SEARCH_PIPELINE],
            "documents": self.document_count,
            "shards": {"folder": shard_folder(shards), "first": [s.first for s in shards]},
        }

    def serialize(self) -> dict[str, Any]:
        """The whole index as lunr.py serialises it and lunr.js's Index.load takes it."""
        names = {term: position for term, position in self._positions.items()}
        by_position = {position: term for term, position in names.items()}
        inverted: dict[str, dict[str, Any]] = {
            term: {"_index": position, **{name: {} for name in self.fields}}
            for term, position in names.items()
        }
        vectors: dict[str, list[tuple[int, float]]] = {}
        for field_ref in (f"{f}/{short_ref(n)}" for n in range(self.document_count)
                          for f in self.fields):  # fmt: skip
            vectors[field_ref] = []
        for term, document, field, weight in zip(
            self._term, self._document, self._field, self._weights.tolist(), strict=True
        ):
            ref = short_ref(document)
            inverted[by_position[term]][self.fields[field]][ref] = {}
            vectors[f"{self.fields[field]}/{ref}"].append((term, weight))
        return {
            "version": __TARGET_JS_VERSION__,
            "fields": self.fields,
            "fieldVectors": [
                [field_ref, [x for pair in sorted(pairs) for x in pair]]
                for field_ref, pairs in vectors.items()
            ],
            "invertedIndex": [[term, inverted[term]] for term in sorted(inverted)],
            "pipeline": [SEARCH_PIPELINE],
        }


def build_index(documents: Iterable[SearchDocument], boosts: dict[str, float]) -> SearchIndex:
    """A lunr index over titles, entity names and text; no positions are kept. Documents
    are numbered in the order given; a document's ref is its number in base 36."""
    index = SearchIndex(boosts)
    for document in documents:
        index.add(document)
    index.finish()
    return index


def utf16_order(term: str) -> bytes:
    """The order JavaScript compares strings in, which lunr.js and the shard lookup use."""
    return term.encode("utf-16-be", "surrogatepass")


@dataclass(frozen=True)
class Shard:
    first: str
    last: str
    text: str  # the JSON written to its file


def shard_folder(shards: Sequence[Shard]) -> str:
    hashed = hashlib.sha256()
    for shard in shards:
        hashed.update(shard.text.encode("utf-8"))
    return "shards-" + hashed.hexdigest()[:12]


def shard_files(shards: Sequence[Shard]) -> dict[str, str]:
    """Each shard's path under the index folder (the manifest's folder, then its number)
    and its JSON text."""
    folder = shard_folder(shards)
    return {f"{folder}/{number}.json": shard.text for number, shard in enumerate(shards)}


def round_as_python(values: np.ndarray, digits: int) -> np.ndarray:
    """round(value, digits) for every value, as Python (and lunr.py) rounds, but in bulk:
    numpy's rounding of value * 10**digits is the same double except where that product
    lies within a hair of a half, and only those are rounded one by one."""
    scaled = values * 10**digits
    rounded = np.rint(scaled) / 10**digits
    unsure = np.flatnonzero(np.abs(np.abs(scaled - np.floor(scaled)) - 0.5) < 1e-6)
    for index in unsure.tolist():
        rounded[index] = round(float(values[index]), digits)
    return rounded


def _cut(entries: Iterable[list[Any]], shard_bytes: int) -> Iterable[Shard]:
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


def search_record(
    title: str,
    url: str,
    date: str,
    text: str,
    spellings: Iterable[Iterable[str]],
    entities: Iterable[tuple[str, str, str]] = (),
) -> dict[str, Any]:
    """What a result shows: title, link, date and text for the snippet; each mentioned
    entity's spellings, so a match on "Jagarian" can highlight "Dzhagaryan"; and each
    entity's (id, name, kind), for the facets."""
    return {
        "title": title,
        "url": url,
        "date": date,
        "text": text[:SNIPPET_CHARACTERS],
        "names": [list(group) for group in spellings],
        "entities": [list(entity) for entity in entities],
    }
