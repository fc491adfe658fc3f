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

import hashlib
import math
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from itertools import pairwise
from typing import Any

import numpy as np

from .stop_words import ENGLISH_STOP_WORDS

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
    shared_terms: tuple[str, ...]  # most telling first; only where no entity is shared


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


@dataclass(frozen=True)
class TermCounts:
    """How often each document uses each term: the costly part of TF-IDF (reading every
    text), kept between builds so that a rebuild reads only the texts that changed."""

    text_digests: tuple[str, ...]  # one per row
    vocabulary: tuple[str, ...]  # the columns' terms, sorted
    matrix: Any  # CSR of int32 counts, rows x vocabulary, each row's terms in column order


# Word tokens as scikit-learn's CountVectorizer makes them (two letters or more, lower case)
# with its English stop words left out: the text signal's terms.
_TOKEN = re.compile(r"(?u)\b[^\W\d_]{2,}\b")


def terms(text: str) -> list[str]:
    """The text's terms in order, repeats kept."""
    return [t for t in _TOKEN.findall(text.lower()) if t not in ENGLISH_STOP_WORDS]


def _text_digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def _sparse() -> Any:
    # Imported when first needed (about 0.1 s): a build whose related stories come from
    # the cache never needs it.
    from scipy import sparse

    return sparse


def term_counts(texts: Sequence[str], previous: TermCounts | None = None) -> TermCounts:
    """Each text's term counts; a text that `previous` counted (by its digest) is not read
    again. The result is the same whatever `previous` holds."""
    sparse = _sparse()
    digests = tuple(_text_digest(text) for text in texts)
    row_of = {d: i for i, d in enumerate(previous.text_digests)} if previous else {}
    kept = [(i, row_of[d]) for i, d in enumerate(digests) if d in row_of]
    fresh = [i for i, d in enumerate(digests) if d not in row_of]
    fresh_counts = [Counter(terms(texts[i])) for i in fresh]
    old = previous.matrix[[row for _, row in kept]] if previous and kept else None
    old_terms: np.ndarray = np.empty(0, dtype=np.int64)
    if old is not None:
        old_terms = np.unique(old.indices)
    old_vocabulary = previous.vocabulary if previous else ()
    vocabulary = sorted({old_vocabulary[t] for t in old_terms.tolist()}.union(*fresh_counts))
    column = {term: number for number, term in enumerate(vocabulary)}
    parts = []
    if old is not None:
        # Both vocabularies are sorted, so a row's terms stay in column order.
        moved = np.zeros(len(old_vocabulary), dtype=np.int64)
        moved[old_terms] = [column[old_vocabulary[t]] for t in old_terms.tolist()]
        parts.append(sparse.csr_matrix((old.data, moved[old.indices], old.indptr),
                                       shape=(len(kept), len(vocabulary))))  # fmt: skip
    if fresh:
        rows, columns, values = [], [], []
        for row, counts in enumerate(fresh_counts):
            for term, count in sorted(counts.items()):
                rows.append(row)
                columns.append(column[term])
                values.append(count)
        parts.append(sparse.csr_matrix(
            (np.array(values, dtype=np.int32), (rows, columns)),
            shape=(len(fresh), len(vocabulary)),
        ))  # fmt: skip
    stacked = sparse.vstack(parts, format="csr") if parts else sparse.csr_matrix((0, 0))
    order = np.empty(len(texts), dtype=np.int64)
    order[[i for i, _ in kept] + fresh] = np.arange(len(texts))
    matrix = stacked[order] if len(texts) else stacked
    matrix.sort_indices()
    return TermCounts(digests, tuple(vocabulary), matrix)


