"""Writing systems: which script a text is in, its likely language and its direction.

Raw articles mix scripts (a Persian caption under an English title); browsers only
render such lines right when they carry `lang` and `dir`.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

RTL_SCRIPTS = frozenset({"ARABIC", "HEBREW", "SYRIAC", "THAANA", "NKO"})

# Letters that Persian uses and Arabic does not (pe, che, zhe, gaf, Persian kaf and yeh).
PERSIAN_LETTERS = frozenset("پچژگکی")
UKRAINIAN_LETTERS = frozenset("іїєґІЇЄҐ")
_ASCII_LETTER = re.compile("[A-Za-z]")
_NOT_ASCII = re.compile("[^\x00-\x7f]")
_NO_ASCII_LETTERS = dict.fromkeys(map(ord, string.ascii_letters))

DEFAULT_LANGUAGE_BY_SCRIPT = {
    "ARABIC": "ar",
    "HEBREW": "he",
    "CYRILLIC": "ru",
    "GREEK": "el",
    "ARMENIAN": "hy",
    "GEORGIAN": "ka",
    "DEVANAGARI": "hi",
    "BENGALI": "bn",
    "THAI": "th",
    "HANGUL": "ko",
    "HIRAGANA": "ja",
    "KATAKANA": "ja",
    "CJK": "zh",
    "SYRIAC": "syr",
    "THAANA": "dv",
}


@dataclass(frozen=True)
class ScriptInfo:
    script: str
    lang: str | None
    direction: str

    @property
    def is_latin(self) -> bool:
        return self.script in ("LATIN", "COMMON")


@lru_cache(maxsize=4096)
def char_script(char: str) -> str:
    """The script of one letter, from the first word of its Unicode name."""
    name = unicodedata.name(char, "")
    if not name:
        return "COMMON"
    first = name.split(" ", 1)[0]
    if first == "CJK":
        return "CJK"
    return first


def dominant_script(text: str) -> str:
    """The script most of the letters in `text` belong to ("COMMON" if none); of two with
    as many, the one whose first letter comes first."""
    if text.isascii():  # most lines of most articles: no need to look at each letter
        return "LATIN" if any(c.isalpha() for c in text) else "COMMON"
    # ASCII letters counted at once, the others one by one: a line of English with a
    # curly quote in it is mostly the former.
    counts: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    first_ascii = _ASCII_LETTER.search(text)
    if first_ascii:
        counts["LATIN"] = len(text) - len(text.translate(_NO_ASCII_LETTERS))
        first_seen["LATIN"] = first_ascii.start()
    for found in _NOT_ASCII.finditer(text):
        char = found.group()
        if char.isalpha():
            script = char_script(char)
            counts[script] += 1
            first_seen[script] = min(first_seen.get(script, found.start()), found.start())
    if not counts:
        return "COMMON"
    return min(counts, key=lambda script: (-counts[script], first_seen[script]))


@lru_cache(maxsize=65_536)  # names are looked at once per mention: the same few thousand
def detect(text: str) -> ScriptInfo:
    """Script, best-guess language and direction of a line of text."""
    script = dominant_script(text)
    lang = DEFAULT_LANGUAGE_BY_SCRIPT.get(script)
    if script == "ARABIC" and any(c in PERSIAN_LETTERS for c in text):
        lang = "fa"
    elif script == "CYRILLIC" and any(c in UKRAINIAN_LETTERS for c in text):
        lang = "uk"
    direction = "rtl" if script in RTL_SCRIPTS else "ltr"
    return ScriptInfo(script=script, lang=lang, direction=direction)
