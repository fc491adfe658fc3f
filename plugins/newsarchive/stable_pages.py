"""Lists of stories in pages that keep their stories: counted from the oldest story.

Pelican cuts a list from its newest story: page 2 is always the 21st to 40th newest, so
a new story moves one story onto every further page, and each of them must be rendered
again (some 600 pages of a 10,000-story archive, for a story added). Here every page but
the first holds a fixed block of `per_page` stories counted from the oldest: block 1 is
the oldest stories, at `index1.html` (with Pelican's default PAGINATION_PATTERNS). The
first page (`index.html`) holds the newest full block and the newer stories not yet a
block of their own, so between `per_page` and twice that less one. A story added as the
newest changes the first page alone (and the link to it from the next), and, once a block
fills, adds the page for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pelican.paginator import Page, Paginator


class StablePage(Page):
    """A page of a `StablePaginator`: `number` is its block's, counted from the oldest
    (the first page's is that of the newest full block, which it holds); the page's place in
    the list, newest first, decides which page is next, and which PAGINATION_PATTERNS rule
    applies."""

    def __init__(self, place: int, bottom: int, top: int, number: int, paginator: Any) -> None:
        listed = paginator.object_list[bottom:top]
        super().__init__(paginator.name, paginator.url, listed, number, paginator,
                         paginator.settings)  # fmt: skip
        self.place = place
        self._bounds = (bottom, top)

    def has_next(self) -> bool:
        return self.place < self.paginator.num_pages

    def has_previous(self) -> bool:
        return self.place > 1

    def start_index(self) -> int:
        return self._bounds[0] + 1 if self.paginator.count else 0

    def end_index(self) -> int:
        return self._bounds[1]

    def _from_settings(self, key: str) -> Any:
        # Pelican picks the pattern by `number`; here by the place, so that the first
        # page is `index.html` and the others are named by their block.
        rule = _rule(self.settings["PAGINATION_PATTERNS"], self.place, not self.has_next())
        if rule is None:
            return ""
        text = getattr(rule, key)
        if not isinstance(text, str):
            return text
        text = text.format(save_as=self.full_name, url=self.base_url, name=self.name,
                           base_name=self.base_name, extension=self.extension,
                           number=self.number)  # fmt: skip
        return text[1:] if text.startswith("/") else text  # as Pelican: one leading slash

    url = property(lambda self: self._from_settings("URL"))
    save_as = property(lambda self: self._from_settings("SAVE_AS"))


def _rule(patterns: list[Any], place: int, last: bool) -> Any:
    """Pelican's choice of pattern: the one for the last page (-1) if it is, else the
    last whose first page the place reaches."""
    chosen = None
    for pattern in patterns:
        if pattern.min_page == -1:
            if last:
                return pattern
        elif pattern.min_page <= place:
            chosen = pattern
    return chosen


class StablePaginator(Paginator):
    """Pelican's Paginator, cutting the list (newest first) into blocks from its end."""

    def __init__(self, name: str, url: str, object_list: list[Any], settings: dict[str, Any],
                 per_page: int | None = None) -> None:  # fmt: skip
        super().__init__(name, url, object_list, settings, per_page)
        self.orphans = 0  # the first page takes what is not yet a block
        self.blocks = len(object_list) // self.per_page if self.per_page else 0

    @property
    def num_pages(self) -> int:
        return max(1, self.blocks)

    def page(self, number: int) -> StablePage:
        """The page at this place in the list, 1 being the first (newest) page."""
        count = self.count
        if number == 1:
            top = count - (self.num_pages - 1) * self.per_page
            return StablePage(1, 0, top, self.num_pages, self)
        block = self.num_pages - number + 1  # from the oldest
        bottom = count - block * self.per_page
        return StablePage(number, bottom, bottom + self.per_page, block, self)


def paginated_pages(
    name: str, url: str, lists: dict[str, list[Any]], per_page: int, settings: dict[str, Any]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each page's output path and what it adds to the context (`articles_page`,
    `articles_paginator`, `articles_previous_page`, ...), as Pelican's writer gives them,
    for the lists (one list in different orders, `articles` and `dates`)."""
    paginators = {key: StablePaginator(name, url, listed, settings, per_page)
                  for key, listed in lists.items()}  # fmt: skip
    places = next(iter(paginators.values())).num_pages
    for place in range(1, places + 1):
        added: dict[str, Any] = {}
        for key, paginator in paginators.items():
            page = paginator.page(place)
            added |= {
                f"{key}_paginator": paginator,
                f"{key}_page": page,
                f"{key}_previous_page": paginator.page(place - 1) if place > 1 else None,
                f"{key}_next_page": paginator.page(place + 1) if place < places else None,
            }
        yield added[f"{next(iter(paginators))}_page"].save_as, added
