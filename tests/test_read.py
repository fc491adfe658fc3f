"""The raw-file reader's core, on every quirk real wire files show."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from conftest import visible_text
from hypothesis import given
from hypothesis import strategies as st
from newsarchive.core.read import (
    ArticleFormatError,
    Field,
    parse_date,
    parse_raw_article,
    render_html,
)

WIRE_STORY = """\
Harbour strike enters second week
Harbour strike enters second week

Dockers at the port of Bandar Salim stayed off work for an eighth day on Monday, leaving forty ships waiting at anchor, the port authority said. […]

بندر سلیم، اعتصاب کارگران

BANDAR SALIM (ZPA) – Dockers at the port of Bandar Salim stayed off work for an eighth day on Monday, leaving forty ships waiting at anchor, the port authority said.

The union wants a 20 percent rise.
"""


def test_title_is_the_first_line_and_a_repeated_title_line_is_dropped():
    article = parse_raw_article(WIRE_STORY)
    assert article.title == "Harbour strike enters second week"
    assert all("Harbour strike enters" not in p.text for p in article.paragraphs)


def test_a_title_repeated_after_a_blank_line_is_dropped_too():
    article = parse_raw_article("Same title\n\nSame  title\n\nBody text.\n")
    assert [p.text for p in article.paragraphs] == ["Body text."]


def test_summary_excerpt_becomes_the_summary_and_is_not_shown_twice():
    article = parse_raw_article(WIRE_STORY)
    assert article.summary.startswith("Dockers at the port of Bandar Salim stayed off work")
    assert article.summary.endswith("said. …")
    body = visible_text(render_html(article))
    assert body.count("Dockers at the port of Bandar Salim") == 1
    assert "[…]" not in body


def test_excerpt_that_the_body_does_not_repeat_stays_in_the_body():
    text = "Title\n\nA teaser about something else entirely […]\n\nThe real story starts here.\n"
    article = parse_raw_article(text)
    assert article.paragraphs[0].text == "A teaser about something else entirely […]"


def test_ascii_excerpt_marker_is_recognised():
    text = "Title\n\nFirst words of the story [...]\n\nFirst words of the story, and more.\n"
    article = parse_raw_article(text)
    assert article.summary == "First words of the story …"
    assert len(article.paragraphs) == 1


def test_non_latin_line_is_kept_and_marked_with_language_and_direction():
    article = parse_raw_article(WIRE_STORY)
    persian = next(p for p in article.paragraphs if "بندر" in p.text)
    assert (persian.script.lang, persian.script.direction) == ("fa", "rtl")
    assert '<p lang="fa" dir="rtl">بندر سلیم، اعتصاب کارگران</p>' in render_html(article)


@pytest.mark.parametrize(
    ("line", "lang", "direction"),
    [
        ("الرئيس في القاهرة", "ar", "rtl"),
        ("Рустам Хаджиев в Новоярске", "ru", "ltr"),
        ("Київ сьогодні", "uk", "ltr"),
        ("ראש הממשלה", "he", "rtl"),
    ],
)
def test_script_and_language_of_other_scripts(line, lang, direction):
    article = parse_raw_article(f"Title\n\n{line}\n\nEnglish body.\n")
    marked = article.paragraphs[0].script
    assert (marked.lang, marked.direction) == (lang, direction)
    assert f'lang="{lang}"' in render_html(article)


def test_dateline_is_parsed_into_place_and_source_and_marked_up_without_changing_text():
    article = parse_raw_article(WIRE_STORY)
    assert article.dateline.place == "Bandar Salim"
    assert article.dateline.source == "ZPA"
    html = render_html(article)
    assert '<span class="dateline">BANDAR SALIM (ZPA) –</span> Dockers' in html
    assert "BANDAR SALIM (ZPA) – Dockers at the port" in visible_text(html)


def test_lede_without_dateline_is_the_summary_when_there_is_no_excerpt():
    article = parse_raw_article("Title\n\nQARAGOL – The lede.\n\nMore.\n")
    assert article.summary == "The lede."


def test_paragraphs_are_paragraphs_and_hard_wrapped_lines_are_joined():
    article = parse_raw_article("Title\n\nOne line\nwrapped here.\n\n\n\nTwo.\n")
    assert [p.text for p in article.paragraphs] == ["One line wrapped here.", "Two."]
    assert render_html(article) == "<p>One line wrapped here.</p>\n<p>Two.</p>"


def test_windows_line_endings_and_byte_order_mark():
    article = parse_raw_article("\ufeffTitle\r\n\r\nBody.\r\n")
    assert article.title == "Title"
    assert [p.text for p in article.paragraphs] == ["Body."]


def test_header_block_gives_metadata_with_line_numbers():
    text = (
        "Date: 2024-05-08\nCategory: Economy\nSource_URL: https://example.org/a\n\nTitle\n\nBody.\n"
    )
    article = parse_raw_article(text)
    assert article.title == "Title"
    assert article.metadata["date"] == Field("2024-05-08", 1)
    assert article.metadata["category"] == Field("Economy", 2)
    assert article.metadata["source_url"].value == "https://example.org/a"


def test_header_may_carry_the_title():
    article = parse_raw_article("Title: From the header\nDate: 2024-01-01\n\nBody only.\n")
    assert article.title == "From the header"
    assert [p.text for p in article.paragraphs] == ["Body only."]


def test_a_title_with_a_colon_is_not_a_header():
    article = parse_raw_article("Russia to Keep Up Cooperation: Envoy\n\nBody.\n")
    assert article.title == "Russia to Keep Up Cooperation: Envoy"
    assert article.metadata == {}


def test_broken_header_line_is_reported_with_file_and_line():
    with pytest.raises(ArticleFormatError) as error:
        parse_raw_article("Date: 2024-01-01\nthis is not metadata\n\nTitle\n\nBody.\n", "a.txt")
    assert error.value.line == 2
    assert str(error.value).startswith("a.txt:2: ")
    assert "Key: value" in str(error.value)


def test_sidecar_metadata_is_used_and_the_files_own_header_wins():
    sidecar = {"date": Field("2020-01-01", 1), "category": Field("Sport", 2)}
    article = parse_raw_article("Date: 2021-02-02\n\nTitle\n\nBody.\n", sidecar=sidecar)
    assert article.metadata["date"].value == "2021-02-02"
    assert article.metadata["category"].value == "Sport"


@pytest.mark.parametrize(
    ("text", "problem"),
    [("", "empty"), ("   \n\n", "empty"), ("Just a title\n", "no body")],
)
def test_empty_and_title_only_files_are_refused_clearly(text, problem):
    with pytest.raises(ArticleFormatError, match=problem) as error:
        parse_raw_article(text, "x.txt")
    assert str(error.value).startswith("x.txt")


def test_markup_in_the_text_is_escaped():
    article = parse_raw_article("Title\n\n<script>alert(1)</script> & more\n")
    html = render_html(article)
    assert "<script>" not in html
    assert visible_text(html) == "<script>alert(1)</script> & more"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2016-08-22", datetime(2016, 8, 22)),
        ("22 August 2016 14:30", datetime(2016, 8, 22, 14, 30)),
        ("2016-08-22 10:11:12", datetime(2016, 8, 22, 10, 11, 12)),
    ],
)
def test_complete_dates_are_read(written, expected):
    assert parse_date(written, "a.txt", 1) == expected


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 12, 31)))
def test_a_date_written_as_yyyy_mm_dd_reads_as_the_same_date_written_out(moment):
    written_out = f"{moment:%d %B %Y %H:%M}"
    assert parse_date(f"{moment:%Y-%m-%d %H:%M}", "a.txt", 1) == parse_date(written_out, "a.txt", 1)
    assert parse_date(f"{moment:%Y-%m-%d}", "a.txt", 1) == parse_date(f"{moment:%d %B %Y}", "a", 1)
    with_seconds = f"{moment:%Y-%m-%dT%H:%M:%S}"
    assert parse_date(with_seconds, "a.txt", 1) == moment.replace(microsecond=0)


@pytest.mark.parametrize("written", ["August 2016", "2016", "Monday", "2016-02-30", "soon"])
def test_incomplete_or_impossible_dates_are_refused_not_completed(written):
    with pytest.raises(ArticleFormatError, match="not a complete date") as error:
        parse_date(written, "a.txt", 3)
    assert str(error.value).startswith("a.txt:3: ")


@given(st.text())
def test_any_text_is_read_or_refused_with_an_article_error(text):
    try:
        article = parse_raw_article(text, "fuzz.txt")
    except ArticleFormatError as error:
        assert str(error).startswith("fuzz.txt")
        return
    assert article.title.strip()
    assert article.paragraphs
    # No words are lost or invented between the file and the rendered body.
    body_words = re.findall(r"\w+", visible_text(render_html(article)))
    assert set(body_words) <= set(re.findall(r"\w+", text))


def test_character_references_left_in_scraped_copy_are_read_as_their_characters():
    article = parse_raw_article("Caf&#233; opens\n\nThe Caf&#xE9; of Ren&#233;e &amp; Co opened.\n")
    assert article.title == "Café opens"
    assert article.paragraphs[0].text == "The Café of Renée &amp; Co opened."
