"""Measuring the pipeline on annotated data: named entities (CoNLL-2003) and name matching.

Each function reads a file in a public format and returns plain numbers, so anyone can
score the archive's extraction on their own data (`invoke eval-entities`, `eval-names`).
"""

from __future__ import annotations

import csv
import json
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .core.dates import tag_dates
from .core.extract import AliasMatcher, extract_many, load_model
from .core.gazetteer import place_names
from .core.names import blocking_key, names_match
from .core.registry import Registry
from .core.relate import Document, Relations
from .core.resolve import resolve_article, resolve_corpus

CONLL_TYPES = {"person": "PER", "organization": "ORG", "place": "LOC"}


@dataclass
class ConllDocument:
    text: str
    gold: set[tuple[int, int, str]]  # (first token, last token + 1, type)
    token_starts: list[int]
    token_ends: list[int]


def read_conll(path: Path) -> Iterator[ConllDocument]:
    """Documents of a CoNLL-2003 file (token POS chunk NER, IOB1 or IOB2), one at a time."""

    def finish(sentences: list[list[tuple[str, str]]]) -> ConllDocument | None:
        tokens = [t for sentence in sentences for t in sentence]
        if not tokens:
            return None
        parts, starts, ends, cursor = [], [], [], 0
        for sentence in sentences:
            for word, _ in sentence:
                starts.append(cursor)
                parts.append(word)
                cursor += len(word)
                ends.append(cursor)
                parts.append(" ")
                cursor += 1
            parts[-1] = "\n"
        gold, start, kind = set(), None, None
        for index, (_, tag) in enumerate([*tokens, ("", "O")]):
            prefix, _, label = tag.partition("-")
            continues = prefix == "I" and label == kind and start is not None
            if start is not None and not continues:
                if kind in CONLL_TYPES.values():
                    gold.add((start, index, kind))
                start, kind = None, None
            if prefix in ("B", "I") and not continues:
                start, kind = index, label
        return ConllDocument("".join(parts), gold, starts, ends)

    sentences: list[list[tuple[str, str]]] = [[]]
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line.startswith("-DOCSTART-"):
                document = finish([s for s in sentences if s])
                if document:
                    yield document
                sentences = [[]]
            elif not line:
                sentences.append([])
            else:
                columns = line.split()
                sentences[-1].append((columns[0], columns[-1]))
    document = finish([s for s in sentences if s])
    if document:
        yield document


@dataclass
class Scores:
    true_positives: Counter[str] = field(default_factory=Counter)
    predicted: Counter[str] = field(default_factory=Counter)
    gold: Counter[str] = field(default_factory=Counter)

    def add(self, predicted: set[tuple[int, int, str]], gold: set[tuple[int, int, str]]) -> None:
        for span in predicted & gold:
            self.true_positives[span[2]] += 1
        for span in predicted:
            self.predicted[span[2]] += 1
        for span in gold:
            self.gold[span[2]] += 1

    def prf(self, kind: str | None = None) -> tuple[float, float, float]:
        def total(counter: Counter[str]) -> int:
            return counter[kind] if kind else sum(counter.values())

        tp, predicted, gold = total(self.true_positives), total(self.predicted), total(self.gold)
        precision = tp / predicted if predicted else 0.0
        recall = tp / gold if gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1


def _token_span(document: ConllDocument, start: int, end: int) -> tuple[int, int] | None:
    """The tokens a character span covers exactly, or None if it cuts a token."""
    try:
        first = document.token_starts.index(start)
        last = document.token_ends.index(end)
    except ValueError:
        return None
    return first, last + 1


def score_entities(path: Path, registry: Registry | None = None) -> tuple[Scores, Scores]:
    """Exact typed spans (PER/ORG/LOC) per document: (the pipeline, raw spaCy)."""
    registry = registry or Registry()
    documents = list(read_conll(path))
    nlp = load_model()
    matcher = AliasMatcher(registry, place_names())
    pipeline, raw = Scores(), Scores()
    inputs = [(document.text, None) for document in documents]
    for document, extraction in zip(documents, extract_many(inputs, nlp, matcher), strict=True):
        raw_spans = set()
        for mention in extraction.mentions:
            span = _token_span(document, mention.start, mention.end)
            if mention.origin == "ner" and span:
                raw_spans.add((*span, CONLL_TYPES[mention.kind]))
        raw.add(raw_spans, document.gold)
        names = resolve_article(document.text, extraction, registry)
        spans = set()
        for named in names.mentions:
            span = _token_span(document, named.start, named.end)
            if span and named.kind in CONLL_TYPES:
                spans.add((*span, CONLL_TYPES[named.kind]))
        pipeline.add(spans, document.gold)
    return pipeline, raw


@dataclass(frozen=True)
class NameScores:
    pairs: int
    correct: int
    false_merges: int
    missed: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.pairs if self.pairs else 0.0


def read_pairs(path: Path) -> Iterator[tuple[bool, str, str]]:
    """label<TAB>name_a<TAB>name_b rows; a header row or comment lines are passed over."""
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if len(row) < 3 or row[0].startswith("#") or row[0].strip() not in ("0", "1"):
                continue
            yield row[0].strip() == "1", row[1], row[2]


def score_names(pairs: Iterable[tuple[bool, str, str]]) -> NameScores:
    count = correct = false_merges = missed = 0
    for same, a, b in pairs:
        predicted = names_match(a, b)
        count += 1
        correct += predicted == same
        false_merges += predicted and not same
        missed += same and not predicted
    return NameScores(count, correct, false_merges, missed)


