"""The extraction cache: a rebuild costs what changed, and never changes the result."""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from dataclasses import asdict

import markdown
from conftest import ROOT, build
from newsarchive import extraction_pool
from newsarchive.core import gazetteer
from newsarchive.core.extract import Definition, Extraction, Mention
from newsarchive.extraction_cache import StoredExtraction, _to_json
from newsarchive.markdown_cache import CachedMarkdownReader
from newsarchive.stage_cache import CACHE_FILE
from pelican.readers import MarkdownReader
from pelican.settings import read_settings


def site_files(folder):
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def extraction_counts(caplog):
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Entities: ")]
    return lines[-1]


def test_rebuilds_reuse_extractions_and_build_the_same_site(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="newsarchive")
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    cache = tmp_path / "cache"
    cold = build(content, tmp_path / "cold", CACHE_PATH=str(cache))
    assert extraction_counts(caplog) == "Entities: 0 articles from the cache, 42 extracted"

    build(content, tmp_path / "warm", CACHE_PATH=str(cache))
    assert extraction_counts(caplog) == "Entities: 42 articles from the cache, 0 extracted"
    assert site_files(tmp_path / "warm") == site_files(tmp_path / "cold")

    story = content / "2024" / "2024-10-02-museum-returns-manuscripts.txt"
    story.write_text(
        story.read_text(encoding="utf-8") + "\nZarina Kholova thanked Gulnora Saidova.\n"
    )
    build(content, tmp_path / "edited", CACHE_PATH=str(cache))
    assert extraction_counts(caplog) == "Entities: 41 articles from the cache, 1 extracted"

    fresh = build(content, tmp_path / "fresh", CACHE_PATH=str(cache), NEWSARCHIVE_FRESH=True)
    assert extraction_counts(caplog) == "Entities: 0 articles from the cache, 42 extracted"
    assert site_files(tmp_path / "fresh") == site_files(tmp_path / "edited")
    assert cold.articles == fresh.articles == 42


def test_a_registry_edit_applies_without_running_the_model_again(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="newsarchive")
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.txt").write_text(
        "Date: 2024-01-01\n\nA\n\nAnna Petrova met Oleg Sarin. The QWG said nothing.\n"
    )
    cache = tmp_path / "cache"
    build(content, tmp_path / "one", CACHE_PATH=str(cache))
    (content / "registry.yaml").write_text(
        "entities:\n  - name: Qaragol Weavers Guild\n    kind: organization\n    aliases: [QWG]\n"
    )
    build(content, tmp_path / "two", CACHE_PATH=str(cache))
    assert extraction_counts(caplog) == "Entities: 1 articles from the cache, 0 extracted"
    story = (tmp_path / "two" / "2024" / "01" / "a.html").read_text()
    assert 'href="../../entity/qaragol-weavers-guild.html"' in story
    build(content, tmp_path / "fresh", CACHE_PATH=str(cache), NEWSARCHIVE_FRESH=True)
    assert site_files(tmp_path / "fresh") == site_files(tmp_path / "two")


MARKDOWN_STORY = """Title: Port strike ends
Date: 2024-03-01 10:30
Tags: ports, labour
Category: Economy
Summary: Dockers go back to *work* after a week.

Dockers in **Bandar** went back to work on Friday.
"""


def read_markdown(reader_class, path, settings):
    reader = reader_class(settings)
    content, metadata = reader.read(str(path))
    if isinstance(reader, CachedMarkdownReader):
        reader.save()
    return content, {key: str(value) for key, value in metadata.items()}


def test_markdown_is_converted_once_and_read_back_as_pelican_reads_it(tmp_path, monkeypatch):
    settings = read_settings(override={"CACHE_PATH": str(tmp_path / "cache")})
    story = tmp_path / "story.md"
    story.write_text(MARKDOWN_STORY, encoding="utf-8")
    pelicans = read_markdown(MarkdownReader, story, settings)
    assert read_markdown(CachedMarkdownReader, story, settings) == pelicans

    converted = []
    real_convert = markdown.Markdown.convert
    monkeypatch.setattr(
        markdown.Markdown,
        "convert",
        lambda md, text: converted.append(text) or real_convert(md, text),
    )
    assert read_markdown(CachedMarkdownReader, story, settings) == pelicans
    assert converted == ["Dockers go back to *work* after a week."]  # the header field only

    story.write_text(MARKDOWN_STORY.replace("Friday", "Saturday"), encoding="utf-8")
    content, _ = read_markdown(CachedMarkdownReader, story, settings)
    assert "Saturday" in content

    settings["MARKDOWN"] = {**settings["MARKDOWN"], "output_format": "xhtml"}
    story.write_text("Title: Rule\n\nAbove\n\n---\n\nBelow\n", encoding="utf-8")
    assert "<hr />" in read_markdown(CachedMarkdownReader, story, settings)[0]
    settings["MARKDOWN"] = {**settings["MARKDOWN"], "output_format": "html"}
    assert "<hr>" in read_markdown(CachedMarkdownReader, story, settings)[0]


