"""The editors' and evaluators' tools: `invoke eval-resolution` and the suspicious entities
of `invoke entities-report`, on text of our own."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from conftest import ROOT, build
from newsarchive.core.names import proposed_merge
from newsarchive.core.registry import parse_registry
from newsarchive.core.resolve import ArticleNames, LinkedMention, NamedMention
from newsarchive.enrich import lowercase_uses, mention_facts
from newsarchive.evaluation import (
    GoldMention,
    Linked,
    Mark,
    b_cubed,
    evaluate_resolution,
    format_resolution,
    last_token_baseline,
    link_gold,
    marks_in_source,
    score_resolution,
    story_marks,
    surface_baseline,
)
from newsarchive.review import (
    entries_to_review,
    format_review,
    review_csv,
    review_yaml,
    suspicion,
    suspicious_entities,
)


def linked(gold: str, system: str, surface: str = "x", doc: str = "d", ner: str = "PER"):
    return Linked(gold, system, surface, doc, ner)


class TestBCubed:
    def test_perfect_resolution_scores_one(self):
        pairs = [("A", "x"), ("A", "x"), ("B", "y")]
        assert b_cubed(pairs) == (1.0, 1.0, 1.0)

    def test_a_false_merge_costs_precision_only(self):
        # x holds A twice and B once: precision (2/3 + 2/3 + 1/3) / 3 = 5/9.
        precision, recall, f1 = b_cubed([("A", "x"), ("A", "x"), ("B", "x")])
        assert precision == pytest.approx(5 / 9)
        assert recall == 1.0
        assert f1 == pytest.approx(2 * (5 / 9) / (5 / 9 + 1))

    def test_a_split_costs_recall_only(self):
        # A's three mentions in two parts: recall (2/3 + 2/3 + 1/3) / 3 = 5/9.
        precision, recall, _ = b_cubed([("A", "x"), ("A", "x"), ("A", "y")])
        assert (precision, recall) == (1.0, pytest.approx(5 / 9))

    def test_nothing_to_score_is_zero(self):
        assert b_cubed([]) == (0.0, 0.0, 0.0)


class TestSplitsAndMerges:
    def test_each_is_counted_with_its_parts_worst_first(self):
        items = [
            linked("lohan", "lindsay-lohan", "Lindsay Lohan", "d1"),
            linked("lohan", "lindsay-lohan", "Lohan", "d2"),
            linked("lohan", "lilo", "LiLo", "d3"),
            linked("reid", "reid", "Reid", "d1"),
            linked("reid", "tara", "Tara", "d2"),
            linked("athens-ga", "athens", "Athens", "d4", "LOC"),
            linked("athens-gr", "athens", "Athens", "d5", "LOC"),
        ]
        scores = score_resolution(items)
        assert [s.label for s in scores.splits] == ["lohan", "reid"]
        lohan = scores.splits[0]
        assert (lohan.mentions, lohan.stray) == (3, 1)
        assert [(p.label, p.mentions, p.documents) for p in lohan.parts] == [
            ("lindsay-lohan", 2, 2),
            ("lilo", 1, 1),
        ]
        assert lohan.parts[0].surfaces == ("Lindsay Lohan", "Lohan")
        assert [m.label for m in scores.false_merges] == ["athens"]
        assert scores.false_merges[0].stray == 1

    def test_one_entity_in_one_part_is_neither(self):
        scores = score_resolution([linked("A", "x"), linked("A", "x"), linked("B", "y")])
        assert (scores.splits, scores.false_merges, scores.f1) == ([], [], 1.0)


BASELINE_ITEMS = (
    linked("lohan", "p", "Lindsay Lohan"),
    linked("lohan", "p", "LOHAN"),
    linked("lohan", "p", "Lohan"),
    linked("bank", "q", "Central Bank", ner="ORG"),
    linked("bank", "q", "Bank", ner="ORG"),
)


class TestBaselines:
    def test_exact_surface_groups_strings_case_aside(self):
        systems = [i.system for i in surface_baseline(BASELINE_ITEMS)]
        assert systems[1] == systems[2]
        assert len(set(systems)) == 4

    def test_last_token_joins_people_by_their_last_word_and_nothing_else(self):
        systems = [i.system for i in last_token_baseline(BASELINE_ITEMS)]
        assert systems[0] == systems[1] == systems[2]
        assert systems[3] != systems[4]


PAGE = """<html><body><header><h1>Reid in <a class="entity" data-entity="malibu">Malibu</a></h1>
</header><main><article><div class="story-body">
<p>Perennial party girl <a class="entity entity-person" data-entity="tara-reid" href="#">Tara
Reid</a> checked into <span class="entity entity-place" data-entity="promises">Promises
Treatment Center</span> in <div class="note"><span class="entity" data-entity="malibu"
>Malibu</span></div>, her <span class="other">rep</span> said.</p>
<p><span class="entity entity-person" data-entity="tara-reid">Reid</span> &amp; friends.</p>
</div><aside><a class="entity" data-entity="elsewhere">Elsewhere</a></aside></article></main>
</body></html>"""

SOURCE = """Slug: reid
Date: 2009-01-01

