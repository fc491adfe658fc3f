"""Names: telling when two spellings are one name.

Dzhagaryan, Jagarian and جاگارین are one surname written three ways: each name is folded
to a romanised form and to a consonant skeleton, and two names match when their tokens
agree on both. Cleaning a mention of what is not its name lives in `clean_names.py`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz.distance import Levenshtein
from unidecode import unidecode

from .scripts import detect

NAME_PARTICLES = frozenset({"al", "el", "ad", "as", "ar", "bin", "ibn", "ben", "de", "van", "von"})


def name_tokens(name: str) -> list[str]:
    """The tokens that carry a name, particles dropped ("Bashar al-Assad" -> Bashar, Assad)."""
    tokens = []
    for token in re.split(r"[\s\-‐]+", name):
        token = token.strip(".,'’\"()")
        if token and token.casefold() not in NAME_PARTICLES:
            tokens.append(token)
    return tokens


_FOLDS = (
    ("dzh", "j"), ("dj", "j"), ("zh", "j"), ("kh", "h"), ("gh", "g"), ("q", "k"),
    ("tsch", "C"), ("tch", "C"), ("ch", "C"), ("ck", "k"), ("c", "k"), ("C", "c"), ("ph", "f"),
    ("tz", "ts"), ("x", "ks"), ("w", "v"), ("yo", "e"), ("io", "e"), ("ou", "u"), ("oo", "u"),
    ("ee", "i"), ("y", "i"), ("'", ""), ("`", ""), ("’", ""),
)  # fmt: skip
# In the skeleton, letters that scripts and languages write for one sound become one.
_SKELETON_FOLDS = (
    ("sch", "s"), ("sh", "s"), ("th", "t"), ("c", "k"), ("g", "k"), ("j", "k"), ("f", "v"),
    ("z", "s"), ("p", "b"),
)  # fmt: skip
_DOUBLE = re.compile(r"(.)\1+")
ABJADS = frozenset({"ARABIC", "HEBREW", "SYRIAC"})


@lru_cache(maxsize=65536)
def romanise(token: str) -> str:
    """A name token in Latin letters, lower case, without diacritics."""
    return unidecode(unicodedata.normalize("NFC", token)).lower()


def _is_abjad(token: str) -> bool:
    return detect(token).script in ABJADS


@lru_cache(maxsize=65536)
def fold(token: str) -> str:
    """A spelling-insensitive form: dzh/j, kh/h, q/k, y/i, doubled letters as one."""
    folded = romanise(token)
    if _is_abjad(token):
        folded = re.sub(r"^['`]", "a", folded)  # an initial alef or ain is a vowel
    if folded.startswith(("ye", "yu", "ya")):
        folded = folded[1:]
    for old, new in _FOLDS:
        folded = folded.replace(old, new)
    folded = re.sub(r"[^a-z]", "", folded)
    return _DOUBLE.sub(r"\1", folded)


@lru_cache(maxsize=65536)
def skeleton(token: str) -> str:
    """How an abjad writes the name: consonants, an initial vowel as "a", a final i kept.

    Silent final h goes (Hamza, Hamzah); f and v, g, k and q, s and sh are one each.
    """
    return _skeleton_of_folded(fold(token))


@lru_cache(maxsize=65536)
def skeletons(token: str) -> frozenset[str]:
    """Every skeleton a token may have. In an abjad, waw and ya inside a word are either
    consonants (v, y) or long vowels (o, u, i), so each reading is tried."""
    folded = fold(token)
    if not _is_abjad(token):
        return frozenset({_skeleton_of_folded(folded)})
    positions = [i for i, c in enumerate(folded) if c in "vi" and i > 0][:4]
    readings = set()
    for mask in range(1 << len(positions)):
        dropped = {p for bit, p in enumerate(positions) if mask >> bit & 1}
        readings.add(
            _skeleton_of_folded("".join(c for i, c in enumerate(folded) if i not in dropped))
        )
    return frozenset(readings)


def _skeleton_of_folded(folded: str) -> str:
    for old, new in _SKELETON_FOLDS:
        folded = folded.replace(old, new)
    if len(folded) > 2 and folded.endswith("h"):
        folded = folded[:-1]
    if not folded:
        return ""
    initial = "a" if folded[0] in "aeiou" else ""
    trailing = re.search(r"[aeiou]+$", folded)
    final = "i" if trailing and "i" in trailing.group(0) and len(folded) > 1 else ""
    consonants = re.sub(r"[aeiou]", "", folded)
    return initial + _DOUBLE.sub(r"\1", consonants) + final


def tokens_match(a: str, b: str) -> bool:
    """Whether two tokens are one name spelled two ways."""
    if a.casefold() == b.casefold():
        return True
    if _is_abjad(a) or _is_abjad(b):
        # An abjad leaves most vowels out: the consonants are all there is to compare.
        common = skeletons(a) & skeletons(b)
        return any(len(s) >= 2 for s in common)
    return skeleton(a) == skeleton(b) and Levenshtein.normalized_similarity(fold(a), fold(b)) >= 0.8


def names_match(a: str, b: str) -> bool:
    """Whether two names are one name: as many tokens, each pair one token spelled two ways.

    Abbas is not Abbasi: the final i is part of the skeleton.
    """
    tokens_a, tokens_b = name_tokens(a), name_tokens(b)
    if not tokens_a or len(tokens_a) != len(tokens_b):
        return False
    return all(tokens_match(x, y) for x, y in zip(tokens_a, tokens_b, strict=True))


def blocking_key(name: str) -> str:
    """Names can only match when their keys are equal: the surname's skeleton, first three."""
    tokens = name_tokens(name)
    return f"{len(tokens)}:{skeleton(tokens[-1])[:3]}" if tokens else ""