def test_a_stored_extraction_reads_back_as_it_was_written():
    tricky = Mention(0, 14, '"sentences":[1', "other", "ner")  # the key, inside a name
    extraction = Extraction(
        (tricky, Mention(20, 25, "Qaragol", "place", "registry", "qaragol")),
        (
            Definition(
                Mention(30, 40, "Water Board", "organization", "ner"),
                Mention(42, 44, "WB", "organization", "definition"),
            ),
        ),
        ((0, 18), (19, 60)),
    )
    stored = StoredExtraction(_to_json(extraction))
    assert stored.sentences == extraction.sentences
    assert (stored.mentions, stored.definitions) == (extraction.mentions, extraction.definitions)
    # Written as every earlier build wrote it (its sentences last, which `sentences` reads
    # first), character for character.
    earlier = json.dumps(asdict(extraction), ensure_ascii=False, separators=(",", ":"))
    assert _to_json(extraction) == earlier


class TestModelLoadedWhileReading:
    """A rebuild extracts its few new stories with the model a forked process loaded while
    the articles were read."""

    @staticmethod
    def settings(tmp_path):
        (tmp_path / CACHE_FILE).write_bytes(b"")  # a build ran before
        return {"CACHE_PATH": str(tmp_path), "NEWSARCHIVE_DASK_SCHEDULER": None,
                "NEWSARCHIVE_FRESH": False, "NEWSARCHIVE_PROCESSES": 2}  # fmt: skip

    @staticmethod
    def stories(count):
        bodies = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "content").rglob("*.txt"))]
        return [(bodies[number % len(bodies)], None) for number in range(count)]

    @staticmethod
    def extracted(chunks):
        return [extraction for _, chunk in sorted(chunks) for extraction in chunk]

    def test_it_extracts_as_the_building_process_does(self, tmp_path, monkeypatch):
        monkeypatch.setattr(extraction_pool, "CHUNK", 2)  # several model batches
        monkeypatch.setattr(gazetteer, "_adopted", [])
        extraction_pool.shared_model.cache_clear()
        inputs = self.stories(5)
        waiting = extraction_pool.load_model_early(self.settings(tmp_path))
        assert waiting is not None
        early = self.extracted(extraction_pool.extract_in_chunks(inputs, 2, waiting=waiting))
        assert extraction_pool.shared_model.cache_info().currsize == 0  # not loaded here
        assert not waiting.early.running()
        # The place names it read are taken over, for resolving the names next.
        assert gazetteer._adopted and gazetteer.place_names() is gazetteer._adopted[0]
        adopted = gazetteer._adopted.pop()
        gazetteer.place_names.cache_clear()
        assert gazetteer.place_names() == adopted  # as read from GeoNames here
        here = self.extracted(extraction_pool.extract_in_chunks(inputs, processes=1))
        assert early == here and len(early) == 5

    def test_the_building_process_works_while_it_extracts_and_no_longer(self, tmp_path):
        waiting = extraction_pool.load_model_early(self.settings(tmp_path))
        assert waiting is not None
        done = []

        def until_extracted():  # loading the model alone takes longer than this is called
            done.append(("first", waiting.early.running()))
            deadline = time.monotonic() + 60
            while not waiting.early.finished():
                assert time.monotonic() < deadline
                time.sleep(0.01)

        meanwhile = [until_extracted, lambda: done.append(("second", True))]
        chunks = extraction_pool.extract_in_chunks(
            self.stories(1), 2, waiting=waiting, meanwhile=meanwhile
        )
        assert len(self.extracted(chunks)) == 1
        # The first piece ran while it extracted; the second, left for later, did not.
        assert done == [("first", True)]

    def test_if_it_failed_the_stories_are_extracted_here(self, tmp_path, monkeypatch):
        building, loader = os.getpid(), extraction_pool.chunk_extractor

        def fails_in_the_fork():
            if os.getpid() != building:
                raise OSError("the model's files are missing")
            return loader()

        monkeypatch.setattr(extraction_pool, "chunk_extractor", fails_in_the_fork)
        waiting = extraction_pool.load_model_early(self.settings(tmp_path))
        inputs = self.stories(2)
        early = self.extracted(extraction_pool.extract_in_chunks(inputs, 2, waiting=waiting))
        assert early == self.extracted(extraction_pool.extract_in_chunks(inputs, processes=1))

    def test_a_build_with_nothing_to_extract_lets_it_go(self, tmp_path):
        waiting = extraction_pool.load_model_early(self.settings(tmp_path))
        assert waiting is not None
        waiting.let_go()
        assert not waiting.early.running()

    def test_none_is_loaded_for_a_first_build_or_on_one_process(self, tmp_path):
        assert extraction_pool.load_model_early(
            {**self.settings(tmp_path), "CACHE_PATH": str(tmp_path / "none-yet")}) is None  # fmt: skip
        one = {**self.settings(tmp_path), "NEWSARCHIVE_PROCESSES": 1}
        assert extraction_pool.load_model_early(one) is None
