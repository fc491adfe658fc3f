"""Lists of stories in pages that keep their stories when a story is added."""

from __future__ import annotations

from bs4 import BeautifulSoup
from conftest import build
from newsarchive.stable_pages import StablePaginator
from pelican.settings import read_settings

PER_PAGE = 5
SETTINGS = read_settings()  # Pelican's defaults, PAGINATION_PATTERNS as rules


def pages_of(stories: list[str]) -> dict[str, list[str]]:
    """url -> the stories on that page, for a list newest first."""
    paginator = StablePaginator("index.html", "index.html", stories, SETTINGS, PER_PAGE)
    pages = [paginator.page(place) for place in paginator.page_range]
    return {page.url: list(page.object_list) for page in pages}


def test_every_story_is_on_one_page_newest_first_and_no_page_but_the_first_changes():
    for count in range(0, 4 * PER_PAGE + 2):
        stories = [f"story {number}" for number in range(count, 0, -1)]  # newest first
        pages = pages_of(stories)
        assert [s for listed in pages.values() for s in listed] == stories
        first = pages.pop("index.html")
        assert (
            len(first) == count if count < 2 * PER_PAGE else PER_PAGE <= len(first) < 2 * PER_PAGE
        )
        assert all(len(listed) == PER_PAGE for listed in pages.values())
        # One more story, the newest: every other page keeps its address and its stories;
        # at most one page is new, that of the block the first page no longer holds.
        after = pages_of([f"story {count + 1}", *stories])
        after.pop("index.html")
        assert {url: after[url] for url in pages} == pages
        assert len(after) - len(pages) in (0, 1)


def test_the_oldest_stories_are_the_first_numbered_page():
    stories = [f"story {number}" for number in range(3 * PER_PAGE, 0, -1)]
    assert pages_of(stories)["index1.html"] == [f"story {n}" for n in range(PER_PAGE, 0, -1)]


def story(day: int) -> str:
    return (f"Date: 2024-03-{day:02}\nCategory: City\n\nHarbour notice {day}\n\n"
            f"The harbour office posted notice number {day} on the quay.\n")  # fmt: skip


def chain(site) -> list[tuple[str, list[str]]]:
    """The front page and each page its "Older" link leads to, with their story titles."""
    found, name = [], "index.html"
    while name:
        page = BeautifulSoup((site / name).read_text(encoding="utf-8"), "html.parser")
        found.append((name, [a.get_text() for a in page.select(".latest .story-title a")]))
        older = page.select_one('.pagination a[rel="next"]')
        name = older["href"].removeprefix("./") if older else None
    return found


def test_adding_the_newest_story_leaves_the_older_pages_as_they_were(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    for day in range(1, 19):
        (content / f"notice-{day:02}.txt").write_text(story(day), encoding="utf-8")
    site = tmp_path / "site"
    settings = {"DEFAULT_PAGINATION": PER_PAGE, "CACHE_PATH": str(tmp_path / "cache")}
    build(content, site, **settings)
    before = chain(site)
    assert [title for _, titles in before for title in titles] == [
        f"Harbour notice {day}" for day in range(18, 0, -1)
    ]
    assert len(before) == 3
    # The older pages of the latest stories, the beat's and the month's, whose stories and
    # links stay: the same bytes.
    older = [f"{folder}{number}.html" for folder in ("index", "beat/city", "2024/03/index")
             for number in (1, 2)]  # fmt: skip
    older_bytes = {name: (site / name).read_bytes() for name in older}
    # The page next to the first is rendered again (its link to the first page counts the
    # first page's stories); not the pages beyond.
    beyond = [name for name in older if name.endswith("1.html")]
    older_files = {name: (site / name).stat().st_ino for name in beyond}

    (content / "notice-19.txt").write_text(story(19), encoding="utf-8")
    build(content, site, **settings)
    after = chain(site)
    assert after[0][1][0] == "Harbour notice 19"
    assert after[1:] == before[1:]  # the same stories at the same addresses
    assert {name: (site / name).read_bytes() for name in older} == older_bytes
    # Not even rendered again: the files of the last build, carried over.
    assert {name: (site / name).stat().st_ino for name in beyond} == older_files

    # The first page holds two blocks until the newer one fills; then that is a page too.
    (content / "notice-20.txt").write_text(story(20), encoding="utf-8")
    build(content, site, **settings)
    filled = chain(site)
    assert [title for _, titles in filled for title in titles] == [
        f"Harbour notice {day}" for day in range(20, 0, -1)
    ]
    assert len(filled) == 4 and len(filled[0][1]) == PER_PAGE
    assert filled[2:] == before[1:]
    # The oldest page links to the same pages as before.
    assert (site / "beat/city1.html").read_bytes() == older_bytes["beat/city1.html"]