def pairs_from_variant_groups(
    path: Path, min_count: int = 3, seed: int = 13
) -> list[tuple[int, str, str]]:
    """Labelled pairs from a `native<TAB>n<TAB>total<TAB>variant:count|…` file.

    Positives: two spellings of one native name, each seen at least `min_count` times
    (rarer ones are mostly mining noise). Negatives: spellings of different names with
    the same blocking key (the hard cases), then random ones, as many as the positives.
    """
    groups: list[list[str]] = []
    with open(path, encoding="utf-8") as handle:
        next(handle, None)
        for line in handle:
            columns = line.rstrip("\n").split("\t")
            if len(columns) < 4:
                continue
            variants = []
            for item in columns[3].split("|"):
                spelling, _, count = item.rpartition(":")
                if spelling and count.isdigit() and int(count) >= min_count and spelling.isalpha():
                    variants.append(spelling.capitalize())
            groups.append([columns[0], *variants])
    rng = random.Random(seed)
    positives = [
        (1, group[i], group[j])
        for group in groups
        for i in range(len(group))
        for j in range(i + 1, len(group))
    ]
    by_key: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for index, group in enumerate(groups):
        for spelling in group:
            by_key[blocking_key(spelling)].append((index, spelling))
    hard = [
        (0, a, b)
        for members in by_key.values()
        for i, (group_a, a) in enumerate(members)
        for group_b, b in members[i + 1 :]
        if group_a != group_b and a.casefold() != b.casefold()
    ]
    rng.shuffle(hard)
    negatives = hard[: len(positives) // 2]
    while len(negatives) < len(positives) and len(groups) > 1:
        first, second = rng.sample(range(len(groups)), 2)
        negatives.append((0, rng.choice(groups[first]), rng.choice(groups[second])))
    return positives + negatives


@dataclass(frozen=True)
class DateScores:
    predicted: int
    gold: int
    found: int  # predictions overlapping a gold DATE
    gold_found: int  # gold DATEs overlapped by a prediction
    right: int  # found predictions whose value is also the gold value

    @property
    def precision(self) -> float:
        return self.found / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.gold_found / self.gold if self.gold else 0.0

    @property
    def value_accuracy(self) -> float:
        return self.right / self.found if self.found else 0.0

    @property
    def f1(self) -> float:
        """F1 of right values: precision right/predicted, recall right/gold."""
        p = self.right / self.predicted if self.predicted else 0.0
        r = self.right / self.gold if self.gold else 0.0
        return 2 * p * r / (p + r) if p + r else 0.0


def score_dates(path: Path, mistakes: list | None = None) -> DateScores:
    """Score the date tagger on TimeML DATE expressions in a JSON-lines file."""
    predicted = gold_total = found = gold_found = right = 0
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            document = json.loads(line)
            dct = date.fromisoformat(document["dct"][:10]) if document.get("dct") else None
            gold = [t for t in document["timex3"] if t["type"] == "DATE"]
            mentions = tag_dates(document["text"], dct)
            predicted += len(mentions)
            gold_total += len(gold)
            matched_gold = set()
            for mention in mentions:
                overlapping = [
                    g for g in gold if g["start"] < mention.end and mention.start < g["end"]
                ]
                if overlapping:
                    found += 1
                    right += any(g["value"] == mention.value for g in overlapping)
                    matched_gold.update(id(g) for g in overlapping)
                    if mistakes is not None and not any(
                        g["value"] == mention.value for g in overlapping
                    ):
                        mistakes.append(
                            (
                                mention.text,
                                mention.value,
                                overlapping[0]["text"],
                                overlapping[0]["value"],
                            )
                        )
                elif mistakes is not None:
                    mistakes.append((mention.text, mention.value, None, None))
            gold_found += len(matched_gold)
    return DateScores(predicted, gold_total, found, gold_found, right)


def read_clusters(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def cluster_documents(records: list[dict]) -> list[Document]:
    """ECB+-style records as documents, their entities found by the archive's own pipeline."""
    registry = Registry()
    texts = {r["doc_id"]: r["text"] for r in records}
    extractions = extract_many(
        [(text, None) for text in texts.values()],
        load_model(),
        AliasMatcher(registry, place_names()),
    )
    names = {
        key: resolve_article(texts[key], extraction, registry)
        for key, extraction in zip(texts, extractions, strict=True)
    }
    resolution = resolve_corpus(names, texts, registry)
    documents = []
    for record in records:
        key = record["doc_id"]
        published = date.fromisoformat(record["date_iso"][:10]) if record.get("date_iso") else None
        entities = frozenset(m.entity_id for m in resolution.article_mentions.get(key, ()))
        documents.append(Document(key, texts[key], entities, published))
    return documents


def precision_at(
    records: list[dict], relations: Relations, ks: tuple[int, ...] = (1, 3, 5)
) -> dict[int, float]:
    """Share of the top k related stories that report the same event (same cluster_id)."""
    cluster = {r["doc_id"]: r["cluster_id"] for r in records}
    result = {}
    for k in ks:
        hits = total = 0
        for key, related in relations.related.items():
            top = related[:k]
            hits += sum(cluster[r.key] == cluster[key] for r in top)
            total += k
        result[k] = hits / total if total else 0.0
    return result
