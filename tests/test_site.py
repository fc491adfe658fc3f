"""A real Pelican build of the sample archive, checked the way a reader would check it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import PUBLISH_SETTINGS, ROOT, SHARED, build
from newsarchive.site_check import broken_links, html_errors


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def article_page(site: Path, title: str) -> BeautifulSoup:
    for path in site.rglob("*.html"):
        page = soup(path)
        heading = page.select_one("article.story h1")
        if heading and heading.get_text(strip=True) == title:
            return page
    raise AssertionError(f"no article page titled {title!r}")


def test_home_lists_the_latest_stories_newest_first(sample_site):
    home = soup(sample_site / "index.html")
    dates = [t["datetime"] for t in home.select(".latest .story-item time")]
    # The stories not in a full page of their own (stable_pages): from 20 to 39.
    assert 20 <= len(dates) < 40
    assert dates == sorted(dates, reverse=True)
    assert home.select_one(".latest .story-title").get_text(strip=True) == (
        "Zarkhan and Serevia hold first joint border patrol"
    )
    older = soup(sample_site / home.select_one('.pagination a[rel="next"]')["href"])
    older_dates = [t["datetime"] for t in older.select(".latest .story-item time")]
    assert len(older_dates) == 20 and max(older_dates) <= min(dates)
    # Named by the dates of its stories, earliest first.
    shown = [t.get_text() for t in older.select(".latest .story-item time")]
    assert older.select_one(".pagination span").get_text() == f"{shown[-1]} – {shown[0]}"


def test_home_shows_where_the_archive_reports_from_most(sample_site):
    places = [
        li.get_text(" ", strip=True)
        for li in soup(sample_site / "index.html").select("#places-heading + .tally li")
    ]
    assert places[0].startswith("Qaragol")
    assert any(p.startswith("Novoyarsk") for p in places)


def test_article_page_shows_date_place_source_beat_and_body(sample_site):
    page = article_page(sample_site, "Serevia and Zarkhan sign Trans-Tarak pipeline accord")
    meta = page.select_one(".story-meta")
    assert meta.select_one("time")["datetime"] == "2023-11-20"
    assert meta.select_one(".place").get_text() == "Qaragol"
    assert meta.select_one(".source").get_text() == "ZPA"
    assert page.select_one(".kicker").get_text(strip=True) == "Economy"
    caption = page.select_one('.story-body p[lang="fa"][dir="rtl"]')
    assert caption is not None and "رستم" in caption.get_text()
    lede = page.select_one(".story-body .dateline").parent
    assert lede.get_text().startswith("QARAGOL (ZPA) – Zarkhan and Serevia signed an agreement")


def test_cyrillic_line_is_marked_as_russian(sample_site):
    page = article_page(sample_site, "Khadzhiev and Brovkina agree to reopen border crossings")
    line = page.select_one('.story-body p[lang="ru"]')
    assert line is not None and line.get_text().startswith("Рустам Хаджиев")
    assert page.select_one(".place").get_text() == "Novoyarsk"


def test_markdown_articles_get_datelines_and_a_lede_summary(sample_site):
    page = article_page(sample_site, "Trans-Tarak pipeline delivers first gas to Serevia")
    assert page.select_one(".story-body .dateline").get_text() == "BANDAR SALIM –"
    home = soup(sample_site / "index.html")
    link = home.find("a", string="Trans-Tarak pipeline delivers first gas to Serevia")
    summary = link.find_parent("li").select_one(".story-summary").get_text()
    assert summary.startswith("Gas began flowing")
    assert "Energy Minister Sanjar Mirzoev" not in summary  # the second paragraph


def test_summary_excerpt_is_not_shown_twice(sample_site):
    title = "Sobirkhonov reshuffles cabinet, Dehqonov leaves energy ministry"
    page = article_page(sample_site, title)
    body = page.select_one(".story-body").get_text()
    assert body.count("replaced five ministers on Tuesday") == 1
    assert "[…]" not in body
    assert page.select_one("h1").get_text() == title


def test_sidecar_metadata_dates_and_files_the_story(sample_site):
    path = sample_site / "2024" / "12" / "winter-storm-closes-kuhistan-pass.html"
    page = soup(path)
    assert page.select_one(".story-meta time")["datetime"] == "2024-12-20"
    assert page.select_one(".kicker").get_text(strip=True) == "Weather"
    assert page.select_one(".story-footer a")["href"].startswith("https://ledger.example.org/")


def test_undated_article_is_built_shown_undated_and_kept_out_of_date_lists(sample_site):
    path = sample_site / "undated" / "profile-the-long-road-of-the-trans-tarak-pipeline.html"
    page = soup(path)
    meta = page.select_one(".story-meta")
    assert meta.select_one(".undated").get_text() == "Undated"
    assert meta.select_one("time") is None
    archives = soup(sample_site / "archives.html")
    undated_links = [a["href"] for a in archives.select("#undated ~ ol a")]
    assert undated_links == ["./undated/profile-the-long-road-of-the-trans-tarak-pipeline.html"]
    home_titles = [a.get_text() for a in soup(sample_site / "index.html").select(".latest a")]
    assert "Profile: the long road of the Trans-Tarak pipeline" not in home_titles
    assert not list(sample_site.glob("0001*"))


def test_archives_by_year_and_month(sample_site):
    for year in ("2023", "2024", "2025"):
        year_page = soup(sample_site / year / "index.html")
        dates = [t["datetime"] for t in year_page.select(".story-item time")]
        assert dates and all(d.startswith(year) for d in dates)
    may = soup(sample_site / "2024" / "05" / "index.html")
    assert may.select_one("h1").get_text() == "Stories from May 2024"
    titles = {a.get_text() for a in may.select(".story-title a")}
    assert titles == {
        "Construction begins on Trans-Tarak pipeline",
        "Work starts on Trans-Tarak gas pipeline",
    }
    archives = soup(sample_site / "archives.html")
    assert [h.get_text() for h in archives.select("h2")][:3] == ["2025", "2024", "2023"]


def test_beats_about_and_404_pages(sample_site):
    beats = soup(sample_site / "beats.html")
    names = [a.get_text() for a in beats.select(".beat-list a")]
    assert {"Economy", "Politics", "Environment", "Sport", "Culture", "Science"} <= set(names)
    economy = soup(sample_site / "beat" / "economy.html")
    assert (
        all(a.get_text() for a in economy.select(".story-title a"))
        and len(economy.select(".story-item")) == 12
    )
    assert "fictional" in soup(sample_site / "about.html").get_text()
    assert soup(sample_site / "404.html").select_one("h1").get_text() == "Page not found"


def test_every_internal_link_and_fragment_resolves_and_every_page_parses(sample_site):
    assert broken_links(sample_site) == []
    assert html_errors(sample_site) == []


def test_no_page_has_an_empty_or_duplicate_heading_structure(sample_site):
    for path in sample_site.rglob("*.html"):
        headings = soup(path).select("main h1")
        assert len(headings) == 1, path
        assert headings[0].get_text(strip=True), path


@pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="../shared/seeds is not present")
def test_the_seed_articles_build_as_they_are_with_no_invented_dates(content_dir, tmp_path):
    for seed in (SHARED / "seeds").glob("*.txt"):
        (content_dir / seed.name).write_bytes(seed.read_bytes())
    report = build(content_dir, tmp_path / "out")
    assert (report.articles, report.undated, report.skipped) == (2, 2, 0)
    pages = sorted((tmp_path / "out" / "undated").glob("*.html"))
    assert len(pages) == 2
    for path in pages:
        page = soup(path)
        assert page.select_one(".story-meta time") is None
        assert page.select_one(".story-meta .undated") is not None
    tehran = soup(
        tmp_path
        / "out"
        / "undated"
        / "tehran-moscow-anti-terror-cooperation-positive-russian-envoy.html"
    )
    assert tehran.select_one(".place").get_text() == "Tehran"
    assert tehran.select_one(".source").get_text() == "Tasnim"
    assert tehran.select_one('.story-body p[lang="fa"][dir="rtl"]') is not None
    envoy = soup(
        tmp_path
        / "out"
        / "undated"
        / "russia-to-keep-up-cooperation-with-iran-in-all-areas-envoy.html"
    )
    body = envoy.select_one(".story-body").get_text()
    assert body.count("described US sanctions against the Islamic Republic") == 1
    assert not [p for p in (tmp_path / "out").iterdir() if re.fullmatch(r"\d{4}", p.name)]
    home = soup(tmp_path / "out" / "index.html")  # an archive of undated files still has a front
    assert len(home.select(".latest .story-item .undated")) == 2


def test_equal_titles_and_untransliterable_titles_never_abort_the_build(content_dir, tmp_path):
    same = "Harbour strike enters second week"
    (content_dir / "a.txt").write_text(f"Date: 2024-05-08\n\n{same}\n\nFirst copy.\n")
    (content_dir / "b.txt").write_text(f"Date: 2024-05-08\n\n{same}\n\nSecond copy.\n")
    (content_dir / "c.md").write_text(f"Title: {same}\nDate: 2024-06-01\n\nThird.\n")
    (content_dir / "d.txt").write_text(
        "Date: 2024-05-09\n\nاعتصاب کارگران بندر\n\nPersian title.\n"
    )
    (content_dir / "e.txt").write_text("Date: 2024-05-10\n\n🎉🎉\n\nEmoji title.\n")
    (content_dir / "f.txt").write_text("Date: 2024-05-11\nSlug: ../../escape\n\nSneaky\n\nBody.\n")
    output = tmp_path / "out"
    report = build(content_dir, output)
    assert (report.articles, report.skipped) == (6, 0)
    pages = {
        p.relative_to(output).as_posix()
        for p in output.glob("2024/*/*.html")
        if p.name != "index.html"
    }
    assert {
        "2024/05/harbour-strike-enters-second-week.html",
        "2024/06/harbour-strike-enters-second-week-2024-06-01.html",
        "2024/05/escape.html",
    } <= pages
    assert len(pages) == 6
    by_title = {soup(output / p).select_one("h1").get_text(): p for p in pages}
    persian_page = by_title["اعتصاب کارگران بندر"]
    assert re.fullmatch(r"2024/05/[a-z]+(-[a-z]+)+\.html", persian_page)  # transliterated
    persian = soup(output / persian_page).select_one("h1")
    assert (persian["lang"], persian["dir"]) == ("fa", "rtl")
    assert re.fullmatch(r"2024/05/article-[0-9a-f]{8}\.html", by_title["🎉🎉"])
    assert not (tmp_path / "escape.html").exists()


def test_a_broken_article_is_reported_with_its_file_and_skipped(content_dir, tmp_path, caplog):
    (content_dir / "good.txt").write_text("Date: 2024-01-01\n\nGood story\n\nFine.\n")
    (content_dir / "bad-date.txt").write_text("Date: 2024-13-45\n\nBad date\n\nBody.\n")
    (content_dir / "empty.txt").write_text("")
    (content_dir / "binary.txt").write_bytes(b"\x89PNG\r\n\x00\x00\x00")
    (content_dir / "latin1.txt").write_bytes("Caf\xe9 story\n\nBody.\n".encode("latin-1"))
    (content_dir / "garbled.txt").write_bytes(b"Title\n\nA \x81\x8d byte mess\n")
    report = build(content_dir, tmp_path / "out")
    assert (report.articles, report.skipped) == (2, 4)
    messages = "\n".join(r.getMessage() for r in caplog.records)
    assert "bad-date.txt:1: '2024-13-45' is not a complete date" in messages
    assert "empty.txt: the file is empty" in messages
    assert "binary.txt: this is a binary file" in messages
    assert "garbled.txt:3: the file is not UTF-8 (byte 0x81 on line 3 is not UTF-8)" in messages
    # Latin-1 is decoded, not mangled, and the editor is told.
    assert "latin1.txt: byte 0xe9 on line 1 is not UTF-8; read as Windows-1252" in messages
    assert (
        soup(tmp_path / "out" / "undated" / "cafe-story.html").select_one("h1").get_text()
        == "Café story"
    )
    assert (tmp_path / "out" / "2024" / "01" / "good-story.html").is_file()


def test_an_archive_whose_only_article_is_broken_still_builds(content_dir, tmp_path, caplog):
    """Nothing to index, relate or resolve is a state, not a crash."""
    (content_dir / "bad-date.txt").write_text("Date: 2024-13-45\n\nBad date\n\nBody.\n")
    report = build(content_dir, tmp_path / "out")
    assert (report.articles, report.skipped) == (0, 1)
    assert "bad-date.txt:1:" in caplog.text
    manifest = json.loads((tmp_path / "out" / "search" / "manifest.json").read_text())
    assert manifest["documents"] == 0
    assert (tmp_path / "out" / "index.html").is_file()


def test_a_failed_build_leaves_the_previous_output_untouched(content_dir, tmp_path):
    (content_dir / "story.txt").write_text("Date: 2024-01-01\n\nA story\n\nBody.\n")
    output = tmp_path / "out"
    build(content_dir, output)
    before = {p: p.read_bytes() for p in output.rglob("*") if p.is_file()}

    broken_theme = tmp_path / "theme"
    (broken_theme / "templates").mkdir(parents=True)
    (broken_theme / "templates" / "article.html").write_text("{% if %}")
    (content_dir / "second.txt").write_text("Date: 2024-01-02\n\nAnother\n\nBody.\n")
    from newsarchive.site_build import BuildFailed

    with pytest.raises(BuildFailed, match="left as it was"):
        build(content_dir, output, THEME=str(broken_theme))
    after = {p: p.read_bytes() for p in output.rglob("*") if p.is_file()}
    assert after == before
    # No staging folder left behind; only the lock file the next build takes.
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", "content", "out", "theme"]


def test_a_build_failing_while_the_search_index_is_written_leaves_nothing_behind(
    content_dir, tmp_path, monkeypatch
):
    """The search index is written in a forked process while related stories are found; a
    build that fails meanwhile stops it before removing its staging folder."""
    import time

    from newsarchive import enrich, search_generator
    from newsarchive.site_build import BuildFailed

    for number in range(3):
        (content_dir / f"story-{number}.txt").write_text(
            f"Date: 2024-01-0{number + 1}\n\nStory {number}\n\nBody {number}.\n"
        )
    write_index = search_generator.write_index

    def slow_index(*args):  # still writing when the build fails
        time.sleep(2)
        return write_index(*args)

    def broken(*args):
        raise RuntimeError("related stories broke")

    monkeypatch.setattr(search_generator, "write_index", slow_index)
    monkeypatch.setattr(enrich, "_relate_articles", broken)
    with pytest.raises(BuildFailed, match="left as it was"):
        build(content_dir, tmp_path / "out", NEWSARCHIVE_PROCESSES=2)
    time.sleep(3)  # long enough for a forked writer left running to have written
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", "content"]


def test_the_search_is_written_the_same_when_its_process_is_gone(
    content_dir, tmp_path, monkeypatch
):
    """The search is written by a process forked at the start of the build; if it is gone
    by the time what it shows is known, the build writes the same search itself."""
    from newsarchive import pelican_adapter, search_generator

    for number in range(3):
        (content_dir / f"story-{number}.txt").write_text(
            f"Date: 2024-01-0{number + 1}\n\nTbilisi story {number}\n\nThe mayor of Tbilisi, "
            f"Kakha Kaladze, opened bridge {number}.\n"
        )
    forked = build(content_dir, tmp_path / "forked", CACHE_PATH=str(tmp_path / "cache-1"),
                   NEWSARCHIVE_PROCESSES=2)  # fmt: skip
    started = []

    def gone(settings):
        waiting = search_generator.start_search_waiting(settings)
        waiting.early._process.kill()
        waiting.early._process.join()
        started.append(waiting)
        return waiting

    monkeypatch.setattr(pelican_adapter, "start_search_waiting", gone)
    here = build(content_dir, tmp_path / "here", CACHE_PATH=str(tmp_path / "cache-2"),
                 NEWSARCHIVE_PROCESSES=2)  # fmt: skip
    assert started and forked.warnings == here.warnings == 0

    def search_files(site):
        folder = site / "search"
        return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}

    assert search_files(tmp_path / "here") == search_files(tmp_path / "forked")
    assert len(search_files(tmp_path / "here")) > 10


def test_publish_build_has_absolute_urls_and_feeds_without_undated_stories(tmp_path):
    output = tmp_path / "public"
    build(ROOT / "content", output, settings=PUBLISH_SETTINGS)
    feed = (output / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    assert "<title>Zarkhan and Serevia hold first joint border patrol</title>" in feed
    assert 'href="https://archive.example.org/2025/10/' in feed
    assert "Profile: the long road" not in feed
    assert "0001-01-01" not in feed
    home = soup(output / "index.html")
    assert home.select_one(".story-title a")["href"].startswith("https://archive.example.org/")
    entity_feed = (output / "feeds" / "entity-rustam-khadzhiev.atom.xml").read_text(
        encoding="utf-8"
    )
    assert entity_feed.count("<entry>") == 7
    assert "<title>The Qaragol Ledger Archive - Rustam Khadzhiev</title>" in entity_feed


def test_the_build_summary_counts_what_was_built(tmp_path, capsys):
    report = build(ROOT / "content", tmp_path / "out")
    assert "Processed" not in capsys.readouterr().out  # Pelican's count, which disagrees
    assert (report.articles, report.undated, report.pages, report.skipped) == (42, 1, 2, 0)
    written = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert report.files_written == len(written)
    assert report.bytes_written == sum(p.stat().st_size for p in written)
    assert "Built 42 articles (1 undated) and 2 pages" in report.summary()


def test_an_archive_of_its_own_has_its_own_name_an_about_and_a_404_page(tmp_path):
    content = tmp_path / "wire"
    content.mkdir()
    (content / "a.txt").write_text("Date: 2024-05-08\n\nA bridge opens\n\nThe bridge opened.\n")
    build(content, tmp_path / "plain")
    home = soup(tmp_path / "plain" / "index.html")
    assert home.title.get_text() == "News archive"  # not the sample's name
    assert "Qaragol" not in home.get_text() and "Zarkhan" not in home.get_text()
    about = soup(tmp_path / "plain" / "about.html")
    assert about.select_one("main h1").get_text() == "About"
    assert "annotated news archive" in about.get_text()
    assert [a.get_text() for a in home.select("nav a")][-1] == "About"
    missing = soup(tmp_path / "plain" / "404.html")
    assert missing.select_one("main h1").get_text() == "Page not found"

    (content / "site.yaml").write_text(
        "SITENAME: The Harbour Gazette Archive\nSITESUBTITLE: News of the harbour\n"
        "OUTPUT_PATH: /tmp/elsewhere\n"
    )
    report = build(content, tmp_path / "named")
    home = soup(tmp_path / "named" / "index.html")
    assert home.title.get_text() == "The Harbour Gazette Archive"
    assert "The Harbour Gazette Archive: News of the harbour." in home.footer.get_text()
    assert report.errors == 1  # OUTPUT_PATH is no setting this file may change
    assert (tmp_path / "named" / "index.html").is_file()


def test_an_undated_archive_pages_its_front_page_latest_mentioned_date_first(tmp_path):
    content = tmp_path / "wire"
    content.mkdir()
    for number in range(43):
        (content / f"{number:02}.txt").write_text(f"Story {number:02}\n\nNothing dated here.\n")
    (content / "x.txt").write_text("Ferry resumes\n\nThe ferry ran again on 3 March 2021.\n")
    (content / "y.txt").write_text("Port reopens\n\nThe port reopened in June 2022.\n")
    output = tmp_path / "out"
    build(content, output)
    first = soup(output / "index.html")
    titles = [a.get_text() for a in first.select(".latest .story-title a")]
    assert titles[:3] == ["Port reopens", "Ferry resumes", "Story 00"]
    assert len(titles) == 25  # what is not a full page of the oldest stories
    assert first.select_one("#beats-heading") is None  # no beat lists an undated story
    older = first.select_one('.pagination a[rel="next"]')["href"]
    second = soup(output / older)
    assert [a.get_text() for a in second.select(".latest .story-title a")] == [
        f"Story {number}" for number in range(23, 43)
    ]
    assert second.select_one(".pagination span").get_text() == "20 stories"
    assert second.select_one('.pagination a[rel="prev"]').get_text() == "← Previous"
    assert broken_links(output) == []


def test_folders_become_beats_when_use_folder_as_category_is_on(tmp_path):
    content = tmp_path / "wire"
    for beat, title in (("sport", "Harbour Rovers win"), ("business", "Crane maker grows")):
        (content / beat).mkdir(parents=True)
        (content / beat / "a.txt").write_text(f"Date: 2024-05-08\n\n{title}\n\nBody text.\n")
    build(content, tmp_path / "off")
    assert [a.get_text() for a in soup(tmp_path / "off" / "beats.html").select("main li a")] == [
        "News"
    ]
    build(content, tmp_path / "on", USE_FOLDER_AS_CATEGORY=True)
    beats = soup(tmp_path / "on" / "beats.html")
    assert sorted(a.get_text() for a in beats.select("main li a")) == ["business", "sport"]
    sport = soup(tmp_path / "on" / "beat" / "sport.html")
    assert "Harbour Rovers win" in sport.get_text() and "Crane maker" not in sport.get_text()
