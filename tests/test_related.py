"""Related stories: scored, explained, copies grouped, sub-quadratic."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

import numpy as np
from newsarchive.core.relate import (
    Document,
    Related,
    is_near_duplicate,
    reason,
    relate,
    term_counts,
    terms,
    tfidf,
)
from newsarchive.core.relate import _shingles as shingles
from newsarchive.core.stop_words import ENGLISH_STOP_WORDS as STOP_WORDS
from test_site import article_page

WORDS = {
    "pipeline": "gas pipeline transit fee compressor valve border route steel construction",
    "drought": "lake water level drought irrigation farmers rain shoreline gauge basin",
    "football": "coach striker goal qualifier squad match stadium penalty league fans",
    "election": "ballot vote turnout candidate commission observers court count polling",
}


def synthetic(n: int, seed: int = 7) -> list[Document]:
    rng = random.Random(seed)
    documents = []
    for i in range(n):
        topic = rng.choice(sorted(WORDS))
        words = WORDS[topic].split()
        text = " ".join(rng.choice(words) for _ in range(60)) + f" unique{i}"
        day = date(2024, 1, 1) + timedelta(days=rng.randrange(700))
        documents.append(
            Document(f"{topic}/{i}", text, frozenset({f"{topic}-{rng.randrange(5)}"}), day)
        )
    return documents


def test_related_stories_share_a_subject_and_are_explained():
    documents = synthetic(80)
    relations = relate(documents, count=5)
    for document in documents:
        related = relations.related[document.key]
        assert len(related) == 5
        topic = document.key.split("/")[0]
        assert all(r.key.split("/")[0] == topic for r in related)
        assert [r.score for r in related] == sorted((r.score for r in related), reverse=True)


def test_candidates_come_from_an_index_not_from_all_pairs():
    documents = synthetic(600)
    relations = relate(documents, count=5)
    all_pairs = len(documents) * (len(documents) - 1)
    assert relations.candidate_pairs < all_pairs / 3


def test_pairs_scored_a_few_documents_at_a_time_are_scored_the_same(monkeypatch):
    from newsarchive.core import relate as relate_module

    documents = synthetic(120)
    matrix = tfidf(term_counts([d.text for d in documents]).matrix)
    rng = random.Random(9)
    firsts = np.array([rng.randrange(120) for _ in range(3000)])
    seconds = np.array([rng.randrange(120) for _ in range(3000)])
    at_once = relate_module._cosines(matrix, firsts, seconds)
    a_few = relate_module._cosines(matrix, firsts, seconds, rows_at_once=7)
    assert np.array_equal(at_once, a_few)  # the same floats, not merely close
    dense = matrix.toarray()
    assert np.allclose(at_once, (dense[firsts] * dense[seconds]).sum(axis=1))
    # And whole relations, whether all documents' pairs are scored at once or a few's.
    whole = relate(documents)
    original = relate_module._cosines
    monkeypatch.setattr(
        relate_module, "_cosines", lambda m, d, o: original(m, d, o, rows_at_once=5)
    )
    few = relate(documents)
    assert few.related == whole.related and few.duplicates == whole.duplicates


def test_the_order_of_documents_changes_nothing():
    documents = synthetic(60)
    shuffled = documents[:]
    random.Random(1).shuffle(shuffled)
    assert relate(documents).related == relate(shuffled).related


class TestTermCounts:
    """The counts kept between builds: a rebuild reads only the texts that changed, and
    its relations are those a build from nothing finds."""

    def test_counts_carried_over_equal_counts_made_anew(self):
        texts = [d.text for d in synthetic(200)]
        previous = term_counts(texts)
        rng = random.Random(3)
        edited = texts[:]
        edited[5] += " correction misspelt zanzibar"  # a term no other text has
        edited[17] = edited[17].replace("goal", "")  # a term dropped from one text
        del edited[40]  # a story removed: unique40 is in no text now
        edited.insert(120, "a new story about stadium penalty fans")
        rng.shuffle(edited)
        carried = term_counts(edited, previous)
        fresh = term_counts(edited)
        assert carried.vocabulary == fresh.vocabulary
        assert "unique40" not in carried.vocabulary and "zanzibar" in carried.vocabulary
        assert carried.text_digests == fresh.text_digests
        for name in ("data", "indices", "indptr"):
            assert np.array_equal(getattr(carried.matrix, name), getattr(fresh.matrix, name))

    def test_weights_are_scikit_learns_tfidf(self):
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts = [d.text for d in synthetic(50)] + ["The stadium, the fans and the goal."]
        vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english",
                                     token_pattern=r"(?u)\b[^\W\d_]{2,}\b")  # fmt: skip
        expected = vectorizer.fit_transform(texts).toarray()
        counts = term_counts(texts)
        assert list(counts.vocabulary) == list(vectorizer.get_feature_names_out())
        assert np.allclose(tfidf(counts.matrix).toarray(), expected, rtol=0, atol=1e-12)

    def test_terms_are_those_scikit_learn_would_count(self):
        # Counted without importing scikit-learn; the same tokens and stop words as its
        # CountVectorizer, on text with accents, digits, underscores, apostrophes and capitals.
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

        assert STOP_WORDS == ENGLISH_STOP_WORDS
        analyze = CountVectorizer(stop_words="english",
                                  token_pattern=r"(?u)\b[^\W\d_]{2,}\b").build_analyzer()  # fmt: skip
        texts = [d.text for d in synthetic(20)] + [
            "Élodie O'Brien met İlkay Gündoğan in Zürich on 3rd May; the_club's X-ray cost £2m.",
            "THE Minister Said: it was NOT the U.N. but the ÉU, a 2-1 win in the 90th minute.",
        ]
        for text in texts:
            assert terms(text) == analyze(text)

    def test_relations_from_carried_counts_are_those_from_scratch(self):
        documents = synthetic(300)
        previous = term_counts([d.text for d in documents])
        changed = documents[:]
        first = changed[0]
        changed[0] = Document(first.key, first.text + " coach striker", first.entities,
                              first.published)  # fmt: skip
        carried = term_counts([d.text for d in changed], previous)
        assert relate(changed, counts=carried) == relate(changed)


def test_copies_are_grouped_and_never_listed_as_related():
    story = (
        "Dockers at the port of Bandar Salim stayed off work for an eighth day on Monday, leaving forty ships at anchor. "
        * 3
    )
    documents = [
        Document("wire-a", story + "The union wants more pay.", frozenset({"bandar-salim"}), date(2024, 5, 8)),
        Document("wire-b", story + "The port authority said talks continue.", frozenset({"bandar-salim"}), date(2024, 5, 8)),
        Document("excerpt", story[:200], frozenset({"bandar-salim"}), date(2024, 5, 8)),
        Document("other", "Dockers in another port went back to work after a pay deal with the port authority. "
                 "Ships left the harbour at dawn.", frozenset({"bandar-salim"}), date(2024, 5, 20)),
    ]  # fmt: skip
    relations = relate(documents)
    assert set(relations.duplicates["wire-a"]) == {"wire-b", "excerpt"}
    assert [r.key for r in relations.related["wire-a"]] == ["other"]
    assert [r.key for r in relations.related["other"]] == ["excerpt"] or len(
        relations.related["other"]
    ) == 1


def test_near_duplicates_by_shingles():
    text = "one two three four five six seven eight nine ten eleven twelve thirteen"
    assert is_near_duplicate(shingles(text), shingles(text + " fourteen"))
    assert is_near_duplicate(shingles(text[:40]), shingles(text))  # an excerpt
    assert not is_near_duplicate(
        shingles(text), shingles("entirely different words in this sentence here now")
    )


def test_the_reason_names_the_rarest_shared_entities_or_the_shared_words():
    names = {"levan-dzhagaryan": "Levan Dzhagaryan", "hamedan": "Hamedan airbase", "iran": "Iran"}
    related = Related("x", 0.5, ("levan-dzhagaryan", "hamedan", "iran"), ("airbase",))
    assert reason(related, names) == "Also about Levan Dzhagaryan and Hamedan airbase"
    assert (
        reason(Related("x", 0.5, (), ("pipeline", "transit")), names)
        == "Also mentions pipeline, transit"
    )


# --- the sample archive -------------------------------------------------------------------


def related_titles(site, title):
    page = article_page(site, title)
    return [a.get_text() for a in page.select(".related .story-title a")]


def test_the_refiled_wire_story_is_also_published_as_not_related(sample_site):
    page = article_page(sample_site, "Construction begins on Trans-Tarak pipeline")
    copies = [a.get_text() for a in page.select(".copies a")]
    assert copies == ["Work starts on Trans-Tarak gas pipeline"]
    related = related_titles(sample_site, "Construction begins on Trans-Tarak pipeline")
    assert "Work starts on Trans-Tarak gas pipeline" not in related
    assert len(related) == 5


def test_sample_stories_relate_as_a_reader_would_expect(sample_site):
    election = related_titles(sample_site, "Opposition disputes election result")
    assert {
        "Sobirkhonov wins second term as turnout dips",
        "Election observers report irregularities in Kuhistan",
    } <= set(election[:3])
    lake = related_titles(sample_site, "Lake Tarak falls to lowest level in 60 years")
    assert {
        "Water commission approves emergency plan for Lake Tarak",
        "Farmers in Kuhistan ration water as drought deepens",
    } <= set(lake)
    accord = related_titles(sample_site, "Serevia and Zarkhan sign Trans-Tarak pipeline accord")
    assert {
        "Zarkhan and Serevia open talks on Trans-Tarak gas pipeline",
        "Pipeline talks stall over transit fees",
    } <= set(accord[:3])
    football = related_titles(sample_site, "Ergashev double sends Zarkhan to the finals")
    assert "Zarkhan stun Serevia 2-1 in World Cup qualifier" in football[:2]


def test_related_stories_say_why(sample_site):
    page = article_page(sample_site, "Pipeline talks stall over transit fees")
    reasons = [r.get_text() for r in page.select(".related .reason")]
    assert reasons[0].startswith("Also about ")
    assert any("Dmitri Zhuravlyov" in r or "Bahrom Dehqonov" in r for r in reasons)


def test_related_stories_are_in_the_open_data(sample_site):
    articles = json.loads((sample_site / "data" / "articles.json").read_text())
    record = next(a for a in articles if a["title"] == "Opposition disputes election result")
    page = article_page(sample_site, "Opposition disputes election result")
    linked = [a["href"].replace("../../", "") for a in page.select(".related .story-title a")]
    assert record["related"] == linked


def test_entity_pages_list_a_story_once_with_its_copies(sample_site):
    from bs4 import BeautifulSoup

    page = BeautifulSoup(
        (sample_site / "entity" / "kamol-usmonov.html").read_text(encoding="utf-8"), "html.parser"
    )
    titles = [a.get_text() for a in page.select(".appearances .story-title a")]
    assert len(titles) == 3
    pair = {
        "Construction begins on Trans-Tarak pipeline",
        "Work starts on Trans-Tarak gas pipeline",
    }
    assert len(pair & set(titles)) == 1
    note = page.select_one(".copies-note a").get_text()
    assert {note} | (pair & set(titles)) == pair
    assert "Mentioned in 4 articles" in page.select_one(".story-meta").get_text()
