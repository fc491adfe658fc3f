"""Read stage: a raw news file (title line, blank-line paragraphs) into a clean article.

Raw files arrive as wire services and scrapers leave them: the title may be repeated,
a summary excerpt ending in `[…]` may precede the body that repeats it, a caption in
another script may follow the title, and a dateline opens the body. Metadata may come
from a `Key: value` header block at the top or from a sidecar file.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import dateutil.parser

from .dateline import Dateline, parse_dateline
from .scripts import ScriptInfo, detect

SUMMARY_MARKERS = ("[…]", "[...]", "[&hellip;]", "[ … ]")

# Keys that make a leading `Key: value` block a header rather than a title with a colon.
HEADER_KEYS = frozenset(
    {
        "title", "date", "modified", "author", "authors", "category", "tags", "slug",
        "summary", "source", "source_url", "url", "place", "lang", "status", "byline",
    }
)  # fmt: skip

_HEADER_LINE = re.compile(r"^(?P<key>[A-Za-z][\w-]{0,40}):[ \t]*(?P<value>.*?)\s*$")
_WORD = re.compile(r"\w+")

# Two different defaults: a part missing from a date shows up as a difference.
_PROBE_DEFAULTS = (datetime(2000, 1, 1, 1, 1, 1), datetime(2001, 2, 2, 2, 2, 2))
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?")


class ArticleFormatError(ValueError):
    """A raw article that cannot be read; says where and what to do."""

    def __init__(self, source: str, line: int | None, problem: str, fix: str) -> None:
        self.source = source
        self.line = line
        self.problem = problem
        self.fix = fix
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {problem}. {fix}")


@dataclass(frozen=True)
class Field:
    value: str
    line: int  # 1-based line in the file the value came from


@dataclass(frozen=True)
class Paragraph:
    text: str
    line: int
    script: ScriptInfo


@dataclass(frozen=True)
class RawArticle:
    title: str
    title_script: ScriptInfo
    paragraphs: tuple[Paragraph, ...]
    summary: str | None  # the excerpt the file carried, or the lede
    dateline: Dateline | None
    metadata: dict[str, Field] = field(default_factory=dict)


@dataclass(frozen=True)
class _Block:
    lines: tuple[str, ...]
    line: int

    @property
    def text(self) -> str:
        return " ".join(part.strip() for part in self.lines if part.strip())


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def _blocks(lines: list[str], first_line: int) -> list[_Block]:
    blocks: list[_Block] = []
    current: list[str] = []
    start = first_line
    for number, line in enumerate(lines, start=first_line):
        if line.strip():
            if not current:
                start = number
            current.append(line)
        elif current:
            blocks.append(_Block(tuple(current), start))
            current = []
    if current:
        blocks.append(_Block(tuple(current), start))
    return blocks


def parse_fields(lines: list[str], source: str, first_line: int = 1) -> dict[str, Field]:
    """`Key: value` lines (a header block or a sidecar file) into fields keyed in lower case."""
    fields: dict[str, Field] = {}
    for number, line in enumerate(lines, start=first_line):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _HEADER_LINE.match(line)
        if not match:
            raise ArticleFormatError(
                source,
                number,
                f"metadata line {line.strip()[:60]!r} is not of the form 'Key: value'",
                "Write it as 'Key: value', or end the header with a blank line before the title",
            )
        key = match["key"].lower().replace("-", "_")
        fields[key] = Field(match["value"], number)
    return fields


def _split_header(lines: list[str], source: str) -> tuple[dict[str, Field], int]:
    """The header block's fields, and the index of the first line after it."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return {}, 0
    match = _HEADER_LINE.match(lines[first])
    if not match or match["key"].lower().replace("-", "_") not in HEADER_KEYS:
        return {}, first
    end = first
    while end < len(lines) and lines[end].strip():
        end += 1
    if end == len(lines):
        # A file of nothing but `Key: value` lines has no body: treat it as text.
        return {}, first
    return parse_fields(lines[first:end], source, first_line=first + 1), end


def _strip_summary_marker(text: str) -> str | None:
    for marker in SUMMARY_MARKERS:
        if text.endswith(marker):
            return text[: -len(marker)].rstrip()
    return None


def _is_excerpt_of(excerpt: str, following: list[_Block]) -> bool:
    """Whether the body that follows opens with `excerpt`, word for word.

    Captions in other scripts between the two are passed over, and so is a
    dateline that the full text opens with and the excerpt leaves out.
    """
    excerpt_words = _words(excerpt)
    latin = [block.text for block in following if detect(block.text).is_latin]
    if not excerpt_words or not latin:
        return False
    body_words = _words(" ".join(latin))
    dateline = parse_dateline(latin[0])
    skip = len(_words(dateline.text)) if dateline else 0
    return excerpt_words in (
        body_words[: len(excerpt_words)],
        body_words[skip : skip + len(excerpt_words)],
    )


# Copy scraped from web pages keeps HTML's numeric character references ("Pap&#233;"):
# in plain text they can only stand for their character.
_CHARACTER_REFERENCE = re.compile(r"&#(?:(\d{1,7})|[xX]([0-9a-fA-F]{1,6}));")


def _character(match: re.Match[str]) -> str:
    code = int(match[1]) if match[1] else int(match[2], 16)
    printable = 32 <= code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF
    return chr(code) if printable else match[0]


