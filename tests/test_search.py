"""Search: the index built in Python is what lunr.js expects, sharding keeps lunr's scores,
and the search page works in a real browser."""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
from itertools import pairwise
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import ROOT, SHARED
from lunr.builder import Builder
from lunr.index import Index
from lunr.stop_word_filter import stop_word_filter
from lunr.trimmer import trimmer
from newsarchive.core.search_aids import (
    DocumentAids,
    aid_files,
    analyse_aids,
    buckets_of,
    facet_columns,
    facet_order,
    pair_buckets,
)
from newsarchive.core.search_index import (
    _INDEXING,
    DEFAULT_BOOSTS,
    SearchDocument,
    _stem_token,
    build_index,
    searchable,
    shard_files,
    short_ref,
    utf16_order,
)
from newsarchive.core.stemmer import stem

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed (./install needs it)")


def _lunr_js(script: str, *args: str, stdin: str = "") -> str:
    result = subprocess.run(
        [NODE, str(ROOT / "tests" / "js" / script), *args],
        input=stdin, capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    return result.stdout


def _word_list() -> list[str]:
    """Tens of thousands of real words: the spaCy model's vocabulary, the sample archive,
    and the BBC corpus where ../shared is present."""
    from newsarchive.extraction_pool import shared_model

    words = {s.lower() for s in shared_model().vocab.strings if s.isalpha()}
    sources = [*ROOT.glob("content/**/*.txt"), *ROOT.glob("content/**/*.md")]
    sources += list((SHARED / "corpora" / "bbc").glob("*/*.txt"))
    for path in sources:
        text = path.read_text(encoding="utf-8", errors="replace").lower()
        words.update(re.findall(r"[^\W\d_]+", text))
    # Words lunr.js measures in UTF-16 units: letters outside the Basic Multilingual Plane.
    words.update({"𝒳𝒳ed", "😀ing", "a😀y", "𝒳𝒳", "yies"})
    return sorted(words)


@needs_node
def test_python_stems_every_word_as_lunr_js_does():
    words = _word_list()
    assert len(words) > 40_000
    js_stems = _lunr_js("stems.js", stdin="\n".join(words)).split("\n")
    differences = [(w, stem(w), j) for w, j in zip(words, js_stems, strict=True) if stem(w) != j]
    assert differences == []


@needs_node
def test_the_page_looks_for_each_key_in_the_file_the_build_put_it_in():
    words = _word_list()[:3000]
    keys = [*words, *(f"{a} {b}" for a, b in pairwise(words)), "", "é", "中文 词",
            "emoji 🙂 key", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "a" * 300]  # fmt: skip
    counts = [1, 7, 97, 2629, 65_521]
    for count in counts:
        page = json.loads(_lunr_js("buckets.js", stdin=json.dumps([[k, count] for k in keys])))
        assert buckets_of(keys, count).tolist() == page


def test_keys_hashed_a_few_at_a_time_land_in_the_same_files(monkeypatch):
    from newsarchive.core import search_aids

    rng = random.Random(11)
    alphabet = "abcdeé中🙂 "
    keys = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 30))) for _ in range(500)]
    whole = buckets_of(keys, 97).tolist()
    monkeypatch.setattr(search_aids, "HASHED_AT_ONCE", 7)
    assert buckets_of(keys, 97).tolist() == whole


def test_every_phrase_pair_is_found_with_exactly_the_stories_that_have_it():
    rng = random.Random(7)
    words = ["tbilisi", "mayor", "river", "bridge", "vote", "kutaisi", "café", "🙂"]
    aids = [
        DocumentAids(tuple(sorted({f"{rng.choice(words)} {rng.choice(words)}"
                                   for _ in range(rng.randrange(0, 12))})), (), ())
        for _ in range(400)
    ]  # fmt: skip
    files = [json.loads(text) for text in pair_buckets(aids, bucket_bytes=300)]
    assert len(files) > 1
    found = {}
    for number, bucket in enumerate(files):
        for pair, deltas in bucket.items():
            assert buckets_of([pair], len(files))[0] == number  # where the page will look
            documents = [sum(deltas[: i + 1]) for i in range(len(deltas))]
            found[pair] = documents
    expected = {}
    for number, document in enumerate(aids):
        for pair in document.pairs:
            expected.setdefault(pair, []).append(number)
    assert found == expected


