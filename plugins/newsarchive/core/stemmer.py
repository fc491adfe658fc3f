"""lunr.js 2.3.9's Porter stemmer, rule for rule, so the index built here holds the stems
lunr.js makes of a reader's query.

lunr.py's own stemmer is a different Porter implementation: it turns a final y into i
whenever the stem has a vowel ("monday" -> "mondai", which lunr.js never asks for) and
treats short words such as "ies" and "eed" differently. Like JavaScript, this works on
UTF-16 code units, so words with characters outside the Basic Multilingual Plane are
measured and matched as lunr.js sees them.
"""

from __future__ import annotations

import re

_STEP2 = {
    "ational": "ate", "tional": "tion", "enci": "ence", "anci": "ance", "izer": "ize",
    "bli": "ble", "alli": "al", "entli": "ent", "eli": "e", "ousli": "ous", "ization": "ize",
    "ation": "ate", "ator": "ate", "alism": "al", "iveness": "ive", "fulness": "ful",
    "ousness": "ous", "aliti": "al", "iviti": "ive", "biliti": "ble", "logi": "log",
}  # fmt: skip
_STEP3 = {
    "icate": "ic", "ative": "", "alize": "al", "iciti": "ic", "ical": "ic", "ful": "", "ness": "",
}  # fmt: skip

_c = "[^aeiou]"  # consonant
_v = "[aeiouy]"  # vowel
_C = _c + "[^aeiouy]*"  # consonant sequence
_V = _v + "[aeiou]*"  # vowel sequence

# JavaScript's $ (without the m flag) is Python's \Z.
_MGR0 = re.compile("^(" + _C + ")?" + _V + _C)  # [C]VC... is m>0
_MEQ1 = re.compile("^(" + _C + ")?" + _V + _C + "(" + _V + r")?\Z")  # [C]VC[V] is m=1
_MGR1 = re.compile("^(" + _C + ")?" + _V + _C + _V + _C)  # [C]VCVC... is m>1
_S_V = re.compile("^(" + _C + ")?" + _v)  # vowel in stem

_1A = re.compile(r"^(.+?)(ss|i)es\Z")
_1A2 = re.compile(r"^(.+?)([^s])s\Z")
_1B = re.compile(r"^(.+?)eed\Z")
_1B2 = re.compile(r"^(.+?)(ed|ing)\Z")
_LAST = re.compile(r".\Z")
_1B_AT = re.compile(r"(at|bl|iz)\Z")
_1B_DOUBLE = re.compile(r"([^aeiouylsz])\1\Z")
_1B_CVC = re.compile("^" + _C + _v + r"[^aeiouwxy]\Z")
_1C = re.compile(r"^(.+?[^aeiou])y\Z")
_2 = re.compile(r"^(.+?)(" + "|".join(_STEP2) + r")\Z")
_3 = re.compile(r"^(.+?)(" + "|".join(_STEP3) + r")\Z")
_4 = re.compile(
    r"^(.+?)(al|ance|ence|er|ic|able|ible|ant|ement|ment|ent|ou|ism|ate|iti|ous|ive|ize)\Z"
)
_4B = re.compile(r"^(.+?)(s|t)(ion)\Z")
_5 = re.compile(r"^(.+?)e\Z")
_5_LL = re.compile(r"ll\Z")
_5_CVC = re.compile("^" + _C + _v + r"[^aeiouwxy]\Z")


def _utf16_units(word: str) -> str:
    """The word with each character outside the BMP as its two surrogates, as in JS."""
    if word.isascii() or all(ord(ch) < 0x10000 for ch in word):
        return word
    data = word.encode("utf-16-be", "surrogatepass")
    return "".join(chr(int.from_bytes(data[i : i + 2], "big")) for i in range(0, len(data), 2))


def _characters(units: str) -> str:
    return units.encode("utf-16-be", "surrogatepass").decode("utf-16-be", "surrogatepass")


def stem(word: str) -> str:
    """The stem lunr.js's stemmer makes of a (lower-case) word."""
    w = _utf16_units(word)
    if len(w) < 3:
        return word
    first = w[0]
    if first == "y":
        w = "Y" + w[1:]

    if _1A.search(w):
        w = _1A.sub(r"\1\2", w, count=1)
    elif _1A2.search(w):
        w = _1A2.sub(r"\1\2", w, count=1)

    if match := _1B.search(w):
        if _MGR0.search(match.group(1)):
            w = _LAST.sub("", w, count=1)
    elif match := _1B2.search(w):
        stem_ = match.group(1)
        if _S_V.search(stem_):
            w = stem_
            if _1B_AT.search(w):
                w += "e"
            elif _1B_DOUBLE.search(w):
                w = _LAST.sub("", w, count=1)
            elif _1B_CVC.search(w):
                w += "e"

    if match := _1C.search(w):
        w = match.group(1) + "i"

    if (match := _2.search(w)) and _MGR0.search(match.group(1)):
        w = match.group(1) + _STEP2[match.group(2)]

    if (match := _3.search(w)) and _MGR0.search(match.group(1)):
        w = match.group(1) + _STEP3[match.group(2)]

    if match := _4.search(w):
        if _MGR1.search(match.group(1)):
            w = match.group(1)
    elif match := _4B.search(w):
        stem_ = match.group(1) + match.group(2)
        if _MGR1.search(stem_):
            w = stem_

    if match := _5.search(w):
        stem_ = match.group(1)
        if _MGR1.search(stem_) or (_MEQ1.search(stem_) and not _5_CVC.search(stem_)):
            w = stem_

    if _5_LL.search(w) and _MGR1.search(w):
        w = _LAST.sub("", w, count=1)

    if first == "y":
        w = "y" + w[1:]
    return _characters(w)
