"""What the search page needs beside lunr's index, each part fetched in small pieces:

- **pairs**: for phrase search, which documents have two indexed words side by side
  ("toni blair"), so `"tony blair"` finds only stories where the words are adjacent;
- **words**: for typo tolerance, the archive's words as written, with the number of
  documents holding each, grouped by first letter and length;
- **names**: every spelling of every entity, so a query naming one shows its page first;
- **facets**: each document's beat, year and dateline place, and each entity's documents,
  so results can be filtered and counted.

Pairs, words and names are spread over files by a hash of their key (`buckets_of`, computed
the same way by the page), so the page needs no list of them to find the one it wants.
"""

from __future__ import annotations

import hashlib
import math
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby, pairwise
from typing import Any

import numpy as np

from .publish import safe_json
from .search_index import SearchDocument, index_term, index_terms, searchable

# Uncompressed sizes; a query fetches one pair file per pair of its phrases, one names file,
# and for a mistyped word up to five words files.
PAIR_BUCKET_BYTES = 12_000
NAME_BUCKET_BYTES = 8_000
WORD_BUCKET_BYTES = 4_000
MIN_TYPO_WORD = 3  # shorter words are not offered as corrections
HASHED_AT_ONCE = 65_536  # keys hashed together (buckets_of)
NUMBERED_BY = ("beat", "year")  # facets whose documents are numbered together (facet_order)


@dataclass(frozen=True)
class DocumentAids:
    """What one document gives the search aids; depends on that document alone."""

    pairs: tuple[str, ...]  # "term term" of adjacent indexed words of title and text, each once
    words: tuple[str, ...]  # its lower-case words with letters only, each once
    cased: tuple[str, ...]  # words of its entity names as written ("Blunkett")


def analyse_aids(document: SearchDocument) -> DocumentAids:
    pairs: set[str] = set()
    # Not the names: a phrase is found where the reader can see it, in the headline or text.
    for text in (document.title, document.body):
        terms = index_terms(text)
        pairs.update(f"{a} {b}" for a, b in pairwise(terms))
    words = {
        word
        for text in (document.title, document.body, " ".join(document.names))
        for word in _words(text.lower())
    }
    cased = {w for w in _words(" ".join(document.names)) if not w.islower()}
    return DocumentAids(tuple(sorted(pairs)), tuple(sorted(words)), tuple(sorted(cased)))


def _words(text: str) -> Iterable[str]:
    for token in searchable(text).replace("-", " ").split():
        word = token.strip(".,;:!?\"'()[]{}«»“”‘’…")
        if len(word) >= MIN_TYPO_WORD and word.isalpha():
            yield word


