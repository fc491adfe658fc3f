"""Pages carried over: a rebuild renders only the pages whose inputs changed, and the site it
leaves is byte for byte the one a build from scratch makes."""

from __future__ import annotations

import shutil

import pytest
from conftest import ROOT, build
from newsarchive.carried_pages import Fingerprints, TemplateReads, Uncarryable, page_digest

STORY = "2024/2024-10-02-museum-returns-manuscripts.txt"


def site_files(folder):
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory):
    """A cache holding the sample's extractions, so each test builds without the model."""
    folder = tmp_path_factory.mktemp("carried")
    content = folder / "content"
    shutil.copytree(ROOT / "content", content)
    build(content, folder / "site", CACHE_PATH=str(folder / "cache"))
    return folder / "cache"


@pytest.fixture
def archive(tmp_path, warm_cache):
    """The sample archive in tmp_path, with its own theme and cache, built once into site/."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    shutil.copytree(ROOT / "theme", tmp_path / "theme")
    shutil.copytree(warm_cache, tmp_path / "cache")
    settings = {"CACHE_PATH": str(tmp_path / "cache"), "THEME": str(tmp_path / "theme")}

    def again(output="site", **overrides):
        return build(content, tmp_path / output, **settings, **overrides)

    first = again()
    assert first.pages_carried == 0 and first.pages_rendered > 200
    return content, tmp_path, again


def rebuilt_as_fresh(tmp_path, again):
    """Builds site/ again, then from scratch into fresh/; both must be the same bytes."""
    report = again()
    again("fresh", NEWSARCHIVE_FRESH=True)
    assert site_files(tmp_path / "site") == site_files(tmp_path / "fresh")
    return report


def test_a_warm_rebuild_renders_nothing(archive):
    _, _tmp_path, again = archive
    report = again()
    assert report.pages_rendered == 0 and report.pages_carried > 200


def test_a_warm_rebuild_reads_what_the_templates_show_from_the_cache(archive, monkeypatch):
    from jinja2 import Environment

    _, _tmp_path, again = archive
    analysed = []
    parse = Environment.parse
    monkeypatch.setattr(Environment, "parse",
                        lambda self, *args: analysed.append(args) or parse(self, *args))  # fmt: skip
    report = again()
    assert report.pages_carried > 200
    assert analysed == []  # what each template reads was kept from the first build


def test_an_edited_story_renders_only_the_pages_that_show_it(archive):
    content, tmp_path, again = archive
    story = content / STORY
    story.write_text(
        story.read_text(encoding="utf-8") + "\nZarina Kholova thanked Gulnora Saidova.\n"
    )
    report = rebuilt_as_fresh(tmp_path, again)
    assert 0 < report.pages_rendered < report.pages_carried


def test_search_files_that_did_not_change_are_linked_and_a_changed_one_written_anew(archive):
    content, tmp_path, again = archive
    search = tmp_path / "site" / "search"
    before = {p.relative_to(search): p for p in search.rglob("*.json")}
    kept = tmp_path / "kept"  # the first build's files, as a deploy that still serves them
    for relative, path in before.items():
        (kept / relative).parent.mkdir(parents=True, exist_ok=True)
        (kept / relative).hardlink_to(path)
    old_bytes = {relative: path.read_bytes() for relative, path in before.items()}
    story = content / STORY
    story.write_text(story.read_text(encoding="utf-8") + "\nThe manuscripts were catalogued.\n")
    again()
    after = {p.relative_to(search): p for p in search.rglob("*.json")}
    same = [r for r in after if r in before and after[r].read_bytes() == old_bytes[r]]
    changed = [r for r in after if r in before and after[r].read_bytes() != old_bytes[r]]
    assert len(same) > 30  # the records of every other story, at least
    assert all((kept / r).stat().st_ino == after[r].stat().st_ino for r in same)  # linked
    assert any(str(r).startswith("docs/") for r in changed)  # the edited story's record
    # Writing the new build never wrote into the old one's files.
    assert all((kept / r).read_bytes() == old_bytes[r] for r in before)


def test_an_added_story(archive):
    content, tmp_path, again = archive
    (content / "2024" / "2024-11-20-new-bridge.txt").write_text(
        "Date: 2024-11-20\nCategory: Economy\n\nQaragol opens a new bridge\n\n"
        "QARAGOL (ZPA) – Zarina Kholova opened the new bridge over the river on Monday.\n"
    )
    report = rebuilt_as_fresh(tmp_path, again)
    assert 0 < report.pages_rendered < report.pages_carried


def test_a_removed_story(archive):
    content, tmp_path, again = archive
    (content / STORY).unlink()
    report = rebuilt_as_fresh(tmp_path, again)
    assert report.pages_carried > 0
    assert not (tmp_path / "site" / "2024" / "10" / "museum-returns-manuscripts.html").exists()


def test_a_registry_change(archive):
    content, tmp_path, again = archive
    registry = content / "registry.yaml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(
        text.replace(
            "description: Capital of Zarkhan.", "description: Capital city of Zarkhan."
        ).replace("aliases: [Republic of Zarkhan]", "aliases: [Republic of Zarkhan, Zarkhania]")
    )
    report = rebuilt_as_fresh(tmp_path, again)
    assert 0 < report.pages_rendered < report.pages_carried
    assert "Capital city of Zarkhan." in (tmp_path / "site" / "entity" / "qaragol.html").read_text()


def test_a_theme_change_renders_every_page(archive):
    _, tmp_path, again = archive
    # The templates compiled by the last build are kept, and must not be what is shown now.
    assert any((tmp_path / "cache" / "templates").iterdir())
    base = tmp_path / "theme" / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("Built with", "Made with"))
    report = rebuilt_as_fresh(tmp_path, again)
    assert report.pages_carried == 0
    assert "Made with" in (tmp_path / "site" / "index.html").read_text()


def test_a_settings_change_renders_every_page(archive):
    _, _tmp_path, again = archive
    report = again(DEFAULT_PAGINATION=7)
    assert report.pages_carried == 0


def test_pages_are_carried_only_from_the_output_the_last_build_left(archive):
    """The digests recorded describe one output; an output touched since is not trusted."""
    _content, tmp_path, again = archive
    marker = tmp_path / "site" / ".newsarchive-output"
    marker.write_text(marker.read_text(encoding="utf-8"))  # as if another build wrote it
    report = again()
    assert report.pages_carried == 0


class TestPageDigest:
    def template(self, source, **more):
        from jinja2 import DictLoader, Environment

        environment = Environment(loader=DictLoader({"page.html": source, **more}))
        return environment.get_template("page.html"), environment

    def test_only_what_the_template_reads_counts(self):
        template, environment = self.template("{{ title }} {% include 'part.html' %}",
                                              **{"part.html": "{{ footer }}"})  # fmt: skip
        reads, prints = TemplateReads(environment), Fingerprints({})

        def digest(**values):
            return page_digest(b"site", template, values, reads, prints)

        assert digest(title="a", footer="f", other=1) == digest(title="a", footer="f", other=2)
        assert digest(title="a", footer="f") != digest(title="b", footer="f")
        assert digest(title="a", footer="f") != digest(title="a", footer="g")  # included

    def test_a_value_without_a_fingerprint_is_never_carried(self):
        template, environment = self.template("{{ thing }}")
        digest = page_digest(b"site", template, {"thing": object()}, TemplateReads(environment),
                             Fingerprints({}))  # fmt: skip
        assert digest is None

    def test_a_template_chosen_at_render_time_is_never_carried(self):
        _template, environment = self.template("{% include which %}")
        with pytest.raises(Uncarryable):
            TemplateReads(environment).of("page.html")
