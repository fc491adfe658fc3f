"""Build benchmark: newsarchive cold, warm, after one edit and after one added article,
against plain Pelican.

Every build runs in a fresh process (bench.build_once); its peak memory is the largest sum
of proportional set sizes over the process and its workers, sampled every 50 ms.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from .archive import later_articles, work_folder, write_archive

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Measured:
    seconds: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    stages: list[dict[str, float]] = field(default_factory=list)
    files: int = 0
    bytes: int = 0
    rendered: list[int] = field(default_factory=list)  # pages rendered anew
    carried: list[int] = field(default_factory=list)  # pages carried over unchanged

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def stage(self, name: str) -> float:
        return statistics.median(s.get(name, 0.0) for s in self.stages)


def measure_build(spec: dict, into: Measured) -> None:
    """Runs one build in its own process and adds its numbers to `into`."""
    spec_file = Path(spec["output"]).parent / f"spec-{time.monotonic_ns()}.json"
    spec_file.write_text(json.dumps(spec), encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.build_once", str(spec_file)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watched = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_memory(watched))
        time.sleep(0.05)
    out, err = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"benchmark build failed ({spec['kind']}):\n{err[-3000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    into.seconds.append(result["seconds"])
    into.peak_mb.append(peak / 2**20)
    into.stages.append(result["stages"])
    into.files, into.bytes = result["files"], result["bytes"]
    into.rendered.append(result.get("rendered", result["files"]))
    into.carried.append(result.get("carried", 0))


def tree_memory(process: psutil.Process) -> int:
    """The memory a process and its workers hold: the sum of their proportional set sizes,
    so pages a forked worker shares with its parent count once, not once per process as
    resident sizes would."""
    total = 0
    try:
        tree = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0
    for member in tree:
        with contextlib.suppress(psutil.Error):  # ended between the listing and the reading
            total += member.memory_full_info().pss
    return total


def corpus_as_markdown(
    corpus: Path, folder: Path, limit: int | None, later: Path | None = None, waiting: int = 0
) -> int:
    """A corpus of raw `title\\n\\nbody` files (like ../shared/corpora/bbc) as dated Markdown,
    so plain Pelican can read exactly the same articles. Dates are made up, one a day. The
    `waiting` articles after the first `limit` go to `later`, to be added one at a time."""
    sources = sorted(p for p in corpus.rglob("*.txt") if p.name[0].isdigit())
    sources = sources[: None if limit is None else limit + (waiting if later else 0)]
    for number, source in enumerate(sources):
        title, _, body = source.read_text(encoding="utf-8", errors="replace").partition("\n")
        day = time.gmtime(1_072_915_200 + 86_400 * (number % 730))  # from 2004-01-01
        into = later if later and limit is not None and number >= limit else folder
        target = into / source.parent.name / f"{source.stem}-{number}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            f"Title: {title.strip()}\nDate: {time.strftime('%Y-%m-%d', day)}\n"
            f"Category: {source.parent.name.title()}\nSlug: {target.stem}\n\n{body.strip()}\n",
            encoding="utf-8",
        )
    return min(len(sources), limit) if limit is not None else len(sources)


def write_later_articles(folder: Path, count: int, waiting: int) -> None:
    """The `waiting` generated articles that follow an archive of `count`, into `folder`."""
    for article in later_articles(count, waiting):
        path = folder / article.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(article.markdown(), encoding="utf-8")


_DATE_LINE = re.compile(r"^Date: (\d{4}-\d\d-\d\d).*$", re.MULTILINE)


def add_one_article(content: Path, later: Path, newest: bool) -> None:
    """Moves the next article waiting in `later` into the archive, as an editor adding a
    story would: the day's new story (`newest`: dated the day after the archive's newest,
    the daily case), or one filed late, dated in the archive's past (its own date)."""
    article = sorted(later.rglob("*.md"))[0]
    target = content / article.relative_to(later)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = article.read_text(encoding="utf-8")
    if newest:
        dates = (_DATE_LINE.search(p.read_text(encoding="utf-8")) for p in content.rglob("*.md"))
        last = max(found[1] for found in dates if found)
        day = datetime.date.fromisoformat(last) + datetime.timedelta(days=1)
        text = _DATE_LINE.sub(f"Date: {day}", text, count=1)
    target.write_text(text, encoding="utf-8")
    article.unlink()