def buckets_of(keys: Sequence[str], buckets: int) -> np.ndarray:
    """Each key's file: FNV-1a (32 bits) over the key's UTF-16 code units, as JavaScript's
    charCodeAt sees them, modulo `buckets`; the page computes the same to know which file
    to fetch. The hash runs one character position at a time over every key still that
    long, as arrays: a loop per key costs seconds for the pairs of 10,000 stories. The keys
    are hashed `HASHED_AT_ONCE` at a time: all the pairs of 10,000 stories at once take
    80 MB."""
    if len(keys) > HASHED_AT_ONCE:
        return np.concatenate([buckets_of(keys[start : start + HASHED_AT_ONCE], buckets)
                               for start in range(0, len(keys), HASHED_AT_ONCE)])  # fmt: skip
    joined = "".join(keys).encode("utf-16-le", "surrogatepass")
    units = np.frombuffer(joined, dtype="<u2")  # widened a position at a time, not at once
    lengths = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
    if len(units) != lengths.sum():  # characters beyond the BMP are two code units each
        lengths = np.array([len(k.encode("utf-16-le", "surrogatepass")) // 2 for k in keys])
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
    longest_first = np.argsort(-lengths, kind="stable")
    lengths, starts = lengths[longest_first], starts[longest_first]
    values = np.full(len(keys), 0x811C9DC5, dtype=np.uint64)
    for position in range(int(lengths[0]) if len(keys) else 0):
        still = int(np.searchsorted(-lengths, -position, side="left"))  # keys longer than it
        unit = units[starts[:still] + position].astype(np.uint64)
        values[:still] = ((values[:still] ^ unit) * np.uint64(0x01000193)) & np.uint64(0xFFFFFFFF)
    result = np.empty(len(keys), dtype=np.int64)
    result[longest_first] = (values % np.uint64(buckets)).astype(np.int64)
    return result


def _deltas(numbers: Sequence[int]) -> list[int]:
    return [n - p for n, p in zip(numbers, [0, *numbers[:-1]], strict=True)]


def _bucket_count(size: int, bucket_bytes: int) -> int:
    return max(1, math.ceil(size / bucket_bytes))


def _bucketed(entries: dict[str, Any], bucket_bytes: int) -> list[str]:
    """The entries spread over files by buckets_of their key: each file's JSON text."""
    # repr's length is about JSON's, and far quicker than writing each entry twice
    size = sum(len(key) + len(repr(value)) for key, value in entries.items())
    count = _bucket_count(size, bucket_bytes)
    buckets: list[dict[str, Any]] = [{} for _ in range(count)]
    keys = list(entries)
    for key, bucket in zip(keys, buckets_of(keys, count).tolist(), strict=True):
        buckets[bucket][key] = entries[key]
    return [safe_json(bucket, compact=True) for bucket in buckets]


@dataclass
class _Gathered:
    """What the aids need of every document, gathered in one pass so the documents'
    aids can be read a few at a time: each pair numbered in order of first use, and each
    document's pairs as those numbers; every word's document count; names as written."""

    number_of: dict[str, int]
    pair_numbers: array  # the pairs of every document in turn
    pair_counts: array  # how many pairs each document has
    words: Counter[str]
    shown: dict[str, str]  # lower-case word -> as an entity name writes it


def _gather(aids: Iterable[DocumentAids]) -> _Gathered:
    gathered = _Gathered({}, array("i"), array("i"), Counter(), {})
    number_of = gathered.number_of
    for document in aids:
        # A document's pairs are sorted, so its new ones sorted are in order of first use.
        new = sorted(set(document.pairs).difference(number_of))
        number_of.update(zip(new, range(len(number_of), len(number_of) + len(new)), strict=True))
        gathered.pair_numbers.extend(map(number_of.__getitem__, document.pairs))
        gathered.pair_counts.append(len(document.pairs))
        gathered.words.update(document.words)
        gathered.shown.update((word.lower(), word) for word in document.cased)
    return gathered


def pair_buckets(aids: Iterable[DocumentAids], bucket_bytes: int = PAIR_BUCKET_BYTES) -> list[str]:
    """pair -> the documents that have it, delta-coded."""
    return _pair_files(_gather(aids), bucket_bytes)


def _pair_files(gathered: _Gathered, bucket_bytes: int = PAIR_BUCKET_BYTES) -> list[str]:
    # As arrays: an archive of 10,000 stories has millions of (pair, document) postings;
    # of 32 bits, as the numbers are (of 64, the postings' peak is 100 MB more).
    pair_numbers = np.frombuffer(gathered.pair_numbers, dtype=np.int32)
    counts = np.frombuffer(gathered.pair_counts, dtype=np.int32)
    documents = np.repeat(np.arange(len(counts), dtype=np.int32), counts)
    by_pair = np.argsort(pair_numbers, kind="stable")  # each pair's documents stay in order
    documents, pair_numbers = documents[by_pair], pair_numbers[by_pair]
    del by_pair
    first = np.ones(len(documents), dtype=bool)
    first[1:] = pair_numbers[1:] != pair_numbers[:-1]
    deltas = documents - np.where(first, 0, np.roll(documents, 1))
    starts = np.flatnonzero(first)
    ends = np.append(starts[1:], len(documents))
    del documents, pair_numbers, first
    # The size of each pair's JSON list: its numbers' digits, a comma between two, brackets.
    digits = len(deltas) + sum(int(np.count_nonzero(deltas >= 10**power)) for power in range(1, 10))
    size = digits + 2 * len(deltas) + sum(map(len, gathered.number_of))
    keys = list(gathered.number_of)
    count = _bucket_count(size, bucket_bytes)
    in_bucket = buckets_of(keys, count)
    by_bucket = np.argsort(in_bucket, kind="stable")
    cuts = np.searchsorted(in_bucket[by_bucket], np.arange(count + 1)).tolist()
    # The postings laid out bucket by bucket, so each bucket's become one list at once
    # rather than a small array per pair (a million of them).
    lengths = (ends - starts)[by_bucket]
    laid_out = np.repeat((starts[by_bucket] - np.cumsum(lengths) + lengths).astype(np.int32),
                         lengths)  # fmt: skip
    laid_out += np.arange(len(laid_out), dtype=np.int32)
    by_bucket_deltas = deltas[laid_out]
    bounds = np.concatenate(([0], np.cumsum(lengths)))  # not a list: 36 MB at 10,000
    del laid_out, deltas
    texts = []
    for bucket in range(count):  # one bucket's lists at a time: millions in all
        first, last = cuts[bucket], cuts[bucket + 1]
        numbers = by_bucket_deltas[bounds[first] : bounds[last]].tolist()
        offset = int(bounds[first])
        entries = {
            keys[pair]: numbers[start - offset : end - offset]
            for pair, start, end in zip(
                by_bucket[first:last].tolist(),
                bounds[first:last].tolist(),
                bounds[first + 1 : last + 1].tolist(),
                strict=True,
            )
        }
        texts.append(safe_json(entries, compact=True))
    return texts


def typo_key(word: str) -> str:
    """Words are grouped by first letter and length: a typo within 2 edits of a word is
    looked for among words of its first letter and of its length up to 2 apart."""
    return f"{word[0]}{len(word)}"


def _word_files(
    gathered: _Gathered,
    bucket_bytes: int = WORD_BUCKET_BYTES,
    known_terms: dict[str, str | None] | None = None,
) -> list[str]:
    """typo key -> [[word as shown, its indexed term (0 if the same), documents], ...],
    most documents first. `known_terms`: words' index terms found before, used and added to
    (stemming every word of the archive again takes a second at 10,000 stories)."""
    counts, shown = gathered.words, gathered.shown
    known = {} if known_terms is None else known_terms
    groups: dict[str, list[list[Any]]] = defaultdict(list)
    for word, documents in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        term = known.get(word, _NOT_KNOWN)
        if term is _NOT_KNOWN:
            term = known[word] = index_term(word)
        if term is None:  # a stop word: never searched for
            continue
        groups[typo_key(word)].append([shown.get(word, word), 0 if term == word else term,
                                       documents])  # fmt: skip
    return _bucketed(dict(groups), bucket_bytes)


_NOT_KNOWN = object()


@dataclass(frozen=True)
class EntityCard:
    """What a result shows of an entity whose name is the query."""

    id: str
    name: str
    kind: str
    stories: int
    url: str
    spellings: tuple[str, ...]


def name_key(text: str) -> str:
    """A spelling as the query that names it reads once indexed ("Tony Blair's" -> "toni blair")."""
    return " ".join(index_terms(text))


def name_buckets(cards: Iterable[EntityCard], bucket_bytes: int = NAME_BUCKET_BYTES) -> list[str]:
    """spelling key -> [[id, name, kind, stories, url], ...], most stories first. A person
    is found by surname too, as readers search for one ("Blunkett")."""
    by_key: dict[str, list[list[Any]]] = defaultdict(list)
    for card in sorted(cards, key=lambda c: (-c.stories, c.name.casefold(), c.id)):
        keys = [name_key(s) for s in card.spellings]
        if card.kind == "person":
            keys += [key.rsplit(" ", 1)[-1] for key in keys]
        for key in dict.fromkeys(keys):
            if key:
                by_key[key].append([card.id, card.name, card.kind, card.stories, card.url])
    return _bucketed(dict(by_key), bucket_bytes)


def facet_columns(values: dict[str, Sequence[str | None]]) -> dict[str, Any]:
    """facet -> {"values": the values in order, "runs": per run of documents with one
    value, 1 + its position (0 for none) and the run's length}: one value per document
    would be a file growing with the archive, fetched by every query, where runs of
    documents numbered in `facet_order` stay a few hundred numbers."""
    columns = {}
    for facet, per_document in values.items():
        known = sorted({v for v in per_document if v}, key=lambda v: (v.casefold(), v))
        position = {value: number + 1 for number, value in enumerate(known)}
        runs = []
        for value, run in groupby(position.get(v, 0) if v else 0 for v in per_document):
            runs += [value, sum(1 for _ in run)]
        columns[facet] = {"values": known, "runs": runs}
    return columns


def facet_order(values: dict[str, Sequence[str | None]]) -> list[int]:
    """The documents' positions sorted by their values of the `NUMBERED_BY` facets (none
    first), else as given: numbered so, the documents of a beat, and of a year within it,
    are runs (`facet_columns`)."""
    count = len(next(iter(values.values()), ()))
    facets = [f for f in NUMBERED_BY if f in values]
    return sorted(range(count), key=lambda d: [values[f][d] or "" for f in facets])


def entity_documents(entities_per_document: Sequence[Iterable[str]]) -> dict[str, list[int]]:
    """entity id -> the documents mentioning it, delta-coded."""
    documents: dict[str, list[int]] = defaultdict(list)
    for number, entity_ids in enumerate(entities_per_document):
        for entity_id in dict.fromkeys(entity_ids):
            documents[entity_id].append(number)
    return {entity_id: _deltas(docs) for entity_id, docs in documents.items()}


def aid_files(
    aids: Iterable[DocumentAids],
    cards: Sequence[EntityCard],
    facets: dict[str, Sequence[str | None]],
    entities_per_document: Sequence[Iterable[str]],
    known_terms: dict[str, str | None] | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Every file of the aids (path under the index folder -> JSON text), in a folder named
    by their content so a browser never mixes two builds', and what the manifest says of
    them. `facets`: facet -> each document's value; `entities_per_document`: entity ids;
    `known_terms`: words' index terms found before, used and added to."""
    gathered = _gather(aids)  # read once: the caller may hand them over a few at a time
    parts = {
        "pairs": _pair_files(gathered),
        "words": _word_files(gathered, known_terms=known_terms),
        "names": name_buckets(cards),
    }
    del gathered
    files = {f"{part}/{n}.json": text for part, texts in parts.items()
             for n, text in enumerate(texts)}  # fmt: skip
    for facet, column in facet_columns(facets).items():  # fetched apart, as the page needs
        files[f"facets/{facet}.json"] = safe_json(column, compact=True)
    documents = entity_documents(entities_per_document)
    for card in cards:
        if card.id in documents:
            files[f"entities/{card.id}.json"] = safe_json(
                {"name": card.name, "kind": card.kind, "docs": documents[card.id]}, compact=True
            )
    hashed = hashlib.sha256()
    for path in sorted(files):
        hashed.update(f"{path}\0{files[path]}\0".encode())
    folder = "aids-" + hashed.hexdigest()[:12]
    manifest = {"folder": folder, "facets": sorted(facets),
                **{part: len(texts) for part, texts in parts.items()}}  # fmt: skip
    return manifest, {f"{folder}/{path}": text for path, text in files.items()}
