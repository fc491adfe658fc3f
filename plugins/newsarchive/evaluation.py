"""Measuring the pipeline on annotated data: named entities (CoNLL-2003), name matching,
dates (TimeML), related stories and cross-document entity resolution (ECB+).

Each function reads a file in a public format and returns plain numbers, so anyone can
score the archive on their own data (`invoke eval-entities`, `eval-names`,
`eval-resolution`, ...).
"""

from __future__ import annotations

import csv
import difflib
import json
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

from .core.dates import tag_dates
from .core.extract import AliasMatcher, extract_many, load_model, with_registry_names
from .core.gazetteer import place_names
from .core.names import PROPOSAL_SIMILARITY, blocking_key, names_match, spelling_likeness
from .core.read import ArticleFormatError, parse_raw_article
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
    places, registry_names = AliasMatcher(places=place_names()), AliasMatcher(registry)
    pipeline, raw = Scores(), Scores()
    inputs = [(document.text, None) for document in documents]
    for document, found in zip(documents, extract_many(inputs, nlp, places), strict=True):
        extraction = with_registry_names(document.text, found, registry_names)
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
    proposals: int = 0  # pairs not matched, but alike enough to propose to an editor
    proposals_right: int = 0  # of those, the ones that are one name

    @property
    def accuracy(self) -> float:
        return self.correct / self.pairs if self.pairs else 0.0

    @property
    def proposal_precision(self) -> float:
        return self.proposals_right / self.proposals if self.proposals else 0.0


def read_pairs(path: Path) -> Iterator[tuple[bool, str, str]]:
    """label<TAB>name_a<TAB>name_b rows; a header row or comment lines are passed over."""
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if len(row) < 3 or row[0].startswith("#") or row[0].strip() not in ("0", "1"):
                continue
            yield row[0].strip() == "1", row[1], row[2]


