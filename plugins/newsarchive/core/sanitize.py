"""Article HTML made safe to publish: what Markdown lets through (scripts, event handlers,
`javascript:` links, frames) is removed; the text a reader sees stays the same."""

from __future__ import annotations

from urllib.parse import urlsplit

import nh3

ALLOWED_TAGS = frozenset(
    """
    a abbr b blockquote br caption cite code dd del dfn div dl dt em figcaption figure h2 h3
    h4 h5 h6 hr i img ins kbd li mark ol p pre q s samp small span strong sub sup table tbody
    td tfoot th thead time tr u ul
    """.split()
)
_COMMON = {"class", "lang", "dir", "title", "id"}
ALLOWED_ATTRIBUTES = {
    "*": _COMMON,
    "a": _COMMON | {"href"},
    "img": _COMMON | {"src", "alt", "width", "height"},
    "time": _COMMON | {"datetime"},
    "td": _COMMON | {"colspan", "rowspan"},
    "th": _COMMON | {"colspan", "rowspan", "scope"},
    "blockquote": _COMMON | {"cite"},
    "q": _COMMON | {"cite"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def clean_html(fragment: str) -> str:
    """The fragment with only safe tags, attributes and link schemes left."""
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener",
        strip_comments=True,
    )


def is_web_address(url: str) -> bool:
    """An absolute http(s) address: the only kind published as a link to a story's source
    (never javascript:, data: or file:)."""
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def is_site_path(url: str) -> bool:
    """A path inside the site ("2024/05/story.html"): no scheme, no host, no `..` step."""
    parts = urlsplit(url.strip())
    steps = parts.path.split("/")
    return not (parts.scheme or parts.netloc or url.strip().startswith("/") or ".." in steps)
