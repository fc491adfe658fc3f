"""Bad input never breaks the site; builds are reproducible; the site checks catch what they should."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bs4 import BeautifulSoup
from conftest import PUBLISH_SETTINGS, ROOT, build
from newsarchive.site_check import broken_links, browser_problems, html_errors

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_builds_are_byte_identical_whatever_the_file_order_and_number_of_processes(tmp_path):
    first = tmp_path / "first"
    shutil.copytree(ROOT / "content", first)
    # The same files created in the opposite order: directory listings come back differently.
    second = tmp_path / "second"
    for source in sorted((ROOT / "content").rglob("*"), reverse=True):
        target = second / source.relative_to(ROOT / "content")
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
    # Pages and the search index written by forked workers, then carried over.
    build(first, tmp_path / "a", CACHE_PATH=str(tmp_path / "cache-a"), NEWSARCHIVE_PROCESSES=2)
    build(first, tmp_path / "b", CACHE_PATH=str(tmp_path / "cache-a"), NEWSARCHIVE_PROCESSES=2)
    # Extracted afresh by two worker processes (the sample is below the usual minimum).
    build(second, tmp_path / "c", CACHE_PATH=str(tmp_path / "cache-c"),
          NEWSARCHIVE_PROCESSES=2, NEWSARCHIVE_PARALLEL_MINIMUM=0)  # fmt: skip
    # Everything in this process, each page written as Pelican asks for it.
    build(second, tmp_path / "d", CACHE_PATH=str(tmp_path / "cache-d"), NEWSARCHIVE_PROCESSES=1)
    a, b, c = files(tmp_path / "a"), files(tmp_path / "b"), files(tmp_path / "c")
    assert a == b
    assert a == c
    assert a == files(tmp_path / "d")


SCRIPT = "<script>alert('x')</script>"


def test_stories_of_the_same_day_are_listed_in_the_same_order_by_every_build(content_dir, tmp_path):
    """Pelican finds files in an order that changes with each process's hash seed."""
    for number in range(8):
        (content_dir / f"story-{number}.txt").write_text(
            f"Date: 2024-03-01\n\nStory number {number}\n\nBody {number}.\n"
        )
    one_build = (
        "import sys; from pathlib import Path; sys.path.insert(0, 'plugins');"
        "from newsarchive.site_build import build_site;"
        "build_site(Path('pelicanconf.py'), output=Path(sys.argv[1]),"
        " overrides={'PATH': sys.argv[2], 'CACHE_PATH': sys.argv[3]})"
    )
    listings = []
    for seed in ("1", "2", "3"):
        output = tmp_path / f"out-{seed}"
        subprocess.run(
            [sys.executable, "-c", one_build, str(output), str(content_dir), str(tmp_path / "cache")],
            cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": seed}, check=True,
            capture_output=True,
        )  # fmt: skip
        listings.append((output / "index.html").read_text(encoding="utf-8"))
    assert listings[0] == listings[1] == listings[2]
    assert listings[0].index("Story number 0") < listings[0].index("Story number 7")


def test_markup_in_titles_bodies_metadata_and_the_registry_is_escaped_everywhere(
    content_dir, tmp_path
):
    (content_dir / "evil.md").write_text(
        f"Title: Evil {SCRIPT} title\nDate: 2024-01-01\nPlace: Qaragol {SCRIPT}\n"
        f"Category: Politics\n\nAnna Petrova said {SCRIPT} <img src=x onerror=alert(1)> "
        f'<a href="javascript:alert(2)">click</a> on Monday.\n',
        encoding="utf-8",
    )
    (content_dir / "evil.txt").write_text(
        f"Date: 2024-01-02\nSource: ZPA {SCRIPT}\n\nRaw {SCRIPT} title\n\nBody {SCRIPT} with Anna Petrova.\n",
        encoding="utf-8",
    )
    (content_dir / "registry.yaml").write_text(
        f'entities:\n  - name: "Anna Petrova"\n    kind: person\n    description: "{SCRIPT}"\n'
        f'    aliases: ["Anna {SCRIPT}"]\n',
        encoding="utf-8",
    )
    output = tmp_path / "public"
    report = build(content_dir, output, settings=PUBLISH_SETTINGS)
    assert report.articles == 2
    for path in output.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".json"):
            text = path.read_text(encoding="utf-8")
            assert "<script>alert" not in text, path
            assert "onerror=" not in text and "javascript:alert" not in text, path
    article = BeautifulSoup(
        (output / "2024/01/evil-script-alert-x-script-title.html").read_text(), "html.parser"
    )
    assert article.select_one("h1").get_text() == f"Evil {SCRIPT} title"  # shown as text
    data = json.loads(article.select_one('script[type="application/ld+json"]').string)
    assert data["headline"] == f"Evil {SCRIPT} title"
    entity = BeautifulSoup((output / "entity/anna-petrova.html").read_text(), "html.parser")
    assert entity.select_one(".entity-description").get_text() == SCRIPT
    exported = json.loads((output / "data/entities.json").read_text())
    assert f"Anna {SCRIPT}" in next(e for e in exported if e["id"] == "anna-petrova")["aliases"]


