"""Shared fixtures: the sample archive built once per session, a local server, a browser."""

from __future__ import annotations

import logging
import os
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))

from newsarchive.site_build import BuildReport, build_site  # noqa: E402
from newsarchive.site_check import CHROMIUM, CHROMIUM_ARGS, serve  # noqa: E402

SETTINGS = ROOT / "pelicanconf.py"
PUBLISH_SETTINGS = ROOT / "publishconf.py"
SHARED = ROOT.parent / "shared"


def build(
    content: Path, output: Path, settings: Path = SETTINGS, wait: bool = True, **overrides
) -> BuildReport:
    """Build `content` with the project's settings and theme into `output`."""
    overrides = {"PATH": str(content), **overrides}
    return build_site(settings, output=output, overrides=overrides, wait=wait)


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def visible_text(fragment: str) -> str:
    """The text a browser shows, by the standard library's parser (not the one under test)."""
    parser = _TextOnly()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.parts)


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Path:
    """The sample archive in content/, built once with the development settings."""
    output = tmp_path_factory.mktemp("sample") / "output"
    build(ROOT / "content", output)
    return output


@pytest.fixture
def content_dir(tmp_path) -> Path:
    """An empty content folder with the pages the theme links to."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    return content


@pytest.fixture(scope="session")
def sample_server(sample_site):
    """The built sample archive served over HTTP on a free local port."""
    with serve(sample_site) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright; skipped only outside CI without one."""
    if not CHROMIUM.exists():
        if os.environ.get("NEWSARCHIVE_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing; run ./install as root to install chromium")
        pytest.skip(f"{CHROMIUM} is missing (./install installs it with apt when run as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


@pytest.fixture(autouse=True)
def _quiet_pelican():
    logging.getLogger("pelican").setLevel(logging.WARNING)
