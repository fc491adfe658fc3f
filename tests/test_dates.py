"""The date tagger, rule by rule, and the dates of the sample archive as a reader sees them."""

from __future__ import annotations

from datetime import date

import pytest
from bs4 import BeautifulSoup
from newsarchive.core.dates import describe, html_datetime, tag_dates
from test_site import article_page

WEDNESDAY = date(2016, 8, 24)


def values(text, dct=WEDNESDAY):
    return [(m.text, m.value) for m in tag_dates(text, dct)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He spoke on Monday.", [("Monday", "2016-08-22")]),
        ("He spoke on Wednesday.", [("Wednesday", "2016-08-24")]),  # the publication day itself
        ("He will speak on Monday.", [("Monday", "2016-08-29")]),  # about the future
        ("They met last Wednesday.", [("last Wednesday", "2016-08-17")]),  # strictly before
        ("They meet next Wednesday.", [("next Wednesday", "2016-08-31")]),  # strictly after
        ("It happened yesterday.", [("yesterday", "2016-08-23")]),
        ("It happens tomorrow.", [("tomorrow", "2016-08-25")]),
        ("Sales fell last week.", [("last week", "2016-W33")]),
        ("Prices rose earlier this month.", [("earlier this month", "2016-08")]),
        ("Talks resume next year.", [("next year", "2017")]),
        ("It opened three years ago.", [("three years ago", "2013")]),
        ("The war began in March 2011.", [("March 2011", "2011-03")]),
        ("It was signed in 2016.", [("2016", "2016")]),
        ("On 22 August 2016 it rained.", [("22 August 2016", "2016-08-22")]),
        ("On Aug. 22, 2016, it rained.", [("Aug. 22, 2016", "2016-08-22")]),
        ("The vote is on 2016-09-01.", [("2016-09-01", "2016-09-01")]),
        ("Profits rose in the third quarter.", [("the third quarter", "2016-Q3")]),
        ("It was popular in the 1990s.", [("the 1990s", "199")]),
        ("Prices are high now.", [("now", "PRESENT_REF")]),
    ],
)
def test_expressions_resolve_against_the_publication_date(text, expected):
    assert values(text) == expected


def test_a_month_without_a_year_moves_with_the_tense():
    assert values("Elections were held in October.") == [("October", "2015-10")]
    assert values("Elections will be held in October.") == [("October", "2016-10")]
    assert values("The deal was signed in March.") == [("March", "2016-03")]
    assert values("The plant will open in March.") == [("March", "2017-03")]


@pytest.mark.parametrize(
    "text",
    [
        "The two countries mark 515 years of relations.",
        "They sent 2000 soldiers.",
        "The home side won 3-1.",
        "It may rain, and the army may march.",
        "A 52-year-old man was hurt.",
        "Theresa May said so.",
        "Shares rose 1995 percent.",
    ],
)
def test_durations_counts_scores_and_names_are_not_dates(text):
    assert values(text) == []


def test_without_a_publication_date_only_absolute_dates_are_resolved():
    text = (
        "On Monday, a year after the March 2011 uprising, officials met; they meet again next week."
    )
    assert values(text, dct=None) == [("March 2011", "2011-03")]


def test_html_datetime_and_wording():
    assert html_datetime("2016-08-22") == "2016-08-22"
    assert html_datetime("2016-W33") == "2016-W33"
    assert html_datetime("2016-Q3") is None and html_datetime("PRESENT_REF") is None
    assert describe("2016-08-22") == "Monday 22 August 2016"
    assert describe("2011-03") == "March 2011"
    assert describe("2016-W33") == "week 33 of 2016"


# --- in the built sample archive ----------------------------------------------------------

