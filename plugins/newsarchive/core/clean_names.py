"""Cleaning a mention of what is not its name.

"Foreign Ministry Spokesman Bahram Qassemi" is Bahram Qassemi; "the International Atomic
Energy Agency" is International Atomic Energy Agency; "Valmora 2-0" is Valmora; the line
"Liverpool 0 Sheffield Wednesday 1" names two clubs; "Frenchman Patrick Vieira" is
Patrick Vieira; "Betty Ford Center in Rancho Mirage" is a clinic and a town.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from nameparser.config import CONSTANTS

from .names import NAME_PARTICLES
from .scripts import detect

# Words that title or describe a person rather than name them.
ROLE_WORDS = frozenset(
    """
    president vice prime minister ministers foreign defense defence interior energy finance
    economy justice health education trade spokesman spokeswoman spokesperson ambassador
    envoy governor mayor general brigadier colonel major captain lieutenant admiral sergeant
    commander dr dr. mr mr. mrs mrs. ms ms. miss sir lord lady king queen prince princess
    sheikh ayatollah imam pope chancellor senator sen. rep. representative judge chairman
    chairwoman chair director chief executive ceo secretary deputy coach striker goalkeeper
    midfielder defender professor prof. ministry leader opposition head candidate mp
    deputy-head former late acting interim first lady premier diplomat hydrologist scientist
    economist analyst official officials minister's president's affairs
    """.split()
)
# nameparser's titles and occupations ("Comedian", "Officer", "Actress"), less those that
# are also given names or surnames ("Judge Reinhold", "Jude Law").
_NOT_TITLES_BEFORE_A_NAME = frozenset(
    "law her his me pro air mag met bishop judge model king queen rev page dean".split()
)
TITLES = frozenset(t for t in CONSTANTS.titles if t.isalpha()) - _NOT_TITLES_BEFORE_A_NAME
# Nationalities written before a name ("Croat Alen Boksic", "Frenchman Patrick Vieira"):
# never part of it. Adjectives in -an/-ese/-ish/-i are recognised by form as well.
DEMONYMS = frozenset(
    """
    afghan albanian algerian american andorran angolan argentine argentinian armenian
    australian austrian azerbaijani azeri bahraini bangladeshi belarusian belgian bolivian
    bosnian brazilian briton british bulgarian burmese cambodian cameroonian canadian chadian
    chilean chinese colombian congolese croat croatian cuban cypriot czech dane danish dutch
    dutchman dutchwoman ecuadorian egyptian emirati englishman englishwoman eritrean estonian
    ethiopian fijian filipino finn finnish french frenchman frenchwoman gabonese georgian
    german ghanaian greek guatemalan guinean haitian honduran hungarian icelander icelandic
    indian indonesian iranian iraqi irish irishman irishwoman israeli italian ivorian
    jamaican japanese jordanian kazakh kenyan korean kosovan kosovar kuwaiti kyrgyz lao
    latvian lebanese liberian libyan lithuanian luxembourger macedonian malagasy malawian
    malaysian malian maltese mauritanian mexican moldovan monegasque mongolian montenegrin
    moroccan mozambican namibian nepalese nicaraguan nigerian nigerien norwegian omani
    pakistani palestinian panamanian paraguayan persian peruvian pole polish portuguese
    qatari romanian russian rwandan salvadoran saudi scot scotsman scotswoman scottish
    senegalese serb serbian sierra singaporean slovak slovakian slovene slovenian somali
    spaniard spanish sudanese swede swedish swiss syrian taiwanese tajik tanzanian thai
    togolese tunisian turk turkish turkmen ugandan ukrainian uruguayan uzbek venezuelan
    vietnamese welsh welshman welshwoman yemeni yugoslav zambian zimbabwean
    """.split()
)
# A mention ending in one of these describes a person, so it is no organisation.
PERSON_ROLE_NOUNS = frozenset(
    {"spokesman", "spokeswoman", "spokesperson", "minister", "ambassador", "envoy",
     "president", "governor", "mayor", "chairman", "director", "secretary", "chief", "coach"}
)  # fmt: skip
ROLE_PREPOSITIONS = frozenset({"to", "of", "for", "in", "at"})
DETERMINERS = frozenset({"the", "a", "an", "this", "that"})
# Words that join the parts of an organisation's name ("Bank of England", "Procter and
# Gamble") and are lower case inside it.
JOINING_WORDS = frozenset("of and for the on de du des la le del di da van von der & in".split())
# Suffixes of a person's name that tell relatives apart; part of the name, never its end.
PERSON_SUFFIXES = frozenset({"jr", "sr", "jnr", "snr", "ii", "iii", "iv"})
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_TOKEN = re.compile(r"\S+")
# Words that open a sentence, never a name ("If Holmes plays"); in capitals, a name ("AS").
_SENTENCE_OPENERS = frozenset({"if", "when", "while", "after", "before", "as", "so", "then"})
_QUOTES = "\"'“”‘’«»„‚‹›"
_ABBREVIATION = re.compile(r"(?:^|\s)(?:\w\.){2,}$")
# Where one name ends and the next begins: a line break, a spaced dash, a score, a time
# or a table number ("1:50.51", "2-0", "13"), a bracketed note, a slash between two names
# ("Brown/Blair"; "AC/DC" stays one).
_BREAK = re.compile(
    r"\s*(?:\n|\s[-–—]+\s|--|\(|\)|\[|\]|/\s|(?<=[a-z])/(?=[A-Z])|;"
    r"|(?<!\w)\d+(?:[-:.,/]\d+)*(?!\w))\s*"
)
# A courtesy title inside a mention starts another name ("Tanzania Mr Brown").
_COURTESY = r"(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+(?=[A-Z])"
_INNER_COURTESY = re.compile(rf"(?<=\S)\s+(?={_COURTESY})")
COURTESY_TITLE = re.compile(rf"^{_COURTESY}")
_SCORE = re.compile(r"^\d+(?:[-:.,/]\d+)+$")
_NICKNAME = re.compile(
    r"(?<=\w\s)[\"“'‘(]\s*(?P<nickname>[A-Z][^\"“”'‘’()\n]{1,20}?)\s*[\"”'’)](?=\s+[A-Z])"
)
_PLACE_AFTER = re.compile(r",?\s+(?:in|at|near)\s+(?=[A-Z])|,\s+(?:a|an|the)\s+")


@dataclass(frozen=True)
class CleanName:
    text: str
    start: int  # offsets into the text the mention came from
    end: int


_DIGIT = re.compile(r"\d")


@lru_cache(maxsize=4096)  # asked once for each mention on the line
def is_table_line(line: str) -> bool:
    """A line of results or a table: names and numbers interleaved ("Kent 301 Essex 4")."""
    words = line.split()
    # No more numbers than digits: most prose lines are settled without looking at a word.
    digits = sum(map(line.count, "0123456789"))
    if len(words) < 3 or digits < max(2, 0.2 * len(words)):
        return False
    numbers = sum(1 for w in words if not w[:1].isalpha() and _DIGIT.search(w))
    return numbers >= 2 and numbers >= 0.2 * len(words)


def mention_parts(text: str, start: int, kind: str, table: bool = False) -> list[tuple[str, int]]:
    """The names a mention really holds, each with its offset: a mention never crosses a
    line break, a spaced dash, a score or a table number, and on a line of results
    (`table`, see is_table_line) every number separates two names. Outside tables a number
    ending the name of anything but a person is kept ("Radio 4")."""
    if kind == "person":
        text = _without_nickname(text)
    parts, cursor = [], 0
    for separator in _BREAK.finditer(text):
        token = separator.group(0).strip()
        ends_the_name = not text[separator.end() :].strip() and cursor < separator.start()
        # A person's name never ends in a number ("Brodie 33": a goal in the 33rd minute).
        kept = kind != "person" and not table and not _SCORE.match(token)
        if token[:1].isdigit() and ends_the_name and kept:
            continue  # "BBC Radio 4", "Euro 2004"
        parts.append((text[cursor : separator.start()], cursor))
        cursor = separator.end()
    parts.append((text[cursor:], cursor))
    parts = [
        (piece[cut:end], offset + cut)
        for piece, offset in parts
        for cut, end in _between(piece, _INNER_COURTESY)
    ]
    pieces = []
    for piece, offset in parts:
        place = _PLACE_AFTER.search(piece) if kind != "person" else None
        if kind == "person":
            pieces += _person_parts(piece, offset)
        elif place:
            head, tail = piece[: place.start()], piece[place.end() :]
            pieces += [(head, offset), *_place_parts(tail, offset + place.end())]
        elif kind == "place":
            pieces += _place_parts(piece, offset)
        else:
            pieces.append((piece, offset))
    return [(piece, start + offset) for piece, offset in pieces if piece.strip()]


def _between(text: str, separator: re.Pattern[str]) -> list[tuple[int, int]]:
    """The (start, end) of each piece of `text` between matches of `separator`."""
    cuts = [(m.start(), m.end()) for m in separator.finditer(text)]
    starts = [0] + [end for _, end in cuts]
    ends = [start for start, _ in cuts] + [len(text)]
    return list(zip(starts, ends, strict=True))


def _person_parts(text: str, offset: int) -> list[tuple[str, int]]:
    """A person's name holds no lower-case word but its particles: "Moin Khan b Wasim" is
    two people, "Craig and Neil" too."""
    pieces, cursor = [], 0
    for word in _TOKEN.finditer(text):
        bare = word.group(0).strip(",.;:")
        if bare.islower() and bare not in NAME_PARTICLES and bare not in DETERMINERS:
            pieces.append((text[cursor : word.start()], offset + cursor))
            cursor = word.end()
    pieces.append((text[cursor:], offset + cursor))
    return pieces


def _place_parts(text: str, offset: int) -> list[tuple[str, int]]:
    """ "Rancho Mirage, Calif": a town and its state, two places."""
    pieces, cursor = [], 0
    for comma in re.finditer(r",\s+(?=[A-Z])", text):
        pieces.append((text[cursor : comma.start()], offset + cursor))
        cursor = comma.end()
    pieces.append((text[cursor:], offset + cursor))
    return pieces


def _without_nickname(text: str) -> str:
    """A quoted nickname inside a name blanked out, same offsets: "Maurice "Mo" Cheeks"."""
    match = _NICKNAME.search(text)
    if match is None:
        return text
    return text[: match.start()] + " " * len(match.group(0)) + text[match.end() :]


def nickname_of(text: str) -> str | None:
    """The nickname a full name gives in quotes or brackets: "Mo" in "Maurice "Mo" Cheeks"."""
    match = _NICKNAME.search(text)
    return match.group("nickname").strip() if match else None


def is_demonym(word: str) -> bool:
    return word.casefold() in DEMONYMS or word.casefold().rstrip("s") in DEMONYMS


def clean_mention(text: str, start: int, kind: str) -> CleanName | None:
    """Strip determiners, titles and possessives from a mention; None if nothing is left.

    `start` is the mention's offset in its text, so the clean name keeps exact offsets.
    """
    lead, trail = _without_stray_marks(text)
    if (lead, trail) != (0, len(text)):
        return clean_mention(text[lead:trail], start + lead, kind) if lead < trail else None
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    words = [text[s:e] for s, e in tokens]

    def lower(i: int) -> str:
        return words[i].strip(",.;:").casefold()

    first, last = 0, len(tokens)
    # Lower-case words before a name ("the", "opposition") are not part of it; nor is a
    # function word that opens a sentence ("The", "And"), but "A." is an initial.
    while first < last and (
        (lower(first) in DETERMINERS and not words[first].endswith("."))
        or lower(first) in {"and", "but", "or", "mr", "mrs", "ms", "dr"}
        or (lower(first) in _SENTENCE_OPENERS and not words[first].isupper())
        or (_is_lower_word(words[first]) and lower(first) not in NAME_PARTICLES)
    ):
        first += 1
    # Nor are scores and numbers after it ("Valmora 2-0"), or common words ("news agency"),
    # or a dangling dash.
    while last > first and (
        _SCORE.match(words[last - 1]) or _is_lower_word(words[last - 1])
        or not any(c.isalnum() for c in words[last - 1])
    ):  # fmt: skip
        last -= 1
    if kind == "person":
        # Titles, roles and nationalities before the name; also "Iran's" before "Foreign
        # Minister".
        opening = first
        while first < last - 1 and _describes_a_person(words[first], lower(first)):
            first += 1
        # "Russian Ambassador to Iran Levan Jagarian": the name follows the last role word.
        roles = [i for i in range(opening, last - 1) if lower(i) in ROLE_WORDS]
        if roles and roles[-1] + 1 >= first:
            after = roles[-1] + 1
            if lower(after) in ROLE_PREPOSITIONS and after + 2 < last:
                after += 2
            first = after
    if first >= last:
        return None
    if kind == "organization" and lower(last - 1) in PERSON_ROLE_NOUNS:
        return None
    if all(lower(i) in ROLE_WORDS or lower(i) in TITLES for i in range(first, last)):
        return None
    if last - first == 1 and is_demonym(words[first].strip(",.;:’'")):
        return None  # "Ukrainian", a nationality, not a name
    span_start, span_end = tokens[first][0], tokens[last - 1][1]
    span = text[span_start:span_end]
    possessive = _POSSESSIVE.search(span)
    if possessive:
        span_end -= len(possessive.group(0))
    span = text[span_start:span_end].rstrip(",;:-–—")  # "U-" of "U-21", a dangling dash
    lead, trail = _without_stray_marks(span)  # 'the "Big City': the quote, once "the" is gone
    if (lead, trail) != (0, len(span)):
        return (
            clean_mention(span[lead:trail], start + span_start + lead, kind)
            if lead < trail
            else None
        )
    if span.endswith(".") and not _ABBREVIATION.search(span):
        span = span[:-1]  # a full stop, not the end of "U.S."
    span_end = span_start + len(span)
    letters = sum(c.isalpha() for c in span)
    if not letters or (letters < 2 and detect(span).is_latin):
        return None  # no letter, or one Latin letter, is no name
    if not any(c.isupper() for c in span) and detect(span).is_latin:
        return None  # "the ministry", lower-case words are not names
    return CleanName(span, start + span_start, start + span_end)


def _without_stray_marks(text: str) -> tuple[int, int]:
    """Where the name is once quote marks around it, or one it does not close ('"Big City'
    of '"Big City" plans'), and punctuation opening it (', Davies', '- Ireland') are gone."""
    lead, trail = 0, len(text)
    while True:
        span = text[lead:trail]
        if len(span) > 2 and span[0] in _QUOTES and span[-1] in _QUOTES:
            lead, trail = lead + 1, trail - 1
        elif span and span[0] in _QUOTES and sum(c in _QUOTES for c in span) % 2:
            lead += 1
        elif span and span[-1] in _QUOTES and sum(c in _QUOTES for c in span) % 2:
            trail -= 1
        elif span and (span[0].isspace() or (not span[0].isalnum() and span[0] not in "(")):
            lead += 1
        elif span and span[-1].isspace():
            trail -= 1
        else:
            return lead, trail


def _is_lower_word(word: str) -> bool:
    """A word in lower case; "76ers" and "49ers" are names, not lower-case words."""
    return word[:1].isalpha() and word.islower()


def _describes_a_person(word: str, folded: str) -> bool:
    return (
        folded in ROLE_WORDS
        or folded in TITLES
        or is_demonym(folded)
        or bool(_POSSESSIVE.search(word))
    )