def test_the_typo_words_are_the_same_with_the_terms_an_earlier_build_found():
    documents = [
        SearchDocument("Running mayors", ("Kutaisi",), "The mayors were running the city."),
        SearchDocument("A bridge", (), "Bridges and the running river of Tbilisi."),
    ]
    aids = [analyse_aids(d) for d in documents]
    facets = {"beat": [None, None]}
    fresh = aid_files(aids, [], facets, [[], []])
    learnt: dict = {}
    assert aid_files(aids, [], facets, [[], []], learnt) == fresh
    # What it learnt is what the index makes of each word; stop words included, as None.
    assert learnt["running"] == "run" and learnt["mayors"] == "mayor"
    assert learnt["the"] is None and set(learnt) >= {"bridges", "tbilisi", "kutaisi"}
    assert aid_files(aids, [], facets, [[], []], dict(learnt)) == fresh
    # And the terms handed over are the ones used, not found again.
    changed = aid_files(aids, [], facets, [[], []], {**learnt, "running": "sprint"})
    words = [json.loads(text) for path, text in changed[1].items() if "/words/" in path]
    assert any(entry[1] == "sprint" for bucket in words for e in bucket.values() for entry in e)


def test_a_final_y_after_a_consonant_becomes_i_but_not_after_a_vowel():
    # lunr.py alone turns all of these into ...i, so lunr.js would never find them.
    assert [stem(w) for w in ("monday", "turkey", "money", "key", "today")] == [
        "monday", "turkey", "money", "key", "today",
    ]  # fmt: skip
    assert [stem(w) for w in ("cry", "ministry", "by", "say")] == ["cri", "ministri", "by", "say"]


def _lunr_py_index(documents: list[SearchDocument]) -> dict:
    """The reference: the same documents through lunr.py's own add() and build()."""
    builder = Builder()
    builder.pipeline.add(*_INDEXING)
    builder.search_pipeline.add(_stem_token)
    builder.ref("ref")
    for name, boost in DEFAULT_BOOSTS.items():
        builder.field(name, boost=boost)
    for number, document in enumerate(documents):
        builder.add({"ref": short_ref(number), "title": searchable(document.title),
                     "names": searchable(" ".join(document.names)),
                     "body": searchable(document.body)})  # fmt: skip
    return builder.build().serialize()


def _sample_documents(site: Path) -> list[SearchDocument]:
    """The sample archive's articles as the search index saw them (from their records)."""
    records = sorted((site / "search" / "docs").glob("*.json"), key=lambda p: int(p.stem, 36))
    documents = []
    for path in records:
        record = json.loads(path.read_text(encoding="utf-8"))
        names = tuple(n for group in record["names"] for n in group)
        documents.append(SearchDocument(record["title"], names, record["text"]))
    return documents


def test_the_index_is_the_one_lunr_py_builds_weight_for_weight(sample_site):
    documents = _sample_documents(sample_site)
    ours = build_index(documents, DEFAULT_BOOSTS).serialize()
    assert json.dumps(ours, sort_keys=True) == json.dumps(_lunr_py_index(documents), sort_keys=True)
    assert trimmer in _INDEXING and stop_word_filter in _INDEXING


def test_refs_are_short_and_no_positions_are_kept():
    assert [short_ref(n) for n in (0, 35, 36, 50_000)] == ["0", "z", "10", "12kw"]
    serialized = build_index(
        [SearchDocument("Oil price", (), "Oil rose. Oil fell.")], DEFAULT_BOOSTS
    ).serialize()
    posting = dict(serialized["invertedIndex"])["oil"]
    assert posting["title"] == {"0": {}} and posting["body"] == {"0": {}}


def test_a_name_finds_the_story_that_spells_it_another_way():
    documents = [
        SearchDocument("Minister visits", ("Levon Dzhagaryan", "Levon Jagarian"),
                       "Levon Dzhagaryan arrived on Monday."),
        SearchDocument("Markets", (), "Shares fell."),
    ]  # fmt: skip
    index = Index.load(build_index(documents, DEFAULT_BOOSTS).serialize())
    assert [r["ref"] for r in index.search("Jagarian")] == ["0"]
    assert [r["ref"] for r in index.search("Dzhagaryan's")] == []  # queries are not trimmed...
    assert [r["ref"] for r in index.search("Dzhagaryan")] == ["0"]  # ...but "'s" is not indexed