SAMPLE_DATES = [
    ("Foreign minister Hajiyev to visit Novoyarsk this week", "Thursday", "2023-04-06"),
    ("Khadzhiev and Brovkina agree to reopen border crossings", "Thursday", "2023-04-06"),
    ("Khadzhiev and Brovkina agree to reopen border crossings", "1 May", "2023-05-01"),
    ("Sobirkhonov wins second term as turnout dips", "Sunday", "2024-06-09"),
    ("Sobirkhonov wins second term as turnout dips", "Monday", "2024-06-10"),
    ("Opposition disputes election result", "yesterday", "2024-06-10"),
    ("Construction begins on Trans-Tarak pipeline", "yesterday", "2024-05-07"),
    ("Construction begins on Trans-Tarak pipeline", "next year", "2025"),
    ("Pipeline talks stall over transit fees", "last week", "2023-W21"),
    ("Envoy returns to Novoyarsk as tensions ease", "earlier this month", "2024-09"),
    ("Zarkhan and Serevia open talks on Trans-Tarak gas pipeline", "Monday", "2023-03-13"),
    ("Zarkhan and Serevia open talks on Trans-Tarak gas pipeline", "next month", "2023-04"),
    ("Kadyrov names squad for decisive qualifiers", "next week", "2023-W47"),
    ("Kadyrov names squad for decisive qualifiers", "last month", "2023-10"),
    ("Kadyrov names squad for decisive qualifiers", "Tuesday", "2023-11-21"),
    ("Kadyrov names squad for decisive qualifiers", "25 November", "2023-11-25"),
]


@pytest.mark.parametrize(("title", "written", "value"), SAMPLE_DATES)
def test_sample_dates_are_marked_up_with_the_resolved_value(sample_site, title, written, value):
    body = article_page(sample_site, title).select_one(".story-body")
    times = {t.get_text(): t for t in body.select("time")}
    assert times[written]["datetime"] == value
    assert times[written]["title"] == describe(value)


def test_an_undated_story_resolves_only_absolute_dates(sample_site):
    page = article_page(sample_site, "Profile: the long road of the Trans-Tarak pipeline")
    found = [(t.get_text(), t["datetime"]) for t in page.select(".story-body time")]
    assert found == [
        ("1998", "1998"),
        ("2014", "2014"),
        ("March 2023", "2023-03"),
        ("November 2023", "2023-11"),
    ]


def test_the_article_lists_its_dates_linking_to_the_timeline(sample_site):
    page = article_page(sample_site, "Kadyrov names squad for decisive qualifiers")
    listed = [a.select_one("time")["datetime"] for a in page.select(".dates-in-story a")]
    assert listed == ["2023-W47", "2023-10", "2023-11-16", "2023-11-21", "2023-11-25"]
    links = [a["href"] for a in page.select(".dates-in-story a")]
    assert links[0] == "../../timeline/2023-11.html#date-2023-W47"  # a week, by its Monday
    assert links[1] == "../../timeline/2023-10.html#date-2023-10"
    month_page = sample_site / "timeline" / "2023-11.html"
    month = BeautifulSoup(month_page.read_text(encoding="utf-8"), "html.parser")
    assert month.select_one("#date-2023-W47 time")["datetime"] == "2023-W47"


def test_timeline_lists_months_and_each_month_page_its_dates_with_their_articles(sample_site):
    index = BeautifulSoup(
        (sample_site / "timeline.html").read_text(encoding="utf-8"), "html.parser"
    )
    years = [h.get_text() for h in index.select(".timeline-year > h2")]
    assert years == sorted(years, reverse=True) and "1963" in years
    june_link = index.select_one("#timeline-2024-06 a")
    assert june_link.get_text() == "June 2024" and june_link["href"] == "./timeline/2024-06.html"

    june = BeautifulSoup(
        (sample_site / "timeline" / "2024-06.html").read_text(encoding="utf-8"), "html.parser"
    )
    assert june.select_one("h1").get_text() == "June 2024"
    points = {dt.select_one("time")["datetime"]: dt for dt in june.select("dt")}
    assert "2024-06-09" in points
    stories = []
    sibling = points["2024-06-09"].find_next_sibling()
    while sibling is not None and sibling.name == "dd":
        stories.append(sibling.select_one("a").get_text())
        sibling = sibling.find_next_sibling()
    assert {
        "Sobirkhonov wins second term as turnout dips",
        "Opposition disputes election result",
    } <= set(stories)
    assert all(dt["datetime"].startswith("2024-06") for dt in june.select("dt time"))
    # Months link to their neighbours, newest first, as listed on the index.
    listed = [a["href"] for a in index.select(".timeline-months a")]
    here = listed.index("./timeline/2024-06.html")
    assert june.select_one("a[rel=prev]")["href"] == ".." + listed[here - 1][1:]
    assert june.select_one("a[rel=next]")["href"] == ".." + listed[here + 1][1:]