def score_names(pairs: Iterable[tuple[bool, str, str]]) -> NameScores:
    """The matcher on labelled pairs; and of the pairs it keeps apart, how many an editor
    would be asked about (as forenames of one surname) and how many of those are one name."""
    count = correct = false_merges = missed = proposals = proposals_right = 0
    for same, a, b in pairs:
        predicted = names_match(a, b)
        count += 1
        correct += predicted == same
        false_merges += predicted and not same
        missed += same and not predicted
        if not predicted and spelling_likeness(a, b) >= PROPOSAL_SIMILARITY:
            proposals += 1
            proposals_right += same
    return NameScores(count, correct, false_merges, missed, proposals, proposals_right)


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
        [(text, None) for text in texts.values()], load_model(), AliasMatcher(places=place_names())
    )
    names = {
        key: resolve_article(
            texts[key], with_registry_names(texts[key], found, AliasMatcher()), registry
        )
        for key, found in zip(texts, extractions, strict=True)
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


# --- cross-document entity resolution ---------------------------------------------------
#
# Gold: one JSON object per line with doc, slug, start and end (character offsets in the
# raw file <doc>.txt), surface, title (the gold entity), ner (PER/ORG/LOC) and in_title,
# as in ../shared/eval/resolution/ecbplus_dev/. The system's answer is what a reader of
# the built site sees: data/articles.json gives each article's page, and inside the page's
# <div class="story-body"> every element with class "entity" and a data-entity id is a
# mention of that entity. Titles are not linked, so mentions in the title line are counted
# as gold but never matched.

RESOLUTION_TYPES = ("PER", "ORG", "LOC")


@dataclass(frozen=True)
class GoldMention:
    doc: str  # the raw file's name without .txt
    slug: str
    start: int
    end: int
    surface: str
    entity: str  # the gold entity's id
    ner: str
    in_title: bool
    label: str = ""  # a readable name for the gold entity (ECB+: the chain's descriptor)


def read_gold_mentions(path: Path) -> list[GoldMention]:
    mentions = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            record = json.loads(line)
            entity = record.get("title") or record["wiki_id"]
            mentions.append(
                GoldMention(
                    record["doc"],
                    record["slug"],
                    record["start"],
                    record["end"],
                    record["surface"],
                    entity,
                    record.get("ner") or "",
                    bool(record.get("in_title")),
                    record.get("descriptor") or entity,
                )
            )
    return mentions


@dataclass(frozen=True)
class Mark:
    """An entity mark on a page: text[start:end] of the story body names entity."""

    start: int
    end: int
    entity: str


class _StoryBody(HTMLParser):
    """The text of a page's <div class="story-body"> and the entity marks inside it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.divs = 0  # open divs inside the story body; 0 = outside it
        self.parts: list[str] = []
        self.length = 0
        self.open: list[tuple[str, int, str | None]] = []  # tag, text offset, entity id
        self.marks: list[Mark] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if not self.divs:
            self.divs = int(tag == "div" and "story-body" in classes)
            return
        if tag == "div":
            self.divs += 1
        elif tag in ("a", "span"):
            entity = attributes.get("data-entity") if "entity" in classes else None
            self.open.append((tag, self.length, entity))

    def handle_endtag(self, tag: str) -> None:
        if not self.divs:
            return
        if tag == "div":
            self.divs -= 1
            return
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                _, start, entity = self.open.pop(index)
                if entity:
                    self.marks.append(Mark(start, self.length, entity))
                break

    def handle_data(self, data: str) -> None:
        if self.divs:
            self.parts.append(data)
            self.length += len(data)


def story_marks(page: str) -> tuple[str, list[Mark]]:
    """A page's story-body text and its entity marks, in order of their start."""
    parser = _StoryBody()
    parser.feed(page)
    parser.close()
    return "".join(parser.parts), sorted(parser.marks, key=lambda m: (m.start, m.end))


def _visible_before(text: str) -> list[int]:
    """For each offset in text (and its end), how many non-space characters come before it.
    Pages and raw files differ in spacing only, so spans are compared in these numbers."""
    counts = [0]
    for char in text:
        counts.append(counts[-1] + (not char.isspace()))
    return counts


def _body_start(source: str) -> int:
    """Where the body of a raw article starts, by the project's own reader (after the
    header and the title); 0 if the reader cannot read it."""
    try:
        first_line = parse_raw_article(source).paragraphs[0].line
    except ArticleFormatError:
        return 0
    offset = 0
    for _ in range(first_line - 1):
        offset = source.index("\n", offset) + 1
    return offset


def marks_in_source(source: str, page_text: str, marks: Iterable[Mark]) -> tuple[list[Mark], bool]:
    """The page's marks as spans of the raw file, counted in non-space characters (see
    `_visible_before`), and whether the page's text is the file's body exactly. When it
    is not (the reader dropped a dateline, say), the two are aligned with difflib."""
    body_start = _body_start(source)
    body = "".join(source[body_start:].split())
    shown = "".join(page_text.split())
    shift = _visible_before(source)[body_start]
    before = _visible_before(page_text)
    spans = [(before[m.start], before[m.end], m.entity) for m in marks]
    if shown == body:
        return [Mark(a + shift, b + shift, entity) for a, b, entity in spans], True
    to_body: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(None, shown, body, autojunk=False)
    for a, b, size in matcher.get_matching_blocks():
        to_body.update(zip(range(a, a + size), range(b, b + size), strict=True))
    aligned = []
    for a, b, entity in spans:
        found = [to_body[i] for i in range(a, b) if i in to_body]
        if found:
            aligned.append(Mark(min(found) + shift, max(found) + 1 + shift, entity))
    return aligned, False


@dataclass(frozen=True)
class Linked:
    """A gold mention and the project's entity for it."""

    gold: str
    system: str
    surface: str
    doc: str
    ner: str


def link_gold(source: str, gold: Iterable[GoldMention], marks: Iterable[Mark]) -> list[Linked]:
    """Each gold mention outside the title with the mark overlapping it most (the first
    of equals); marks are spans of `source` in non-space characters (`marks_in_source`)."""
    before = _visible_before(source)
    marks = list(marks)
    linked = []
    for mention in gold:
        if mention.in_title:
            continue
        start, end = before[mention.start], before[mention.end]
        best, most = None, 0
        for mark in marks:
            overlap = min(end, mark.end) - max(start, mark.start)
            if overlap > most:
                best, most = mark.entity, overlap
        if best is not None:
            linked.append(Linked(mention.entity, best, mention.surface, mention.doc, mention.ner))
    return linked


def b_cubed(pairs: Iterable[tuple[str, str]]) -> tuple[float, float, float]:
    """Mention-level B-cubed precision, recall and F1 of (gold, system) labels."""
    pairs = list(pairs)
    if not pairs:
        return 0.0, 0.0, 0.0
    gold = Counter(g for g, _ in pairs)
    system = Counter(s for _, s in pairs)
    both = Counter(pairs)
    precision = sum(both[pair] / system[pair[1]] for pair in pairs) / len(pairs)
    recall = sum(both[pair] / gold[pair[0]] for pair in pairs) / len(pairs)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


@dataclass(frozen=True)
class Part:
    label: str  # an entity of the other side
    mentions: int
    documents: int
    surfaces: tuple[str, ...]  # most common first


@dataclass(frozen=True)
class Spread:
    """One entity whose mentions the other side holds in several parts: a gold entity
    over several project entities (a split), or the reverse (a false merge)."""

    label: str
    mentions: int
    stray: int  # mentions outside its largest part
    parts: tuple[Part, ...]  # largest first


def _spreads(linked: Iterable[Linked], whole: str, part: str) -> list[Spread]:
    groups: dict[str, list[Linked]] = defaultdict(list)
    for item in linked:
        groups[getattr(item, whole)].append(item)
    spreads = []
    for label, items in groups.items():
        by_part: dict[str, list[Linked]] = defaultdict(list)
        for item in items:
            by_part[getattr(item, part)].append(item)
        if len(by_part) < 2:
            continue
        parts = sorted(
            (
                Part(
                    other,
                    len(members),
                    len({m.doc for m in members}),
                    tuple(s for s, _ in Counter(m.surface for m in members).most_common()),
                )
                for other, members in by_part.items()
            ),
            key=lambda p: (-p.mentions, p.label),
        )
        spreads.append(Spread(label, len(items), len(items) - parts[0].mentions, tuple(parts)))
    return sorted(spreads, key=lambda s: (-s.stray, -len(s.parts), s.label))


@dataclass(frozen=True)
class ResolutionScores:
    mentions: int
    precision: float
    recall: float
    f1: float
    splits: list[Spread]  # gold entities on several project entities, worst first
    false_merges: list[Spread]  # project entities holding several gold entities


def score_resolution(linked: Iterable[Linked]) -> ResolutionScores:
    linked = list(linked)
    precision, recall, f1 = b_cubed((item.gold, item.system) for item in linked)
    return ResolutionScores(
        len(linked),
        precision,
        recall,
        f1,
        _spreads(linked, "gold", "system"),
        _spreads(linked, "system", "gold"),
    )


def surface_baseline(linked: Iterable[Linked]) -> list[Linked]:
    """One entity per surface string, case aside."""
    return [replace(item, system=f"surface:{item.surface.casefold()}") for item in linked]


def last_token_baseline(linked: Iterable[Linked]) -> list[Linked]:
    """People by the last word of their name, the rest by their surface string."""
    return [
        replace(item, system=f"last:{item.surface.split()[-1].casefold()}")
        if item.ner == "PER"
        else replace(item, system=f"surface:{item.surface.casefold()}")
        for item in linked
    ]


@dataclass
class ResolutionEvaluation:
    gold: list[GoldMention]
    linked: list[Linked]
    missing: list[str] = field(default_factory=list)  # slugs with no page on the site
    realigned: int = 0  # pages whose text is not their file's body (aligned by difflib)
    names: dict[str, str] = field(default_factory=dict)  # project entity id -> name

    @property
    def mentions_recall(self) -> float:
        return len(self.linked) / len(self.gold) if self.gold else 0.0


def evaluate_resolution(gold_path: Path, content: Path, site: Path) -> ResolutionEvaluation:
    """Score a built site's entities on gold mentions of the raw files in `content`."""
    gold = read_gold_mentions(gold_path)
    data = site / "data"
    articles = json.loads((data / "articles.json").read_text(encoding="utf-8"))
    entities = json.loads((data / "entities.json").read_text(encoding="utf-8"))
    pages = {a["url"].rsplit("/", 1)[-1].removesuffix(".html"): a["url"] for a in articles}
    by_doc: dict[str, list[GoldMention]] = defaultdict(list)
    for mention in gold:
        by_doc[mention.doc].append(mention)
    evaluation = ResolutionEvaluation(gold, [], names={e["id"]: e["name"] for e in entities})
    for doc, mentions in sorted(by_doc.items()):
        url = pages.get(mentions[0].slug)
        page = site / url if url else None
        if page is None or not page.is_file():
            evaluation.missing.append(mentions[0].slug)
            continue
        source = (content / f"{doc}.txt").read_text(encoding="utf-8")
        text, marks = story_marks(page.read_text(encoding="utf-8"))
        aligned, exact = marks_in_source(source, text, marks)
        evaluation.realigned += not exact
        evaluation.linked.extend(link_gold(source, mentions, aligned))
    return evaluation


def format_resolution(evaluation: ResolutionEvaluation, examples: int = 10) -> str:
    """`invoke eval-resolution`: the report, its last line the summary."""
    gold, linked = evaluation.gold, evaluation.linked
    in_titles = sum(m.in_title for m in gold)
    gold_labels = {m.entity: m.label for m in gold}
    lines = [
        f"gold: {len(gold)} mentions of {len(gold_labels)} entities in "
        f"{len({m.doc for m in gold})} documents; {in_titles} in titles (titles are not linked)",
        f"pages: {len(evaluation.missing)} missing"
        + (f" ({', '.join(evaluation.missing[:5])})" if evaluation.missing else "")
        + f"; {evaluation.realigned} whose text differs from the file (aligned by difflib)",
        f"matched: {len(linked)} of {len(gold)} gold mentions ({evaluation.mentions_recall:.3f}), "
        f"{len(linked)} of {len(gold) - in_titles} outside titles; by type "
        + ", ".join(
            f"{t} {sum(i.ner == t for i in linked)}/{sum(m.ner == t for m in gold)}"
            for t in RESOLUTION_TYPES
        ),
        "",
        f"{'':10} {'':16} {'B3 P':>6} {'B3 R':>6} {'B3 F1':>6} {'splits':>7} {'merges':>7}",
    ]
    systems = (
        ("newsarchive", lambda items: items),
        ("exact surface", surface_baseline),
        ("PER last token", last_token_baseline),
    )
    overall = score_resolution(linked)
    for label, chosen in [*((t, [i for i in linked if i.ner == t]) for t in RESOLUTION_TYPES),
                          ("all", linked)]:  # fmt: skip
        for index, (system, baseline) in enumerate(systems):
            s = score_resolution(baseline(chosen))
            head = f"{label} ({s.mentions})" if index == 0 else ""
            lines.append(
                f"{head:10} {system:16} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} "
                f"{len(s.splits):7} {len(s.false_merges):7}"
            )

    def project(entity: str) -> str:
        return f"{evaluation.names.get(entity, entity)} [{entity}]"

    def parts(spread: Spread, name: Callable[[str], str]) -> str:
        return "; ".join(
            f"{name(p.label)} {p.mentions} in {p.documents} docs {list(p.surfaces[:4])}"
            for p in spread.parts[:5]
        )

    lines += ["", f"worst {examples} splits (a gold entity over several project entities):"]
    for spread in overall.splits[:examples]:
        lines.append(
            f"  {gold_labels[spread.label]} ({spread.mentions} mentions, {spread.stray} "
            f"outside its largest part): {parts(spread, project)}"
        )
    lines += ["", f"worst {examples} false merges (a project entity holding several gold ones):"]
    for spread in overall.false_merges[:examples]:
        lines.append(
            f"  {project(spread.label)} ({spread.mentions} mentions, {spread.stray} not of its "
            f"main gold entity): {parts(spread, gold_labels.__getitem__)}"
        )
    lines += [
        "",
        f"resolution: mentions_recall={evaluation.mentions_recall:.3f} "
        f"b3_p={overall.precision:.3f} b3_r={overall.recall:.3f} b3_f1={overall.f1:.3f} "
        f"splits={len(overall.splits)} false_merges={len(overall.false_merges)}",
    ]
    return "\n".join(lines)
