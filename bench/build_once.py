"""One measured build, run in its own process: `python -m bench.build_once SPEC.json`.

Prints one JSON line: seconds, seconds per stage, files and bytes written.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))

PLAIN_SETTINGS = """
SITENAME = "Plain Pelican"
PATH = {content!r}
THEME = "simple"
TIMEZONE = "UTC"
PLUGINS = []
RELATIVE_URLS = True
DEFAULT_PAGINATION = 20
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
"""


def main(spec: dict) -> dict:
    from newsarchive.site_build import build_site

    logging.basicConfig(level=logging.ERROR)
    output = Path(spec["output"])
    if spec["kind"] == "plain":
        settings = output.parent / "plainconf.py"
        settings.write_text(PLAIN_SETTINGS.format(content=spec["content"]), encoding="utf-8")
        overrides = {}
    else:
        settings = ROOT / "pelicanconf.py"
        overrides = {
            "PATH": spec["content"],
            "CACHE_PATH": spec["cache"],
            "NEWSARCHIVE_ENTITY_IDS": str(Path(spec["cache"]) / "entity-ids.json"),
            "NEWSARCHIVE_PROCESSES": spec["processes"],
        }
    with ExitStack() as stack:
        if workers := spec.get("cluster_workers"):
            from distributed import LocalCluster

            # Started before the clock, as a cluster runs apart from the build.
            cluster = stack.enter_context(
                LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=":0")
            )
            overrides["NEWSARCHIVE_DASK_SCHEDULER"] = cluster.scheduler_address
        started = time.perf_counter()
        report = build_site(settings, output=output, overrides=overrides)
        seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "stages": report.stages,
        "files": report.files_written,
        "bytes": report.bytes_written,
        "articles": report.articles,
        "rendered": report.pages_rendered,
        "carried": report.pages_carried,
    }


if __name__ == "__main__":
    print(json.dumps(main(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")))))
