"""Writes the timeline: an index of months, and a page a month listing the dates the archive
mentions with the stories that mention them (one page would grow with the whole archive)."""

from __future__ import annotations

from typing import Any

from pelican.generators import Generator

from . import timings
from .core.dates import describe
from .core.publish import TimelineMonth, timeline


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
        month_urls = {month.slug: self._month_url(month, "TIMELINE_MONTH_URL") for month in months}
        self._write(
            writer,
            "timeline",
            self.settings["TIMELINE_SAVE_AS"],
            self.settings["TIMELINE_URL"],
            timeline_months=months,
            timeline_month_urls=month_urls,
        )
        for index, month in enumerate(months):  # newest first
            self._write(
                writer,
                "timeline_month",
                self._month_url(month, "TIMELINE_MONTH_SAVE_AS"),
                month_urls[month.slug],
                timeline_month=month,
                timeline_newer=months[index - 1] if index > 0 else None,
                timeline_older=months[index + 1] if index + 1 < len(months) else None,
                timeline_month_urls=month_urls,
                # Only this month's stories, so that a page changes only with them.
                timeline_articles={
                    key: by_key[key] for point in month.points for key in point.article_keys
                },
            )

    def _month_url(self, month: TimelineMonth, setting: str) -> str:
        return self.settings[setting].format(slug=month.slug)

    def _write(self, writer: Any, template: str, save_as: str, url: str, **values: Any) -> None:
        writer.write_file(
            save_as,
            self.get_template(template),
            self.context,
            relative_urls=self.settings["RELATIVE_URLS"],
            url=url,
            page_name="timeline",
            **values,
        )
