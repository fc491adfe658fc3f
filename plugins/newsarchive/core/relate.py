"""Relate stage: for each article, the stories most related to it, and why; copies grouped.

The score adds three things a reader would weigh: how alike the texts are (TF-IDF cosine,
sublinear term frequency), which entities they share (weighted by rarity, so "Iran" counts
for little and "Hamedan airbase" for much), and how close in time they were published.
Candidates are the articles that share most of an article's most distinctive terms and
rarer entities (a sparse product of article-by-term matrices, a few articles at a time), and
only candidate pairs are scored, so the work grows with the archive, not with its square.
Near-duplicates (the same wire story filed twice, an excerpt and its full text) are found by
word shingles and shown as "Also published as", never as related stories.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

import numpy as np
from scipy import sparse

SHINGLE_SIZE = 5
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Document:
    key: str
    text: str  # title and body
    entities: frozenset[str] = frozenset()
    published: date | None = None


@dataclass(frozen=True)
class Weights:
    """How the three signals combine; chosen on ECB+ dev (see README, "Related stories")."""

    text: float = 0.7
    entities: float = 0.1
    time: float = 0.2
    time_scale_days: float = 90.0  # closeness halves about every two months
    undated_time: float = 0.0  # what closeness counts when either date is unknown
    # Below this much text or entity likeness, closeness in time alone relates nothing.
    min_likeness: float = 0.05


@dataclass(frozen=True)
class Related:
    key: str
    score: float
    shared_entities: tuple[str, ...]  # rarest first
    shared_terms: tuple[str, ...]  # most telling first


@dataclass
class Relations:
    related: dict[str, tuple[Related, ...]] = field(default_factory=dict)
    duplicates: dict[str, tuple[str, ...]] = field(default_factory=dict)  # key -> its copies
    candidate_pairs: int = 0  # how many pairs were scored: the cost


@dataclass(frozen=True)
class Limits:
    terms_per_document: int = 30  # distinctive terms each document is indexed by
    max_postings: int = 300  # a term or entity in more documents than this is too common
    candidates_per_document: int = 300


def _shingles(text: str) -> set[int]:
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < SHINGLE_SIZE:
        return {zlib.crc32(" ".join(words).encode())} if words else set()
    return {
        zlib.crc32(" ".join(words[i : i + SHINGLE_SIZE]).encode())
        for i in range(len(words) - SHINGLE_SIZE + 1)
    }


def is_near_duplicate(a: set[int], b: set[int]) -> bool:
    """The same story twice: most shingles shared, or one text (an excerpt) inside the other."""
    if not a or not b:
        return False
    shared = len(a & b)
    return shared / len(a | b) >= 0.6 or shared / min(len(a), len(b)) >= 0.9


def relate(
    documents: Sequence[Document],
    count: int = 5,
    weights: Weights = Weights(),
    limits: Limits = Limits(),
    threads: int = 1,
) -> Relations:
    """The `count` most related documents for each, and the near-duplicate groups; the
    candidates scored on `threads` threads (the result is the same on any number)."""
    relations = Relations()
    if len(documents) < 2:
        return relations
    # Imported here: it takes about 2 s, and a rebuild that reuses its relations never needs it.
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(
        sublinear_tf=True, stop_words="english", token_pattern=r"(?u)\b[^\W\d_]{2,}\b"
    )
    try:
        matrix = vectorizer.fit_transform([d.text for d in documents]).tocsr()
    except ValueError:  # no words at all
        return relations
    matrix.sort_indices()  # sums then run in term order, whatever the order of documents
    vocabulary = vectorizer.get_feature_names_out()
    corpus = _Corpus(documents, matrix, weights)
    keys = _key_matrix(corpus, limits)
    keys_by_key = keys.T.tocsr()  # once: a product with `keys.T` would convert it per block
    # Threads: the sparse products run without the GIL, and the blocks are independent.
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        pairs = _Pairs.concatenate(
            list(
                pool.map(
                    lambda rows: _score_block(corpus, keys, keys_by_key, rows, limits),
                    _blocks(len(documents)),
                )
            )
        )
    relations.candidate_pairs = pairs.candidate_count

    parent = list(range(len(documents)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    shingles_of = cache(lambda index: _shingles(documents[index].text))
    for index, other in zip(*pairs.likely_copies(), strict=True):
        if is_near_duplicate(shingles_of(int(index)), shingles_of(int(other))):
            parent[find(int(other))] = find(int(index))

    groups: dict[int, list[int]] = defaultdict(list)
    for index in range(len(documents)):
        groups[find(index)].append(index)
    for members in groups.values():
        for index in members:
            copies = [documents[m].key for m in members if m != index]
            if copies:
                relations.duplicates[documents[index].key] = tuple(copies)

    for index, document in enumerate(documents):
        chosen: list[Related] = []
        shown_groups = {find(index)}
        for score, other in pairs.ranked(index, corpus.key_rank):
            if find(other) in shown_groups:
                continue  # a copy of this story, or of one already listed
            shown_groups.add(find(other))
            shared = sorted(
                document.entities & documents[other].entities,
                key=lambda e: (-corpus.rarity[e], e),
            )
            chosen.append(
                Related(
                    documents[other].key,
                    round(score, 6),
                    tuple(shared),
                    _shared_terms(matrix, index, other, vocabulary),
                )
            )
            if len(chosen) == count:
                break
        relations.related[document.key] = tuple(chosen)
    return relations


class _Corpus:
    """The documents as arrays: TF-IDF rows, entity incidence, dates, order of keys."""

    def __init__(self, documents: Sequence[Document], matrix: Any, weights: Weights) -> None:
        self.matrix = matrix
        self.weights = weights
        entity_frequency = Counter(e for d in documents for e in d.entities)
        self.entity_ids = sorted(entity_frequency)
        self.rarity = {e: math.log(len(documents) / n) + 1.0 for e, n in entity_frequency.items()}
        column = {e: i for i, e in enumerate(self.entity_ids)}
        rows = [i for i, d in enumerate(documents) for _ in d.entities]
        columns = [column[e] for d in documents for e in sorted(d.entities)]
        self.entities = sparse.csr_matrix(
            (np.ones(len(rows)), (rows, columns)), shape=(len(documents), len(column))
        )
        rarity = np.array([self.rarity[e] for e in self.entity_ids])
        self.weighted_entities = self.entities.multiply(rarity).tocsr()
        self.entity_mass = np.asarray(self.weighted_entities.sum(axis=1)).ravel()
        self.dated = np.array([d.published is not None for d in documents])
        self.day = np.array([d.published.toordinal() if d.published else 0 for d in documents])
        self.key_rank = np.empty(len(documents), dtype=np.int64)
        self.key_rank[sorted(range(len(documents)), key=lambda i: documents[i].key)] = range(
            len(documents)
        )


def _key_matrix(corpus: _Corpus, limits: Limits) -> Any:
    """Documents by the keys they are found under: their most distinctive terms, their
    entities; keys shared by too many documents dropped."""
    matrix = corpus.matrix
    rows: list[np.ndarray] = []
    columns: list[np.ndarray] = []
    for index in range(matrix.shape[0]):
        start, end = matrix.indptr[index], matrix.indptr[index + 1]
        terms, values = matrix.indices[start:end], matrix.data[start:end]
        # Ties broken by term, so the result never depends on the order of documents.
        top = terms[np.lexsort((terms, -np.round(values, 9)))[: limits.terms_per_document]]
        rows.append(np.full(len(top), index))
        columns.append(top)
    entity_rows, entity_columns = corpus.entities.nonzero()
    rows.append(entity_rows)
    columns.append(entity_columns + matrix.shape[1])
    row, column = np.concatenate(rows), np.concatenate(columns)
    keys = sparse.csr_matrix(
        (np.ones(len(row), dtype=np.int32), (row, column)),
        shape=(matrix.shape[0], matrix.shape[1] + corpus.entities.shape[1]),
    )
    postings = np.asarray(keys.sum(axis=0)).ravel()
    return keys[:, np.flatnonzero(postings <= limits.max_postings)].tocsr()


def _blocks(documents: int, size: int = 64) -> Iterator[range]:
    """Documents a few at a time, so that their candidate pairs fit in memory (~100 MB)."""
    return (range(start, min(start + size, documents)) for start in range(0, documents, size))


def _pair_dots(left: Any, right: Any, rows: np.ndarray, others: np.ndarray) -> np.ndarray:
    """For each pair, the dot product of a row of `left` and a row of `right`: work in
    proportion to the pairs, where a product of whole matrices grows with the archive's square.
    """
    return np.asarray(left[rows].multiply(right[others]).sum(axis=1)).ravel()


@dataclass
class _Pairs:
    """Scored (document, candidate) pairs, grouped by document."""

    document: np.ndarray
    other: np.ndarray
    cosine: np.ndarray
    score: np.ndarray
    candidate_count: int

    @classmethod
    def concatenate(cls, parts: list[_Pairs]) -> _Pairs:
        return cls(
            *(
                np.concatenate([getattr(p, name) for p in parts])
                for name in ("document", "other", "cosine", "score")
            ),
            sum(p.candidate_count for p in parts),
        )

    def likely_copies(self) -> tuple[np.ndarray, np.ndarray]:
        alike = (self.cosine >= 0.5) & (self.other > self.document)
        return self.document[alike], self.other[alike]

    def ranked(self, index: int, key_rank: np.ndarray) -> Iterator[tuple[float, int]]:
        """A document's candidates, best first, ties by key."""
        # Pairs come in document order.
        start, end = np.searchsorted(self.document, [index, index + 1])
        scores, others = self.score[start:end], self.other[start:end]
        for position in np.lexsort((key_rank[others], -scores)):
            yield float(scores[position]), int(others[position])


