"""Small pieces of markup the theme repeats on every page, as functions: a Jinja macro call
costs ten times a function call, and these are called tens of thousands of times a build."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape


def script_attributes(lang: str | None, direction: str | None) -> Markup:
    """` lang="fa" dir="rtl"` for text not in the page's script; nothing otherwise."""
    if not direction:
        return Markup("")
    return Markup(' lang="{}" dir="{}"').format(lang or "", direction)


def published(article: Any) -> Markup:
    """The publication date as a `<time>`, or "Undated"."""
    if getattr(article, "undated", False):
        return Markup('<span class="undated">Undated</span>')
    return _time_element(article.date.date().isoformat(), article.locale_date)


@lru_cache(maxsize=8192)  # a few thousand publication days, each shown on many pages
def _time_element(iso_date: str, shown: str) -> Markup:
    return Markup(f'<time datetime="{iso_date}">{escape(shown)}</time>')
