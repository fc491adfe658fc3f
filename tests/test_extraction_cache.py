"""The extraction cache: a rebuild costs what changed, and never changes the result."""

from __future__ import annotations

import logging
import shutil

from conftest import ROOT, build


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


def test_a_registry_change_means_extracting_again(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="newsarchive")
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.txt").write_text("Date: 2024-01-01\n\nA\n\nAnna Petrova met Oleg Sarin.\n")
    cache = tmp_path / "cache"
    build(content, tmp_path / "one", CACHE_PATH=str(cache))
    build(content, tmp_path / "two", CACHE_PATH=str(cache))
    assert extraction_counts(caplog) == "Entities: 1 articles from the cache, 0 extracted"
    (content / "registry.yaml").write_text("entities:\n  - name: Oleg Sarin\n    kind: person\n")
    build(content, tmp_path / "three", CACHE_PATH=str(cache))
    assert extraction_counts(caplog) == "Entities: 0 articles from the cache, 1 extracted"
