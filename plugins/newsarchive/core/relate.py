"""Relate stage: for each article, the stories most related to it, and why; copies grouped.

The score adds three things a reader would weigh: how alike the texts are (TF-IDF cosine,
sublinear term frequency), which entities they share (weighted by rarity, so "Iran" counts
for little and "Hamedan airbase" for much), and how close in time they were published.
Candidates come from an inverted index over each article's most distinctive terms and its
rarer entities, so the work grows with the archive, not with its square. Near-duplicates
(the same wire story filed twice, an excerpt and its full text) are found by word
shingles and shown as "Also published as", never as related stories.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

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


def _closeness(a: date | None, b: date | None, weights: Weights) -> float:
    if a is None or b is None:
        return weights.undated_time
    return math.exp(-abs((a - b).days) / weights.time_scale_days)


def relate(
    documents: Sequence[Document],
    count: int = 5,
    weights: Weights = Weights(),
    limits: Limits = Limits(),
) -> Relations:
    """The `count` most related documents for each, and the near-duplicate groups."""
    relations = Relations()
    if len(documents) < 2:
        return relations
    vectorizer = TfidfVectorizer(
        sublinear_tf=True, stop_words="english", token_pattern=r"(?u)\b[^\W\d_]{2,}\b"
    )
    try:
        matrix = vectorizer.fit_transform([d.text for d in documents]).tocsr()
    except ValueError:  # no words at all
        return relations
    vocabulary = vectorizer.get_feature_names_out()

    entity_frequency = Counter(e for d in documents for e in d.entities)
    rarity = {e: math.log(len(documents) / n) + 1.0 for e, n in entity_frequency.items()}
    entity_mass = [sum(rarity[e] for e in d.entities) for d in documents]

    postings: dict[object, list[int]] = defaultdict(list)
    top_terms: list[np.ndarray] = []
    for index in range(len(documents)):
        row = matrix.getrow(index)
        # Ties broken by term, so the result never depends on the order of documents.
        order = np.lexsort((row.indices, -np.round(row.data, 9)))[: limits.terms_per_document]
        terms = row.indices[order]
        top_terms.append(terms)
        for term in terms:
            postings[("term", int(term))].append(index)
        for entity in documents[index].entities:
            postings[("entity", entity)].append(index)

    shingles = [_shingles(d.text) for d in documents]
    parent = list(range(len(documents)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    scored: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for index, document in enumerate(documents):
        votes: Counter[int] = Counter()
        keys = [("term", int(t)) for t in top_terms[index]] + [
            ("entity", e) for e in document.entities
        ]
        for key in keys:
            posting = postings.get(key, ())
            if len(posting) <= limits.max_postings:
                votes.update(posting)
        votes.pop(index, None)
        ranked = sorted(votes.items(), key=lambda kv: (-kv[1], documents[kv[0]].key))
        candidates = [other for other, _ in ranked[: limits.candidates_per_document]]
        if not candidates:
            continue
        relations.candidate_pairs += len(candidates)
        cosines = (matrix[candidates] @ matrix.getrow(index).T).toarray().ravel()
        for other, cosine in zip(candidates, cosines, strict=True):
            shared = document.entities & documents[other].entities
            entity_score = (
                sum(rarity[e] for e in shared) / math.sqrt(entity_mass[index] * entity_mass[other])
                if shared
                else 0.0
            )
            likeness = weights.text * float(cosine) + weights.entities * entity_score
            if likeness < weights.min_likeness:
                continue
            score = (
                weights.text * float(cosine)
                + weights.entities * entity_score
                + weights.time * _closeness(document.published, documents[other].published, weights)
            )
            scored[index].append((round(score, 9), other))
            if (
                cosine >= 0.5
                and other > index
                and is_near_duplicate(shingles[index], shingles[other])
            ):
                parent[find(other)] = find(index)

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
        for score, other in sorted(
            scored[index], key=lambda pair: (-pair[0], documents[pair[1]].key)
        ):
            if find(other) in shown_groups:
                continue  # a copy of this story, or of one already listed
            shown_groups.add(find(other))
            shared = sorted(
                document.entities & documents[other].entities, key=lambda e: (-rarity[e], e)
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


def _shared_terms(
    matrix: object, a: int, b: int, vocabulary: np.ndarray, limit: int = 3
) -> tuple[str, ...]:
    product = matrix.getrow(a).multiply(matrix.getrow(b)).tocsr()
    # Rounded, so that equal weights computed in another order still tie, and ties go by term.
    order = np.lexsort((product.indices, -np.round(product.data, 9)))[:limit]
    return tuple(str(vocabulary[product.indices[i]]) for i in order)


def reason(related: Related, names: Mapping[str, str]) -> str:
    """Why a story is related, in a reader's words: "Also about Levan Dzhagaryan and Hamedan"."""
    shown = [names[e] for e in related.shared_entities[:2] if e in names]
    if shown:
        return "Also about " + " and ".join(shown)
    if related.shared_terms:
        return "Also mentions " + ", ".join(related.shared_terms)
    return "Similar story"
