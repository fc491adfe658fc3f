"""Pelican's groups of stories (period archives, categories), found in linear time: the same
groups, in the same order, as Pelican's own quadratic search."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st
from newsarchive.pelican_grouping import StoryGroup, group_in_sets, period_archives
from pelican.contents import Article

ARCHIVE_SETTINGS = {
    "YEAR_ARCHIVE_SAVE_AS": "{date:%Y}/index.html",
    "YEAR_ARCHIVE_URL": "{date:%Y}/",
    "MONTH_ARCHIVE_SAVE_AS": "{date:%Y}/{date:%m}/index.html",
    "MONTH_ARCHIVE_URL": "{date:%Y}/{date:%m}/",
    "DAY_ARCHIVE_SAVE_AS": "{date:%Y}/{date:%m}/{date:%d}/index.html",
    "DAY_ARCHIVE_URL": "{date:%Y}/{date:%m}/{date:%d}/",
}


class Story:
    """A story as the grouping sees it: a date, and equal only to itself, as Pelican's."""

    def __init__(self, date: datetime, title: str) -> None:
        self.date, self.title = date, title


def stories(days: list[int]) -> list[Story]:
    start = datetime(2023, 12, 1)
    return [Story(start + timedelta(days=d), f"story {n}") for n, d in enumerate(days)]


def test_pelicans_stories_are_equal_only_to_themselves():
    # What makes a set of identities the same test as a list's membership.
    assert Article.__eq__ is object.__eq__ and Story.__eq__ is object.__eq__


def as_identities(archives: dict) -> dict:
    def shown(key: str, value: object) -> object:
        return [id(s) for s in value] if key in ("dates", "articles") else value

    return {
        granularity: [{key: shown(key, value) for key, value in a.items()} for a in listed]
        for granularity, listed in archives.items()
    }


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=800), max_size=40), st.randoms())
def test_period_archives_are_pelicans(days, shuffle):
    articles = stories(days)
    shuffle.shuffle(articles)  # Pelican's article order need not be by date
    by_date = sorted(articles, key=lambda s: s.date, reverse=True)
    pelicans = period_archives.__wrapped__(None, by_date, articles, ARCHIVE_SETTINGS)
    ours = period_archives(None, by_date, articles, ARCHIVE_SETTINGS)
    assert as_identities(ours) == as_identities(pelicans)
    assert sum(len(a["articles"]) for a in ours["month"]) == len(articles)


def test_a_period_archive_lists_only_its_own_stories_in_the_archives_order():
    articles = stories([0, 40, 1, 41, 400])
    by_date = sorted(articles, key=lambda s: s.date, reverse=True)
    months = period_archives(None, by_date, articles, ARCHIVE_SETTINGS)["month"]
    shown = {a["period"]: [s.title for s in a["articles"]] for a in months}
    assert shown == {
        (2024, "January"): ["story 1", "story 3"],
        (2023, "December"): ["story 0", "story 2"],
        (2025, "January"): ["story 4"],
    }


def test_a_category_lists_its_stories_by_date_as_pelican_does():
    articles = stories(list(range(30)))
    random.Random(4).shuffle(articles)
    politics, sport = articles[::3], [s for s in articles if s not in articles[::3]]
    generator = SimpleNamespace(categories=[("politics", politics), ("sport", sport)],
                                authors=[("a writer", sport[:2])])  # fmt: skip
    categories = generator.categories
    dates = sorted(articles, key=lambda s: s.date, reverse=True)
    pelicans = [[s for s in dates if s in group] for _, group in generator.categories]
    group_in_sets(generator)
    assert generator.categories is categories  # Pelican's context holds this very list
    assert all(isinstance(group, StoryGroup) for _, group in generator.categories)
    assert [[s for s in dates if s in group] for _, group in categories] == pelicans
    assert [list(group) for _, group in categories] == [politics, sport]
    twin = Story(politics[0].date, politics[0].title)
    assert twin not in categories[0][1] and politics[0] in categories[0][1]