def _score_block(
    corpus: _Corpus, keys: Any, keys_by_key: Any, rows: range, limits: Limits
) -> _Pairs:
    """Candidates of each document in the block (the documents sharing most keys with it,
    ties by key) and their scores."""
    block = slice(rows.start, rows.stop)
    votes = (keys[block] @ keys_by_key).tocsr()
    documents: list[np.ndarray] = []
    others: list[np.ndarray] = []
    for local, index in enumerate(rows):
        start, end = votes.indptr[local], votes.indptr[local + 1]
        candidate, count = votes.indices[start:end], votes.data[start:end]
        keep = (candidate != index) & (count > 0)
        candidate, count = candidate[keep], count[keep]
        order = np.lexsort((corpus.key_rank[candidate], -count))
        chosen = np.sort(candidate[order[: limits.candidates_per_document]])
        documents.append(np.full(len(chosen), index))
        others.append(chosen)
    document, other = np.concatenate(documents), np.concatenate(others)
    cosine = _pair_dots(corpus.matrix, corpus.matrix, document, other)
    shared = _pair_dots(corpus.weighted_entities, corpus.entities, document, other)
    mass = np.sqrt(corpus.entity_mass[document] * corpus.entity_mass[other])
    entity_score = np.divide(shared, mass, out=np.zeros_like(shared), where=shared > 0)
    weights = corpus.weights
    likeness = weights.text * cosine + weights.entities * entity_score
    both_dated = corpus.dated[document] & corpus.dated[other]
    closeness = np.where(
        both_dated,
        np.exp(-np.abs(corpus.day[document] - corpus.day[other]) / weights.time_scale_days),
        weights.undated_time,
    )
    score = np.round(likeness + weights.time * closeness, 9)
    alike = likeness >= weights.min_likeness
    return _Pairs(document[alike], other[alike], cosine[alike], score[alike], len(document))


def _shared_terms(
    matrix: Any, a: int, b: int, vocabulary: np.ndarray, limit: int = 3
) -> tuple[str, ...]:
    """The terms that weigh most in both documents."""
    rows = [slice(matrix.indptr[i], matrix.indptr[i + 1]) for i in (a, b)]
    terms, in_a, in_b = np.intersect1d(
        matrix.indices[rows[0]], matrix.indices[rows[1]], assume_unique=True, return_indices=True
    )
    product = matrix.data[rows[0]][in_a] * matrix.data[rows[1]][in_b]
    # Rounded, so that equal weights computed in another order still tie, and ties go by term.
    order = np.lexsort((terms, -np.round(product, 9)))[:limit]
    return tuple(str(vocabulary[terms[i]]) for i in order)


def reason(related: Related, names: Mapping[str, str]) -> str:
    """Why a story is related, in a reader's words: "Also about Levan Dzhagaryan and Hamedan"."""
    shown = [names[e] for e in related.shared_entities[:2] if e in names]
    if shown:
        return "Also about " + " and ".join(shown)
    if related.shared_terms:
        return "Also mentions " + ", ".join(related.shared_terms)
    return "Similar story"
