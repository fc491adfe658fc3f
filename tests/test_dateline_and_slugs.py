"""Datelines and slugs: small core pieces with sharp edges."""

from __future__ import annotations

import random
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from newsarchive.core.dateline import (
    dateline_line_places,
    mark_dateline_in_html,
    parse_dateline,
)
from newsarchive.core.scripts import char_script, dominant_script
from newsarchive.core.slugs import SlugClaim, deduplicate, make_slug


@pytest.mark.parametrize(
    ("opening", "place", "source"),
    [
        ("TEHRAN (Tasnim) – Russia’s ambassador said", "Tehran", "Tasnim"),
        ("LONDON, Aug 22 (Reuters) - Shares fell", "London", "Reuters"),
        ("KABUL, Afghanistan (AP) — Officials said", "Kabul, Afghanistan", "AP"),
        ("PORT-AU-PRINCE, Haiti — Rain fell", "Port-au-Prince, Haiti", None),
        ("NEW YORK — Stocks rose", "New York", None),
        ("SÃO PAULO (AFP) - Traffic", "São Paulo", "AFP"),
        ("DAR ES SALAAM -- Ferries", "Dar es Salaam", None),
    ],
)
def test_datelines_in_the_forms_wires_use(opening, place, source):
    dateline = parse_dateline(opening)
    assert (dateline.place, dateline.source) == (place, source)
    assert opening.startswith(dateline.text)


@pytest.mark.parametrize(
    "opening",
    [
        "US – China talks resumed",  # two capitals and no source: not a dateline
        "Russian Ambassador to Iran said – nothing",  # not written in capitals
        "Quarterly profits at US media giant TimeWarner jumped 76%",
        "BREAKING: markets fall",  # a colon is not a dateline dash
    ],
)
def test_openings_that_are_not_datelines(opening):
    assert parse_dateline(opening) is None


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("FOOTBALL - KELLAN SINK ORVALE .\nKELLAN 2026-03-04\nKellan won.", ["KELLAN"]),
        ("ORVALE , Qaragol 2026-03-04\n", ["ORVALE", "Qaragol"]),
        ("PORT DARVIN, Zarkhan, March 4, 2026\n", ["PORT DARVIN", "Zarkhan"]),
        ("Results 2026-03-04\n", []),  # a heading in title case, not a dateline
        ("Kellan beat Orvale on 2026-03-04.\n", []),
    ],
)
def test_a_dateline_on_a_line_of_its_own_names_its_places(text, places):
    assert [text[start:end] for start, end in dateline_line_places(text)] == places


def test_dateline_in_html_is_wrapped_without_changing_text():
    body = "<p>QARAGOL (ZPA) – The <em>lede</em>.</p>\n<p>Two.</p>"
    marked, dateline, lede = mark_dateline_in_html(body)
    assert marked == (
        '<p><span class="dateline">QARAGOL (ZPA) –</span> The <em>lede</em>.</p>\n<p>Two.</p>'
    )
    assert dateline.place == "Qaragol"
    assert lede == "The <em>lede</em>."


def test_html_without_dateline_is_left_alone():
    body = "<p>The lede.</p>"
    assert mark_dateline_in_html(body) == (body, None, "The lede.")


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Tehran-Moscow anti-terror cooperation ‘positive’: Russian envoy",
         "tehran-moscow-anti-terror-cooperation-positive-russian-envoy"),
        ("لوان جاگارین سفیر روسیه", "lwn-jgryn-sfyr-rwsyh"),
        ("Рустам Хаджиев", "rustam-khadzhiev"),
        ("../../etc/passwd", "etc-passwd"),
    ],
)  # fmt: skip
def test_slugs_are_readable_ascii_for_any_script(title, slug):
    assert make_slug(title, stable_key=title) == slug


def test_a_title_with_nothing_to_transliterate_still_gets_a_stable_slug():
    first = make_slug("🎉🎉", stable_key="content/party.txt")
    assert first.startswith("article-") and len(first) > len("article-")
    assert make_slug("🎉🎉", stable_key="content/party.txt") == first
    assert make_slug("🎉🎉", stable_key="content/other.txt") != first


def test_long_titles_are_cut_at_a_word_boundary():
    slug = make_slug("word " * 40, stable_key="k")
    assert len(slug) <= 80 and not slug.endswith("-") and slug.endswith("word")


def claims():
    return [
        SlugClaim("b/later.txt", "strike", date(2024, 5, 9)),
        SlugClaim("a/first.txt", "strike", date(2024, 5, 8)),
        SlugClaim("c/same-day.md", "strike", date(2024, 5, 9)),
        SlugClaim("d/undated.txt", "strike", None),
        SlugClaim("e/other.txt", "other", date(2020, 1, 1)),
    ]


def test_duplicate_slugs_become_unique_and_the_earliest_keeps_its_slug():
    slugs = deduplicate(claims())
    assert len(set(slugs.values())) == len(slugs) == 5
    assert slugs["a/first.txt"] == "strike"
    assert slugs["e/other.txt"] == "other"
    assert slugs["b/later.txt"] == "strike-2024-05-09"
    # Same date again: the date cannot tell them apart, a hash of the path does.
    assert slugs["c/same-day.md"].startswith("strike-") and "2024" not in slugs["c/same-day.md"]
    assert slugs["d/undated.txt"].startswith("strike-")
    assert all(s.startswith("strike") for k, s in slugs.items() if k != "e/other.txt")


def test_a_clash_on_distinct_dates_is_resolved_with_the_date():
    slugs = deduplicate(
        [
            SlugClaim("x.txt", "strike", date(2024, 5, 8)),
            SlugClaim("y.txt", "strike", date(2025, 1, 2)),
        ]
    )
    assert slugs == {"x.txt": "strike", "y.txt": "strike-2025-01-02"}


def test_deduplication_does_not_depend_on_order():
    expected = deduplicate(claims())
    for seed in range(5):
        shuffled = claims()
        random.Random(seed).shuffle(shuffled)
        assert deduplicate(shuffled) == expected


def test_adding_a_newer_article_moves_no_existing_slug():
    before = deduplicate(claims())
    after = deduplicate([*claims(), SlugClaim("z/new.txt", "strike", date(2026, 1, 1))])
    assert all(after[key] == slug for key, slug in before.items())


@given(st.text(alphabet="abcXYZ éüñ—“”’ مرحبا پچ привіт Ωλ 東京 שלום 12.,'\n", max_size=60))
def test_a_lines_script_is_that_of_most_of_its_letters_ties_to_the_first(text):
    # The quick count (ASCII letters at once) against one letter at a time.
    letters = [char_script(c) for c in text if c.isalpha()]
    if not letters:
        assert dominant_script(text) == "COMMON"
        return
    counts = {script: letters.count(script) for script in letters}
    expected = max(counts, key=lambda s: (counts[s], -letters.index(s)))
    assert dominant_script(text) == expected


@pytest.mark.parametrize(
    ("line", "script"),
    [("The “minister” said", "LATIN"), ("Il a dit « non » à Zürich", "LATIN"),
     ("وزیر گفت “no”", "ARABIC"), ("Путин said no", "LATIN"), ("— 2024 —", "COMMON")],
)  # fmt: skip
def test_the_script_of_a_line(line, script):
    assert dominant_script(line) == script