def tfidf(counts: Any) -> Any:
    """Rows of sublinear TF-IDF, unit length (as sklearn's TfidfVectorizer(sublinear_tf=True)
    with its smoothed idf), computed in one fixed order so equal counts give equal floats."""
    sparse = _sparse()
    documents = counts.shape[0]
    frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.log((1 + documents) / (1 + frequency)) + 1
    data = (1 + np.log(counts.data.astype(np.float64))) * idf[counts.indices]
    row = np.repeat(np.arange(documents), np.diff(counts.indptr))
    norms = np.sqrt(np.bincount(row, weights=data * data, minlength=documents))
    data = data / np.where(norms > 0, norms, 1)[row]
    return sparse.csr_matrix((data, counts.indices.copy(), counts.indptr.copy()),
                             shape=counts.shape)  # fmt: skip


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
    counts: TermCounts | None = None,
) -> Relations:
    """The `count` most related documents for each, and the near-duplicate groups.
    `counts`: the documents' term counts (term_counts), if already made."""
    relations = Relations()
    if len(documents) < 2:
        return relations
    counts = counts or term_counts([d.text for d in documents])
    if not counts.vocabulary:  # no words at all
        return relations
    matrix = tfidf(counts.matrix)
    vocabulary = np.array(counts.vocabulary, dtype=object)
    corpus = _Corpus(documents, matrix, weights)
    keys = _key_matrix(corpus, limits)
    keys_by_key = keys.T.tocsr()  # once: a product with `keys.T` would convert it per block
    # One thread: on two, the sparse products gained less than the threads cost (and the
    # search index is written on the other core meanwhile).
    blocks = [_block_candidates(corpus, keys, keys_by_key, rows, limits)
              for rows in _blocks(len(documents))]  # fmt: skip
    firsts = np.concatenate([d for d, _ in blocks])
    seconds = np.concatenate([o for _, o in blocks])
    bounds = np.cumsum([0, *(len(d) for d, _ in blocks)]).tolist()
    del blocks  # a copy of every candidate pair: tens of MB at 10,000 stories
    cosine = _cosines(matrix, firsts, seconds)
    # Scored a block at a time: all pairs at once would be a few hundred MB of arrays.
    scored = [_scored(corpus, *(a[start:end] for a in (firsts, seconds, cosine)))
              for start, end in pairwise(bounds)]  # fmt: skip
    del firsts, seconds, cosine
    pairs = _Pairs.concatenate(scored)
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

    chosen: list[tuple[int, int, float]] = []  # (document, related document, score)
    for index in range(len(documents)):
        shown_groups = {find(index)}
        for score, other in pairs.ranked(index, corpus.key_rank):
            if find(other) in shown_groups:
                continue  # a copy of this story, or of one already listed
            shown_groups.add(find(other))
            chosen.append((index, other, score))
            if len(shown_groups) == count + 1:
                break
    shared = [
        tuple(
            sorted(
                documents[index].entities & documents[other].entities,
                key=lambda e: (-corpus.rarity[e], e),
            )
        )
        for index, other, _ in chosen
    ]
    # The reason names shared terms only where no entity is shared: found for those alone.
    wordy = [number for number, entities in enumerate(shared) if not entities]
    terms = dict(
        zip(
            wordy,
            _shared_terms(
                matrix, [chosen[n][0] for n in wordy], [chosen[n][1] for n in wordy], vocabulary
            ),
            strict=True,
        )
    )
    related: dict[int, list[Related]] = defaultdict(list)
    for number, (index, other, score) in enumerate(chosen):
        related[index].append(
            Related(documents[other].key, round(score, 6), shared[number], terms.get(number, ()))
        )
    for index, document in enumerate(documents):
        relations.related[document.key] = tuple(related.get(index, ()))
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
        self.entities = _sparse().csr_matrix(
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
    keys = _sparse().csr_matrix(
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
        """The parts joined, emptying `parts`: each is let go once copied, so the pairs are
        never held twice (memory for the joined arrays is taken as they are filled)."""
        names = ("document", "other", "cosine", "score")
        total = sum(len(p.document) for p in parts)
        joined = {name: np.empty(total, dtype=getattr(parts[0], name).dtype) for name in names}
        candidates = sum(p.candidate_count for p in parts)
        at = 0
        parts.reverse()
        while parts:
            part = parts.pop()
            for name in names:
                joined[name][at : at + len(part.document)] = getattr(part, name)
            at += len(part.document)
        return cls(**joined, candidate_count=candidates)

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


def _block_candidates(
    corpus: _Corpus, keys: Any, keys_by_key: Any, rows: range, limits: Limits
) -> tuple[np.ndarray, np.ndarray]:
    """The candidates of each document in the block: the documents sharing most keys with
    it, ties by key. As (document, candidate) pairs, in document order."""
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
    return np.concatenate(documents), np.concatenate(others)


def _cosines(
    matrix: Any, document: np.ndarray, other: np.ndarray, rows_at_once: int = 1024
) -> np.ndarray:
    """The dot product of the rows of each pair. Most pairs come both ways (each is among
    the other's candidates), so each is computed once: one document's row spread out
    densely, against all its partners' rows at once. The sum runs over shared terms in
    column order whichever way round, so the result is the same for (a, b) and (b, a).
    The pairs are taken by their first document, `rows_at_once` documents at a time: the
    arrays of all the pairs at once are 150 MB at 10,000 stories."""
    count = matrix.shape[0]
    first_of_pair = np.minimum(document, other)
    result = np.empty(len(document))
    indices, data, indptr = matrix.indices, matrix.data, matrix.indptr
    spread = np.zeros(matrix.shape[1])
    for low in range(0, count, rows_at_once):
        chosen = np.flatnonzero((first_of_pair >= low) & (first_of_pair < low + rows_at_once))
        if not len(chosen):
            continue
        pair_key = first_of_pair[chosen].astype(np.int64) * count + np.maximum(
            document[chosen], other[chosen]
        )
        unique, position = np.unique(pair_key, return_inverse=True)
        first, second = unique // count, unique % count
        starts = np.searchsorted(first, np.arange(low, low + rows_at_once + 1)).tolist()
        values = np.empty(len(unique))
        for row in range(low, min(low + rows_at_once, count)):
            start, end = starts[row - low], starts[row - low + 1]
            if start == end:
                continue
            terms = indices[indptr[row] : indptr[row + 1]]
            spread[terms] = data[indptr[row] : indptr[row + 1]]
            values[start:end] = matrix[second[start:end]] @ spread
            spread[terms] = 0.0
        result[chosen] = values[position]
    return result


def _scored(corpus: _Corpus, document: np.ndarray, other: np.ndarray, cosine: np.ndarray) -> _Pairs:
    """The score of each (document, candidate) pair, given the cosine of their texts; the
    pairs alike enough to be related at all."""
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
    matrix: Any, firsts: list[int], seconds: list[int], vocabulary: np.ndarray, limit: int = 3
) -> list[tuple[str, ...]]:
    """For each pair of documents, the terms that weigh most in both (ties by term)."""
    if not firsts:
        return []
    product = matrix[firsts].multiply(matrix[seconds]).tocsr()
    product.sort_indices()
    row = np.repeat(np.arange(len(firsts)), np.diff(product.indptr))
    # Rounded, so that equal weights computed in another order still tie.
    order = np.lexsort((product.indices, -np.round(product.data, 9), row))
    rank = np.arange(len(order)) - product.indptr[row]  # `order` keeps each row's span
    kept = rank < limit
    terms = vocabulary[product.indices[order[kept]]].tolist()
    ends = np.cumsum(np.minimum(np.diff(product.indptr), limit)).tolist()
    return [tuple(terms[start:end]) for start, end in pairwise([0, *ends])]


def reason(related: Related, names: Mapping[str, str]) -> str:
    """Why a story is related, in a reader's words: "Also about Levan Dzhagaryan and Hamedan"."""
    shown = [names[e] for e in related.shared_entities[:2] if e in names]
    if shown:
        return "Also about " + " and ".join(shown)
    if related.shared_terms:
        return "Also mentions " + ", ".join(related.shared_terms)
    return "Similar story"
