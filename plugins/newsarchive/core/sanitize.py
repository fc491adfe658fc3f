"""Article HTML made safe to publish: what Markdown lets through (scripts, event handlers,
`javascript:` links, frames) is removed; the text a reader sees stays the same."""

from __future__ import annotations

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