def test_shards_cover_every_term_once_in_javascript_order():
    documents = [SearchDocument(f"Story {n}", (), f"word{n} ünï 𝒳{n} other") for n in range(200)]
    index = build_index(documents, DEFAULT_BOOSTS)
    shards = index.shards(shard_bytes=500)
    assert len(shards) > 5
    terms = [entry[0] for s in shards for entry in json.loads(s.text)]
    assert sorted(terms, key=utf16_order) == terms
    assert sorted(terms) == sorted(t for t, _ in index.serialize()["invertedIndex"])
    for shard in shards:
        inside = [entry[0] for entry in json.loads(shard.text)]
        assert (inside[0], inside[-1]) == (shard.first, shard.last)


QUERIES = [
    "pipeline", "Monday", "gas pipeline", "Hajiyev", "Khadzhiev", "Хаджиев", "+oil -gas",
    "elect*", "title:election", "names:zarkhan body:drought", "pipelin~1", "*stan", "zarkhan^10 oil",
    "Jagarian", "the", "+election +commission", "minist*",
]  # fmt: skip


@needs_node
def test_sharded_index_scores_equal_those_of_the_whole_index(sample_site, tmp_path):
    index = build_index(_sample_documents(sample_site), DEFAULT_BOOSTS)
    whole = tmp_path / "whole.json"
    whole.write_text(json.dumps(index.serialize()), encoding="utf-8")
    shards = index.shards(shard_bytes=3_000)
    assert len(shards) >= 10
    for path, text in shard_files(shards).items():
        (tmp_path / path).parent.mkdir(exist_ok=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    (tmp_path / "manifest.json").write_text(json.dumps(index.manifest(shards)))
    queries = tmp_path / "queries.json"
    queries.write_text(json.dumps(QUERIES), encoding="utf-8")

    compared = json.loads(_lunr_js("compare_scores.js", str(whole), str(tmp_path), str(queries)))

    for query in QUERIES:
        whole_scores, sharded_scores = compared[query]["whole"], compared[query]["sharded"]
        assert sharded_scores.keys() == whole_scores.keys(), query
        for ref, score in whole_scores.items():
            assert sharded_scores[ref] == pytest.approx(score, rel=1e-12), (query, ref)
    assert all(compared[q]["whole"] for q in ("Monday", "Hajiyev", "elect*", "pipelin~1"))
    assert compared["Monday"]["shards"] == 1  # a plain word needs one shard, not the index
    assert compared["pipelin~1"]["shards"] == len(shards)  # fuzzy terms may be anywhere


def test_the_site_has_a_search_page_a_manifest_and_a_record_per_article(sample_site):
    assert (sample_site / "search.html").is_file()
    assert (sample_site / "search" / "lunr.min.js").is_file()
    index = json.loads((sample_site / "search" / "manifest.json").read_text(encoding="utf-8"))
    assert index["fields"] == ["title", "names", "body"]
    shards = sample_site / "search" / index["shards"]["folder"]
    assert len(list(shards.glob("*.json"))) == len(index["shards"]["first"])
    articles = json.loads((sample_site / "data" / "articles.json").read_text(encoding="utf-8"))
    records = list((sample_site / "search" / "docs").glob("*.json"))
    assert index["documents"] == len(records) == len(articles)
    for page in ("index.html", "archives.html", "entities/all.html", "search.html"):
        html = (sample_site / page).read_text(encoding="utf-8")
        assert 'role="search"' in html and 'name="q"' in html, page


# ---- In the browser


def _search(page, server: str, query: str) -> None:
    page.goto(f"{server}/search.html?q={quote(query)}")
    _wait_for(page, query)


def _wait_for(page, query: str) -> None:
    page.wait_for_function(
        "q => document.getElementById('search').getAttribute('data-searched') === q",
        arg=query.strip(),
    )


def _result_titles(page) -> list[str]:
    return page.locator("#search-results li h2 a").all_inner_texts()


def test_a_spelling_variant_finds_every_story_about_the_person(page, sample_server):
    _search(page, sample_server, "Hajiyev")
    titles = _result_titles(page)
    assert titles[0] == "Foreign minister Hajiyev to visit Novoyarsk this week"
    assert "Zarkhan recalls ambassador over border incident" in titles  # says "Khadzhiev"
    assert page.locator("#search-status").inner_text().startswith(f"{len(titles)} stories match")
    recall = page.locator("#search-results li", has_text="Zarkhan recalls ambassador")
    assert "Khadzhiev" in recall.locator(".snippet mark").all_inner_texts()


def test_a_word_ending_in_y_is_found_and_highlighted(page, sample_server):
    _search(page, sample_server, "Monday")
    shown = page.locator("#search-results li").count()
    assert shown > 0
    assert page.locator("#search-status").inner_text().startswith(f"{shown} stories match")
    marks = page.locator("#search-results .snippet mark").all_inner_texts()
    assert marks and all(m.lower() == "monday" for m in marks)


def test_results_come_ten_at_a_time(page, sample_server):
    _search(page, sample_server, "Zarkhan")
    total = int(page.locator("#search-status").inner_text().split()[0])
    assert total > 20
    assert page.locator("#search-results li").count() == 10
    for shown in (20, min(30, total)):
        page.locator("#search-more").click()
        page.wait_for_function(
            "n => document.querySelectorAll('#search-results li').length === n", arg=shown
        )


def test_a_query_with_no_results_says_so(page, sample_server):
    _search(page, sample_server, "xylophone")
    assert page.locator("#search-results li").count() == 0
    assert page.locator("#search-status").inner_text() == "No stories match “xylophone”."


def test_html_in_a_query_is_shown_as_text_and_never_run(page, sample_server):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    query = "<img src=x onerror=alert(1)> pipeline"
    _search(page, sample_server, query)
    assert page.locator("#search img, #search b").count() == 0
    assert "<img src=x" in page.locator("#search-status").inner_text()
    assert page.locator("#search-results li").count() > 0  # "pipeline" still finds stories
    assert dialogs == []


def test_lunr_syntax_narrows_and_widens_the_results(page, sample_server):
    counts = {}
    for query in ("oil", "+oil -gas", "title:election", "elect*", "pipelin~1"):
        _search(page, sample_server, query)
        counts[query] = page.locator("#search-results li").count()
        assert counts[query] > 0, query
    assert counts["+oil -gas"] < counts["oil"]
    _search(page, sample_server, "title:election")
    assert all("lection" in t.lower() for t in _result_titles(page))


def test_a_query_with_nothing_to_look_for_gets_a_plain_message(page, sample_server):
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    for query in ("title:", "-oil", "~~", "( ) ^"):
        _search(page, sample_server, query)
        status = page.locator("#search-status")
        assert status.inner_text().startswith("Cannot read that search:"), query
        assert "search-error" in (status.get_attribute("class") or "")
        for internal in ("EDIT_DISTANCE", "TERM", "FIELD", "expected", "lexeme"):
            assert internal not in status.inner_text(), query
    assert errors == []


def test_stray_punctuation_possessives_and_unknown_fields_still_find_stories(page, sample_server):
    _search(page, sample_server, "pipeline")
    plain = _result_titles(page)
    for query in ("pipeline)", "((pipeline", "pipeline's", "pipeline’s", '"pipeline', "+-pipeline"):
        _search(page, sample_server, query)
        assert _result_titles(page) == plain, query
    _search(page, sample_server, '"pipeline')
    assert "quote mark was not closed" in page.locator("#search-hints").inner_text()
    _search(page, sample_server, "colour:pipeline")
    assert set(plain) <= set(_result_titles(page))
    assert "There is no \u201ccolour:\u201d" in page.locator("#search-hints").inner_text()


def test_typing_searches_and_makes_the_address_shareable(page, sample_server):
    page.goto(f"{sample_server}/index.html")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "site-search"
    page.keyboard.type("drought")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"search\.html\?q=drought"))
    _wait_for(page, "drought")
    before = page.locator("#search-results li").count()
    assert before > 0
    page.keyboard.press("/")  # on the search page "/" goes to the page's own box
    assert page.evaluate("document.activeElement.id") == "search-query"
    page.keyboard.press("End")
    page.keyboard.type(" Kuhistan")
    _wait_for(page, "drought Kuhistan")
    assert "q=drought+Kuhistan" in page.url
    first = page.locator("#search-results li h2 a").first
    title = first.inner_text()
    first.click()
    page.wait_for_load_state()
    assert page.locator("main h1").inner_text() == title