Reid in Malibu

Perennial party girl Tara Reid checked into Promises Treatment Center in Malibu, her rep said.

Reid & friends.
"""


def gold(surface: str, entity: str, nth: int = 0, in_title: bool = False, ner: str = "PER"):
    start = -1
    for _ in range(nth + 1):
        start = SOURCE.index(surface, start + 1)
    return GoldMention("reid", "reid", start, start + len(surface), surface, entity, ner, in_title)


class TestAlignment:
    def test_marks_are_read_from_the_story_body_only(self):
        text, marks = story_marks(PAGE)
        assert [(text[m.start : m.end], m.entity) for m in marks] == [
            ("Tara\nReid", "tara-reid"),
            ("Promises\nTreatment Center", "promises"),
            ("Malibu", "malibu"),
            ("Reid", "tara-reid"),
        ]
        assert "Elsewhere" not in text and "Reid in" not in text

    def test_gold_offsets_in_a_file_with_a_header_find_their_marks(self):
        text, marks = story_marks(PAGE)
        aligned, exact = marks_in_source(SOURCE, text, marks)
        assert exact
        mentions = [
            gold("Reid", "reid-title", in_title=True),
            gold("Tara Reid", "reid"),
            gold("Promises Treatment Center in Malibu", "promises", ner="LOC"),
            gold("Reid", "reid", nth=2),
            gold("rep", "rep"),
        ]
        found = link_gold(SOURCE, mentions, aligned)
        # The title's mention is never linked; "rep" has no mark; the longer overlap wins.
        assert [(i.gold, i.system) for i in found] == [
            ("reid", "tara-reid"),
            ("promises", "promises"),
            ("reid", "tara-reid"),
        ]

    def test_of_two_marks_overlapping_a_mention_equally_the_first_wins(self):
        mention = gold("Promises Treatment Center", "promises", ner="LOC")
        start = len("".join(SOURCE[: mention.start].split()))  # in non-space characters
        marks = [Mark(start, start + 8, "promises"), Mark(start + 8, start + 16, "treatment")]
        assert [i.system for i in link_gold(SOURCE, [mention], marks)] == ["promises"]

    def test_a_page_that_differs_from_its_file_is_aligned_by_difflib(self):
        page_text = "party girl Tara Reid checked into rehab in Malibu, her rep said."
        start = page_text.index("Malibu")
        aligned, exact = marks_in_source(SOURCE, page_text, [Mark(start, start + 6, "malibu")])
        assert not exact
        assert link_gold(SOURCE, [gold("Malibu", "m", nth=1)], aligned) == [
            Linked("m", "malibu", "Malibu", "reid", "PER")
        ]


ARTICLES = {
    "merkel-in-berlin": (
        "Merkel in Berlin",
        "Angela Merkel met John Smith in Berlin on Monday.\n\n"
        "Angela Merkel said the talks with John Smith had gone well.",
    ),
    "merkel-again": (
        "Merkel again",
        "Angela Merkel spoke to John Smith by telephone on Tuesday.",
    ),
    "paris-news": (
        "Paris news",
        "The mayor of Paris opened a new bridge over the Seine in Paris on Wednesday.",
    ),
}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """Three short articles built once, with the editors' review written."""
    root = tmp_path_factory.mktemp("tiny")
    content = root / "content"
    content.mkdir()
    for slug, (title, body) in ARTICLES.items():
        (content / f"{slug}.txt").write_text(f"Slug: {slug}\n\n{title}\n\n{body}\n")
    build(content, root / "site", NEWSARCHIVE_REVIEW_FILE=str(root / "review.json"))
    return root


