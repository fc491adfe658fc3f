"""Publication dates in article headers, read the same way by the raw-text and the Markdown
reader, so that a mistake gets the same message whatever the file's format."""

from __future__ import annotations

import logging
from datetime import date, datetime

from .core.read import far_future, parse_date

logger = logging.getLogger(__name__)


def checked_date(value: str, shown_path: str, line: int | None) -> datetime:
    """A header's date: refused with a message naming the file and line (ArticleFormatError),
    or warned about when it lies more than a year ahead."""
    published = parse_date(value, shown_path, line)
    if warning := far_future(published, date.today(), shown_path, line):
        logger.warning("%s", warning)
    return published