def test_only_the_needed_shards_are_fetched(page, sample_server):
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    _search(page, sample_server, "Monday")
    shards = [u for u in fetched if "/search/shards-" in u]
    docs = [u for u in fetched if "/search/docs/" in u]
    assert len(shards) == 1
    assert len(docs) == 10  # records for the shown results only


def test_search_page_with_results_passes_the_browser_checks(browser, sample_site):
    from newsarchive.site_check import browser_problems

    axe = ROOT / "node_modules" / "axe-core" / "axe.min.js"
    assert browser_problems(sample_site, ["search.html?q=pipeline"], axe, browser) == []


# ---- Forgiving the reader: typos, phrases, entities, facets


def _records_by_title(site: Path) -> dict[str, str]:
    """Each story's title -> its title and text as the search record holds them."""
    records = (
        json.loads(p.read_text(encoding="utf-8")) for p in (site / "search" / "docs").glob("*.json")
    )
    return {r["title"]: f"{r['title']}\n{r['text']}" for r in records}


def _records_by_url(site: Path) -> dict[str, str]:
    """Each story's URL -> its title, as the search records hold them."""
    records = (
        json.loads(p.read_text(encoding="utf-8")) for p in (site / "search" / "docs").glob("*.json")
    )
    return {r["url"]: r["title"] for r in records}