def edit_one_article(content: Path, run: int) -> None:
    """Changes one article's text, as an editor correcting a story would."""
    articles = sorted(content.rglob("*.md"))
    article = articles[(run * 7919) % len(articles)]
    text = article.read_text(encoding="utf-8")
    article.write_text(text + f"\nCorrection {run}: an earlier version misspelt a name.\n")


def bench_size(
    label: str, content: Path, later: Path, work: Path, runs: int, cores: int, single: bool
) -> dict:
    results: dict[str, Measured] = {}

    def spec(kind: str, name: str, cache: str, processes: int = cores, cluster: int = 0) -> dict:
        return {"kind": kind, "content": str(content), "output": str(work / name),
                "cache": str(work / cache), "processes": processes,
                "cluster_workers": cluster}  # fmt: skip

    print(f"\n== {label}", flush=True)
    results["cold"] = Measured()
    if single:
        results["cold-1"] = Measured()
        results["cold-cluster"] = Measured()
    # Where both are built, cold builds on one process and on all cores alternate, `runs`
    # times, each with an empty cache: their ratio is the point. The first all-cores build
    # leaves the cache the warm builds use.
    for run in range(runs if single else 1):
        if single:
            one = spec("newsarchive", "cold-1", f"cache-cold-1-{run}", processes=1)
            measure_build(one, results["cold-1"])
            shutil.rmtree(one["cache"])
            print(f"cold, 1 process: {results['cold-1'].seconds[-1]:.1f} s", flush=True)
        if run == 0:
            measure_build(spec("newsarchive", "site", "cache"), results["cold"])
        else:
            every = spec("newsarchive", "cold-n", f"cache-cold-n-{run}")
            measure_build(every, results["cold"])
            shutil.rmtree(every["cache"])
        print(f"cold, {cores} processes: {results['cold'].seconds[-1]:.1f} s", flush=True)
        if single:
            on_cluster = spec("newsarchive", "cold-c", f"cache-cold-c-{run}", cluster=cores)
            measure_build(on_cluster, results["cold-cluster"])
            shutil.rmtree(on_cluster["cache"])
            seconds = results["cold-cluster"].seconds[-1]
            print(f"cold, Dask LocalCluster of {cores} workers: {seconds:.1f} s", flush=True)
    for name in ("plain", "warm", "edit", "add", "late"):
        results[name] = Measured()
    # Interleaved, so that the machine's slow and fast moments fall on all five alike.
    for run in range(runs):
        measure_build(spec("plain", "plain", "unused"), results["plain"])
        measure_build(spec("newsarchive", "site", "cache"), results["warm"])
        edit_one_article(content, run)
        measure_build(spec("newsarchive", "site", "cache"), results["edit"])
        add_one_article(content, later, newest=True)
        measure_build(spec("newsarchive", "site", "cache"), results["add"])
        add_one_article(content, later, newest=False)
        measure_build(spec("newsarchive", "site", "cache"), results["late"])
        print(f"run {run + 1}/{runs} done", flush=True)
    return {"label": label, "results": results}


STAGES = ["read", "extract", "resolve", "dates and links", "related stories", "entity pages",
          "timeline", "search index", "search aids", "page digests",
          "writing pages"]  # fmt: skip


