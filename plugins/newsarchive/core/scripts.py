"""Writing systems: which script a text is in, its likely language and its direction.

Raw articles mix scripts (a Persian caption under an English title); browsers only
render such lines right when they carry `lang` and `dir`.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

RTL_SCRIPTS = frozenset({"ARABIC", "HEBREW", "SYRIAC", "THAANA", "NKO"})

# Letters that Persian uses and Arabic does not (pe, che, zhe, gaf, Persian kaf and yeh).
PERSIAN_LETTERS = frozenset("پچژگکی")
UKRAINIAN_LETTERS = frozenset("іїєґІЇЄҐ")

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
    """The script most of the letters in `text` belong to ("COMMON" if none)."""
    if text.isascii():  # most lines of most articles: no need to look at each letter
        return "LATIN" if any(c.isalpha() for c in text) else "COMMON"
    counts = Counter(char_script(c) for c in text if c.isalpha())
    if not counts:
        return "COMMON"
    return counts.most_common(1)[0][0]


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