def _titles_on_beat(site: Path, beat: str) -> set[str]:
    """The titles of the stories a beat's pages list."""
    titles = _records_by_url(site)
    urls = {
        link.removeprefix("../")
        for path in (site / "beat").glob(f"{beat.lower()}*.html")
        for link in re.findall(r'href="([^"]+)"', path.read_text(encoding="utf-8"))
    }
    return {titles[url] for url in urls if url in titles}


def _all_titles(page) -> list[str]:
    """Every result's title, clicking "More results" until there are no more."""
    titles = _result_titles(page)
    while page.locator("#search-more").is_visible():
        page.locator("#search-more").click()
        page.wait_for_function(
            "n => document.querySelectorAll('#search-results li').length > n", arg=len(titles)
        )
        titles = _result_titles(page)
    return titles


def _status(page) -> str:
    return page.locator("#search-status").inner_text()


def test_a_misspelt_name_finds_the_person_and_offers_the_spelling(page, sample_server):
    _search(page, sample_server, "Hajiyev")
    right = _result_titles(page)
    _search(page, sample_server, "Hajiyv")
    assert _status(page).startswith("No stories match “Hajiyv”; showing")
    assert set(_result_titles(page)) == set(right)
    assert page.locator("#search-suggestion").inner_text() == "Did you mean Hajiyev?"
    page.locator("#search-suggestion a").click()
    _wait_for(page, "Hajiyev")
    assert page.locator("#search-query").input_value() == "Hajiyev"
    assert "q=Hajiyev" in page.url and _status(page).startswith(f"{len(right)} stories match")
    page.go_back()
    _wait_for(page, "Hajiyv")
    assert page.locator("#search-query").input_value() == "Hajiyv"


def test_stories_with_the_typed_words_come_before_those_with_a_word_like_one(page, sample_server):
    _search(page, sample_server, "drought")
    exact = _result_titles(page)
    _search(page, sample_server, "drought pipelne")  # "pipeline", mistyped
    titles = _all_titles(page)
    assert titles[: len(exact)] == exact
    assert len(titles) > len(exact)  # then the pipeline stories
    assert "with pipeline" in _status(page)


def test_a_common_word_is_not_corrected(page, sample_server):
    _search(page, sample_server, "pipeline")
    assert page.locator("#search-suggestion").inner_text() == ""
    assert "with" not in _status(page).split("match", 1)[1]