def test_a_10_mb_article_builds_whole_and_is_annotated_as_far_as_a_story_goes(
    content_dir, tmp_path, caplog
):
    paragraph = "QARAGOL (ZPA) – Rustam Khadzhiev met Yelena Brovkina on Monday in Novoyarsk. " * 5
    body = "\n\n".join(paragraph for _ in range(10_000_000 // len(paragraph)))
    (content_dir / "huge.txt").write_text(
        f"Date: 2024-06-01\n\nA very long story\n\n{body}\n", encoding="utf-8"
    )
    report = build(content_dir, tmp_path / "out")
    assert (report.articles, report.skipped) == (1, 0)
    page = (tmp_path / "out" / "2024" / "06" / "a-very-long-story.html").read_text(encoding="utf-8")
    assert len(page) > 10_000_000
    assert 'data-entity="rustam-khadzhiev"' in page
    assert any(
        "huge.txt" in r.getMessage() and "first 500000 only" in r.getMessage()
        for r in caplog.records
    )


def test_dates_from_1000_to_9999_build_and_a_far_future_one_is_named(content_dir, tmp_path, caplog):
    story = "Date: {}\n\n{}\n\nAnna Petrova of the Qaragol Ledger spoke.\n"
    (content_dir / "old.txt").write_text(story.format("1000-01-01", "Year one thousand"))
    (content_dir / "far.txt").write_text(story.format("9999-12-31", "Year 9999"))
    report = build(content_dir, tmp_path / "out", settings=PUBLISH_SETTINGS)
    assert (report.articles, report.skipped) == (2, 0)
    feed = (tmp_path / "out" / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    assert "Year one thousand" in feed and "Year 9999" in feed
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(m.startswith("far.txt:1: the date 9999-12-31 is more than a year") for m in warnings)
    assert not any("old.txt" in m for m in warnings)
    # One entity in both stories: its chart is drawn by century, not with 108,000 bars.
    page = tmp_path / "out" / "entity" / "anna-petrova.html"
    assert page.stat().st_size < 100_000
    assert len(BeautifulSoup(page.read_text(), "html.parser").select("svg.timeline rect")) == 90


BAD_DATES = ["0000-01-01", "10000-01-01", "tomorrow", "-0001-01-01", "0999-05-01", "2024-05"]


def test_a_bad_date_gets_the_same_message_in_a_raw_file_and_in_markdown(
    content_dir, tmp_path, caplog
):
    for number, value in enumerate(BAD_DATES):
        (content_dir / f"raw{number}.txt").write_text(f"Date: {value}\n\nRaw {number}\n\nB.\n")
        (content_dir / f"md{number}.md").write_text(f"Title: Md {number}\nDate: {value}\n\nB.\n")
    (content_dir / "fine.txt").write_text("Date: 2024-05-10\n\nFine story\n\nBody.\n")
    report = build(content_dir, tmp_path / "out")
    assert (report.articles, report.skipped) == (1, 2 * len(BAD_DATES))
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    for number, value in enumerate(BAD_DATES):
        raw = [m for m in errors if m.startswith(f"raw{number}.txt:1: ")]
        markdown = [m for m in errors if m.startswith(f"md{number}.md:2: ")]
        assert raw and markdown, value
        assert raw[0].split(": ", 1)[1] == markdown[0].split(": ", 1)[1]
        assert repr(value) in raw[0]


def test_a_binary_sidecar_is_named_and_only_its_article_is_skipped(content_dir, tmp_path, caplog):
    (content_dir / "story.txt").write_text("Date: 2024-05-10\n\nWith sidecar\n\nBody.\n")
    (content_dir / "story.meta").write_bytes(b"\x00\x01\x02binary\xff\xfe" * 20)
    (content_dir / "fine.txt").write_text("Date: 2024-05-10\n\nFine story\n\nBody.\n")
    report = build(content_dir, tmp_path / "out")
    assert (report.articles, report.skipped) == (1, 1)
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert any(m.startswith("story.meta: this is a binary file") for m in errors), errors


def test_a_path_escaping_save_as_is_refused_with_the_file_named(content_dir, tmp_path, caplog):
    (content_dir / "escape.md").write_text(
        "Title: Out\nDate: 2024-01-01\nSave_as: ../../evil.html\n\nBody.\n"
    )
    (content_dir / "fine.md").write_text("Title: Fine\nDate: 2024-01-01\n\nBody.\n")
    report = build(content_dir, tmp_path / "out")
    assert report.articles == 1 and not (tmp_path / "evil.html").exists()
    assert any(
        "escape.md" in r.getMessage() and "outside" in r.getMessage() for r in caplog.records
    )


def write_page(folder: Path, name: str, html: str) -> None:
    (folder / name).parent.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(html, encoding="utf-8")


PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title>{head}</head>
<body><main><h1 id="top">Title</h1>{body}</main></body></html>"""


def test_the_checks_find_broken_links_fragments_and_bad_html(tmp_path):
    write_page(
        tmp_path,
        "index.html",
        PAGE.format(
            head="",
            body='<a href="a.html#nowhere">a</a> <a href="gone.html">g</a> <a href="#top">t</a>',
        ),
    )
    write_page(tmp_path, "a.html", PAGE.format(head="", body="<p>fine</p>"))
    write_page(tmp_path, "bad.html", "<p>no doctype <b>unclosed</i></p>")
    links = broken_links(tmp_path)
    assert links == [
        "index.html: a.html#nowhere (no element with that id)",
        "index.html: gone.html (no such file)",
    ]
    errors = html_errors(tmp_path)
    assert errors and all(e.startswith("bad.html:") for e in errors)


def test_the_browser_checks_find_accessibility_and_csp_problems(tmp_path, browser):
    policy = '<meta http-equiv="Content-Security-Policy" content="script-src \'self\'">'
    write_page(
        tmp_path,
        "bad.html",
        PAGE.format(head=policy, body='<img src="x.png"><script>document.title="x"</script>'),
    )
    write_page(
        tmp_path, "good.html", PAGE.format(head=policy, body='<img src="x.png" alt="A chart">')
    )
    problems = browser_problems(tmp_path, ["bad.html", "good.html"], AXE, browser)
    assert any(p.startswith("bad.html: critical image-alt") for p in problems)
    assert any(
        p.startswith("bad.html: Content-Security-Policy violated: script-src") for p in problems
    )
    assert not any(p.startswith("good.html") for p in problems)


def test_a_rebuild_after_an_edit_equals_a_build_from_scratch(tmp_path):
    """Cached stages (extraction, names, dates, entities, related stories, search index)
    must never serve a result for text that changed."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    cache = str(tmp_path / "cache")
    build(content, tmp_path / "before", CACHE_PATH=cache)
    story = content / "2024" / "2024-05-08-pipeline-construction-begins.txt"
    story.write_text(
        story.read_text(encoding="utf-8")
        + "\nEngineer Zebulon Quartermaine said on Friday the first section was finished.\n",
        encoding="utf-8",
    )
    build(content, tmp_path / "warm", CACHE_PATH=cache)
    build(content, tmp_path / "fresh", CACHE_PATH=str(tmp_path / "empty-cache"))
    warm, fresh = files(tmp_path / "warm"), files(tmp_path / "fresh")
    assert warm == fresh
    assert warm != files(tmp_path / "before")
    assert any("quartermaine" in name for name in warm)  # the new person has a page


def test_bad_dates_repeated_fields_missing_templates_and_utf16_never_stop_the_build(
    content_dir, tmp_path, caplog
):
    (content_dir / "offset.txt").write_text("Date: 2024-05-08 14:10 +25:00\n\nBad zone\n\nB.\n")
    (content_dir / "titles.md").write_text("Title: One\nTitle: Two\nDate: 2024-05-08\n\nB.\n")
    (content_dir / "template.md").write_text(
        "Title: Odd template\nDate: 2024-05-08\nTemplate: nope\n\nStill here.\n"
    )
    for name, encoding in (("le.txt", "utf-16-le"), ("be.txt", "utf-16-be")):
        bom = "\ufeff".encode(encoding)
        text = f"Date: 2024-05-09\n\nWide {name[:2]} story\n\nRead in full.\n"
        (content_dir / name).write_bytes(bom + text.encode(encoding))
    (content_dir / "fine.txt").write_text("Date: 2024-05-10\n\nFine story\n\nBody.\n")
    output = tmp_path / "out"
    report = build(content_dir, output)
    published = {p.name for p in output.glob("2024/05/*.html")}
    assert {"fine-story.html", "odd-template.html", "wide-le-story.html",
            "wide-be-story.html"} <= published  # fmt: skip
    assert report.articles == 4 and report.skipped == 2
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert any(m.startswith("offset.txt:1:") and "+23:59" in m for m in errors)
    assert any(m.startswith("titles.md:2:") and "Keep one" in m for m in errors)
    assert any(m.startswith("template.md:") and "no template 'nope'" in m for m in errors)
    assert "Still here." in (output / "2024" / "05" / "odd-template.html").read_text()