def parse_raw_article(
    text: str, source: str = "<text>", sidecar: dict[str, Field] | None = None
) -> RawArticle:
    """Parse the text of a raw news file.

    `sidecar` holds fields from a separate metadata file; the file's own header wins
    over it. Raises ArticleFormatError naming the line when there is no title or no body.
    """
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text = _CHARACTER_REFERENCE.sub(_character, text)
    lines = text.split("\n")
    header, body_start = _split_header(lines, source)
    metadata = {**(sidecar or {}), **header}

    blocks = _blocks(lines[body_start:], first_line=body_start + 1)
    if "title" in metadata:
        title = " ".join(metadata["title"].value.split())
    else:
        if not blocks:
            raise ArticleFormatError(
                source, None, "the file is empty", "Put the title on the first line, then the body"
            )
        first = blocks.pop(0)
        title = first.lines[0].strip()
        rest = first.lines[1:]
        if rest:
            blocks.insert(0, _Block(rest, first.line + 1))
    if not title:
        raise ArticleFormatError(source, None, "the title is empty", "Give the article a title")

    # A title repeated as the first line(s) of the body is scraper noise.
    while blocks and _normalise(blocks[0].lines[0]) == _normalise(title):
        head = blocks.pop(0)
        if len(head.lines) > 1:
            blocks.insert(0, _Block(head.lines[1:], head.line + 1))

    summary = None
    for index, block in enumerate(blocks[:3]):
        excerpt = _strip_summary_marker(block.text)
        if excerpt is not None and _is_excerpt_of(excerpt, blocks[index + 1 :]):
            summary = excerpt + " …"
            del blocks[index]
            break

    if not blocks:
        raise ArticleFormatError(
            source,
            body_start + 1,
            "the article has a title but no body",
            "Add the article text after a blank line below the title",
        )

    paragraphs = tuple(Paragraph(b.text, b.line, detect(b.text)) for b in blocks)
    lede = next((p for p in paragraphs if p.script.is_latin), None)
    dateline = parse_dateline(lede.text) if lede else None
    if summary is None and lede is not None:
        summary = lede.text[len(dateline.text) :].lstrip() if dateline else lede.text

    return RawArticle(
        title=title,
        title_script=detect(title),
        paragraphs=paragraphs,
        summary=summary,
        dateline=dateline,
        metadata=metadata,
    )


def _language_attributes(script: ScriptInfo) -> str:
    if script.is_latin:
        return ""
    lang = f' lang="{script.lang}"' if script.lang else ""
    return f'{lang} dir="{script.direction}"'


def render_html(article: RawArticle) -> str:
    """The body as HTML paragraphs; the dateline and other-script lines marked up."""
    lede = next((p for p in article.paragraphs if p.script.is_latin), None)
    parts = []
    for paragraph in article.paragraphs:
        body = html.escape(paragraph.text, quote=False)
        if article.dateline and paragraph is lede:
            rest = paragraph.text[len(article.dateline.text) :]
            body = (
                f'<span class="dateline">{html.escape(article.dateline.text, quote=False)}</span>'
                f"{html.escape(rest, quote=False)}"
            )
        parts.append(f"<p{_language_attributes(paragraph.script)}>{body}</p>")
    return "\n".join(parts)


EARLIEST_YEAR = 1000  # a publication date before it is a typo, not a story


def far_future(published: datetime, today: date, source: str, line: int | None) -> str | None:
    """A warning for a date more than a year after the build: most likely a typo in the
    year, and such a story would top every list of the archive until then."""
    if published.date() - today <= timedelta(days=366):
        return None
    where = f"{source}:{line}" if line else source
    return (
        f"{where}: the date {published:%Y-%m-%d} is more than a year from now, so the story "
        "heads the archive until then. Check the year"
    )


def parse_date(value: str, source: str, line: int | None) -> datetime:
    """A publication date written in full ("2016-08-22", "22 August 2016 14:30").

    A date missing its day, month or year is refused rather than completed with
    today's values, which would invent a date the article never had.
    """
    if _ISO_DATE.fullmatch(iso := value.strip()):
        # The usual header form: read directly, twenty times quicker than probing dateutil.
        try:
            written = datetime.fromisoformat(iso)
        except ValueError:  # "2016-02-30": the general path says what is wrong
            written = None
        if written is not None and written.year >= EARLIEST_YEAR:
            return written
    try:
        first = dateutil.parser.parse(value, default=_PROBE_DEFAULTS[0])
        second = dateutil.parser.parse(value, default=_PROBE_DEFAULTS[1])
    except (ValueError, OverflowError):
        first = second = None
    if first is None or (first.year, first.month, first.day) != (
        second.year,
        second.month,
        second.day,
    ):
        raise ArticleFormatError(
            source,
            line,
            f"{value!r} is not a complete date",
            "Write the date as YYYY-MM-DD (optionally with HH:MM), or remove the line "
            "to publish the article as undated",
        )
    if value.lstrip().startswith("-") or first.year < EARLIEST_YEAR:
        # dateutil reads "-0001-01-01" as year 1; paths and links of such years disagree
        raise ArticleFormatError(
            source,
            line,
            f"{value!r} is before the year {EARLIEST_YEAR}",
            "Write the year in four digits, as 2016-08-22, or remove the line to publish "
            "the article as undated",
        )
    try:
        first.utcoffset()  # dateutil accepts "+25:00"; datetime refuses it later, mid-build
    except ValueError:
        raise ArticleFormatError(
            source,
            line,
            f"the time zone offset in {value!r} is out of range",
            "Write an offset between -23:59 and +23:59 (as +03:30), or leave it out",
        ) from None
    # Parts of the time not written stay zero rather than take the probe's values.
    if (first.hour, first.minute) != (second.hour, second.minute):
        return first.replace(hour=0, minute=0, second=0, microsecond=0)
    if first.second != second.second:
        return first.replace(second=0, microsecond=0)
    return first
