"""What the site writes besides its stories, read from Pelican's settings, so that a story's
Save_as (or slug) can never replace a page, a feed or a file in one of the site's folders.

The claims themselves are settled by `core.output_paths`; this module only lists, in
Pelican's terms, which paths and folders the site reserves.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from .core.output_paths import settle_claims
from .entity_generator import DATA_FOLDER, INDEX_FOLDER
from .site_build import OUTPUT_MARKER
from .stable_pages import StablePaginator

logger = logging.getLogger(__name__)

# Path settings of the stories themselves: those are the claims, not reserved.
_STORY_KINDS = {"ARTICLE", "ARTICLE_LANG", "DRAFT", "DRAFT_LANG", "UNDATED_ARTICLE",
                "PAGE", "PAGE_LANG", "DRAFT_PAGE", "DRAFT_PAGE_LANG"}  # fmt: skip
_PERIOD_KINDS = {"YEAR_ARCHIVE", "MONTH_ARCHIVE", "DAY_ARCHIVE"}
# Where, in the generators' shared context, the stories leave the paths they hold.
CLAIMED_PATHS = "newsarchive_claimed_paths"


def _pages_of(path: str, stories: list[Any], settings: dict[str, Any]) -> list[str]:
    """`path` and, when the list is paginated, its further pages (index1.html, ...)."""
    per_page = settings["DEFAULT_PAGINATION"]
    if not per_page or len(stories) <= per_page:
        return [path]
    paginator = StablePaginator(path, path, stories, settings, per_page)
    return [paginator.page(number).save_as for number in paginator.page_range]


def site_paths(
    settings: dict[str, Any], stories: list[Any], front_page: list[Any] | None = None
) -> tuple[dict[str, str], dict[str, str]]:
    """The output paths the site writes (path -> what) and the folders it fills (folder ->
    what), for these dated `stories`; the front page lists `front_page` (default: those)."""
    paginated = settings.get("PAGINATED_TEMPLATES", {})
    lists: dict[str, tuple[str, list[Any]]] = {}
    folders: dict[str, str] = {}

    def add(path: str, what: str, listed: list[Any] | None = None) -> None:
        if path:  # an empty *_SAVE_AS: Pelican does not write that page
            lists.setdefault(path, (what, []))[1].extend(listed or [])

    for name in settings["DIRECT_TEMPLATES"]:
        listed = front_page if front_page is not None and name == "index" else stories
        add(settings.get(f"{name.upper()}_SAVE_AS", f"{name}.html"), f"the {name} page",
            listed if name in paginated else None)  # fmt: skip
    for setting, value in settings.items():
        kind = setting.removesuffix("_SAVE_AS")
        if kind == setting and not setting.endswith(("_ATOM", "_RSS")):
            continue
        if not isinstance(value, str) or not value or kind in _STORY_KINDS:
            continue
        what = (
            f"the feed {setting}"
            if kind == setting
            else f"the {kind.lower().replace('_', ' ')} page ({setting})"
        )
        if kind in _PERIOD_KINDS:
            periods: dict[str, list[Any]] = defaultdict(list)
            for story in stories:
                try:
                    periods[value.format(date=story.date)].append(story)
                except (KeyError, IndexError, ValueError):  # a placeholder Pelican fills
                    break  # differently: such pages are then not reserved
            for path, listed in periods.items():
                add(path, what, listed if "period_archives" in paginated else None)
        elif "{" in value:
            folder = value.split("{", 1)[0].rpartition("/")[0]
            if folder:
                folders[folder] = f"the folder {folder}/ of {setting}"
        else:
            add(value, what)
    beats: dict[str, list[Any]] = defaultdict(list)
    for story in stories:
        if getattr(story, "category", None) and story.category.save_as:
            beats[story.category.save_as].append(story)
    for path, listed in beats.items():
        add(path, "a beat page", listed if "category" in paginated else None)

    reserved = {OUTPUT_MARKER: "the build's marker"}
    for path, (what, listed) in lists.items():
        for page in _pages_of(path, listed, settings):
            reserved.setdefault(page, what)
    own_folders = {
        settings["SEARCH_INDEX_PATH"]: "the search index",
        INDEX_FOLDER: "the entity indexes",
        DATA_FOLDER: "the open data",
        settings["THEME_STATIC_DIR"]: "the theme's files",
        **{path: "the static files" for path in settings.get("STATIC_PATHS", ())},
    }
    return reserved, {**folders, **own_folders}


def claim_output_paths(
    stories: list[Any], settings: dict[str, Any], pages: dict[str, str] | None = None
) -> dict[str, str]:
    """Give every story that would replace a site page (`pages`: path -> what, for the
    pages read apart), a file in a site folder or an earlier story a free path of its own,
    with an error naming both. `stories` in a fixed order. Returns the paths the site and
    the stories then hold (path -> what), for the pages to keep clear of."""
    published = [s for s in stories if s.status == "published"]
    dated = [s for s in published if not getattr(s, "undated", False)]
    # An archive of undated stories only has them on its front page's pages.
    reserved, folders = site_paths(settings, dated, dated or published)
    claims = [(story.relative_source_path, story.save_as) for story in stories]
    held = _settle(stories, claims, {**(pages or {}), **reserved}, folders, "story")
    return {**reserved, **held}


def claim_page_paths(pages: list[Any], settings: dict[str, Any], claimed: dict[str, str]) -> None:
    """Give every page that would replace what the site or a story writes (`claimed`), a
    file in a site folder or an earlier page a free path of its own, with an error."""
    _, folders = site_paths(settings, [])
    claims = [(page.relative_source_path, page.save_as) for page in pages]
    _settle(pages, claims, claimed, folders, "page")


def _settle(
    contents: list[Any],
    claims: list[tuple[str, str]],
    reserved: dict[str, str],
    folders: dict[str, str],
    kind: str,
) -> dict[str, str]:
    by_key = {content.relative_source_path: content for content in contents}
    moved = settle_claims(claims, reserved, folders)
    for key, move in moved.items():
        logger.error(
            "%s: its output path %s belongs to %s; published at %s instead. "
            "Give the %s another Save_as (or slug).",
            key, move.wanted, move.owner, move.path, kind,
        )  # fmt: skip
        content = by_key[key]
        content.override_save_as = content.override_url = move.path
    held = {key: path for key, path in claims if key not in moved}
    held |= {key: move.path for key, move in moved.items()}
    return {path: f"the {kind} {key}" for key, path in held.items()}
