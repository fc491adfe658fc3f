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
from newsarchive.core.search_aids import (  # noqa: E402
    EntityCard,
    aid_files,
    analyse_aids,
    facet_order,
)
from newsarchive.core.search_index import (  # noqa: E402
    DEFAULT_BOOSTS,
    SearchDocument,
    build_index,
    search_record,
    shard_files,
    short_ref,
)
from newsarchive.search_generator import write_files  # noqa: E402
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
    generated = list(generator.articles(size))
    started = time.perf_counter()
    articles = [generated[number] for number in facet_order(_facets(generated))]  # as the site
    documents = [SearchDocument(a.title, tuple(a.names), "\n\n".join(a.paragraphs))
                 for a in articles]  # fmt: skip
    index = build_index(documents, DEFAULT_BOOSTS)
    shards = index.shards()
    search = folder / "search"
    search.mkdir(parents=True)
    (search / "docs").mkdir()
    shard_paths = shard_files(shards)
    write_files(search, shard_paths)
    for number, (article, document) in enumerate(zip(articles, documents, strict=True)):
        record = search_record(article.title, article.path, article.published.isoformat(),
                               document.body, [article.names])  # fmt: skip
        (search / "docs" / f"{short_ref(number)}.json").write_text(
            safe_json(record, compact=True), encoding="utf-8"
        )
    aids, files = _aids(generator, articles, documents)
    write_files(search, files)
    manifest = {**index.manifest(shards), "aids": aids}
    (search / "manifest.json").write_text(safe_json(manifest), encoding="utf-8")
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

    shard_files_written = [search / path for path in shard_paths]
    # The queries are those of the order of writing, as before the index was renumbered.
    name = generated[0].names[1].split()[-1]
    middling = generator.filler[300]
    text_words = generated[7].paragraphs[1].split()
    queries = {
        "plain": [name, generated[0].title.split()[-1], "pipeline", "drought budget", middling],
        "misspelt": [name[:-1], _swapped(middling), "pipleine"],
        "phrase": [
            f'"{generated[3].names[0]}"',
            f'"{" ".join(text_words[3:5])}"',
            f'"{" ".join(text_words[6:8])}" pipeline',
        ],
        "faceted": [
            "pipeline&beat=" + generated[0].beat,
            f"{name}&year=2022",
            "drought budget&beat=" + generated[1].beat,
        ],
    }
    figures = {
        "articles": size,
        "terms": index.term_count,
        "shards": len(shards),
        "build_seconds": build_seconds,
        "index_gzip": sum(map(_gzip_size, [*shard_files_written, search / "manifest.json"])),
        "largest_shard_gzip": max(_gzip_size(p) for p in shard_files_written),
        "aids_gzip": sum(_gzip_size(search / path) for path in files),
        "whole_seconds": whole_seconds,
        "whole_bytes": whole.stat().st_size,
        "whole_gzip": _gzip_size(whole),
    }
    return figures, queries


def _swapped(word: str) -> str:
    """A typo: the word's second and third letters swapped."""
    return word[0] + word[2] + word[1] + word[3:] if len(word) > 3 else word + word[-1]


def _aids(
    generator: ArchiveGenerator, articles: list, documents: list[SearchDocument]
) -> tuple[dict, dict[str, str]]:
    """The search aids for generated articles, their cast standing for the entities."""
    cards, by_name = [], {}
    cast = [(f"{p.first} {p.spellings[0]}", "person", [f"{p.first} {s}" for s in p.spellings])
            for p in generator.people]  # fmt: skip
    cast += [(name, "organization", [name, acronym]) for name, acronym in generator.organisations]
    cast += [(place, "place", [place]) for place in generator.places]
    for number, (_, _, spellings) in enumerate(cast):
        for spelling in spellings:
            by_name.setdefault(spelling, f"e{number}")
    entities = [[by_name[n] for n in a.names if n in by_name] for a in articles]
    stories: dict[str, int] = {}
    for ids in entities:
        for entity_id in set(ids):
            stories[entity_id] = stories.get(entity_id, 0) + 1
    for number, (name, kind, spellings) in enumerate(cast):
        entity_id = f"e{number}"
        if entity_id in stories:
            cards.append(EntityCard(entity_id, name, kind, stories[entity_id],
                                    f"entity/{entity_id}.html", tuple(spellings)))  # fmt: skip
    return aid_files([analyse_aids(d) for d in documents], cards, _facets(articles), entities)


def _facets(articles: list) -> dict[str, list[str]]:
    return {"beat": [a.beat for a in articles], "year": [str(a.published.year) for a in articles],
            "place": [a.title.rsplit(" in ", 1)[-1] for a in articles]}  # fmt: skip


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
                words, _, facet = query.partition("&")
                page.goto(f"{base}/bench.html?mode={mode}&q={quote(words)}&{facet}")
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
        "search: index build and size; per kind of query (each in a fresh browser profile) the"
        " gzip bytes fetched and the ms from opening the page to results, median (max); plain"
        " queries also through one whole lunr index",
        f"{'articles':>8} {'terms':>7} {'shards':>6} {'build s':>7} {'index gz':>8} {'aids gz':>8}"
        f" {'kind':>9} {'fetched gz':>16} {'ms':>12} | {'whole gz':>8} {'whole ms':>8}",
    ]
    with work_folder("newsarchive-search-bench-", keep) as work:
        for size in sizes:
            folder = work / str(size)
            folder.mkdir()
            figures, queries = write_search_site(size, folder)
            for kind, kind_queries in queries.items():
                sharded = measure_queries(folder, kind_queries, "sharded")
                whole_gz, whole_ms = "", ""
                if kind == "plain":
                    whole_gz, whole_ms = f"{figures['whole_gzip'] / 1e6:6.1f}MB", f"{'too big':>8}"
                    if figures["whole_bytes"] <= WHOLE_INDEX_LIMIT:
                        try:
                            whole = measure_queries(folder, kind_queries, "whole")
                            whole_ms = f"{statistics.median(m['ms'] for m in whole):8.0f}"
                        except Exception as error:  # the point of the comparison: it may fail
                            print(f"  whole index, {size} articles: {error}", flush=True)
                            whole_ms = f"{'failed':>8}"
                for m in sharded:
                    print(f"  {size} articles, {kind} {m['query']!r}: {m['results']} results, "
                          f"{m['bytes'] / 1000:.0f} KB, {m['ms']:.0f} ms", flush=True)  # fmt: skip
                fetched = [m["bytes"] / 1000 for m in sharded]
                times = [m["ms"] for m in sharded]
                lines.append(
                    f"{size:8d} {figures['terms']:7d} {figures['shards']:6d} "
                    f"{figures['build_seconds']:7.1f} {figures['index_gzip'] / 1e6:6.1f}MB "
                    f"{figures['aids_gzip'] / 1e6:6.1f}MB {kind:>9} "
                    f"{statistics.median(fetched):7.0f}KB ({max(fetched):3.0f}KB) "
                    f"{statistics.median(times):5.0f} ({max(times):4.0f}) "
                    f"| {whole_gz:>8} {whole_ms:>8}"
                )
                print(lines[-1], flush=True)
    return "\n".join(lines)
