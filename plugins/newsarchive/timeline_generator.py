"""Writes the timeline page: what the archive mentions, by month and year."""

from __future__ import annotations

from typing import Any

from pelican.generators import Generator

from . import timings
from .core.dates import describe
from .core.publish import timeline


class TimelineGenerator(Generator):
    def generate_output(self, writer: Any) -> None:
        with timings.timed("timeline"):
            self._write_timeline(writer)

    def _write_timeline(self, writer: Any) -> None:
        articles = [*self.context.get("articles", []), *self.context.get("undated_articles", [])]
        by_key = {a.relative_source_path: a for a in articles}
        months = timeline(
            {key: getattr(a, "mentioned_dates", []) for key, a in by_key.items()}, describe
        )
        save_as = self.settings["TIMELINE_SAVE_AS"]
        writer.write_file(
            save_as,
            self.get_template("timeline"),
            self.context,
            relative_urls=self.settings["RELATIVE_URLS"],
            timeline_months=months,
            timeline_articles=by_key,
            url=self.settings["TIMELINE_URL"],
            page_name="timeline",
        )
