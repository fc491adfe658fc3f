"""Editor tasks: `invoke --list` shows them all."""

from __future__ import annotations

import contextlib
import logging
import shutil
import sys
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from invoke import Exit, task

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "plugins"))

from newsarchive.core.slugs import short_hash  # noqa: E402
from newsarchive.review import format_review  # noqa: E402
from newsarchive.site_build import (  # noqa: E402
    BuildFailed,
    build_site,
    extract_archive,
    holds_files_not_ours,
    one_build_at_a_time,
    output_lock,
    remove_build_leftovers,
)

SETTINGS = ROOT / "pelicanconf.py"
PUBLISH_SETTINGS = ROOT / "publishconf.py"
OUTPUT = ROOT / "output"
WATCHED = ["content", "theme", "plugins", "pelicanconf.py"]


def _init_logging(verbose: bool) -> None:
    from pelican.log import init

    init(level=logging.INFO if verbose else logging.WARNING)
    logging.getLogger("newsarchive").setLevel(logging.INFO)


def _content_overrides(content: str) -> dict[str, str]:
    folder = Path(content).resolve()
    # Keep the entity ids of a folder we were only asked to build out of that folder.
    ids = ROOT / "cache" / "entity-ids" / f"{folder.name}-{short_hash(str(folder))}.json"
    return {"PATH": str(folder), "NEWSARCHIVE_ENTITY_IDS": str(ids)}


def _build(
    settings: Path,
    output: str | None,
    content: str | None,
    verbose: bool,
    fresh: bool = False,
    extra: dict | None = None,
    wait: bool = True,
    fatal: str | None = None,
) -> None:
    if fatal not in (None, "errors", "warnings"):
        raise Exit(f"error: --fatal takes 'errors' or 'warnings', not {fatal!r}", code=2)
    _init_logging(verbose)
    overrides = {**(_content_overrides(content) if content else {}), **(extra or {})}
    if fresh:
        overrides["NEWSARCHIVE_FRESH"] = True
    try:
        report = build_site(settings, output=output or OUTPUT, overrides=overrides, wait=wait)
    except BuildFailed as error:
        print(f"error: {error}", file=sys.stderr)
        raise Exit(code=1) from None
    print(report.summary())
    logged = report.errors + (report.warnings if fatal == "warnings" else 0)
    if fatal and logged:
        # Like `pelican --fatal`, for CI; the site is built all the same, so a reader never
        # loses it over a problem that is only reported.
        raise Exit(f"error: the build logged {fatal} and --fatal {fatal} was given", code=1)


@task(
    help={
        "output": "where to write the site (default: output/)",
        "content": "build this folder of articles instead of content/",
        "verbose": "log every file Pelican writes",
        "fresh": "ignore the extraction cache (it is still refreshed)",
        "processes": "processes for finding entities (default: NEWSARCHIVE_PROCESSES or all cores)",
        "scheduler": "find entities on this Dask cluster (tcp://HOST:8786; default: "
        "NEWSARCHIVE_DASK_SCHEDULER, or none: this machine)",
        "wait": "wait for another build of the same output or cache to finish (default)",
        "fatal": "'errors' or 'warnings': exit non-zero if any were logged (as pelican --fatal)",
    }
)
def build(
    c,
    output=None,
    content=None,
    verbose=False,
    fresh=False,
    processes=None,
    scheduler=None,
    wait=True,
    fatal=None,
):
    """Build the archive into output/ (the previous output stays if the build fails)."""
    _build(
        SETTINGS,
        output,
        content,
        verbose,
        fresh,
        _where_to_extract(processes, scheduler),
        wait,
        fatal,
    )


def _where_to_extract(processes: str | None, scheduler: str | None) -> dict:
    return {
        **({"NEWSARCHIVE_PROCESSES": int(processes)} if processes else {}),
        **({"NEWSARCHIVE_DASK_SCHEDULER": scheduler} if scheduler else {}),
    }


