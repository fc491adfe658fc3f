"""Checks of a built site, as `invoke check` runs them: links, HTML, accessibility, CSP.

Every internal link and fragment must resolve; every page must parse as HTML5 without a
parse error; and in headless Chromium, axe-core must find no serious or critical
accessibility problem and no page may break its Content-Security-Policy.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import html5lib
from bs4 import BeautifulSoup

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def broken_links(site: Path) -> list[str]:
    """Internal links whose file, or whose #fragment in that file, does not exist."""
    site = site.resolve()
    ids: dict[Path, set[str]] = {}

    def ids_of(page: Path) -> set[str]:
        if page not in ids:
            soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
            ids[page] = {tag["id"] for tag in soup.find_all(id=True)}
        return ids[page]

    problems = []
    for page in _pages(site):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for element in soup.select("[href], [src]"):
            link = element.get("href") or element.get("src")
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("mailto:"):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            where = f"{page.relative_to(site)}: {link}"
            if site not in target.parents or not target.is_file():
                problems.append(f"{where} (no such file)")
            elif (
                parts.fragment
                and target.suffix == ".html"
                and unquote(parts.fragment) not in ids_of(target)
            ):
                problems.append(f"{where} (no element with that id)")
    return problems


def html_errors(site: Path) -> list[str]:
    """Pages that an HTML5 parser cannot read without a parse error."""
    problems = []
    for page in _pages(site):
        parser = html5lib.HTMLParser(strict=False)
        parser.parse(page.read_bytes())
        for position, code, data in parser.errors:
            line, column = position
            problems.append(
                f"{page.relative_to(site)}:{line}:{column}: {code} {data or ''}".rstrip()
            )
    return problems


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """The site over HTTP on a free port of this machine, for the browser."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def browser_problems(
    site: Path, pages: list[str], axe_script: Path, browser: Any = None
) -> list[str]:
    """Serious or critical axe-core violations and CSP violations on the given pages.

    Uses `browser` (a Playwright browser) if given, else launches Debian's Chromium.
    """
    if browser is not None:
        return _check_pages(site, pages, axe_script.read_text(encoding="utf-8"), browser)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            return _check_pages(site, pages, axe_script.read_text(encoding="utf-8"), launched)
        finally:
            launched.close()


def _check_pages(site: Path, pages: list[str], axe: str, browser: Any) -> list[str]:
    problems = []
    with serve(site) as base:
        for path in pages:
            context = browser.new_context()
            page = context.new_page()
            page.add_init_script(
                "window.__cspViolations = [];"
                "document.addEventListener('securitypolicyviolation', e => "
                "window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
            )
            page.goto(f"{base}/{path}")
            page.wait_for_load_state("networkidle")  # pages that fetch (search) have done so
            for violation in page.evaluate("window.__cspViolations"):
                problems.append(f"{path}: Content-Security-Policy violated: {violation}")
            # axe is added by the harness, not by the page, so the page's CSP allows it.
            page.evaluate(axe)
            results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            for violation in results["violations"]:
                if violation["impact"] in ("serious", "critical"):
                    targets = ", ".join(str(n["target"]) for n in violation["nodes"][:3])
                    what = f"{violation['impact']} {violation['id']}: {violation['help']}"
                    problems.append(f"{path}: {what} ({targets})")
            context.close()
    return problems