def report(size: dict, cores: int) -> str:
    r: dict[str, Measured] = size["results"]
    plain = r["plain"].median
    rows = [
        ("plain Pelican, simple theme", r["plain"]),
        *([("newsarchive cold, 1 process", r["cold-1"])] if "cold-1" in r else []),
        (f"newsarchive cold, {cores} processes", r["cold"]),
        *(
            [(f"newsarchive cold, Dask {cores} workers", r["cold-cluster"])]
            if "cold-cluster" in r
            else []
        ),
        ("newsarchive warm (nothing changed)", r["warm"]),
        ("newsarchive, one article edited", r["edit"]),
        ("newsarchive, one new story added", r["add"]),
        ("newsarchive, one story filed late", r["late"]),
    ]
    lines = [f"{size['label']}", f"{'build':38} {'seconds':>8} {'x plain':>8} {'peak MB':>8} "
             f"{'files':>7} {'MB out':>7} {'rendered':>9} {'carried':>8} {'runs':>5}"]  # fmt: skip
    for name, m in rows:
        lines.append(
            f"{name:38} {m.median:8.1f} {m.median / plain:8.2f} {max(m.peak_mb):8.0f} "
            f"{m.files:7d} {m.bytes / 1e6:7.1f} {statistics.median(m.rendered):9.0f} "
            f"{statistics.median(m.carried):8.0f} {len(m.seconds):5d}"
        )
    lines.append("seconds per stage (median)   " + "  ".join(f"{s:>9.9}" for s in STAGES))
    for key, name in (("cold-1", "cold, 1 process"), ("cold", f"cold, {cores} processes"),
                      ("cold-cluster", f"cold, Dask {cores} workers"),
                      ("warm", "warm"), ("edit", "one article edited"),
                      ("add", "one new story added"),
                      ("late", "one story filed late")):  # fmt: skip
        if key not in r:
            continue
        values = "  ".join(f"{r[key].stage(s):9.2f}" for s in STAGES)
        lines.append(f"  {name:26} {values}")
    warm = r["warm"].median
    # A cold build without its named-entity recognition: what the rest of the pipeline
    # costs over plain Pelican when every stage runs.
    cold_not_ner = r["cold"].median - r["cold"].stage("extract")
    if "cold-1" in r:
        extract_1, extract_n = r["cold-1"].stage("extract"), r["cold"].stage("extract")
        lines.append(
            f"cold extraction: 1 process {extract_1:.1f} s, {cores} processes {extract_n:.1f} s "
            f"-> {extract_1 / max(extract_n, 1e-9):.2f}x faster"
        )
        extract_c = r["cold-cluster"].stage("extract")
        lines.append(
            f"cold extraction: local pool of {cores} processes {extract_n:.1f} s, Dask "
            f"LocalCluster of {cores} workers {extract_c:.1f} s "
            f"-> cluster {100 * (extract_c - extract_n) / max(extract_n, 1e-9):+.0f}%"
        )
    lines += [
        f"warm rebuild / plain Pelican: {warm / plain:.2f}x; a cold build without its "
        f"extraction {cold_not_ner:.1f} s, {cold_not_ner / plain:.2f}x plain Pelican",
        f"one edit costs {r['edit'].median - warm:+.1f} s over a warm rebuild "
        f"(extraction {r['edit'].stage('extract'):.2f} s), one new story "
        f"{r['add'].median - warm:+.1f} s, one filed late {r['late'].median - warm:+.1f} s",
    ]
    return "\n".join(lines)


def run_site_bench(
    sizes: list[int], corpus: Path | None, runs: int, keep: bool, single_up_to: int
) -> str:
    from newsarchive.extraction_pool import available_cores

    cores = available_cores()
    reports = []
    medians: dict[int, dict[str, float]] = {}
    with work_folder("newsarchive-bench-", keep) as work_root:
        for size in sizes:
            work = work_root / str(size)
            content, later = work / "content", work / "later"
            content.mkdir(parents=True)
            later.mkdir()
            if corpus:
                count = corpus_as_markdown(corpus, content, size, later, 2 * runs)
                label = f"{count} articles from {corpus}"
            else:
                count = write_archive(content, size)
                write_later_articles(later, count, 2 * runs)
                label = f"{count} generated articles"
            result = bench_size(label, content, later, work, runs, cores, count <= single_up_to)
            reports.append(report(result, cores))
            medians[count] = {k: m.median for k, m in result["results"].items()}
            print(reports[-1], flush=True)
    if len(medians) > 1:
        (small, a), (large, b) = sorted(medians.items())[0], sorted(medians.items())[-1]
        reports.append(
            f"growth {small} -> {large} articles ({large / small:.0f}x): "
            + ", ".join(
                f"{k} {b[k] / a[k]:.1f}x" for k in ("plain", "cold", "warm", "edit", "add", "late")
            )
        )
    return "\n\n".join(reports)
