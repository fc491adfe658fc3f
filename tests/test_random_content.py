"""Property test: any small folder of content, however broken, builds into a sound site.

Random files (raw and Markdown articles with random headers and metadata, random bytes,
other encodings) and a random registry: the build always finishes, every story written
to be readable is published, nothing outside the output folder changes, and the site's
links and HTML pass `invoke check`'s checks."""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml
from conftest import build
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from newsarchive.site_build import output_lock
from newsarchive.site_check import broken_links, html_errors

WORDS = st.sampled_from(
    ["Qaragol", "Zarkhan", "bridge", "opens", "minister", "Ann Example", "the", "ZPA", "2-1",
     "(U.S.)", "Bank of Qaragol", "«квота»", "جاگارین", "<b>", "&amp;", "--", "index", "..",
     "Save_as:", "\t", "🙂", "x" * 300]
)  # fmt: skip
TEXT = st.lists(WORDS, min_size=1, max_size=12).map(" ".join)
DATES = st.sampled_from(
    ["2024-05-08", "2024-05-08 14:10", "8 May 2024", "2024-02-30", "May 2024", "tomorrow",
     "0000-01-01", "-0001-01-01", "9999-12-31", "2024-05-08 14:10 +25:00", ""]
)  # fmt: skip
FIELDS = st.dictionaries(
    st.sampled_from(["Date", "Category", "Tags", "Slug", "Save_as", "Summary", "Source_URL",
                     "Template", "Status", "Lang", "Author", "Title"]),
    st.one_of(DATES, TEXT, st.sampled_from(["index.html", "../../x", "javascript:alert(1)",
                                            "search/manifest.json", "hidden", "draft"])),
    max_size=5,
)  # fmt: skip
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"])


@st.composite
def random_file(draw: st.DrawFn) -> tuple[str, bytes]:
    """(file name, bytes): a raw or Markdown story with random fields, or noise."""
    kind = draw(st.sampled_from(["raw", "markdown", "bytes"]))
    if kind == "bytes":
        return draw(st.sampled_from(["junk.txt", "junk.md", "junk.meta"])), draw(
            st.binary(max_size=300)
        )
    fields = draw(FIELDS)
    header = "".join(f"{key}: {value}\n" for key, value in fields.items())
    title, body = draw(TEXT), "\n\n".join(draw(st.lists(TEXT, min_size=1, max_size=4)))
    if kind == "raw":
        text = (header + "\n" if header else "") + f"{title}\n\n{body}\n"
        name = "story.txt"
    else:
        text = f"Title: {title}\n{header}\n{body}\n"
        name = "story.md"
    encoding = draw(ENCODINGS)
    return name, text.encode(encoding, errors="replace")


REGISTRY = st.one_of(
    st.binary(max_size=200),
    st.lists(
        st.dictionaries(
            st.sampled_from(
                [
                    "name",
                    "kind",
                    "aliases",
                    "id",
                    "merges",
                    "alias",
                    "links",
                    "wikidata",
                    "case_sensitive",
                ]
            ),
            st.one_of(
                TEXT,
                st.sampled_from(["person", "persn", "place", "Q42", "us", "the"]),
                st.lists(TEXT, max_size=3),
            ),
            max_size=5,
        ),
        max_size=4,
    ).map(lambda entities: yaml.safe_dump({"entities": entities}, allow_unicode=True).encode()),
)

# Stories written to be readable: each must be published, whatever surrounds it.
READABLE = {
    "fine-raw.txt": "Date: 2024-05-08\n\nHarbour crane arrives\n\nA new crane came to Qaragol.\n",
    "fine-md.md": "Title: Ferry timetable changes\nDate: 2024-05-09\n\nThe ferry leaves later.\n",
    "fine-undated.txt": "Weavers meet\n\nThe Qaragol Weavers Guild met on Tuesday.\n",
}


def tree(folder: Path, leave_out: set[Path]) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not any(p.is_relative_to(skip) for skip in leave_out)
    }


# No shrinking: each example is a whole build, and a failing one is printed as found.
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True,
          phases=[Phase.explicit, Phase.reuse, Phase.generate])  # fmt: skip
@given(
    files=st.lists(random_file(), min_size=1, max_size=6),
    registry=REGISTRY,
    folders=st.lists(st.sampled_from(["", "2024/", "sport/", "pages/"]), min_size=6, max_size=6),
)
def test_any_content_folder_builds_a_sound_site_and_touches_nothing_else(
    tmp_path_factory, files, registry, folders
):
    root = tmp_path_factory.mktemp("random")
    content, output, cache = root / "content", root / "out", root / "cache"
    content.mkdir()
    for index, ((name, data), folder) in enumerate(zip(files, folders, strict=False)):
        path = content / folder / f"{index}-{name}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    for name, text in READABLE.items():
        (content / name).write_text(text, encoding="utf-8")
    (content / "registry.yaml").write_bytes(registry)
    ours = {output, cache, output_lock(output)}  # the build's own: its output, cache and lock
    before = tree(root, ours)

    report = build(content, output, CACHE_PATH=str(cache),
                   NEWSARCHIVE_ENTITY_IDS=str(cache / "ids.json"))  # fmt: skip

    assert tree(root, ours) == before, "the build changed a file outside its output"
    pages = "".join(p.read_text(encoding="utf-8") for p in output.rglob("*.html"))
    for title in ("Harbour crane arrives", "Ferry timetable changes", "Weavers meet"):
        assert f">{title}<" in pages, f"{title!r} was not published"
    assert report.articles >= len(READABLE)
    assert broken_links(output) == []
    assert html_errors(output) == []
