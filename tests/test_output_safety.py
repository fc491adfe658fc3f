"""A build replaces only its own output, one build at a time, and publishes readable files."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, build
from invoke import Context, Exit

sys.path.insert(0, str(ROOT))
from newsarchive.core.output_paths import settle_claims, unusable
from newsarchive.site_build import (
    OUTPUT_MARKER,
    BuildFailed,
    one_build_at_a_time,
    output_lock,
    refuse_unsafe_output,
)

import tasks


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def story(content_dir: Path) -> Path:
    (content_dir / "story.txt").write_text(
        "Date: 2024-05-08\n\nA bridge opens\n\nThe mayor, Ann Example, opened the bridge.\n",
        encoding="utf-8",
    )
    return content_dir


def test_an_output_holding_the_content_is_refused_and_nothing_is_deleted(story, tmp_path):
    before = tree_digest(tmp_path)
    for output in (tmp_path, story, story / "site"):  # `--output .`, the content, inside it
        with pytest.raises(BuildFailed, match="refusing to build into"):
            build(story, output)
    assert tree_digest(tmp_path) == before
    assert not list(tmp_path.glob(".*building-*"))


def test_a_folder_of_files_we_did_not_write_is_refused_and_kept(story, tmp_path):
    mine = tmp_path / "photos"
    mine.mkdir()
    (mine / "holiday.jpg").write_bytes(b"\xff\xd8 not ours")
    with pytest.raises(BuildFailed, match=f"no {OUTPUT_MARKER}"):
        build(story, mine)
    assert [p.name for p in mine.iterdir()] == ["holiday.jpg"]


def test_a_previous_build_and_an_empty_folder_are_replaced(story, tmp_path):
    (tmp_path / "empty").mkdir()
    build(story, tmp_path / "empty")
    assert (tmp_path / "empty" / OUTPUT_MARKER).is_file()
    build(story, tmp_path / "empty")  # our own build: replaced
    assert (tmp_path / "empty" / "index.html").is_file()
    (tmp_path / "empty" / OUTPUT_MARKER).unlink()  # as built before there was a marker
    build(story, tmp_path / "empty")
    assert (tmp_path / "empty" / OUTPUT_MARKER).is_file()


def test_project_theme_plugins_and_cache_are_protected(tmp_path):
    project = tmp_path / "project"
    protected = {
        "project": project,
        "theme": project / "theme",
        "plugin": project / "plugins",
        "cache": project / "cache",
    }
    for output in (tmp_path, project, project / "theme", project / "plugins" / "site"):
        with pytest.raises(BuildFailed, match="refusing"):
            refuse_unsafe_output(output, protected)
    refuse_unsafe_output(project / "output", protected)  # the usual place: allowed


def test_a_second_build_waits_for_the_first_or_refuses_with_no_wait(story, tmp_path, caplog):
    output = tmp_path / "out"
    build(story, output)
    before = tree_digest(output)
    (story / "second.txt").write_text(
        "Date: 2024-05-09\n\nSecond story\n\nMore about the bridge.\n", encoding="utf-8"
    )
    with one_build_at_a_time([output_lock(output)]):
        with pytest.raises(BuildFailed, match="another build is running"):
            build(story, output, wait=False)
        assert tree_digest(output) == before

        waiting = threading.Thread(target=build, args=(story, output))
        waiting.start()
        time.sleep(2)
        assert waiting.is_alive(), "the second build did not wait for the lock"
        assert "waiting for it to finish" in caplog.text
    waiting.join(timeout=120)
    assert not waiting.is_alive()
    assert "second-story" in "".join(tree_digest(output))


def test_the_lock_of_a_killed_build_is_taken_over(story, tmp_path):
    output = tmp_path / "out"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from filelock import FileLock; "
         "FileLock(sys.argv[1]).acquire(); print('held', flush=True); time.sleep(600)",
         str(output_lock(output))],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout.readline().strip() == "held"
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    build(story, output, wait=False)
    assert (output / "index.html").is_file()


def test_the_site_is_readable_by_a_web_server_running_as_another_user(story, tmp_path):
    output = tmp_path / "out"
    build(story, output)
    for path in [output, *output.rglob("*")]:
        mode = path.stat().st_mode
        needed = stat.S_IROTH | (stat.S_IXOTH if path.is_dir() else 0)
        assert mode & needed == needed, f"{path} is {stat.filemode(mode)}"


def test_a_rebuild_that_fails_leaves_the_site_in_place(story, tmp_path, monkeypatch):
    output = tmp_path / "out"
    monkeypatch.setattr(tasks, "OUTPUT", output)
    tasks.rebuild.body(Context(), content=str(story))
    before = tree_digest(output)
    # A setting the build cannot work with makes Pelican stop.
    monkeypatch.setattr(tasks, "SETTINGS", tmp_path / "broken.py")
    (tmp_path / "broken.py").write_text(
        (ROOT / "pelicanconf.py").read_text(encoding="utf-8") + "\nTHEME = 'no-such-theme'\n"
    )
    with pytest.raises(Exit):
        tasks.rebuild.body(Context(), content=str(story))
    assert tree_digest(output) == before


def test_a_story_never_replaces_a_site_page_or_another_story(content_dir, tmp_path, caplog):
    stories = {
        "home.md": "Title: Home grab\nDate: 2024-05-01\nSave_as: index.html\n\nBody one.\n",
        "arch.txt": "Date: 2024-05-02\nSave_as: archives.html\n\nArchive grab\n\nBody two.\n",
        "data.md": "Title: Manifest grab\nDate: 2024-05-03\nSave_as: search/manifest.json\n\nB.\n",
        "index.txt": "Date: 2024-05-04\n\nIndex\n\nA story whose slug is that of its month.\n",
        "twin-a.md": "Title: Twin A\nDate: 2024-05-05\nSave_as: twin.html\n\nFirst twin.\n",
        "twin-b.md": "Title: Twin B\nDate: 2024-05-06\nSave_as: twin.html\n\nSecond twin.\n",
    }
    for name, text in stories.items():
        (content_dir / name).write_text(text, encoding="utf-8")
    output = tmp_path / "out"
    report = build(content_dir, output)
    assert report.articles == len(stories)

    home = (output / "index.html").read_text(encoding="utf-8")
    assert "Home grab" in home and "story-body" not in home  # listed, not the story itself
    archives = (output / "archives.html").read_text(encoding="utf-8")
    assert "<h1>Archives</h1>" in archives and "story-body" not in archives
    assert json.loads((output / "search" / "manifest.json").read_text(encoding="utf-8"))
    month = (output / "2024" / "05" / "index.html").read_text(encoding="utf-8")
    assert "Twin A" in month and "story-body" not in month

    pages = {p.relative_to(output).as_posix(): p.read_text(encoding="utf-8")
             for p in output.rglob("*.html")}  # fmt: skip
    for body in ("Body one.", "Body two.", "A story whose slug", "First twin.", "Second twin."):
        holders = [path for path, text in pages.items() if f"<p>{body}" in text]
        assert len(holders) == 1, f"{body!r} is the body of {holders}"
    for source in ("home.md", "arch.txt", "data.md", "index.txt", "twin-b.md"):
        assert any(
            r.levelname == "ERROR" and r.getMessage().startswith(source) for r in caplog.records
        ), f"no error names {source}"
    assert report.errors == 5


def test_a_story_never_takes_the_place_of_a_page_of_the_content_or_the_theme(tmp_path, caplog):
    content = tmp_path / "content"
    (content / "pages").mkdir(parents=True)
    (content / "pages" / "masthead.md").write_text("Title: Masthead\n\nWho we are.\n")
    (content / "about.txt").write_text(
        "Date: 2024-05-01\nSave_as: about.html\n\nA\n\nAbout grab.\n"
    )
    (content / "lost.txt").write_text("Date: 2024-05-02\nSave_as: 404.html\n\nB\n\nLost grab.\n")
    (content / "mast.txt").write_text("Date: 2024-05-03\nSave_as: masthead.html\n\nC\n\nMast.\n")
    output = tmp_path / "out"
    report = build(content, output)
    assert (report.articles, report.errors) == (3, 3)
    assert "Who we are." in (output / "masthead.html").read_text()
    assert soup(output / "404.html").select_one("main h1").get_text() == "Page not found"
    assert soup(output / "about.html").select_one("main h1").get_text() == "About"
    for source, body in (("about.txt", "About grab."), ("lost.txt", "Lost grab."),
                         ("mast.txt", "Mast.")):  # fmt: skip
        moved = [p for p in output.glob("*.html") if f"<p>{body}" in p.read_text()]
        assert len(moved) == 1 and moved[0].name not in ("about.html", "404.html")
        assert any(m.startswith(f"{source}: its output path") for m in caplog.messages)


def test_only_web_addresses_are_published_as_links(content_dir, tmp_path, caplog):
    (content_dir / "raw.txt").write_text(
        "Date: 2024-05-01\nURL: javascript:alert(1)\n\nRaw story\n\nBody.\n", encoding="utf-8"
    )
    (content_dir / "md.md").write_text(
        "Title: Markdown story\nDate: 2024-05-02\nURL: javascript:alert(2)\n"
        "Source_URL: data:text/html,<b>x</b>\n\nBody.\n",
        encoding="utf-8",
    )
    (content_dir / "fine.md").write_text(
        "Title: Fine story\nDate: 2024-05-03\nSource_URL: https://news.example.org/a\n\nB.\n",
        encoding="utf-8",
    )
    output = tmp_path / "out"
    build(content_dir, output)
    pages = "".join(p.read_text(encoding="utf-8") for p in output.rglob("*.html"))
    assert "javascript:" not in pages and "data:text" not in pages
    assert 'href="https://news.example.org/a"' in pages
    markdown_story = next(output.rglob("markdown-story.html"))  # its usual address
    assert markdown_story.relative_to(output).as_posix() == "2024/05/markdown-story.html"
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(m.startswith("raw.txt") and "source address" in m for m in warned)
    assert any(m.startswith("md.md") and "source address" in m for m in warned)
    assert any(m.startswith("md.md") and "not a path inside the site" in m for m in warned)


def test_a_word_longer_than_the_page_wraps(content_dir, tmp_path, browser):
    word = "x" * 50_000
    (content_dir / "long.txt").write_text(
        f"Date: 2024-05-01\n\nA long {word[:300]}\n\nThe feed sent {word} in one piece.\n",
        encoding="utf-8",
    )
    output = tmp_path / "out"
    build(content_dir, output)
    context = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        story = next(p for p in output.glob("2024/05/*.html") if p.name != "index.html")
        for path in (story.relative_to(output).as_posix(), "index.html"):
            page.goto((output / path).as_uri())
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} is {overflow}px wider than the phone"
    finally:
        context.close()


def test_nothing_outside_the_content_folder_is_read(content_dir, tmp_path, caplog):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("Date: 2024-05-01\n\nSecret\n\nPRIVATE-WORDS\n")
    (content_dir / "story.txt").write_text("Date: 2024-05-02\n\nReal story\n\nPublic words.\n")
    (content_dir / "leak.txt").symlink_to(outside / "secret.txt")
    (content_dir / "elsewhere").symlink_to(outside, target_is_directory=True)
    (content_dir / "loop").symlink_to(content_dir, target_is_directory=True)
    (content_dir / "same.txt").symlink_to(content_dir / "story.txt")
    (content_dir / "zero.txt").symlink_to("/dev/zero")
    os.mkfifo(content_dir / "pipe.txt")
    (content_dir / "story.meta").symlink_to(outside / "secret.txt")
    (content_dir / "big.txt").write_text("Date: 2024-05-03\n\nBig\n\n" + "word " * 400)
    output = tmp_path / "out"

    finished: list[object] = []
    builder = threading.Thread(
        target=lambda: finished.append(build(content_dir, output, NEWSARCHIVE_MAX_FILE_BYTES=1000)),
        daemon=True,
    )
    builder.start()
    builder.join(timeout=300)
    assert finished, "the build hung (a FIFO or /dev/zero was opened)"
    published = "".join(p.read_text(encoding="utf-8", errors="replace")
                        for p in output.rglob("*") if p.is_file())  # fmt: skip
    assert "PRIVATE-WORDS" not in published and "Secret" not in published
    warned = {r.getMessage().split(":")[0]: r.getMessage() for r in caplog.records
              if r.levelname in ("WARNING", "ERROR")}  # fmt: skip
    assert "outside the content folder" in warned["leak.txt"]
    assert "outside the content folder" in warned["elsewhere"]
    assert "not a regular file" in warned["pipe.txt"]
    assert "outside the content folder" in warned["zero.txt"]
    assert "NEWSARCHIVE_MAX_FILE_BYTES" in warned["big.txt"]
    assert "outside the content folder" in warned["story.meta"]  # the sidecar, so not the story
    assert "the same file as" in warned["same.txt"]
    assert not list(output.rglob("loop"))


@pytest.mark.parametrize("damage", ["random bytes", "cut short"])
def test_a_damaged_cache_is_set_aside_and_rebuilt(story, tmp_path, caplog, damage):
    cache = tmp_path / "cache"
    (story / "note.md").write_text("Title: A note\nDate: 2024-05-09\n\nMarkdown body.\n")
    first = build(story, tmp_path / "first", CACHE_PATH=str(cache))
    database = cache / "newsarchive-extraction.sqlite3"
    data = database.read_bytes()
    for journal in cache.glob("*.sqlite3-*"):
        journal.unlink()
    database.write_bytes(os.urandom(len(data)) if damage == "random bytes" else data[:4096])
    for _ in range(2):  # and the build after it finds a sound cache again
        again = build(story, tmp_path / "again", CACHE_PATH=str(cache))
        assert again.articles == first.articles == 2
        assert tree_digest(tmp_path / "again") == tree_digest(tmp_path / "first")
    assert "is damaged" in caplog.text
    assert len(list(cache.glob("newsarchive-extraction.sqlite3.damaged-*"))) == 1


def test_results_damaged_in_a_sound_cache_are_made_again_and_stored_anew(story, tmp_path, caplog):
    cache = tmp_path / "cache"
    (story / "note.md").write_text("Title: A note\nDate: 2024-05-09\n\nMarkdown body.\n")
    first = build(story, tmp_path / "first", CACHE_PATH=str(cache))
    database = cache / "newsarchive-extraction.sqlite3"
    with sqlite3.connect(database) as connection:  # every stage's results, Markdown's too
        connection.execute("UPDATE stage_result SET value = x'8004deadbeef'")
    connection.close()
    again = build(story, tmp_path / "again", CACHE_PATH=str(cache))
    assert again.articles == first.articles == 2
    assert tree_digest(tmp_path / "again") == tree_digest(tmp_path / "first")
    assert "unreadable" in caplog.text and "Could not process" not in caplog.text
    caplog.clear()
    build(story, tmp_path / "third", CACHE_PATH=str(cache))
    assert "unreadable" not in caplog.text  # stored anew
    assert not list(cache.glob("*.damaged-*"))


def test_a_content_folder_reached_through_a_link_builds_as_itself(story, tmp_path):
    direct = build(story, tmp_path / "direct")
    (tmp_path / "via-link").symlink_to(story, target_is_directory=True)
    linked = build(tmp_path / "via-link", tmp_path / "linked")
    assert (linked.articles, linked.pages) == (direct.articles, direct.pages)
    assert tree_digest(tmp_path / "linked") == tree_digest(tmp_path / "direct")


def test_the_articles_are_listed_once_a_build(story, tmp_path, monkeypatch):
    # Counted for the progress bar, then read: one walk of a folder of 10,000 stories.
    from newsarchive import pelican_adapter

    walks: list[tuple] = []
    walk = pelican_adapter.content_files

    def counted(root, folders, skip_folder, wanted, max_bytes):
        walks.append((str(root), tuple(folders), max_bytes, wanted("story.md")))
        return walk(root, folders, skip_folder, wanted, max_bytes)

    monkeypatch.setattr(pelican_adapter, "content_files", counted)
    assert build(story, tmp_path / "out").articles == 1
    article_walks = [w for w in walks if w[1] == ("",) and w[3]]
    assert len(article_walks) == 1, walks


@pytest.mark.parametrize(
    "wanted", ["a" * 300 + ".html", "what?.html", "50%.html", "two words.html", "x#y.html"]
)
def test_a_path_no_file_or_link_could_have_gets_a_safe_one(wanted):
    moved = settle_claims([("story.txt", wanted)], {}, {})["story.txt"]
    assert unusable(moved.path) is None and moved.path.endswith(".html")
    assert "no file system" in moved.owner or "no link" in moved.owner


def test_a_page_never_replaces_a_site_page_and_keeps_to_the_site_root(tmp_path, caplog):
    content = tmp_path / "content"
    (content / "pages").mkdir(parents=True)
    (content / "story.txt").write_text("Date: 2024-05-01\n\nA story\n\nStory body.\n")
    pages = content / "pages"
    (pages / "home.md").write_text("Title: Home grab\nSave_as: index.html\n\nHome page grab.\n")
    (pages / "feed.md").write_text("Title: Feed grab\nSave_as: search/manifest.json\n\nF.\n")
    (pages / "deep.md").write_text("Title: Deep\nSlug: team/../../up/board\n\nBoard page.\n")
    (pages / "twin-a.md").write_text("Title: Twin\n\nFirst twin page.\n")
    (pages / "twin-b.md").write_text("Title: Twin\n\nSecond twin page.\n")
    output = tmp_path / "out"
    report = build(content, output)
    assert report.articles == 1

    home = soup(output / "index.html")
    assert "A story" in home.get_text() and "Home page grab." not in home.get_text()
    assert json.loads((output / "search" / "manifest.json").read_text(encoding="utf-8"))
    written = {p.relative_to(output).as_posix(): p.read_text(encoding="utf-8")
               for p in output.rglob("*.html")}  # fmt: skip
    for body in ("Home page grab.", "F.", "Board page.", "First twin page.", "Second twin page."):
        holders = [path for path, text in written.items() if f"<p>{body}</p>" in text]
        assert len(holders) == 1, f"{body!r} is the body of {holders}"
        # At the site's root, as pages are: the theme's relative links hold there.
        assert "/" not in holders[0], holders[0]
        page = soup(output / holders[0])
        for link in page.select("link[rel=stylesheet]"):
            assert (output / holders[0]).parent.joinpath(link["href"]).resolve().is_file()
    for source in ("home.md", "feed.md"):  # twins have their own slugs, as stories do
        assert any(
            r.levelname == "ERROR" and f"pages/{source}: its output path" in r.getMessage()
            for r in caplog.records
        ), f"no error names {source}"