def write_gold(path: Path, content: Path, mentions: list[tuple[str, str, int, str, str]]) -> Path:
    """(doc, surface, which occurrence in the file, gold entity, type) as a gold file."""
    lines = []
    for doc, surface, nth, entity, ner in mentions:
        text = (content / f"{doc}.txt").read_text()
        start = -1
        for _ in range(nth + 1):
            start = text.index(surface, start + 1)
        header, title, _ = text.split("\n\n", 2)
        body_start = len(header) + len(title) + 4
        record = {"doc": doc, "slug": doc, "start": start, "end": start + len(surface),
                  "surface": surface, "title": entity, "ner": ner, "in_title": start < body_start}  # fmt: skip
        lines.append(json.dumps(record))
    path.write_text("\n".join(lines) + "\n")
    return path


MERKEL = [
    ("merkel-in-berlin", "Angela Merkel", 0, "merkel", "PER"),
    ("merkel-in-berlin", "Angela Merkel", 1, "merkel", "PER"),
    ("merkel-again", "Angela Merkel", 0, "merkel", "PER"),
]


class TestOnABuiltSite:
    def score(self, tiny, mentions):
        gold_file = write_gold(tiny / "gold.jsonl", tiny / "content", mentions)
        return evaluate_resolution(gold_file, tiny / "content", tiny / "site")

    def test_one_person_on_one_page_scores_one(self, tiny):
        evaluation = self.score(tiny, MERKEL)
        assert (evaluation.missing, evaluation.realigned, evaluation.mentions_recall) == ([], 0, 1)
        scores = score_resolution(evaluation.linked)
        assert (scores.precision, scores.recall, len(scores.splits)) == (1.0, 1.0, 0)

    def test_two_people_of_one_name_on_one_page_are_a_false_merge(self, tiny):
        smiths = [
            ("merkel-in-berlin", "John Smith", 0, "smith-the-diplomat", "PER"),
            ("merkel-again", "John Smith", 0, "smith-the-farmer", "PER"),
        ]
        scores = score_resolution(self.score(tiny, MERKEL + smiths).linked)
        assert len(scores.false_merges) == 1 and not scores.splits
        # Merkel's three mentions are right; each Smith shares its page with the other.
        assert scores.precision == pytest.approx((3 + 0.5 + 0.5) / 5)
        assert scores.recall == 1.0

    def test_one_gold_entity_on_two_pages_is_a_split(self, tiny):
        places = [
            ("merkel-in-berlin", "Berlin", 1, "capital", "LOC"),
            ("paris-news", "Paris", 2, "capital", "LOC"),
        ]
        scores = score_resolution(self.score(tiny, places).linked)
        assert len(scores.splits) == 1 and not scores.false_merges
        assert (scores.precision, scores.recall) == (1.0, 0.5)

    def test_title_mentions_count_against_recall_and_the_last_line_is_the_summary(self, tiny):
        title = [("merkel-in-berlin", "Merkel", 0, "merkel", "PER")]
        evaluation = self.score(tiny, title + MERKEL)
        assert evaluation.mentions_recall == 0.75
        report = format_resolution(evaluation, examples=3)
        assert report.splitlines()[-1] == (
            "resolution: mentions_recall=0.750 b3_p=1.000 b3_r=1.000 b3_f1=1.000 "
            "splits=0 false_merges=0"
        )

    def test_the_task_scores_an_existing_build(self, tiny):
        gold_file = write_gold(tiny / "gold.jsonl", tiny / "content", MERKEL)
        run = subprocess.run(
            [sys.executable, "-m", "invoke", "eval-resolution", "--gold", str(gold_file),
             "--content", str(tiny / "content"), "--site", str(tiny / "site")],
            cwd=ROOT, capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert "PER (3)" in run.stdout
        assert run.stdout.splitlines()[-1].startswith("resolution: mentions_recall=1.000 ")

    def test_the_review_tells_how_each_new_entity_was_written_and_typed(self, tiny):
        review = json.loads((tiny / "review.json").read_text())
        merkel = next(e for e in review["new_entities"] if e["name"] == "Angela Merkel")
        assert merkel["mentions"] == 3
        assert merkel["kind_votes"] == {"person": 3}
        assert merkel["written"] == ["Angela Merkel"]
        assert merkel not in [e for e, _ in suspicious_entities(review)]


def entity(name: str, kind: str = "organization", **facts) -> dict:
    return {"id": "x", "name": name, "kind": kind, "aliases": [], "stories": 1, "mentions": 3,
            **facts}  # fmt: skip


class TestSuspiciousEntities:
    @pytest.mark.parametrize(
        "name",
        [
            "BBC Radio 4", "Apollo 11", "3M", "20th Century Fox", "G7", "East 223rd Street",
            "Academy of Motion Picture Arts and Sciences", "Bank of Zarkhan", "MPEG-4", "AS Roma",
        ],
    )  # fmt: skip
    def test_names_with_a_number_where_names_have_one_pass(self, name):
        assert suspicion(entity(name)) == []

    @pytest.mark.parametrize(
        ("name", "kind", "reason"),
        [
            ("Liverpool 0 Sheffield", "organization", "a number inside the name ('0')"),
            ("Jane Doe 1:50.51", "organization", "a time, score or table number ('1:50.51')"),
            ("Arsenal 2-1", "organization", "a time, score or table number ('2-1')"),
            ("Moin Khan b Wasim 13", "person", "a number in a person's name ('13')"),
            ("Liverpool\nSheffield", "place", "runs across a line break ('Liverpool\\nSheffield')"),
            ("The Foreign Ministry", "organization", "starts with 'The'"),
            ("And Moscow", "place", "starts with 'And'"),
            ("THE FOREIGN MINISTRY", "organization", "starts with 'THE'"),
            ("Mr Rahmatova", "person", "starts with 'Mr'"),
            ("Zarkhan -", "place", "ends in a dash"),
            ("• Government", "organization", "starts with '•'"),
            ("Yugoslavia Slalom Results From The Women's Race", "organization",
             "long for a name (7 words, 47 characters)"),
            ("Internationalisation Standardisation Organisation Of Kuhistan Province", "place",
             "long for a name (6 words, 70 characters)"),
        ],
    )  # fmt: skip
    def test_names_that_are_not_names_are_flagged_with_the_reason(self, name, kind, reason):
        assert reason in suspicion(entity(name, kind))

    def test_a_line_break_where_it_was_written_is_flagged_too(self):
        flagged = suspicion(entity("Liverpool Sheffield", written=["Liverpool\n\nSheffield"]))
        assert flagged == ["runs across a line break ('Liverpool\\n\\nSheffield')"]

    def test_kinds_split_between_mentions(self):
        split = entity("Jordan", "place", kind_votes={"place": 3, "person": 2})
        assert suspicion(split) == ["its mentions are typed differently (60% place, 40% person)"]
        assert suspicion(entity("Jordan", "place", kind_votes={"place": 4, "person": 1})) == []

    def test_a_one_mention_name_the_archive_writes_in_lower_case(self):
        once = entity("Choosing", "person", mentions=1, lowercase_uses=2)
        reason = "mentioned once, and the archive writes 'choosing' in lower case 2 times"
        assert suspicion(once) == [reason]
        assert suspicion(entity("Choosing", "person", mentions=2, lowercase_uses=2)) == []

    def test_broken_names_come_before_split_votes(self):
        review = {
            "new_entities": [
                entity("Chicago", "place", kind_votes={"place": 1, "organization": 1}),
                entity("Merkel", "person"),
                entity("Chicago\nBulls"),
            ]
        }
        assert [e["name"] for e, _ in suspicious_entities(review)] == ["Chicago\nBulls", "Chicago"]

    def test_the_report_lists_them_with_their_reasons(self):
        review = {
            "new_entities": [entity("Angela Merkel", "person"), entity("Arsenal 2 Derby")],
            "merged": [],
            "proposed_merges": [],
            "ambiguous_surnames": [],
        }
        report = format_review(review)
        suspicious = report.split("Suspicious entities (1)")[1].split("Ambiguous")[0]
        assert "'Arsenal 2 Derby' (organization, entity/x.html): a number inside the name" in (
            suspicious
        )
        assert "'Angela Merkel'" not in suspicious


def new_entities(*entities: dict) -> dict:
    return {"new_entities": list(entities), "merged": [], "proposed_merges": [],
            "ambiguous_surnames": []}  # fmt: skip


class TestEditorsReport:
    REVIEW = new_entities(
        {**entity("Qaragol Weavers Guild"), "id": "guild", "stories": 30},
        {**entity("Arsenal 2 Derby"), "id": "score", "stories": 12},
        {**entity("Tarak", "place", kind_votes={"place": 5, "organization": 5}), "id": "tarak",
         "stories": 10},
        {**entity("Levan Jagarian", "person", aliases=["Levan Dzhagaryan"]), "id": "levan",
         "stories": 2},
    )  # fmt: skip

    def test_entries_come_most_worth_checking_first_with_every_one_listed(self):
        order = [e["id"] for e in entries_to_review(self.REVIEW)]
        # 12 stories x (0.1 + 0.5 for the score) > 10 x (0.1 + 0.5 split) > 30 x 0.1 > 2 x 0.1
        assert order == ["score", "tarak", "guild", "levan"]
        report = format_review(self.REVIEW)
        assert "… and" not in report and all(f"entity/{i}.html" in report for i in order)
        assert "… and 2 more" in format_review(self.REVIEW, limit=2)

    def test_the_yaml_is_a_registry_that_reads_back_without_a_problem(self):
        text = review_yaml(self.REVIEW)
        registry = parse_registry(text, "pasted.yaml")
        assert registry.problems == ()
        assert [e.id for e in registry.entities] == ["score", "tarak", "guild", "levan"]
        assert registry.by_id()["levan"].aliases == ("Levan Dzhagaryan",)
        assert "# 12 stories, doubt 0.6, entity/score.html: a number inside the name" in text

    def test_the_csv_has_a_row_per_entity_with_its_priority_and_reasons(self):
        rows = list(csv.DictReader(io.StringIO(review_csv(self.REVIEW))))
        assert [r["id"] for r in rows] == ["score", "tarak", "guild", "levan"]
        assert rows[0]["priority"] == "7.2" and "a number inside the name" in rows[0]["reasons"]
        assert rows[3]["aliases"] == "Levan Dzhagaryan" and rows[3]["page"] == "entity/levan.html"

    def test_only_forenames_spelled_alike_under_one_surname_are_proposed(self):
        assert proposed_merge("Jon Owen", "John Owen") is not None
        assert proposed_merge("Alan White", "Jason White") is None  # different people
        assert proposed_merge("Jon Owen", "Jon Owens") is None  # another surname


class TestMentionFacts:
    def test_kinds_and_written_forms_per_entity(self):
        texts = {"a": "Jordan won.\n\nJordan\nRiver flows.", "b": "Jordan said."}
        names = {
            "a": ArticleNames((NamedMention(0, 6, "Jordan", "person"),)),
            "b": ArticleNames((NamedMention(0, 6, "Jordan", "place"),)),
        }
        mentions = {
            "a": (LinkedMention(0, 6, "jordan"), LinkedMention(13, 25, "jordan-river")),
            "b": (LinkedMention(0, 6, "jordan"),),
        }
        facts = mention_facts(texts, names, mentions)
        assert facts["jordan"].kinds == Counter({"person": 1, "place": 1})
        assert facts["jordan"].written == Counter({"Jordan": 2})
        assert facts["jordan-river"].written == Counter({"Jordan\nRiver": 1})
        assert not facts["jordan-river"].kinds  # not among the article's names

    def test_lowercase_uses_counts_whole_words_in_lower_case_only(self):
        texts = ["Choosing a choosing, choosings; choosing.", "the Red Cross and the red cross"]
        uses = lowercase_uses(texts, ["Choosing", "Red Cross", "BBC", "eBay", "the"])
        # A name written in lower case itself ("the") tells nothing.
        assert uses == Counter({"Choosing": 2, "Red Cross": 1})