def test_a_quoted_phrase_finds_only_stories_with_the_words_side_by_side(
    page, sample_server, sample_site
):
    text = _records_by_title(sample_site)
    _search(page, sample_server, "gas pipeline")
    words = set(_all_titles(page))
    _search(page, sample_server, '"gas pipeline"')
    phrase = set(_all_titles(page))
    assert phrase and phrase < words
    for title in phrase:
        assert re.search(r"\bgas\W+pipelines?\b", text[title], re.IGNORECASE), title
    for title in words - phrase:
        assert not re.search(r"\bgas\W+pipelines?\b", text[title], re.IGNORECASE), title
    _search(page, sample_server, '"pipeline gas"')  # the same words, the other way round
    assert set(_all_titles(page)) != phrase


def test_a_phrase_inside_a_longer_query_must_be_there_and_the_word_ranks(
    page, sample_server, sample_site
):
    text = _records_by_title(sample_site)
    _search(page, sample_server, '"border crossings" Brovkina')
    titles = _result_titles(page)
    assert titles
    for title in titles:
        assert re.search(r"border\W+crossings?", text[title], re.IGNORECASE), title
    assert "Brovkina" in text[titles[0]]
    _search(page, sample_server, '-"border crossings" Brovkina')
    assert not set(_result_titles(page)) & set(titles)


def test_a_query_naming_an_entity_shows_its_page_first(page, sample_server):
    for spelling in ("Hajiyev", "Khadzhiev", "Хаджиев", "rustam khadzhiev's"):
        _search(page, sample_server, spelling)
        card = page.locator("#search-entities li").first
        assert card.locator("a").inner_text() == "Rustam Khadzhiev", spelling
        stories = int(re.search(r"(\d+) stor", card.inner_text()).group(1))
        # Above the stories, on the page before them.
        assert page.evaluate(
            "() => !!(document.getElementById('search-entities').compareDocumentPosition("
            "document.getElementById('search-results')) & Node.DOCUMENT_POSITION_FOLLOWING)"
        )
    card.locator("a").click()
    page.wait_for_load_state()
    assert page.locator("main h1").inner_text() == "Rustam Khadzhiev"
    assert f"Mentioned in {stories} articles" in page.locator("main").inner_text()


def _facet(page, group: str) -> dict[str, int]:
    labels = page.locator("#search-facets fieldset", has=page.locator(f"legend:text-is('{group}')"))
    counts = {}
    for label in labels.locator("label").all_inner_texts():
        name, count = re.fullmatch(r"\s*(.+?) \((\d+)\)\s*", label).groups()
        counts[name] = int(count)
    return counts


def _tick(page, group: str, value: str) -> None:
    fieldset = page.locator(
        "#search-facets fieldset", has=page.locator(f"legend:text-is('{group}')")
    )
    fieldset.locator("label", has_text=value).locator("input").click()


def _story_count(page) -> int:
    found = re.match(r"(\d+) stor", _status(page))
    return int(found.group(1)) if found else 0


def test_facets_filter_with_counts_that_stay_right_and_live_in_the_address(
    page, sample_server, sample_site
):
    _search(page, sample_server, "pipeline")
    total = _story_count(page)
    beats = _facet(page, "Beat")
    assert sum(beats.values()) == total and len(beats) >= 2
    first, second = sorted(beats, key=beats.get, reverse=True)[:2]
    _tick(page, "Beat", first)
    page.wait_for_function("b => location.search.includes('beat=' + b)", arg=first)
    _wait_for(page, "pipeline")  # the results of the new choice are on the page
    assert _story_count(page) == beats[first]
    assert set(_all_titles(page)) <= _titles_on_beat(sample_site, first)
    assert _facet(page, "Beat") == beats  # OR within a facet: the other beats still count
    _tick(page, "Beat", second)
    page.wait_for_function("() => new URL(location).searchParams.getAll('beat').length === 2")
    _wait_for(page, "pipeline")
    assert _story_count(page) == beats[first] + beats[second]
    years = _facet(page, "Year")  # counted over the two beats
    assert sum(years.values()) == beats[first] + beats[second]
    year = max(years, key=years.get)
    _tick(page, "Year", year)
    page.wait_for_function("y => location.search.includes('year=' + y)", arg=year)
    _wait_for(page, "pipeline")
    assert _story_count(page) == years[year]  # AND across facets
    assert sum(_facet(page, "Beat").values()) <= total
    shown = _result_titles(page)

    assert shown  # the titles of the filtered results, to compare below
    page.go_back()  # the year filter goes, the beats stay
    page.wait_for_function("() => !location.search.includes('year=')")
    _wait_for(page, "pipeline")
    assert _story_count(page) == beats[first] + beats[second]
    page.go_forward()
    page.wait_for_function("() => location.search.includes('year=')")
    _wait_for(page, "pipeline")
    linked = page.url
    page.goto(linked)  # the address is the filtered search: it can be linked
    _wait_for(page, "pipeline")
    assert _result_titles(page) == shown
    assert page.locator("#search-facets input:checked").count() == 3