@task(
    help={
        "content": "extract this folder of articles instead of content/",
        "processes": "processes for finding entities (default: NEWSARCHIVE_PROCESSES or all cores)",
        "scheduler": "find entities on this Dask cluster (tcp://HOST:8786; default: "
        "NEWSARCHIVE_DASK_SCHEDULER, or none: this machine)",
        "fresh": "extract every article again, cached or not",
        "wait": "wait for a build holding the cache to finish (default)",
    }
)
def extract(c, content=None, processes=None, scheduler=None, fresh=False, wait=True):
    """Fill the extraction cache without building the site (a cluster job apart from the
    build, which then finds every article cached)."""
    _init_logging(False)
    overrides = {
        **(_content_overrides(content) if content else {}),
        **_where_to_extract(processes, scheduler),
        **({"NEWSARCHIVE_FRESH": True} if fresh else {}),
    }
    try:
        report = extract_archive(SETTINGS, overrides, wait)
    except BuildFailed as error:
        print(f"error: {error}", file=sys.stderr)
        raise Exit(code=1) from None
    print(report.summary())


@task
def clean(c):
    """Remove the built site (only if newsarchive built it) and half-finished build folders."""
    with one_build_at_a_time([output_lock(OUTPUT)]):
        if holds_files_not_ours(OUTPUT):
            raise Exit(f"error: {OUTPUT} was not written by newsarchive; left as it is", code=1)
        shutil.rmtree(OUTPUT, ignore_errors=True)
        remove_build_leftovers(OUTPUT)


@task(help={"content": "build this folder of articles instead of content/"})
def rebuild(c, content=None):
    """Build from scratch, ignoring every cache; swapped in only on success, like build."""
    _build(SETTINGS, None, content, False, fresh=True)


@task(
    help={
        "output": "where to write the site (default: output/)",
        "fatal": "'errors' or 'warnings': exit non-zero if any were logged (as pelican --fatal)",
    }
)
def publish(c, output=None, fatal=None):
    """Build for deployment with publishconf.py: absolute URLs and Atom feeds."""
    _build(PUBLISH_SETTINGS, output, None, False, fatal=fatal)


@task(help={"port": "port to serve on (default 8000)", "bind": "address (default 127.0.0.1)"})
def serve(c, port=8000, bind="127.0.0.1"):
    """Serve output/ at http://127.0.0.1:8000/ until interrupted."""
    handler = partial(SimpleHTTPRequestHandler, directory=str(OUTPUT))
    with ThreadingHTTPServer((bind, int(port)), handler) as server:
        print(f"Serving {OUTPUT} at http://{bind}:{port}/ (Ctrl-C to stop)")
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()


@task(help={"port": "port to serve on (default 8000)"})
def livereload(c, port=8000):
    """Serve output/, rebuild when content, theme or settings change, and reload the browser."""
    from livereload import Server

    def rebuild_quietly() -> None:
        with contextlib.suppress(Exit):  # the error is printed; keep serving the last build
            # livereload injects an inline script, which the site's policy would block.
            _build(SETTINGS, None, None, False, extra={"CONTENT_SECURITY_POLICY": ""})

    rebuild_quietly()
    server = Server()
    for path in WATCHED:
        target = ROOT / path
        server.watch(str(target / "**" / "*") if target.is_dir() else str(target), rebuild_quietly)
    server.serve(root=str(OUTPUT), port=int(port))


@task(help={"pytest-args": "extra arguments for pytest, e.g. '-k reader'"})
def test(c, pytest_args=""):
    """Lint with ruff, run the whole test suite, then build the site and check it."""
    c.run(f"{sys.executable} -m ruff check .", pty=False)
    c.run(f"{sys.executable} -m pytest {pytest_args}", pty=False)
    _build(SETTINGS, None, None, False)
    check(c)


# The page kinds a reader meets, checked in the browser by `invoke check`.
CHECKED_PAGES = [
    "index.html",
    "archives.html",
    "timeline.html",
    "entities/all.html",
    "entities/person.html",
    "search.html?q=pipeline",
]


@task(help={"site": "the built site to check (default: output/)"})
def check(c, site=None):
    """Check a built site: links and fragments, HTML5, accessibility (axe-core), CSP."""
    from newsarchive.site_check import broken_links, browser_problems, html_errors

    folder = Path(site or OUTPUT)
    pages = [*CHECKED_PAGES, *_first(folder, "20*/*/*.html"), *_first(folder, "entity/*.html")]
    sections = {
        "broken links": broken_links(folder),
        "HTML parse errors": html_errors(folder),
        "browser (axe-core, Content-Security-Policy)": browser_problems(
            folder, pages, ROOT / "node_modules" / "axe-core" / "axe.min.js"
        ),
    }
    for name, problems in sections.items():
        print(f"{name}: {len(problems)}")
        for problem in problems[:50]:
            print(f"  {problem}")
    total = sum(len(p) for p in sections.values())
    pages_checked = len(list(folder.rglob("*.html")))
    print(f"check: {pages_checked} pages, {len(pages)} in the browser, {total} problems")
    if total:
        raise Exit(code=1)


