"""Extraction on a Dask cluster: the same site as a local build, whatever happens to a worker;
and `invoke extract` fills the cache a build then reads."""

from __future__ import annotations

import logging
import os
import shutil
import signal
from pathlib import Path

import pytest
from conftest import ROOT, SETTINGS, build
from distributed import Client, LocalCluster
from newsarchive import extraction_cluster
from newsarchive.extraction_pool import extract_in_chunks
from newsarchive.site_build import BuildFailed, extract_archive
from test_reliability import files


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes, one thread each, started and stopped inside the test run."""
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as local_cluster:
        yield local_cluster


def sample_copy(folder: Path) -> Path:
    shutil.copytree(ROOT / "content", folder)
    return folder


def test_a_site_built_through_a_cluster_equals_a_local_build_byte_for_byte(cluster, tmp_path):
    build(sample_copy(tmp_path / "local"), tmp_path / "a", CACHE_PATH=str(tmp_path / "cache-a"))
    build(
        sample_copy(tmp_path / "clustered"),
        tmp_path / "b",
        CACHE_PATH=str(tmp_path / "cache-b"),
        NEWSARCHIVE_DASK_SCHEDULER=cluster.scheduler_address,
    )
    local, clustered = files(tmp_path / "a"), files(tmp_path / "b")
    assert len(local) > 300
    assert local == clustered


def _stories(count: int) -> list[tuple[str, None]]:
    bodies = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "content").rglob("*.txt"))]
    return [(bodies[number % len(bodies)], None) for number in range(count)]


def test_a_worker_killed_mid_run_loses_no_article(cluster, monkeypatch):
    monkeypatch.setattr("newsarchive.extraction_pool.CHUNK", 2)  # many small tasks
    inputs = _stories(24)
    expected = dict(extract_in_chunks(inputs, processes=1))
    received = {}
    killed = None
    with Client(cluster) as client:
        for offset, chunk in extract_in_chunks(inputs, 1, scheduler=cluster.scheduler_address):
            received[offset] = chunk
            if killed is None:
                busy = [worker for worker, tasks in client.processing().items() if tasks]
                assert busy, "the run ended before a worker could be killed"
                killed = busy[0]
                os.kill(client.run(os.getpid, workers=[killed])[killed], signal.SIGKILL)
        assert killed not in client.nthreads()  # it was gone; its nanny started a new one
    assert sorted(received) == sorted(expected)
    assert received == expected


def test_an_unreachable_scheduler_fails_the_build_with_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr(extraction_cluster, "CONNECT_SECONDS", 1)
    (tmp_path / "output").mkdir()
    with pytest.raises(BuildFailed, match=r"did not answer.*dask scheduler.*unset"):
        build(
            sample_copy(tmp_path / "content"),
            tmp_path / "output",
            CACHE_PATH=str(tmp_path / "cache"),
            NEWSARCHIVE_DASK_SCHEDULER="tcp://127.0.0.1:9",
        )
    assert list((tmp_path / "output").iterdir()) == []


def test_invoke_extract_fills_the_cache_and_the_build_then_extracts_nothing(
    cluster, tmp_path, caplog
):
    overrides = {"PATH": str(sample_copy(tmp_path / "content")), "CACHE_PATH": str(tmp_path / "c")}
    report = extract_archive(
        SETTINGS, {**overrides, "NEWSARCHIVE_DASK_SCHEDULER": cluster.scheduler_address}
    )
    assert not (tmp_path / "output").exists()
    with caplog.at_level(logging.INFO, logger="newsarchive"):
        built = build(tmp_path / "content", tmp_path / "output", CACHE_PATH=overrides["CACHE_PATH"])
    assert report.articles == built.articles > 30
    assert f"{report.articles} articles from the cache, 0 extracted" in caplog.text


def test_a_worker_of_another_version_is_not_trusted_and_its_chunks_are_extracted_here(
    cluster, monkeypatch, caplog
):
    """Its results would be cached under this machine's version; they are never taken."""
    monkeypatch.setattr(extraction_cluster, "extraction_version", lambda: "another version")
    inputs = _stories(3)
    with caplog.at_level(logging.WARNING, logger="newsarchive"):
        received = dict(extract_in_chunks(inputs, 1, scheduler=cluster.scheduler_address))
    assert received == dict(extract_in_chunks(inputs, processes=1))
    assert "runs other extraction code or model versions" in caplog.text
    assert "extracting them here" in caplog.text