@pytest.mark.parametrize(
    ("group", "key"), [("People", "person"), ("Organisations", "organisation")]
)
def test_an_entity_facet_narrows_to_the_stories_naming_it(
    page, sample_server, sample_site, group, key
):
    entities = json.loads((sample_site / "data" / "entities.json").read_text(encoding="utf-8"))
    _search(page, sample_server, "pipeline")
    counts = _facet(page, group)
    assert counts, f"no {group} facet"
    name = max(counts, key=counts.get)
    _tick(page, group, name)
    page.wait_for_function("k => location.search.includes(k + '=')", arg=key)
    _wait_for(page, "pipeline")
    assert _story_count(page) == counts[name]
    entity = next(e for e in entities if e["name"] == name)
    titles = {
        _records_by_url(sample_site)[url] for url in entity["articles"]
    }  # every story naming the entity
    assert set(_all_titles(page)) <= titles


def test_the_search_page_has_one_search_box(page, sample_server):
    page.goto(f"{sample_server}/search.html")
    assert page.locator("input[type=search]").count() == 1
    page.goto(f"{sample_server}/index.html")
    assert page.locator("input[type=search]").count() == 1


def test_the_dateline_facet_is_fetched_when_opened_and_filters(page, sample_server):
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    _search(page, sample_server, "pipeline")
    assert not any(u.endswith("/facets/place.json") for u in fetched)
    page.locator("#search-facets button", has_text="Show datelines").click()
    page.wait_for_function(
        "() => document.querySelectorAll('#search-facets input[name=place]').length > 0"
    )
    places = _facet(page, "Dateline")
    assert 0 < sum(places.values()) <= _story_count(page)
    place = max(places, key=places.get)
    _tick(page, "Dateline", place)
    page.wait_for_function("() => location.search.includes('place=')")
    _wait_for(page, "pipeline")
    assert _story_count(page) == places[place]
    page.reload()  # a linked search filtered by dateline fetches it at once
    _wait_for(page, "pipeline")
    assert _story_count(page) == places[place]


def test_facet_files_are_runs_that_stay_small_as_the_archive_grows():
    """Every query fetches the beat and year facets: they must not hold a value per story."""
    rng = random.Random(5)
    beats, years = ["City", "Economy", "Sport", "Weather"], ["2021", "2022", "2023", None]
    count = 20_000
    values = {
        "beat": [rng.choice(beats) for _ in range(count)],
        "year": [rng.choice(years) for _ in range(count)],
        "place": [f"Town {rng.randrange(300)}" for _ in range(count)],
    }
    order = facet_order(values)
    assert sorted(order) == list(range(count))
    numbered = {facet: [column[d] for d in order] for facet, column in values.items()}
    columns = facet_columns(numbered)
    assert len(columns["beat"]["runs"]) == 2 * len(beats)
    assert len(columns["year"]["runs"]) <= 2 * len(beats) * len(years)
    for facet, column in columns.items():  # the runs give each document its value back
        runs = column["runs"]
        expanded = [
            value
            for value, length in zip(runs[::2], runs[1::2], strict=True)
            for _ in range(length)
        ]
        assert [column["values"][p - 1] if p else None for p in expanded] == numbered[facet]


def test_weights_are_rounded_as_python_rounds():
    """lunr.py rounds each weight with round(x, 3); the index rounds them all at once."""
    import random

    import numpy as np
    from newsarchive.core.search_index import round_as_python

    rng = random.Random(5)
    values = [rng.uniform(0, 50) for _ in range(20_000)]
    values += [n / 1000 + 0.0005 for n in range(20_000)]  # halves, as written in decimal
    values += [2.675, 1.0005, 0.0015, 8.9995, 0.0, 12.5]
    rounded = round_as_python(np.array(values), 3)
    assert rounded.tolist() == [round(v, 3) for v in values]