def _first(folder: Path, pattern: str) -> list[str]:
    """The first page matching pattern that is not an index, relative to folder."""
    matches = sorted(p for p in folder.glob(pattern) if p.name != "index.html")
    return [matches[0].relative_to(folder).as_posix()] if matches else []


@task(
    help={"conll": "a CoNLL-2003 file (token POS chunk NER), e.g. ../shared/eval/conll2003/dev.txt"}
)
def eval_entities(c, conll):
    """Score entity extraction on CoNLL-2003: exact typed spans, document by document."""
    from newsarchive.evaluation import score_entities

    pipeline, raw = score_entities(Path(conll))
    for label, scores in (("spaCy alone", raw), ("newsarchive", pipeline)):
        per_type = "  ".join(f"{t}={scores.prf(t)[2]:.3f}" for t in ("PER", "ORG", "LOC"))
        p, r, f = scores.prf()
        print(f"{label:12} precision={p:.3f} recall={r:.3f} f1={f:.3f}   {per_type}")
    p, r, f = pipeline.prf()
    print(f"entities: precision={p:.3f} recall={r:.3f} f1={f:.3f}")


@task(help={"pairs": "a TSV of label<TAB>name_a<TAB>name_b (1 = same person)"})
def eval_names(c, pairs):
    """Score the transliteration-aware name matcher on labelled pairs."""
    from newsarchive.evaluation import read_pairs, score_names

    scores = score_names(read_pairs(Path(pairs)))
    print(
        f"names: accuracy={scores.accuracy:.3f} false_merges={scores.false_merges} "
        f"missed={scores.missed} proposals={scores.proposals} "
        f"proposal_precision={scores.proposal_precision:.3f}"
    )


@task(
    help={
        "groups": "a variant-groups TSV, e.g. ../shared/eval/translit/russian_variant_groups.tsv",
        "out": "where to write the pairs TSV",
    }
)
def make_name_pairs(c, groups, out):
    """Turn spelling-variant groups into labelled pairs for `invoke eval-names`."""
    from newsarchive.evaluation import pairs_from_variant_groups

    rows = pairs_from_variant_groups(Path(groups))
    with open(out, "w", encoding="utf-8") as handle:
        handle.write("label\tname_a\tname_b\n")
        handle.writelines(f"{label}\t{a}\t{b}\n" for label, a, b in rows)
    print(f"{len(rows)} pairs written to {out}")


@task(
    help={
        "content": "report on this folder of articles instead of content/",
        "format": "text (default, paged in a terminal), yaml (registry entries to paste) or csv",
        "output": "write the report to this file instead of the terminal",
        "limit": "text only: list at most this many entities per section (default: all)",
    }
)
def entities_report(c, content=None, format="text", output=None, limit=None):
    """What the machine found, most worth checking first, for editors to confirm or correct."""
    import json
    import pydoc
    import tempfile

    from newsarchive.review import review_csv, review_yaml

    formats = {
        "text": lambda review: format_review(review, int(limit) if limit else None) + "\n",
        "yaml": review_yaml,
        "csv": review_csv,
    }
    if format not in formats:
        raise Exit(f"error: --format takes {', '.join(formats)}, not {format!r}", code=2)
    _init_logging(False)
    with tempfile.TemporaryDirectory() as scratch:
        review_file = Path(scratch) / "review.json"
        overrides = {"NEWSARCHIVE_REVIEW_FILE": str(review_file)}
        if content:
            overrides.update(_content_overrides(content))
        build_site(SETTINGS, output=Path(scratch) / "site", overrides=overrides)
        review = json.loads(review_file.read_text(encoding="utf-8"))
    report = formats[format](review)
    if output:
        Path(output).write_text(report, encoding="utf-8")
        print(f"{len(review['new_entities'])} entities written to {output}")
    elif format == "text" and sys.stdout.isatty():
        pydoc.pager(report)  # $PAGER, or less: a long report can be read through
    else:
        sys.stdout.write(report)


