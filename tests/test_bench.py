"""The benchmark's generated archive: deterministic, and shaped like a news archive."""

from __future__ import annotations

import re
import sys
from collections import Counter

from conftest import ROOT

sys.path.insert(0, str(ROOT))

from bench.archive import ArchiveGenerator, write_archive


def test_the_same_seed_writes_the_same_archive(tmp_path):
    write_archive(tmp_path / "a", 60)
    write_archive(tmp_path / "b", 60)
    a = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*.md")}
    b = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*.md")}
    assert len(a) == 60 and a == b


def test_articles_have_datelines_relative_dates_and_names_in_several_spellings():
    generator = ArchiveGenerator(seed=1)
    articles = list(generator.articles(300))
    assert all(re.match(r"^[A-Z ]+ \([A-Za-z]+\) – ", a.paragraphs[0]) for a in articles)
    text = "\n".join("\n".join(a.paragraphs) for a in articles)
    assert re.search(
        r"\b(last week|yesterday|on (Monday|Tuesday|Wednesday|Thursday|Friday))\b", text
    )
    spelled = [s for p in generator.people for s in p.spellings[1:] if s in text]
    assert len(spelled) > 20  # people appear under their other spellings too
    stories = Counter(tuple(a.names) for a in articles)
    assert max(stories.values()) >= 3  # storylines continue over several articles
