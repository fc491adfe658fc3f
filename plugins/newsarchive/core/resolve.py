"""Resolve stage: mentions into entities, first within an article, then across the archive.

Within an article: names cleaned of titles and determiners, overlaps settled (registry
first), "Qassemi" resolved to the "Bahram Qassemi" mentioned before, every later
occurrence of a known name found. Across the archive: spellings of one name clustered
(transliteration-aware, compared only within blocking keys so cost stays near-linear),
acronyms joined to their long forms, kinds decided by vote, and the registry always wins.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import product

from .acronyms import COMMON_ACRONYMS, form_key, initials, is_acronym, undotted
from .clean_names import (
    COURTESY_TITLE,
    JOINING_WORDS,
    PERSON_SUFFIXES,
    ROLE_WORDS,
    clean_mention,
    is_demonym,
    is_table_line,
    mention_parts,
    nickname_of,
)
from .dateline import dateline_line_places
from .extract import Extraction, Mention, is_in_capitals, lower_same_length, names_a_country
from .gazetteer import country_names, place_names
from .names import (
    blocking_key,
    fold,
    name_tokens,
    names_match,
    proposed_merge,
    skeleton,
    skeletons,
    spelling_likeness,
)
from .registry import Registry, RegistryEntity
from .scripts import char_script, detect
from .slugs import make_slug
from .spans import SpanSet
from .tables import grounds, row_names, scorecard_people

ORGANISATION_WORDS = frozenset(
    """
    agency airlines association authority bank board bureau club commission committee
    company corporation council court department federation festival front fund group
    institute league market ministry movement museum organisation organization party police
    press service society stadium union university
    """.split()
)
PLACE_WORDS = frozenset(
    """
    lake mount mountains river sea bay gulf cape island islands port fort new north south
    east west central upper lower republic kingdom state states province city county
    district region square street avenue road bridge valley desert
    """.split()
)
# Overlapping mentions: the first origin here wins. The gazetteer only fills gaps,
# since a city's name is often its team's ("Leicestershire beat Somerset").
PRIORITY = {"registry": 0, "dateline": 1, "definition": 2, "ner": 3, "gazetteer": 4}


@dataclass(frozen=True)
class NamedMention:
    start: int
    end: int
    name: str  # what the article calls it in full: "Bahram Qassemi" for "Qassemi"
    kind: str
    entity_id: str | None = None  # known from the registry already


@dataclass(frozen=True)
class ArticleNames:
    mentions: tuple[NamedMention, ...]
    equivalences: tuple[tuple[str, str], ...] = ()  # (name, alias) the text declares equal
    ambiguous: tuple[tuple[str, tuple[str, ...]], ...] = ()  # surname, the full names it fits
    # (short form, full name) the article used for an organisation: "Academy" for the
    # "Academy of Motion Picture Arts and Sciences"; evidence for the other articles.
    short_forms: tuple[tuple[str, str], ...] = ()


@lru_cache(maxsize=1 << 17)  # a million calls at 10k articles, over a few thousand names
def normalise(name: str) -> str:
    return " ".join(name.split()).casefold()


def _line_of(text: str, start: int) -> str:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    return text[line_start : line_end if line_end != -1 else len(text)]


def _clean(
    mention: Mention,
    registry: Registry,
    names: Mapping[str, RegistryEntity],
    table_at: Callable[[int], bool],
) -> list[NamedMention]:
    """The names a mention holds, each cleaned of what is not its name."""
    if mention.origin == "registry":
        entity = names[mention.entity_id]
        return [NamedMention(mention.start, mention.end, entity.name, entity.kind, entity.id)]
    if registry.is_not_entity(mention.text):
        return []
    names_in = _names_in(mention.text, mention.kind, table_at(mention.start))
    return [
        NamedMention(mention.start + start, mention.start + end, name, kind)
        for start, end, name, kind, written in names_in
        if not registry.is_not_entity(written)
    ]


def _table_lines(text: str) -> Callable[[int], bool]:
    """Whether the line at a position is a line of results, each line looked at once."""
    known: dict[int, bool] = {}

    def table_at(position: int) -> bool:
        line_start = text.rfind("\n", 0, position) + 1
        if line_start not in known:
            known[line_start] = is_table_line(_line_of(text, position))
        return known[line_start]

    return table_at


@lru_cache(maxsize=65536)  # an archive writes the same names again and again
def _names_in(text: str, kind: str, table: bool) -> tuple[tuple[int, int, str, str, str], ...]:
    """(start, end, name, kind, as written) of each name in a mention's `text`, offsets
    relative to it; `table` if the mention is on a line of results."""
    found = []
    for part, start in mention_parts(text, 0, kind, table=table):
        part_kind = "person" if COURTESY_TITLE.match(part) else kind
        clean = clean_mention(part, start, part_kind)
        if clean is not None:
            name = " ".join(clean.text.split())
            found.append((clean.start, clean.end, name, part_kind, clean.text))
    return tuple(found)


_NUMBER = re.compile(r"^\d+(?:[-.:/]\d+)*$")


# Words only sports reports use often; four of them make an article a sports report.
_SPORTS_WORDS = frozenset(
    """
    innings wickets wicket batting bowled goal goals striker midfielder halftime penalty
    league cup championship tournament seeded semifinal quarterfinal final match matches
    beat drew draw scored season coach referee stadium runs points title
    """.split()
)
_AFTER_AT = re.compile(r"\b(?:at|in|to|from|near)\s+(?:the\s+)?$", re.IGNORECASE)


def is_sports_report(text: str) -> bool:
    return len(_SPORTS_WORDS & set(re.findall(r"[a-z]+", text.casefold()))) >= 4


def _team_in_results(text: str, named: NamedMention, sports: bool) -> NamedMention:
    """In a sports report or a results line a town or county is its team ("Leicestershire
    beat Somerset", "Kent 301"), unless it is where the match is played ("at Leicester")
    or the dateline; a country is its national side, named as a place."""
    if named.kind not in ("place", "person") or named.entity_id:
        return named
    line = _line_of(text, named.start)
    if not (sports or is_table_line(line)) or named.name in country_names():
        return named
    opens_line = line.startswith(text[named.start : named.end])
    dateline = (opens_line and named.name.isupper()) or dateline_line_places(line)
    if dateline or _AFTER_AT.search(text, max(0, named.start - 12), named.start):
        return named
    town = named.name in place_names() or named.name.endswith(("shire", "sex"))
    if named.kind == "person" and not town:
        return named
    return NamedMention(named.start, named.end, named.name, "organization", None)


def _contains_registry_names(named: NamedMention, others: list[NamedMention]) -> bool:
    return named.kind != "person" and all(
        other.entity_id and named.start <= other.start and other.end <= named.end
        and other.end - other.start < named.end - named.start
        for other in others
    )  # fmt: skip


def _looks_like_a_personal_name(name: str, kind: str) -> bool:
    """A person, or two or three capitalised words that name no organisation or place.

    The model calls some people places; their surnames still belong to them.
    """
    if kind == "person":
        return True
    words = name.split()
    return (
        2 <= len(words) <= 3
        and all(w[:1].isupper() for w in words)
        and not {w.casefold() for w in words} & (ORGANISATION_WORDS | PLACE_WORDS)
    )


_GIVEN_NAME = re.compile(r"(?:^|(?<=[^.!?\n] ))([A-Z][a-z]+) $")


def _with_given_name(text: str, named: NamedMention) -> NamedMention:
    """ "spokeswoman Leyla Ghaffari" tagged as "Ghaffari": take in the given name before it."""
    if " " in named.name:
        return named
    match = _GIVEN_NAME.search(text, max(0, named.start - 40), named.start)
    if match is None or match.start(1) == 0 or match.group(1).casefold() in ROLE_WORDS:
        return named
    start = match.start(1)
    clean = clean_mention(text[start : named.end], start, named.kind)
    if clean is None or clean.start != start:
        return named  # "The Boxer", "Mr Brown": no given name before it
    return NamedMention(start, named.end, text[start : named.end], named.kind, named.entity_id)


def _surname(tokens: list[str]) -> str:
    """The last token that is not "Jr" or "III"."""
    named = [t for t in tokens if t.casefold().rstrip(".") not in PERSON_SUFFIXES]
    return (named or tokens)[-1]


def _team_short_forms(name: str) -> list[str]:
    """ "Boston Red Sox": "Red Sox" and "Sox"; a team or company named after the place
    that opens its name is called by the words after it."""
    words = name.split()
    for cut in range(len(words) - 1, 0, -1):
        if " ".join(words[:cut]) in place_names():
            rest = words[cut:]
            if {w.casefold() for w in rest} & (ORGANISATION_WORDS | JOINING_WORDS):
                return []
            return [" ".join(rest[i:]) for i in range(len(rest))]
    return []


def _name_prefixes(name: str) -> list[str]:
    """ "Academy of Motion Picture Arts and Sciences": "Academy"; "Morningside Recovery
    Center": "Morningside", "Morningside Recovery". A prefix that is a place, or ends in a
    joining or place word, stands for something else ("Boston", "New"); so does one
    before a plural ("Academy" of the "Academy Awards")."""
    words = name.split()
    prefixes = []
    for cut in range(1, len(words)):
        head = words[:cut]
        last = head[-1].casefold()
        if last in JOINING_WORDS or last in PLACE_WORDS or not head[-1][:1].isupper():
            continue
        prefix = " ".join(head)
        named_after = re.search(r"[^s]s$", words[cut])  # the "Academy Awards" are no academy
        if prefix not in place_names() and not is_demonym(head[0].casefold()) and not named_after:
            prefixes.append(prefix)
    return prefixes


# "Kimani (Kiki) Gray" read as "Kimani" and "Gray": the nickname bridges one name.
_NICKNAME_BRIDGE = re.compile(
    r"[ \t]+[\"“'‘(][ \t]*(?P<nickname>[A-Z][\w.-]{0,20})[ \t]*[\"”'’)][ \t]+[A-Z][\w'’-]+"
)


# Scripts whose words stand apart: in them a name ends where a word does. Not Chinese or
# Japanese (no spaces), nor Arabic or Hebrew, which join "and", "in" or "the" to the next
# word: a name may begin inside what the spaces delimit there.
_WORDS_APART = frozenset({"LATIN", "DIGIT", "CYRILLIC", "GREEK", "ARMENIAN", "GEORGIAN"})
_NOT_SPACE = re.compile(r"\S+")


def _inside_a_word(text: str, position: int) -> bool:
    """Whether `position` falls between two letters or digits of one word."""
    if not 0 < position < len(text):
        return False
    return all(
        c.isalnum() and char_script(c) in _WORDS_APART for c in text[position - 1 : position + 1]
    )


def _whole_words(text: str, mention: Mention) -> Mention | None:
    """The whole words of a mention that begins or ends inside a word: "Isle of Man" of
    "Isle of Man 3" in "Isle of Man 3G" (the model split "3G" in two); None if no whole
    word is left."""
    cut_first = int(_inside_a_word(text, mention.start))
    cut_last = int(_inside_a_word(text, mention.end))
    if not cut_first and not cut_last:
        return mention
    words = [w.span() for w in _NOT_SPACE.finditer(text, mention.start, mention.end)]
    words = words[cut_first : len(words) - cut_last]
    if not words:
        return None
    start, end = words[0][0], words[-1][1]
    return Mention(start, end, text[start:end], mention.kind, mention.origin, mention.entity_id)


def _across_nickname(text: str, mention: Mention) -> Mention:
    """ "Kimani (Kiki) Gray" is one name; "Anton Brodsky (Norway) Kellan Cycling", with a
    country in brackets, is a rider, his country and his team."""
    bridge = _NICKNAME_BRIDGE.match(text, mention.end) if text else None
    if (
        mention.kind != "person"
        or mention.origin != "ner"
        or bridge is None
        or names_a_country(bridge["nickname"])
    ):
        return mention
    end = bridge.end()
    return Mention(mention.start, end, text[mention.start : end], "person", mention.origin)


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """A crude stem, enough to see "Kills" in "killed" and "Rules" in "rule"."""
    word = word.casefold()
    for ending in ("ing", "ed", "s"):
        if word.endswith(ending) and len(word) > len(ending) + 2:
            word = word[: -len(ending)]
            break
    return word.removesuffix("e")


@lru_cache(maxsize=4096)  # asked for each name on the line
def _is_headline(line: str) -> bool:
    words = [w for w in line.split() if w[:1].isalpha()]
    return len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.7 * len(words)


def _without_headline_words(text: str, named: NamedMention, lower_stems: set[str]) -> NamedMention:
    """ "Yvonne Hiller Kills Two": in a line in title case, a word the article writes in
    lower case elsewhere ("killed") is no part of a name next to it."""
    if named.entity_id or " " not in named.name or not _is_headline(_line_of(text, named.start)):
        return named
    written = text[named.start : named.end]
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", written)]

    def trimmed(i: int, neighbour: int) -> bool:
        # A joining word left at the edge ("of America" of "Bank of America") ends it.
        start, end = words[i]
        after = written[words[neighbour][0] : words[neighbour][1]]
        return (
            _stem(written[start:end]) in lower_stems
            and after[0].isupper()
            and after.casefold() not in JOINING_WORDS
        )

    first, last = 0, len(words)
    while last - first > 1 and trimmed(last - 1, last - 2):
        last -= 1
    while last - first > 1 and trimmed(first, first + 1):
        first += 1
    if (first, last) == (0, len(words)):
        return named
    start, end = named.start + words[first][0], named.start + words[last - 1][1]
    return NamedMention(start, end, " ".join(text[start:end].split()), named.kind)


# A batting line ("A. Brodsky c Tallis b Ormsby 56") is a line of a scorecard too.
_ENDS_IN_A_SCORE = re.compile(r"\s\d+\s*$")


def _shifted(spans: list[tuple[int, int]], offset: int) -> list[tuple[int, int]]:
    return [(start + offset, end + offset) for start, end in spans]


def _names_in_tables(
    text: str, kept: list[NamedMention], lower_words: set[str]
) -> list[NamedMention]:
    """Lines of results and tables read by their layout (see tables.py): a player written
    as initials and a surname is a person, a ground before a colon a place, and the names
    that head rows or follow scores are all of the kind most of them have, except
    countries, which stay places."""
    people: list[tuple[int, int]] = []
    rows: list[tuple[int, int]] = []
    places: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        table = is_table_line(line[0])
        if table or _ENDS_IN_A_SCORE.search(line[0]):
            people += _shifted(scorecard_people(line[0]), line.start())
        if table:
            rows += _shifted(row_names(line[0], lower_words), line.start())
            places += _shifted(grounds(line[0], lower_words), line.start())
    rows = [
        (start, end) for start, end in rows if not any(s < end and start < e for s, e in people)
    ]
    at = {(n.start, n.end): n for n in kept}
    countries = country_names()
    votes = Counter(at[span].kind for span in rows if span in at and at[span].name not in countries)
    found = [(start, end, "person") for start, end in people]
    found += [(start, end, "place") for start, end in places]
    if votes:
        # The model knows most people in a table and few teams: where it names under
        # half the rows, they are teams.
        majority = votes.most_common(1)[0][0]
        row_kind = majority if votes.total() * 2 >= len(rows) else "organization"
        found += [(s, e, "place" if text[s:e] in countries else row_kind) for s, e in rows]
    if not found:
        return kept
    registry_spans = SpanSet()
    for named in kept:
        if named.entity_id:
            registry_spans.add(named.start, named.end)
    replaced = SpanSet()
    added = []
    for start, end, kind in found:
        clean = clean_mention(text[start:end], start, kind)
        if clean is not None and not registry_spans.overlaps(clean.start, clean.end):
            added.append(NamedMention(clean.start, clean.end, " ".join(clean.text.split()), kind))
            replaced.add(clean.start, clean.end)
    kept = [n for n in kept if n.entity_id or not replaced.overlaps(n.start, n.end)]
    return sorted(kept + added, key=lambda n: n.start)


def _capitals_lines_read_by_the_body(text: str, kept: list[NamedMention]) -> list[NamedMention]:
    """ "KELLAN ROVERS SINK ORVALE": in a line in capitals every word looks like a name,
    so what the model finds there is a guess. The names in such a line are those the rest
    of the article writes in mixed case (a person also by surname), of the kind they have
    there; the registry's are kept as found."""
    lines = [
        line.span()
        for line in re.finditer(r"[^\n]+", text)
        if is_in_capitals(line.group(0))
        and not is_table_line(line.group(0))
        and not dateline_line_places(line.group(0))
    ]
    if not lines:
        return kept
    starts = [start for start, _ in lines]

    def in_capitals(named: NamedMention) -> bool:
        index = bisect_right(starts, named.start) - 1
        return index >= 0 and named.start < lines[index][1]

    body = [n for n in kept if not in_capitals(n)]
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    names: dict[str, str] = {}
    for named in body:
        key = lower_same_length(text[named.start : named.end])
        kinds[key][named.kind] += 1
        names.setdefault(key, named.name)
    surnames: dict[str, set[str]] = defaultdict(set)
    for named in body:
        tokens = name_tokens(named.name)
        if named.kind == "person" and len(tokens) >= 2:
            surnames[lower_same_length(_surname(tokens))].add(named.name)
    for surname, people in surnames.items():
        if len(people) == 1 and surname not in names:
            names[surname] = next(iter(people))
            kinds[surname]["person"] += 1
    result = [n for n in kept if n.entity_id or not in_capitals(n)]
    taken = SpanSet()
    for named in result:
        taken.add(named.start, named.end)
    for line_start, line_end in lines:
        line = lower_same_length(text[line_start:line_end])
        for start, end, key in _whole_word_occurrences(line, names):
            start, end = line_start + start, line_start + end
            if not taken.overlaps(start, end):
                kind = kinds[key].most_common(1)[0][0]
                result.append(NamedMention(start, end, names[key], kind))
    return sorted(result, key=lambda n: n.start)


_NAME = r"[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*){0,2}"
_LIST = re.compile(rf"{_NAME}(?: ?, {_NAME})+,? (?:and|or) {_NAME}")


def _rest_of_lists(text: str, kept: list[NamedMention]) -> list[NamedMention]:
    """ "Essex, Derbyshire and Surrey": a capitalised item of a list whose other items are
    names of one kind is a name of that kind too."""
    at = {(n.start, n.end): n for n in kept}
    found = []
    for listed in _LIST.finditer(text):
        items = [
            (m.start() + listed.start(), m.end() + listed.start())
            for m in re.finditer(_NAME, listed.group(0))
        ]
        kinds = Counter(at[span].kind for span in items if span in at)
        if len(kinds) != 1 or sum(kinds.values()) * 2 < len(items):
            continue
        kind = next(iter(kinds))
        for start, end in items:
            if (start, end) in at or any(n.start < end and start < n.end for n in kept):
                continue
            clean = clean_mention(text[start:end], start, kind)  # "And Colossus", "The Times"
            if clean is not None:
                found.append(NamedMention(clean.start, clean.end, clean.text, kind))
    return sorted(kept + found, key=lambda n: n.start)


def _split_pairs(text: str, kept: list[NamedMention]) -> list[NamedMention]:
    """ "Philly and Cheeks" as one mention, when the article names each on its own."""
    kinds = {normalise(n.name): n.kind for n in kept if " and " not in n.name}
    for named in kept:
        tokens = name_tokens(named.name)
        if len(tokens) >= 2 and named.kind == "person":
            kinds.setdefault(normalise(tokens[-1]), "person")
    result = []
    for named in kept:
        written = text[named.start : named.end]
        parts = re.split(r"\s+and\s+", written) if "and" in written else [written]
        if named.entity_id or len(parts) != 2 or not all(normalise(p) in kinds for p in parts):
            result.append(named)
            continue
        second = named.start + written.rindex(parts[1])
        result.append(
            NamedMention(
                named.start, named.start + len(parts[0]), parts[0], kinds[normalise(parts[0])]
            )
        )
        result.append(NamedMention(second, named.end, parts[1], kinds[normalise(parts[1])]))
    return result


_OPENER = re.compile(r"(?:^|[.!?:\n\"“]\s*)$")


def _without_sentence_opener(
    text: str, named: NamedMention, lower_words: set[str]
) -> NamedMention | None:
    """ "Choosing DeGeneres, known for…": a word that opens a sentence and is no name (a
    verb in -ing, an adverb in -ly, a word the article also writes in lower case). A
    name in capitals ("NEW YORK") says nothing of how its words are written in prose."""
    if named.entity_id or " " not in named.name or text[named.start : named.end].isupper():
        return named
    first, _, rest = named.name.partition(" ")
    folded = first.casefold()
    opener = folded in lower_words or (len(folded) > 5 and folded.endswith(("ing", "ly")))
    if not opener or not _OPENER.search(text, max(0, named.start - 3), named.start):
        return named
    if rest.split()[0].casefold() in JOINING_WORDS:
        return named  # "Bank of America" opening a sentence is still the bank
    start = text.index(rest[:1], named.start + len(first))
    return NamedMention(start, named.end, rest, named.kind, named.entity_id)


# Nouns for groups of people that an adjective of nationality or creed goes before.
_HEAD_NOUN = re.compile(
    r"\s+(?:terrorists?|militants?|fighters?|forces|troops|rebels?|soldiers|officials|"
    r"authorities|leaders?|groups?|people|citizens|nationals|militias?|military|army|"
    r"police|government|regime|media|extremists?|insurgents?|clerics?|community)\b"
)


def _is_modifier(text: str, named: NamedMention) -> bool:
    """ "Takfiri terrorists", "Russian military": an adjective of a group, no name."""
    if named.entity_id or " " in named.name or not _HEAD_NOUN.match(text, named.end):
        return False
    word = named.name.casefold()
    return is_demonym(word) or word.endswith(("i", "ian", "ese", "ish"))


_WORD_CHARACTER = re.compile(r"\w")


def _whole_word_occurrences(text: str, words: Iterable[str]) -> list[tuple[int, int, str]]:
    """(start, end, word) of each place `text` writes one of `words` as whole words, left to
    right, the longest where two start together, none inside another: as a regular
    expression of the words would find them, without compiling one per article."""
    found = []
    for word in words:
        start = text.find(word)
        while start != -1:
            end = start + len(word)
            if not (start and _WORD_CHARACTER.match(text, start - 1)) and not (
                _WORD_CHARACTER.match(text, end)
            ):
                found.append((start, end, word))
            start = text.find(word, start + 1)
    chosen, resume = [], 0
    for start, end, word in sorted(found, key=lambda f: (f[0], f[0] - f[1])):
        if start >= resume:
            chosen.append((start, end, word))
            resume = end
    return chosen


def resolve_article(text: str, extraction: Extraction, registry: Registry) -> ArticleNames:
    """One article's mentions, cleaned, de-overlapped, with surnames resolved."""
    by_id = registry.by_id()
    candidates: list[tuple[int, NamedMention]] = []
    places = {(m.start, m.end) for m in extraction.mentions if m.origin == "gazetteer"}
    everything = [
        # A known place the model took for a person ("England" in a cricket report).
        Mention(m.start, m.end, m.text, "place", m.origin)
        if m.origin == "ner" and m.kind == "person" and (m.start, m.end) in places
        else m
        for m in extraction.mentions
    ]
    for definition in extraction.definitions:
        everything += [definition.name, definition.alias]
    everything = [whole for m in everything if (whole := _whole_words(text, m)) is not None]
    everything = [_across_nickname(text, m) for m in everything]
    table_at = _table_lines(text)
    for mention in everything:
        for named in _clean(mention, registry, by_id, table_at):
            candidates.append((PRIORITY[mention.origin], named))

    placed: dict[tuple[int, int], NamedMention] = {}
    spans = SpanSet()
    for _, named in sorted(candidates, key=lambda c: (c[0], -(c[1].end - c[1].start), c[1].start)):
        overlapping = [placed[span] for span in spans.overlapping(named.start, named.end)]
        if overlapping and not _contains_registry_names(named, overlapping):
            continue
        # "Zarkhan National Oil Company" is more than the registry's "Zarkhan" in it.
        for other in overlapping:
            spans.remove(other.start, other.end)
            del placed[(other.start, other.end)]
        spans.add(named.start, named.end)
        placed[(named.start, named.end)] = named
    kept = sorted(placed.values(), key=lambda n: n.start)
    kept = [_with_given_name(text, named) if named.kind == "person" else named for named in kept]
    sports = is_sports_report(text)
    kept = [_team_in_results(text, named, sports) for named in kept]
    lower_words = set(re.findall(r"\b[a-z]+\b", text))
    lower_stems = {_stem(w) for w in lower_words}
    kept = [_without_headline_words(text, named, lower_stems) for named in kept]
    kept = [
        opened for named in kept
        if (opened := _without_sentence_opener(text, named, lower_words)) is not None
        # "Commission" at the start of a sentence, when the text also says "the commission".
        and (opened.entity_id or " " in opened.name or opened.name.casefold() not in lower_words)
        and not _is_modifier(text, opened)
    ]  # fmt: skip
    kept = _rest_of_lists(text, _split_pairs(text, kept))
    kept = _names_in_tables(text, kept, lower_words)
    kept = _capitals_lines_read_by_the_body(text, kept)

    # The kind a name has most often in this article is its kind here.
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for named in kept:
        votes[normalise(named.name)][named.kind] += 1
    kind_of = {key: counts.most_common(1)[0][0] for key, counts in votes.items()}

    # Short forms the article uses for the full names it gives: a person's surname, given
    # name or nickname; the words of a team or company after the place that opens it.
    short_forms: dict[str, set[str]] = defaultdict(set)
    surnames: dict[str, set[str]] = defaultdict(set)
    prefixes: dict[str, set[str]] = defaultdict(set)
    nicknames = []
    for named in kept:
        tokens = name_tokens(named.name)
        kind = kind_of[normalise(named.name)]
        if len(tokens) >= 2 and _looks_like_a_personal_name(named.name, kind):
            surname = _surname(tokens)
            surnames[surname.casefold()].add(named.name)
            short_forms[surname.casefold()].add(named.name)
            if kind == "person":
                short_forms[tokens[0].casefold()].add(named.name)
                nickname = nickname_of(text[named.start : named.end])
                if nickname:
                    short_forms[nickname.casefold()].add(named.name)
                    nicknames.append((named.name, f"{nickname} {surname}"))
        elif len(tokens) >= 2 and kind == "organization":
            for short in _team_short_forms(named.name):
                short_forms[short.casefold()].add(named.name)
        if len(tokens) >= 2 and kind != "person" and not named.entity_id:
            for prefix in _name_prefixes(named.name):
                prefixes[normalise(prefix)].add(named.name)
    by_full_name = {normalise(n.name): n for n in kept if len(name_tokens(n.name)) >= 2}

    resolved: list[NamedMention] = []
    ambiguous: dict[str, tuple[str, ...]] = {}
    used_short_forms = set()
    # A dateline names a place, whatever else the article calls that name.
    datelines = set(dateline_line_places(text))
    for named in kept:
        key = normalise(named.name)
        if (named.start, named.end) in datelines and named.entity_id is None:
            resolved.append(named)
            continue
        candidates_for = None if key in by_full_name else short_forms.get(key)
        if not candidates_for and kind_of[key] != "person":
            candidates_for = prefixes.get(key)
        if candidates_for and named.entity_id is None:
            if len(candidates_for) > 1:
                ambiguous[named.name] = tuple(sorted(candidates_for))
                continue
            full = by_full_name[normalise(next(iter(candidates_for)))]
            if full.kind != "person":
                used_short_forms.add((named.name, full.name))
            named = NamedMention(named.start, named.end, full.name, full.kind, full.entity_id)
        else:
            named = NamedMention(named.start, named.end, named.name, kind_of[key], named.entity_id)
        resolved.append(named)

    resolved = _add_repeated_mentions(text, resolved, surnames, by_full_name, ambiguous)
    equivalences = []
    for definition in extraction.definitions:
        name = clean_mention(definition.name.text, 0, definition.name.kind)
        alias = clean_mention(definition.alias.text, 0, definition.alias.kind)
        if name and alias:
            equivalences.append((name.text, alias.text))
    return ArticleNames(
        tuple(sorted(resolved, key=lambda n: n.start)),
        tuple(equivalences + nicknames),
        tuple(sorted(ambiguous.items())),
        tuple(sorted(used_short_forms)),
    )


def _add_repeated_mentions(
    text: str,
    mentions: list[NamedMention],
    full_names: dict[str, set[str]],
    by_full_name: dict[str, NamedMention],
    ambiguous: dict[str, tuple[str, ...]],
) -> list[NamedMention]:
    """Every other place the article writes a name it has already used, as that name."""
    written: dict[str, NamedMention] = {}
    for named in mentions:
        written.setdefault(text[named.start : named.end], named)
    for names in full_names.values():
        if len(names) == 1:
            full = by_full_name[normalise(next(iter(names)))]
            surname_written = _surname(name_tokens(full.name))
            written.setdefault(surname_written, full)
    for surname in ambiguous:
        written.pop(surname, None)
    result = list(mentions)
    taken = SpanSet()
    for mention in mentions:
        taken.add(mention.start, mention.end)
    for start, end, word in _whole_word_occurrences(text, [w for w in written if len(w) > 1]):
        if taken.overlaps(start, end):
            continue
        source = written[word]
        result.append(NamedMention(start, end, source.name, source.kind, source.entity_id))
        taken.add(start, end)
    return result


# --- across the archive -----------------------------------------------------------------


@dataclass
class Entity:
    id: str
    name: str
    kind: str
    aliases: tuple[str, ...]  # every spelling, most used first, the name among them
    mentions: int
    registry: RegistryEntity | None = None


@dataclass(frozen=True)
class LinkedMention:
    start: int
    end: int
    entity_id: str


@dataclass
class Resolution:
    entities: dict[str, Entity]
    article_mentions: dict[str, tuple[LinkedMention, ...]]
    merges: list[tuple[str, str, float]] = field(default_factory=list)  # (a, b, score) joined
    near_misses: list[tuple[str, str, float]] = field(default_factory=list)
    ambiguous: dict[str, list[tuple[str, tuple[str, ...]]]] = field(default_factory=dict)


class _Clusters:
    """Union–find over names, where some names are kept apart (the registry's `distinct`)."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.apart: dict[str, set[str]] = {}  # root -> nodes its cluster must never take in

    def keep_apart(self, a: str, b: str) -> None:
        self.apart.setdefault(self.find(a), set()).add(b)
        self.apart.setdefault(self.find(b), set()).add(a)

    def find(self, key: str) -> str:
        self.parent.setdefault(key, key)
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, a: str, b: str) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b or any(
            self.find(node) == other
            for root, other in ((root_a, root_b), (root_b, root_a))
            for node in self.apart.get(root, ())
        ):
            return
        # Registry anchors ("@id") always stay the root, so the registry wins.
        if root_b.startswith("@") and not root_a.startswith("@"):
            root_a, root_b = root_b, root_a
        self.parent[root_b] = root_a
        if root_b in self.apart:
            self.apart.setdefault(root_a, set()).update(self.apart.pop(root_b))


def _non_latin_mentions(
    text: str, people: dict[tuple[str, ...], str], lengths: list[int]
) -> list[tuple[int, int, str]]:
    """Spellings in other scripts of people the archive names in Latin letters; `lengths`
    the numbers of words in `people`'s keys, longest first."""
    found: list[tuple[int, int, str]] = []
    if text.isascii():
        return found
    for line in re.finditer(r"[^\n]+", text):
        if line.group(0).isascii() or detect(line.group(0)).is_latin:
            continue
        words = [
            (m.start() + line.start(), m.end() + line.start(), m.group(0))
            for m in re.finditer(r"[^\s.,،؛:()«»\"']+", line.group(0))
        ]
        index = 0
        while index < len(words):
            for length in lengths:
                window = words[index : index + length]
                if len(window) < length:
                    continue
                person = next(
                    (
                        people[key]
                        for key in product(*(sorted(skeletons(w[2])) for w in window))
                        if key in people
                    ),
                    None,
                )
                if person is not None:
                    found.append((window[0][0], window[-1][1], person))
                    index += length - 1
                    break
            index += 1
    return found


def resolve_corpus(
    articles: Mapping[str, ArticleNames],
    texts: Mapping[str, str],
    registry: Registry,
    merged_spellings: Mapping[str, Iterable[str]] | None = None,
) -> Resolution:
    """Cluster every article's names into entities with ids.

    `merged_spellings` gives, per registry id, spellings of entities the registry merges
    into it by their old id (known only to the id map).
    """
    clusters = _Clusters()
    spellings: dict[str, Counter[str]] = defaultdict(Counter)  # node -> written forms
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    long_forms: set[str] = set()

    for entity in registry.entities:
        anchor = f"@{entity.id}"
        for name in entity.distinct:
            clusters.keep_apart(anchor, normalise(name))
    for entity in registry.entities:
        anchor = f"@{entity.id}"
        clusters.find(anchor)
        for name in entity.names:
            clusters.union(anchor, normalise(name))
    for merged_into in registry.entities:
        for merged in merged_into.merges:
            clusters.union(f"@{merged_into.id}", normalise(merged))
        for spelling in (merged_spellings or {}).get(merged_into.id, ()):
            clusters.union(f"@{merged_into.id}", spelling)

    for key in sorted(articles):
        names = articles[key]
        for named in names.mentions:
            node = normalise(named.name)
            clusters.find(node)
            spellings[node][named.name] += 1
            kinds[node][named.kind] += 1
            if named.entity_id:
                clusters.union(f"@{named.entity_id}", node)
        for name, alias in names.equivalences:
            clusters.union(normalise(name), normalise(alias))
            long_forms.add(normalise(name) if len(name) > len(alias) else normalise(alias))

    def majority_kind(node: str) -> str | None:
        counts = kinds.get(node)
        return counts.most_common(1)[0][0] if counts else None

    # Spellings of one person's full name, compared only within a blocking key. The
    # model sometimes calls a person an organisation, so any name of two or more words
    # without an organisation word takes part; one of a pair must mostly be a person.
    merges: list[tuple[str, str, float]] = []
    near_misses: list[tuple[str, str, float]] = []
    blocks: dict[str, list[str]] = defaultdict(list)
    for node in sorted(spellings):
        if len(name_tokens(node)) >= 2 and not ORGANISATION_WORDS & set(node.split()):
            blocks[blocking_key(node)].append(node)
    for members in blocks.values():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if "person" not in (majority_kind(a), majority_kind(b)):
                    continue
                if names_match(a, b):
                    clusters.union(a, b)
                    merges.append((a, b, spelling_likeness(a, b)))
                elif (likeness := proposed_merge(a, b)) is not None:
                    near_misses.append((a, b, likeness))

    _join_forms_of_one_name(clusters, spellings, majority_kind, long_forms, registry)
    # "Academy" alone, where other articles used it for one organisation and no other.
    owners_of_short_form: dict[str, set[str]] = defaultdict(set)
    for names in articles.values():
        for short, full in names.short_forms:
            owners_of_short_form[normalise(short)].add(clusters.find(normalise(full)))
    registry_names = {normalise(n) for e in registry.entities for n in e.names}
    for node, owners in sorted(owners_of_short_form.items()):
        if (
            len(owners) == 1
            and node in spellings
            and node not in registry_names
            and majority_kind(node) != "person"
        ):
            clusters.union(next(iter(owners)), node)

    # A surname on its own, in an article that never gave the full name: the one person
    # in the archive with that surname; of several, the one whose stories share the most
    # names with this one (none if no one stands out).
    people_by_surname: dict[str, dict[str, str]] = defaultdict(dict)
    for node in sorted(spellings):
        tokens = name_tokens(node)
        if majority_kind(node) == "person" and len(tokens) >= 2:
            people_by_surname[fold(_surname(tokens))].setdefault(clusters.find(node), node)
    chosen = _owners_of_surnames(articles, clusters, people_by_surname, kinds)
    for key in sorted(articles):
        for named in articles[key].mentions:
            owner = chosen.get((key, named.start))
            if owner:
                node = normalise(named.name)
                spellings[node][named.name] -= 1
                kinds[node][named.kind] -= 1
                spellings[owner][named.name] += 1
                kinds[owner]["person"] += 1
    for node in [n for n, written in spellings.items() if not +written]:
        del spellings[node]
    # Names in other scripts (a Persian caption) of people named in Latin letters.
    people: dict[tuple[str, ...], str] = {}
    for node in spellings:
        if (
            majority_kind(node) == "person"
            and len(name_tokens(node)) >= 2
            and detect(node).is_latin
        ):
            people.setdefault(tuple(skeleton(t) for t in name_tokens(node)), node)
    extra: dict[str, list[NamedMention]] = defaultdict(list)
    lengths = sorted({len(key) for key in people}, reverse=True)
    for key in sorted(articles):
        found = _non_latin_mentions(texts.get(key, ""), people, lengths)
        taken = SpanSet()
        for mention in articles[key].mentions if found else ():
            taken.add(mention.start, mention.end)
        for start, end, node in found:
            if taken.overlaps(start, end):
                continue
            written = texts[key][start:end]
            extra[key].append(NamedMention(start, end, written, "person"))
            spellings[normalise(written)][written] += 1
            kinds[normalise(written)]["person"] += 1
            clusters.union(node, normalise(written))

    entities = _build_entities(clusters, spellings, kinds, long_forms, registry)
    entity_of_root = {root: entity.id for root, entity in entities.items()}
    # Each name's entity, found once (a million mentions).
    entity_of = cache(lambda node: entity_of_root[clusters.find(node)])

    article_mentions: dict[str, tuple[LinkedMention, ...]] = {}
    for key in sorted(articles):
        linked = [
            LinkedMention(
                m.start, m.end, entity_of(chosen.get((key, m.start)) or normalise(m.name))
            )
            for m in [*articles[key].mentions, *extra[key]]
        ]
        article_mentions[key] = tuple(sorted(linked, key=lambda m: m.start))
    by_id = {entity.id: entity for entity in entities.values()}
    ambiguous = {key: list(names.ambiguous) for key, names in articles.items() if names.ambiguous}
    return Resolution(by_id, article_mentions, merges, near_misses, ambiguous)


def _join_forms_of_one_name(
    clusters: _Clusters,
    spellings: dict[str, Counter[str]],
    majority_kind: Callable[[str], str | None],
    long_forms: set[str],
    registry: Registry,
) -> None:
    """One entity for the forms news writes one name in: "Electronic Data Systems Corp"
    and "Electronic Data Systems", "U.N." and "UN", "Red Sox" and "Boston Red Sox", "EDS"
    and the one long name in the archive it spells, "Comeaux Jr" and "Comeaux"."""
    registry_names = {normalise(undotted(n)) for e in registry.entities for n in e.names}
    by_form: dict[str, list[str]] = defaultdict(list)
    for node in spellings:
        if majority_kind(node) != "person":
            by_form[form_key(node)].append(node)
    for short, long in COMMON_ACRONYMS.items():
        if normalise(short) not in registry_names and normalise(long) not in registry_names:
            by_form[form_key(short)].append(normalise(long))
    for nodes in by_form.values():
        for node in nodes[1:]:
            clusters.union(nodes[0], node)

    by_initials: dict[str, set[str]] = defaultdict(set)
    team_names: dict[str, set[str]] = defaultdict(set)
    for node in spellings:
        if majority_kind(node) in ("person", None) or " " not in node:
            continue
        written = _display_form(spellings[node])
        for acronym in initials(written):
            by_initials[acronym].add(clusters.find(node))
        for short in _team_short_forms(written):
            team_names[normalise(short)].add(clusters.find(node))
    for node in spellings:
        kind = majority_kind(node)
        written = _display_form(spellings[node])
        if kind == "person" or normalise(undotted(written)) in registry_names:
            continue
        if is_acronym(written):
            owners = by_initials.get(undotted(written), set())
            defined = any(n in long_forms for n in (clusters.find(node), node))
        else:
            owners, defined = team_names.get(node, set()), False
        if len(owners) == 1 and not defined:
            clusters.union(next(iter(owners)), node)

    # "Arcade Joseph Comeaux Jr" is "Arcade Joseph Comeaux", unless a "Sr" is in the
    # archive too.
    suffixes: dict[str, set[str]] = defaultdict(set)
    for node in spellings:
        tokens = node.replace(",", " ").split()
        if majority_kind(node) == "person" and len(tokens) > 2:
            suffix = tokens[-1].rstrip(".")
            if suffix in PERSON_SUFFIXES:
                suffixes[" ".join(tokens[:-1])].add(node)
    for base, nodes in suffixes.items():
        written = {n.replace(",", " ").split()[-1].rstrip(".") for n in nodes}
        if len(written) == 1 and base in spellings:
            for node in nodes:
                clusters.union(base, node)


def _owners_of_surnames(
    articles: Mapping[str, ArticleNames],
    clusters: _Clusters,
    people_by_surname: dict[str, dict[str, str]],
    kinds: dict[str, Counter[str]],
) -> dict[tuple[str, int], str]:
    """For each surname written alone, the person it names: (article, start) -> a node of
    that person's."""
    roots_in: dict[str, set[str]] = {}
    for key, names in articles.items():
        roots_in[key] = {
            clusters.find(normalise(m.name)) for m in names.mentions if " " in m.name.strip()
        }
    articles_of: dict[str, list[str]] = defaultdict(list)
    for key in sorted(roots_in):
        for root in roots_in[key]:
            articles_of[root].append(key)
    chosen: dict[tuple[str, int], str] = {}
    for key in sorted(articles):
        for named in articles[key].mentions:
            tokens = name_tokens(named.name)
            node = normalise(named.name)
            if (
                len(tokens) != 1
                or named.entity_id
                or kinds[node]["person"] == 0
                or named.name in place_names()  # "Philadelphia" is no one's surname here
            ):
                continue
            nodes = people_by_surname.get(fold(tokens[0]), {})
            owners = sorted(nodes)
            if len(owners) == 1:
                chosen[(key, named.start)] = nodes[owners[0]]
                continue
            shared = sorted(
                (
                    sum(len(roots_in[key] & roots_in[other]) for other in articles_of[owner]
                        if other != key),
                    owner,
                )
                for owner in owners
            )  # fmt: skip
            if (
                shared
                and shared[-1][0] > 0
                and shared[-1][0] >= 2 * (shared[-2][0] if len(shared) > 1 else 0)
            ):
                chosen[(key, named.start)] = nodes[shared[-1][1]]
    return chosen


def _display_form(counts: Counter[str]) -> str:
    """The most used way of writing a name, preferring one not in capitals throughout."""
    ranked = sorted(
        counts.items(), key=lambda kv: (kv[0].isupper() and len(kv[0]) > 5, -kv[1], kv[0])
    )
    return ranked[0][0]


def _build_entities(
    clusters: _Clusters,
    spellings: dict[str, Counter[str]],
    kinds: dict[str, Counter[str]],
    long_forms: set[str],
    registry: Registry,
) -> dict[str, Entity]:
    members: dict[str, list[str]] = defaultdict(list)
    for node in list(spellings) + [f"@{e.id}" for e in registry.entities]:
        members[clusters.find(node)].append(node)
    by_id = registry.by_id()
    entities: dict[str, Entity] = {}
    taken_ids: set[str] = {e.id for e in registry.entities}
    for root in sorted(members):
        nodes = [n for n in members[root] if not n.startswith("@")]
        written: Counter[str] = Counter()
        kind_votes: Counter[str] = Counter()
        for node in nodes:
            written[_display_form(spellings[node])] += sum(spellings[node].values())
            kind_votes.update(kinds[node])
        entry = by_id.get(root[1:]) if root.startswith("@") else None
        if entry is None and not written:
            continue
        mentions = sum(written.values())
        if entry is not None:
            name, kind = entry.name, entry.kind
            aliases = [entry.name, *entry.aliases]
        else:
            kind = kind_votes.most_common(1)[0][0]
            latin = Counter({w: c for w, c in written.items() if detect(w).is_latin}) or written
            preferred = Counter({w: c for w, c in latin.items() if normalise(w) in long_forms})
            full = Counter({w: c for w, c in latin.items() if len(name_tokens(w)) >= 2})
            name = _display_form(preferred or full or latin)
            aliases = [name]
        for spelling, _ in sorted(written.items(), key=lambda kv: (-kv[1], kv[0])):
            if normalise(spelling) not in {normalise(a) for a in aliases}:
                aliases.append(spelling)
        entity_id = entry.id if entry else _unique_id(make_slug(name, name), kind, taken_ids)
        taken_ids.add(entity_id)
        entities[root] = Entity(entity_id, name, kind, tuple(aliases), mentions, entry)
    return entities


def _unique_id(slug: str, kind: str, taken: set[str]) -> str:
    for candidate in (slug, f"{slug}-{kind}"):
        if candidate not in taken:
            return candidate
    number = 2
    while f"{slug}-{kind}-{number}" in taken:
        number += 1
    return f"{slug}-{kind}-{number}"
