"""Search benchmark: the sharded index against one whole lunr index, in headless Chromium.

For generated archives of each size: the time to build the index, its size gzipped, and
for typical queries the bytes a reader's browser fetches (gzipped, as a server would send
them) and the time from opening the page to having results, each query in a fresh browser
profile.
"""

from __future__ import annotations

import gzip
import json
import shutil
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlparse

from .archive import ArchiveGenerator, work_folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))

from newsarchive.core.publish import safe_json  # noqa: E402
from newsarchive.core.search_index import (  # noqa: E402
    DEFAULT_BOOSTS,
    SearchDocument,
    build_index,
    search_record,
    short_ref,
)
from newsarchive.site_check import CHROMIUM, CHROMIUM_ARGS, serve  # noqa: E402

PAGE = """<!doctype html><meta charset="utf-8"><title>search benchmark</title>
<script src="search/lunr.min.js"></script><script src="search-core.js"></script>
<script src="search_page.js"></script>"""
WHOLE_INDEX_LIMIT = 400_000_000  # bytes of JSON; beyond this the browser is not even tried


def _gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6))


def write_search_site(size: int, folder: Path) -> tuple[dict, list[str]]:
    """Index `size` generated articles into `folder` as the site does; the figures, and
    typical queries for this archive."""
    generator = ArchiveGenerator(seed=1)
    articles = list(generator.articles(size))
    started = time.perf_counter()
    documents = [SearchDocument(a.title, tuple(a.names), "\n\n".join(a.paragraphs))
                 for a in articles]  # fmt: skip
    index = build_index(documents, DEFAULT_BOOSTS)
    shards = index.shards()
    search = folder / "search"
    (search / "shards").mkdir(parents=True)
    (search / "docs").mkdir()
    for shard in shards:
        (search / "shards" / shard.name).write_text(shard.text, encoding="utf-8")
    for number, (article, document) in enumerate(zip(articles, documents, strict=True)):
        record = search_record(article.title, article.path, article.published.isoformat(),
                               document.body, [article.names])  # fmt: skip
        (search / "docs" / f"{short_ref(number)}.json").write_text(
            safe_json(record, compact=True), encoding="utf-8"
        )
    (search / "manifest.json").write_text(safe_json(index.manifest(shards)), encoding="utf-8")
    build_seconds = time.perf_counter() - started

    started = time.perf_counter()
    whole = folder / "whole.json"
    with whole.open("w", encoding="utf-8") as out:
        json.dump(index.serialize(), out, separators=(",", ":"))
    whole_seconds = time.perf_counter() - started

    shutil.copy(ROOT / "node_modules" / "lunr" / "lunr.min.js", search / "lunr.min.js")
    shutil.copy(ROOT / "theme" / "static" / "js" / "search-core.js", folder / "search-core.js")
    shutil.copy(Path(__file__).parent / "search_page.js", folder / "search_page.js")
    (folder / "bench.html").write_text(PAGE, encoding="utf-8")

    shard_files = [search / "shards" / s.name for s in shards]
    queries = [
        articles[0].names[1].split()[-1],  # a name, often in another spelling
        articles[0].title.split()[-1],  # a place
        "pipeline",
        "drought budget",
        generator.filler[300],  # a word of middling frequency
    ]
    figures = {
        "articles": size,
        "terms": index.term_count,
        "shards": len(shards),
        "build_seconds": build_seconds,
        "index_gzip": sum(map(_gzip_size, [*shard_files, search / "manifest.json"])),
        "largest_shard_gzip": max(_gzip_size(p) for p in shard_files),
        "whole_seconds": whole_seconds,
        "whole_bytes": whole.stat().st_size,
        "whole_gzip": _gzip_size(whole),
    }
    return figures, queries


def measure_queries(folder: Path, queries: list[str], mode: str) -> list[dict]:
    from playwright.sync_api import sync_playwright

    sizes: dict[str, int] = {}
    measured = []
    with serve(folder) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for query in queries:
                context = browser.new_context()
                page = context.new_page()
                fetched: list[str] = []
                page.on(
                    "requestfinished", lambda r, into=fetched: into.append(urlparse(r.url).path)
                )
                page.goto(f"{base}/bench.html?mode={mode}&q={quote(query)}")
                page.wait_for_function("() => window.benchDone", timeout=300_000)
                done = page.evaluate("window.benchDone")
                context.close()
                if "error" in done:
                    raise RuntimeError(f"{mode} search for {query!r} failed: {done['error']}")
                data = [p for p in fetched if p.endswith(".json")]
                for path in data:
                    if path not in sizes:
                        sizes[path] = _gzip_size(folder / path.lstrip("/"))
                measured.append({"query": query, "ms": done["ms"], "results": done["count"],
                                 "bytes": sum(sizes[p] for p in data)})  # fmt: skip
        finally:
            browser.close()
    return measured


def run_search_bench(sizes: list[int], keep: bool) -> str:
    lines = [
        "search: index build, size, and per typical query (median over queries, each in a "
        "fresh browser profile): gzip bytes fetched and ms from opening the page to results",
        f"{'articles':>8} {'terms':>8} {'shards':>6} {'build s':>7} {'index gz':>9} "
        f"{'fetched gz':>10} {'max fetched':>11} {'ms':>6} | {'whole gz':>9} {'whole ms':>8}",
    ]
    with work_folder("newsarchive-search-bench-", keep) as work:
        for size in sizes:
            folder = work / str(size)
            folder.mkdir()
            figures, queries = write_search_site(size, folder)
            sharded = measure_queries(folder, queries, "sharded")
            whole_ms = f"{'too big':>8}"
            if figures["whole_bytes"] <= WHOLE_INDEX_LIMIT:
                try:
                    whole = measure_queries(folder, queries, "whole")
                    whole_ms = f"{statistics.median(m['ms'] for m in whole):8.0f}"
                except Exception as error:  # the point of the comparison: it may not load
                    print(f"  whole index, {size} articles: {error}", flush=True)
                    whole_ms = f"{'failed':>8}"
            for m in sharded:
                print(f"  {size} articles, {m['query']!r}: {m['results']} results, "
                      f"{m['bytes'] / 1000:.0f} KB, {m['ms']:.0f} ms", flush=True)  # fmt: skip
            lines.append(
                f"{size:8d} {figures['terms']:8d} {figures['shards']:6d} "
                f"{figures['build_seconds']:7.1f} {figures['index_gzip'] / 1e6:7.1f}MB "
                f"{statistics.median(m['bytes'] for m in sharded) / 1000:8.0f}KB "
                f"{max(m['bytes'] for m in sharded) / 1000:9.0f}KB "
                f"{statistics.median(m['ms'] for m in sharded):6.0f} | "
                f"{figures['whole_gzip'] / 1e6:7.1f}MB {whole_ms}"
            )
            print(lines[-1], flush=True)
    return "\n".join(lines)
