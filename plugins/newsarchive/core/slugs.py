"""Slugs: readable, stable and unique URL names for articles in any script."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from slugify import slugify

MAX_SLUG_LENGTH = 80


def short_hash(text: str, length: int = 8) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def make_slug(title: str, stable_key: str) -> str:
    """A slug from the title, transliterated to ASCII ("لوان جاگارین" -> "lwn-jgryn").

    A title with no letters or digits to transliterate (emoji, punctuation) gets
    `article-<hash of stable_key>`, so it still has a working, stable URL.
    """
    slug = slugify(title, max_length=MAX_SLUG_LENGTH, word_boundary=True)
    return slug or f"article-{short_hash(stable_key)}"


@dataclass(frozen=True)
class SlugClaim:
    key: str  # what identifies the article for good: its source path
    slug: str
    published: date | None


def deduplicate(claims: Iterable[SlugClaim]) -> dict[str, str]:
    """Give every claim a unique slug: key -> slug.

    Among articles that want the same slug, the earliest published (then the first
    source path) keeps it; each other gets its date appended, or a hash of its source
    path where that is taken too (two on one day) or there is no date. The result
    depends only on the claims, never on the order they come in, and adding a newer
    article never moves an older one.
    """
    by_slug: dict[str, list[SlugClaim]] = defaultdict(list)
    for claim in claims:
        by_slug[claim.slug].append(claim)

    taken = set(by_slug)
    result: dict[str, str] = {}
    for slug in sorted(by_slug):
        group = sorted(by_slug[slug], key=lambda c: (c.published or date.max, c.key))
        result[group[0].key] = slug
        for claim in group[1:]:
            candidate = f"{slug}-{claim.published.isoformat()}" if claim.published else None
            if candidate is None or candidate in taken:
                candidate = f"{slug}-{short_hash(claim.key, 6)}"
            taken.add(candidate)
            result[claim.key] = candidate
    return result