@task(
    help={
        "gold": "gold mentions, JSON lines, e.g. "
        "../shared/eval/resolution/ecbplus_dev/gold_mentions.jsonl",
        "content": "the folder of raw articles the gold offsets refer to (<doc>.txt)",
        "site": "score this built site instead of building content (it must be built from it)",
        "output": "build into this folder and keep it (default: a temporary folder)",
        "examples": "how many of the worst splits and false merges to show (default: 10)",
    }
)
def eval_resolution(c, gold, content, site=None, output=None, examples=10):
    """Score cross-document entity resolution on gold mentions: B-cubed, splits, merges."""
    import tempfile

    from newsarchive.evaluation import evaluate_resolution, format_resolution

    with tempfile.TemporaryDirectory() as scratch:
        if site is None:
            site = output or Path(scratch) / "site"
            _build(SETTINGS, str(site), content, False)
        evaluation = evaluate_resolution(Path(gold), Path(content), Path(site))
    print(format_resolution(evaluation, int(examples)))


@task(help={"timeml": "a JSON-lines file like ../shared/eval/tempeval3/tbaq.timex.jsonl"})
def eval_dates(c, timeml):
    """Score the date tagger on TimeML DATE expressions (span overlap, then value)."""
    from newsarchive.evaluation import score_dates

    scores = score_dates(Path(timeml))
    print(
        f"{scores.predicted} dates tagged, {scores.gold} in the gold standard, "
        f"{scores.found} overlapping one, {scores.right} with the right value"
    )
    print(
        f"dates: precision={scores.precision:.3f} recall={scores.recall:.3f} "
        f"value_accuracy={scores.value_accuracy:.3f} f1={scores.f1:.3f}"
    )


@task(help={"clusters": "a JSON-lines file like ../shared/eval/ecbplus/dev.jsonl"})
def eval_related(c, clusters):
    """Score related stories on same-event clusters: precision of the top 1, 3 and 5."""
    from newsarchive.core.relate import Weights, relate
    from newsarchive.evaluation import cluster_documents, precision_at, read_clusters

    records = read_clusters(Path(clusters))
    documents = cluster_documents(records)
    text_only = precision_at(records, relate(documents, weights=Weights(1.0, 0.0, 0.0)))
    relations = relate(documents)
    combined = precision_at(records, relations)
    print(f"TF-IDF alone:   p@1={text_only[1]:.3f} p@3={text_only[3]:.3f} p@5={text_only[5]:.3f}")
    print(f"{len(documents)} documents, {relations.candidate_pairs} pairs scored "
          f"(all pairs: {len(documents) * (len(documents) - 1)})")  # fmt: skip
    print(f"related: p@1={combined[1]:.3f} p@3={combined[3]:.3f} p@5={combined[5]:.3f}")


@task(
    help={
        "sizes": "archive sizes to build, comma-separated (default: 1000,10000)",
        "corpus": "build articles from this folder (e.g. ../shared/corpora/bbc) instead",
        "runs": "runs of each warm, edited and plain build; medians are shown (default: 3)",
        "single_up_to": "also build cold on 1 process up to this size (default: 2000)",
        "search_sizes": "archive sizes for the search benchmark (default: 1000,10000,50000)",
        "only": "site or search (default: both)",
        "keep": "keep the generated archives and builds (printed at the end)",
    }
)
def bench(c, sizes="1000,10000", corpus=None, runs=3, single_up_to=2000,
          search_sizes="1000,10000,50000", only=None, keep=False):  # fmt: skip
    """Benchmarks: builds against plain Pelican, and search in Chromium (see README)."""
    sys.path.insert(0, str(ROOT))
    from bench.search_bench import run_search_bench
    from bench.site_bench import run_site_bench

    def numbers(text: str) -> list[int]:
        return [int(n) for n in str(text).split(",") if n.strip()]

    if only in (None, "site"):
        print(run_site_bench(numbers(sizes), Path(corpus) if corpus else None, int(runs), keep,
                             int(single_up_to)))  # fmt: skip
    if only in (None, "search"):
        print(run_search_bench(numbers(search_sizes), keep))
