"""Names: telling when two spellings are one name.

Dzhagaryan, Jagarian and جاگارین are one surname written three ways. A name is first cut
into the units that carry it (titles such as Ayatollah or Seyed, the Arabic article and
particles gone; Abd- compounds split; Persian suffixes such as -zadeh joined), each unit
is read the ways its letters allow (German "ch" is kh, German "j" is y, a Persian waw is v
or a vowel...), and two units match when their consonants agree letter by letter and their
vowels differ only as transliterations differ (e/i, e/a, o/u, ei/ai, ae/a). Two names
match ("same") when their units pair off in order, compounds written joined or apart
("Amirhossein" / "Amir Hossein"); they match in "part" when one gives only some of the
other's units, in order, ending on the same surname ("Ali Larijani" / "Ali Ardeshir
Larijani"). A match always shares `blocking_key`, so resolving names within blocks loses
nothing. Cleaning a mention of what is not its name lives in `clean_names.py`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from itertools import islice, product
from typing import Literal

from rapidfuzz.distance import Levenshtein
from unidecode import unidecode

from .scripts import detect

NAME_PARTICLES = frozenset(
    {"al", "el", "ul", "ol", "ad", "as", "ar", "bin", "ibn", "ben", "bint", "de", "van", "von"}
)

# Titles written before a name that are no part of it. A tail word ("Hojatoleslam
# val-Moslemin", "Ayatollah al-Ozma") is dropped only right after a title, so the
# Uzbek president Islam Karimov keeps his first name.
HONORIFICS = frozenset(
    """
    ayatollah ayatullah ayatolah ayatallah grand hojatoleslam hojjatoleslam hojatolislam
    hojjatolislam hojjat hojat hujjat hujjatulislam seyed seyyed sayyid sayyed sayed seyyid
    syed sayid sheikh shaikh shaykh sheik cheikh sheikha shaikha haj hajj haji hajji hadj
    mullah mulla molla mollah imam emam allameh allama maulana mawlana mufti dr mr mrs ms
    آیت آیتالله آیتاللهالعظمی حجتالاسلام حجتالاسلاموالمسلمین سید شیخ حاج حاجی امام ملا
    دکتر آقای خانم السید الشیخ الحاج الامام شيخ حجت
    """.split()
)
HONORIFIC_TAILS = frozenset(
    """
    eslam islam ozma uzma val vel wal va moslemin muslimin almoslemin
    الله العظمی الاسلام والمسلمین
    """.split()
)

# Persian surname endings sometimes written as words of their own ("Hossein Zadeh",
# "Ahmadi Nejad", "احمدی‌نژاد"): joined back to the word before them.
JOINED_SUFFIXES = frozenset(
    """
    zadeh zade zada nejad nezhad nejhad nia pour poor khah vand lou loo
    زاده نژاد نیا پور خواه وند لو یان ای
    """.split()
)
# Arabic compounds whose second part is written as a word of its own or joined ("Nasr
# Allah" / "Nasrallah", "Nasr al-Din" / "Nasreddin", "روح الله" / "روح‌الله").
JOINED_SECOND_PARTS = frozenset("allah ullah ollah din eddin uddin addin الله الدین".split())

ABJADS = frozenset({"ARABIC", "HEBREW", "SYRIAC"})
_ZWNJ = "\u200c"
_INVISIBLE = dict.fromkeys(map(ord, "\u200d\u200e\u200f\ufeff\u0640"))
# Arabic and Persian write some letters two ways: Arabic yeh and kaf against Persian ی
# and ک (unidecode reads ک as "kh"), hamza seats, teh marbuta.
_ARABIC_FORMS = str.maketrans(
    {"ي": "ی", "ى": "ی", "ئ": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "أ": "ا", "إ": "ا",
     "آ": "ا", "ٱ": "ا", "ؤ": "و"}
)  # fmt: skip
# Latin letters with a caron are Slavic spellings of ch/sh/zh; unidecode drops the caron.
_LATIN_FORMS = str.maketrans(
    {"č": "ch", "Č": "Ch", "š": "sh", "Š": "Sh", "ž": "zh", "Ž": "Zh", "ć": "ch", "Ć": "Ch",
     "ş": "sh", "Ş": "Sh", "ß": "ss"}
)  # fmt: skip
_CAMEL_ARTICLE = re.compile(r"^(?:Al|El|Ul|Ol|Ad|Ed|As|Es|Ash|At|Ar|Az|An)(?=[A-Z][a-z])")
_SPLIT = re.compile(r"[\s\-‐‑–—_\u200c]+")

# Abjad letters in Latin: one letter each, Persian values (ث s, ذ ض ظ z), vowels as
# placeholders that `_abjad_readings` resolves: A alef, W waw, Y yeh, ' ain or hamza.
_ABJAD_LETTERS = {
    "ا": "A", "ب": "b", "پ": "p", "ت": "t", "ث": "s", "ج": "j", "چ": "C", "ح": "h", "خ": "K",
    "د": "d", "ذ": "Z", "ر": "r", "ز": "z", "ژ": "j", "س": "s", "ش": "S", "ص": "s", "ض": "Z",
    "ط": "t", "ظ": "Z", "ع": "'", "غ": "g", "ف": "f", "ق": "k", "ک": "k", "گ": "g", "ل": "l",
    "م": "m", "ن": "n", "و": "W", "ه": "h", "ی": "Y", "ء": "'",
}  # fmt: skip


def _script_normal(text: str) -> str:
    """One spelling per letter: NFC, Arabic letter forms as Persian, no invisible marks.

    A ZWNJ parts the pieces of a Persian compound ("هاشمی‌رفسنجانی") as a space would,
    except before a piece of one or two letters, which belongs to the word ("خامنه‌ای").
    """
    if text.isascii():
        return text
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE).translate(_ARABIC_FORMS)
    text = "".join(c for c in text if unicodedata.category(c) != "Mn" or c.isascii())
    text = text.replace("ه" + _ZWNJ, _ZWNJ)  # "خامنه‌ای": the heh before a ZWNJ is a vowel
    return re.sub(_ZWNJ + r"(?=[^\s\u200c]{1,2}(?:[\s\u200c]|$))", "", text)


def name_tokens(name: str) -> list[str]:
    """The tokens that carry a name, particles dropped ("Bashar al-Assad" -> Bashar, Assad)."""
    return list(_name_tokens(name))


@lru_cache(maxsize=65536)  # the same names are asked for article after article
def _name_tokens(name: str) -> tuple[str, ...]:
    tokens = []
    for token in re.split(r"[\s\-‐]+", name):
        token = token.strip(".,'’\"()")
        if token and token.casefold() not in NAME_PARTICLES:
            tokens.append(token)
    return tuple(tokens)


@lru_cache(maxsize=65536)
def _script(token: str) -> str:
    return detect(token).script


def _is_abjad(token: str) -> bool:
    return _script(token) in ABJADS


def _is_other_alphabet(token: str) -> bool:
    """Written in an alphabet other than Latin (Cyrillic, Greek...), vowels and all."""
    return _script(token) not in _NOT_OTHER_ALPHABETS


_NOT_OTHER_ALPHABETS = ABJADS | {"LATIN", "COMMON"}


_HONORIFICS = frozenset(_script_normal(w) for w in HONORIFICS)
_HONORIFIC_TAILS = frozenset(_script_normal(w) for w in HONORIFIC_TAILS)
_JOINED_SUFFIXES = frozenset(_script_normal(w) for w in JOINED_SUFFIXES | JOINED_SECOND_PARTS)
_ABJAD_PARTICLES = frozenset({"بن", "ابن", "بنت"})


@lru_cache(maxsize=65536)
def _units(name: str) -> tuple[str, ...]:
    """The units a name is matched by, in order (see the module docstring)."""
    words = []
    for raw in _SPLIT.split(_script_normal(name)):
        word = _CAMEL_ARTICLE.sub("", raw.strip(".,'’\"()«»"))  # "ElBaradei": the article
        if word and word.casefold() not in NAME_PARTICLES and word not in _ABJAD_PARTICLES:
            words.append(word)
    # Titles before the name, never the whole name ("Imam" alone stays a name).
    dropped = False
    while len(words) > 1 and (
        words[0].casefold() in _HONORIFICS or (dropped and words[0].casefold() in _HONORIFIC_TAILS)
    ):
        words.pop(0)
        dropped = True
    units: list[str] = []
    for word in words:
        lower = word.casefold()
        if units and lower in _JOINED_SUFFIXES:
            units[-1] += word
        else:
            units.extend(_split_abd(word))
    return tuple(units)


_ABDULLAH = re.compile(r"^abd[aeiou]?ll?ah?$|^abd[aeiou]?ll?ah")  # Abdollahian, Abdullahi
_ABD_ARTICLE = re.compile(r"^abd(?:[aeiou]l|[aeiou](?=([^aeiou])\1)|[aeiou][lrtdsznh]$)")


def _split_abd(word: str) -> list[str]:
    """Abdel/Abdul/Abd al-/Abdur + a name as two units: "abd" and the name.

    "Abdelaziz", "Abdul Aziz" and "Abd al-Aziz" then all read [abd, aziz]; the sun letters
    assimilate the article ("Abdurrahman", "Abdus Salam"). Abdullah stays one word.
    """
    if _is_abjad(word):
        if word.startswith("عبد") and len(word) > 4 and not word.startswith("عبدالله"):
            rest = word[3:]
            return ["عبد", rest[2:] if rest.startswith("ال") and len(rest) > 3 else rest]
        return [word]
    lower = romanise(word)
    if _ABDULLAH.match(lower) or not lower.startswith("abd"):
        return [word]
    article = _ABD_ARTICLE.match(lower)
    rest = lower[article.end() :] if article else lower[3:]
    if not rest:
        return ["abd"]
    if not article and rest[0] in "aeiouy":
        return [word]  # Abdi, Abdou: a name of its own
    return ["abd", rest]


@lru_cache(maxsize=65536)
def romanise(token: str) -> str:
    """A name token in Latin letters, lower case, without diacritics."""
    return unidecode(unicodedata.normalize("NFC", token).translate(_LATIN_FORMS)).lower()


# --- reading a Latin (or Cyrillic, Greek...) unit ---------------------------------------

# Russian endings as English, German and French write them: -ov/-ow/-off, -yev/-jew/-iev,
# -ova/-owa, -ovich/-owitsch/-ovitch, -sky/-ski/-skij, -iy/-ij/-ii.
_ENDINGS = (
    (re.compile(r"[yj]?[eo](?:v|w)(?:i|y)?(?:tsch|tch|ch|c)$"), "ovitch"),
    (re.compile(r"[yj]?[eo](?:v|w)a$"), "ova"),
    (re.compile(r"[yj]?[eo](?:v|w|ff)$"), "ov"),
    (re.compile(r"sk(?:iy|ij|ii|yi|yj|y|i)$"), "ski"),
    (re.compile(r"(?:iy|ij|yj|ii|yy)$"), "i"),
)
# Letters that several languages write for one sound, in order (longest first). Capitals
# are placeholders: C the ch of church, S sh, X a "ch" that is either C (English) or kh
# (German "Chodorkowski"), J a "j" that is dzh (English) or y (German "Jewgeni"), W a "w"
# that is v or, after a vowel, part of it ("Rowhani"), D a "dh" that is d or z ("Kadhim"),
# Z a German "sch", which writes both sh and zh ("Schoigu", "Breschnew"), Q a "dj" that
# is French for j or a d and a j of two parts written as one ("Mohammadjavad"). The
# vowels an abjad writes as letters, ou/oo and ee, are U and I until readings are
# compared with an abjad's (see `_abjad_vowels_fit`); otherwise they are u and i. A "j"
# written is J; one from dzh, dsch or zh is j.
_REWRITES = (
    ("j", "J"), ("dzh", "j"), ("dsch", "j"), ("dJ", "Q"), ("tsch", "C"), ("tch", "C"), ("sch", "Z"),
    ("sh", "S"), ("zh", "j"), ("kh", "K"), ("ch", "X"), ("ph", "f"), ("gh", "g"), ("ck", "k"),
    ("c", "k"), ("x", "ks"), ("tz", "z"), ("ts", "z"), ("th", "t"), ("dh", "D"),
    ("ou", "U"), ("oo", "U"), ("ee", "I"), ("yo", "e"), ("y", "i"), ("w", "W"),
)  # fmt: skip
_UNMARK = str.maketrans("UI", "ui")
_GU = re.compile(r"gu(?=[ei])")  # French "Evgueni", "Serguei": the u only hardens the g
_LATIN_ARTICLE = re.compile(r"^[ae]l(?=[^aeiouy]...)")  # "Elsisi", "Albaradei"
_AMBIGUOUS = {
    "X": ("C", "K"), "J": ("j", "i"), "W": ("v", "u"), "D": ("d", "z"), "Z": ("S", "j"),
    "Q": ("j", "dj"),
}  # fmt: skip
_VOWELS = frozenset("aeiouUI")
_DOUBLE = re.compile(r"(.)\1+")


def _undouble(text: str) -> str:
    """Doubled letters as one ("Kharrazi" as "Kharazi")."""
    return _DOUBLE.sub(r"\1", text) if _DOUBLE.search(text) else text


_MAX_AMBIGUOUS = 4  # readings tried: at most 2**4 per unit


def _latin_base(token: str) -> str:
    base = re.sub(r"[^a-z]", "", romanise(token))
    for pattern, ending in _ENDINGS:
        base = pattern.sub(ending, base)
    base = _GU.sub("g", base)
    for old, new in _REWRITES:
        base = base.replace(old, new)
    return base


_YO = re.compile(r"(?<=[^aeiouUI])io(?=[^aeiouUI])")


def _finish(reading: str) -> str:
    """A resolved reading as compared: no initial glide, o as u, no doubles, no final h."""
    if "io" in reading:
        reading = _YO.sub("e", reading)  # ё: Fiodor, Fedor
    if reading.startswith("ie"):
        reading = reading[1:]  # Yelena, Jewgeni: the glide before e
    reading = _undouble(reading.replace("o", "u"))
    if len(reading) > 2 and reading.endswith("h") and reading[-2] in _VOWELS:
        reading = reading[:-1]  # Fatemeh, Hamzah: a silent final h
    return reading


@lru_cache(maxsize=65536)
def _latin_readings(token: str, marked: bool = False) -> tuple[str, ...]:
    """Every way to read a Latin unit, the English one first; `marked`, with the long
    vowels U and I (see `_REWRITES`)."""
    readings = [r for b in _bases(token) for r in _resolve(b)]
    if not marked:
        readings = [_undouble(r.translate(_UNMARK)) for r in readings]
    return tuple(dict.fromkeys(readings))


def _bases(token: str) -> list[str]:
    base = _latin_base(token)
    if _is_other_alphabet(token):
        return [base]  # a joined Arabic article is a Latin spelling's ("Elsisi")
    bare = _LATIN_ARTICLE.sub("", _undouble(base))
    return [base, bare] if bare != base else [base]


def _resolve(base: str) -> list[str]:
    places = [i for i, c in enumerate(base) if c in _AMBIGUOUS][:_MAX_AMBIGUOUS]
    options = []
    for i in places:
        choices = _AMBIGUOUS[base[i]]
        if base[i] == "W" and not (
            i and base[i - 1] in _VOWELS and (i + 1 == len(base) or base[i + 1] not in "aeiouUIsnk")
        ):
            # A w is a v unless after a vowel and not before one (Rowhani, Khosrow); the
            # Slavic -owski, -owna, -owka are v.
            choices = choices[:1]
        elif base[i] == "J" and (base[i + 1 : i + 2] in ("i", "I")):
            choices = choices[:1]  # a j before an i is not a y (Koji is not Kui)
        options.append(choices)
    readings = []
    for choice in product(*options):
        letters = list(base)
        for i, letter in zip(places, choice, strict=True):
            letters[i] = letter
        reading = "".join(letters)
        for placeholder, (first, _) in _AMBIGUOUS.items():
            reading = reading.replace(placeholder, first)
        readings.append(_finish(reading))
    return readings


# --- reading an abjad unit --------------------------------------------------------------


# Waw is v or a vowel; yeh inside a word a vowel (a consonant y reads as one in Latin),
# at the end i or, for an Arabic alef maksura, a (عیسی Eissa, موسی Musa); ذ ض ظ are z or d.
_ABJAD_AMBIGUOUS = {"W": ("v", "u"), "Y": ("i",), "Z": ("z", "d")}


# The article inside a compound ("عبدالرحمن", "نصرالله", "نصرالدین") is said with the
# vowel before it, not its alef: Abdorrahman, Nasrallah, Nasreddin.
_INNER_ARTICLE = re.compile(r"(?<=\S)(?:(?<=عبد)ا(?=ل)|ا(?=لله|لدین))")


@lru_cache(maxsize=65536)
def _abjad_letters(token: str) -> str:
    """An abjad unit in the placeholder letters of `_ABJAD_LETTERS`."""
    normal = _INNER_ARTICLE.sub("", _script_normal(token))
    return "".join(_ABJAD_LETTERS.get(c, "") for c in normal)


@lru_cache(maxsize=65536)
def _abjad_readings(token: str) -> tuple[str, ...]:
    """Ways to read an abjad unit (see `_ABJAD_AMBIGUOUS`), with and without "ال"."""
    letters = _abjad_letters(token)
    bases = [letters]
    if letters.startswith("Al") and len(letters) > 4:
        bases.append(letters[2:])
    readings = []
    for base in bases:
        if base[:1] in ("'", "A"):
            base = "a" + base[1:]  # an initial alef or ain opens on a vowel
        base = base.replace("'", "")
        places = [i for i, c in enumerate(base) if c in "WYZ" and i > 0][:_MAX_AMBIGUOUS]
        options = [
            ("i", "a") if base[i] == "Y" and i == len(base) - 1 else _ABJAD_AMBIGUOUS[base[i]]
            for i in places
        ]
        for choice in product(*options):
            letters_ = list(base)
            for i, letter in zip(places, choice, strict=True):
                letters_[i] = letter
            reading = "".join(letters_)
            for placeholder, (first, *_) in _ABJAD_AMBIGUOUS.items():
                reading = reading.replace(placeholder, first)
            reading = _undouble(reading.replace("A", "a"))
            if len(reading) > 2 and reading.endswith("h"):
                reading = reading[:-1]
            readings.append(reading)
    return tuple(dict.fromkeys(r for r in readings if r))


def _readings(unit: str, marked: bool = False) -> tuple[str, ...]:
    return _abjad_readings(unit) if _is_abjad(unit) else _latin_readings(unit, marked)


_MAX_GROUP_READINGS = 64


@lru_cache(maxsize=65536)
def _group_readings(units: tuple[str, ...], marked: bool = False) -> tuple[str, ...]:
    """The readings of units written as one ("Mohammad Javad" as "Mohammadjavad"), each
    unit read on its own so that no letters join across them (the d and j of it)."""
    if len(units) == 1:
        return _readings(units[0], marked)
    combos = islice(product(*(_readings(u, marked) for u in units)), _MAX_GROUP_READINGS)
    return tuple(dict.fromkeys(_undouble("".join(c)) for c in combos))


# --- comparing readings -----------------------------------------------------------------

# Consonants one class each for the skeleton: what scripts and languages write for one
# sound (k/g/q/j/ch, s/z/sh, f/v, p/b) becomes one.
_COARSE = str.maketrans("pfgjqCzSDK", "bvkkkkssdh")
# Consonants that may stand for each other between two Latin spellings, with a cost:
# q/gh/g (Qalibaf, Ghalibaf, Galibaf), Egyptian g for j (Gamal, Jamal), German s for z,
# sh and s, f and v, p and b. Other pairs in one coarse class (Jamal/Kamal) do not.
_CONSONANT_COST = {
    frozenset("kq"): 0.0, frozenset("gq"): 0.0, frozenset("kg"): 0.5, frozenset("gj"): 0.5,
    frozenset("sz"): 0.5, frozenset("fv"): 0.5, frozenset("bp"): 0.5,
    frozenset("Kh"): 0.5,
}  # fmt: skip
# Vowels near each other in transliteration: e is written for a and for i (Mohammed,
# Mehdi; Ebrahim, Hashemi); o and u are already one.
_NEAR_VOWELS = frozenset({frozenset("ae"), frozenset("ei")})
# a and o/u are written for each other in Uzbek and unstressed Russian (Qodirov, Kadyrov);
# i against a or u is another name (Karimov, Karamov). An e comes and goes easily
# (Esmaeil, Ismail; Rezaei, Rezai), another vowel less so (Saeed is not Saad).
_VOWEL_SWAP = {frozenset("ae"): 0.3, frozenset("ei"): 0.3, frozenset("au"): 0.7}
_VOWEL_GAP = {"e": 0.4, "a": 0.7, "i": 0.7, "u": 0.7}
# A forename is read beside a surname already matched, where a and o/u may shift as
# they do in the surname (Kamol Usmonov, Kamal Usmanov: Tajik o for a).
_FORENAME_VOWEL_SWAP = {**_VOWEL_SWAP, frozenset("au"): 0.5}


@lru_cache(maxsize=262144)
def _frame(reading: str) -> tuple[str, tuple[str, ...]]:
    """The consonants of a reading and the vowel groups around them."""
    consonants, groups, group = [], [], ""
    for c in reading:
        if c in _VOWELS:
            group += c
        else:
            consonants.append(c)
            groups.append(group)
            group = ""
    groups.append(group)
    return "".join(consonants), tuple(g if len(g) < 2 else _undouble(g) for g in groups)


@lru_cache(maxsize=65536)
def _vowel_cost(a: str, b: str, forename: bool = False) -> float:
    """Edit cost between two vowel groups (see `_VOWEL_SWAP`, `_VOWEL_GAP`)."""
    swaps = _FORENAME_VOWEL_SWAP if forename else _VOWEL_SWAP
    if a == b:
        return 0.0
    previous = [0.0]
    for y in b:
        previous.append(previous[-1] + _VOWEL_GAP[y])
    for x in a:
        current = [previous[0] + _VOWEL_GAP[x]]
        for j, y in enumerate(b, 1):
            swap = 0.0 if x == y else swaps.get(frozenset((x, y)), 1.0)
            gap_x, gap_y = _VOWEL_GAP[x], _VOWEL_GAP[y]
            current.append(min(previous[j - 1] + swap, previous[j] + gap_x, current[j - 1] + gap_y))
        previous = current
    return previous[-1]


# Readings of Russian surname endings: -ov/-ev, -ova/-eva, -ovich/-evich, -sky, -in.
_RUSSIAN_ENDINGS = ("uv", "uva", "uviC", "ev", "eva", "eviC", "ski", "in", "ina")


def _latin_readings_match(a: str, b: str, forename: bool = False) -> bool:
    consonants_a, groups_a = _frame(a)
    consonants_b, groups_b = _frame(b)
    if len(consonants_a) != len(consonants_b) or not consonants_a:
        return False
    cost = 0.0
    for i, (x, y) in enumerate(zip(consonants_a, consonants_b, strict=True)):
        if x != y:
            step = _CONSONANT_COST.get(frozenset((x, y)))
            # Russian х is written kh or h (Khadzhiev, Hajiyev); Persian خ and ح are two.
            russian = a.endswith(_RUSSIAN_ENDINGS) and b.endswith(_RUSSIAN_ENDINGS)
            if step is None or (i == 0 and not groups_a[0] and "K" in (x, y) and not russian):
                return False  # Khatami is not Hatami; Mikhail may be Mihail
            cost += step
    first_a, first_b, last_a, last_b = groups_a[0], groups_b[0], groups_a[-1], groups_b[-1]
    # Opening on a vowel or not, ending on one or not, are part of a name (Ivanov is not
    # Ivanova, Abbas not Abbasi); a final vowel may only shift to a near one (Fatemeh,
    # Fatima), not to another (Yevgeni, Yevgenia).
    if bool(first_a) != bool(first_b):
        return False
    if bool(last_a) != bool(last_b):
        if (last_a or last_b) != "e":
            return False
        cost += _VOWEL_GAP["e"]  # a silent final e (Clark, Clarke; Sabin, Sabine)
    elif (
        last_a
        and last_a[-1] != last_b[-1]
        and frozenset(last_a[-1] + last_b[-1]) not in _NEAR_VOWELS
    ):
        return False
    cost += sum(_vowel_cost(x, y, forename) for x, y in zip(groups_a, groups_b, strict=True))
    longest = max(len(a), len(b))
    return cost <= (0.3 if longest <= 3 else max(0.6, 0.13 * longest))


def _coarse_skeleton(reading: str) -> str:
    """The old skeleton of a reading: an initial vowel as "a", consonants in coarse
    classes, a final i kept ("Abbas" is not "Abbasi")."""
    if not reading:
        return ""
    consonants = _undouble(re.sub(r"[aeiou]", "", reading.translate(_COARSE)))
    trailing = re.search(r"[aeiou]+$", reading)
    final = "i" if trailing and "i" in trailing.group(0) and len(reading) > 1 else ""
    return ("a" if reading[0] in _VOWELS else "") + consonants + final


def _abjad_vowels_fit(abjad: str, latin: str) -> bool:
    """An abjad writes long vowels: where it writes one, the Latin spelling must have a
    vowel there that can be it (حسین is Hossein, not Hassan), and where the Latin writes
    a long one (ou, oo, ee, ei), the abjad must write a vowel (Hossein is not حسن,
    Mahmoud not محمد). `latin` is a marked reading (see `_REWRITES`)."""
    consonants_a, groups_a = _frame(abjad)
    consonants_l, groups_l = _frame(latin)
    if consonants_a.translate(_COARSE) != consonants_l.translate(_COARSE):
        return False
    # Final: a vowel the abjad writes must be there in Latin too (عباسی is not Abbas).
    for gap, (written, marked) in enumerate(zip(groups_a[1:], groups_l[1:], strict=True)):
        spoken = marked.translate(_UNMARK)
        if not written and ("ei" in spoken or "I" in marked or (gap and "U" in marked)):
            return False  # French writes a short u as ou after a first consonant: Mourad
        for vowel in written:
            if not any(v == vowel or frozenset((v, vowel)) in _NEAR_VOWELS for v in spoken):
                return False
    return True


@lru_cache(maxsize=65536)
def _alphabet_form(units: tuple[str, ...]) -> str:
    """Units of an alphabet such as Cyrillic as spelled: every vowel is written, so two
    spellings of one name in it differ at most in ё/е, a soft or hard sign, a doubled
    letter or an accent (кисси is not кесси, грей not крей)."""
    text = unicodedata.normalize("NFD", "".join(units).casefold().replace("ё", "е"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn" and c not in "ьъ")
    return _undouble(text)


# Persian letters Arabic lacks, as Arabic writes them: پ as ب, چ as ج, گ as ک (ق, غ
# already read as k, g). Arabic ی and ک are Persian ones already (`_ARABIC_FORMS`).
_ABJAD_FOLD = str.maketrans("pCg", "bjk")


@lru_cache(maxsize=65536)
def _abjad_forms(units: tuple[str, ...]) -> frozenset[str]:
    """How abjad units are spelled, up to what two spellings of one name differ in: a
    Persian letter as Arabic writes it (`_ABJAD_FOLD`), a doubled letter, ain or hamza,
    an opening article, the parts joined or apart. Vowel letters count: عباس is not
    عباسی, حسن not حسین; and so do consonants (جمال is not کمال)."""
    forms = set()
    letters = "".join(_abjad_letters(u) for u in units).replace("'", "")
    for base in (letters, letters[2:] if letters.startswith("Al") and len(letters) > 4 else ""):
        if base:
            forms.add(_undouble(base.translate(_ABJAD_FOLD)))
    return frozenset(forms)


def tokens_match(a: str, b: str) -> bool:
    """Whether two tokens (units) are one name spelled two ways."""
    return a.casefold() == b.casefold() or _groups_match((a,), (b,))


@lru_cache(maxsize=262144)
def _groups_match(a: tuple[str, ...], b: tuple[str, ...], forename: bool = False) -> bool:
    """Whether two groups of units are one name, each group written as one word; a
    forename of a name whose surname matched may differ a little more."""
    abjad_a, abjad_b = _is_abjad(a[0]), _is_abjad(b[0])
    if abjad_a and abjad_b:
        return not _abjad_forms(a).isdisjoint(_abjad_forms(b))
    if _is_other_alphabet(a[0]) and _script(a[0]) == _script(b[0]):
        return _alphabet_form(a) == _alphabet_form(b)
    if abjad_a or abjad_b:
        # An abjad leaves short vowels out: the consonants are most of what there is.
        by_skeleton_a, by_skeleton_b = _by_skeleton(a), _by_skeleton(b)
        for skeleton_b in by_skeleton_b.keys() & by_skeleton_a.keys():
            if len(skeleton_b) < 2:
                continue
            for reading_a, reading_b in product(
                by_skeleton_a[skeleton_b], by_skeleton_b[skeleton_b]
            ):
                abjad, latin = (reading_a, reading_b) if abjad_a else (reading_b, reading_a)
                if _abjad_vowels_fit(abjad, latin):
                    return True
        return False
    # Only readings whose consonants fall in the same classes can match: compare those.
    by_class_a, by_class_b = _by_consonants(a), _by_consonants(b)
    return any(
        _latin_readings_match(x, y, forename)
        for frame in by_class_a.keys() & by_class_b.keys()
        for x, y in product(by_class_a[frame], by_class_b[frame])
    )


@lru_cache(maxsize=65536)
def _by_skeleton(units: tuple[str, ...]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for reading in _group_readings(units, marked=True):
        grouped.setdefault(_coarse_skeleton(reading.translate(_UNMARK)), []).append(reading)
    return grouped


@lru_cache(maxsize=65536)
def _by_consonants(units: tuple[str, ...]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for reading in _group_readings(units):
        grouped.setdefault(_frame(reading)[0].translate(_COARSE), []).append(reading)
    return grouped


# --- public forms (used by resolve.py) --------------------------------------------------


@lru_cache(maxsize=65536)
def fold(token: str) -> str:
    """A spelling-insensitive form: dzh/j, kh/h, q/k, y/i, ou/u, -ow/-ov, no doubles."""
    reading = _readings(token)[:1]
    if not reading:
        return ""
    spelled = reading[0].replace("C", "ch").replace("S", "sh").replace("K", "kh")
    return re.sub(r"[^a-z]", "", spelled)


@lru_cache(maxsize=65536)
def skeleton(token: str) -> str:
    """How an abjad writes the name: consonants, an initial vowel as "a", a final i kept.

    Silent final h goes (Hamza, Hamzah); f and v, g, k and q, s and sh are one each.
    """
    readings = _readings(token)
    return _coarse_skeleton(readings[0]) if readings else ""


@lru_cache(maxsize=65536)
def skeletons(token: str) -> frozenset[str]:
    """Every skeleton a token may have: each reading of its ambiguous letters (an abjad's
    waw and yeh as consonants or long vowels, German ch and j...)."""
    return frozenset(_coarse_skeleton(r) for r in _readings(token))


# --- names ------------------------------------------------------------------------------

_GROUPINGS = ((1, 1), (1, 2), (2, 1), (1, 3), (3, 1))


def _group_match(
    units_a: tuple[str, ...], units_b: tuple[str, ...], forename: bool = False
) -> bool:
    if len(units_a) == len(units_b) == 1 and units_a[0].casefold() == units_b[0].casefold():
        return True
    return _groups_match(units_a, units_b, forename)


def _align(a: tuple[str, ...], b: tuple[str, ...], skip_a: bool, skip_b: bool) -> int | None:
    """The most groups a and b pair off in, in order; a unit may be left out only on a
    side that allows it and never the last one (the surname). None if they do not."""

    @cache
    def best(i: int, j: int) -> int | None:
        if i == len(a) and j == len(b):
            return 0
        found = None
        for p, q in _GROUPINGS:
            forename = i + p < len(a) and j + q < len(b)
            if (
                i + p <= len(a)
                and j + q <= len(b)
                and _group_match(a[i : i + p], b[j : j + q], forename)
            ):
                rest = best(i + p, j + q)
                if rest is not None and (found is None or rest + 1 > found):
                    found = rest + 1
        for can, di, dj in ((skip_a and i < len(a) - 1, 1, 0), (skip_b and j < len(b) - 1, 0, 1)):
            if can:
                rest = best(i + di, j + dj)
                if rest is not None and (found is None or rest > found):
                    found = rest
        return found

    return best(0, 0)


def match_kind(a: str, b: str) -> Literal["same", "part"] | None:
    """How two names are one: "same" when their parts pair off in order, spelled two ways
    ("Sergej Lawrow" / "Sergei Lavrov"); "part" when one leaves out some of the other's
    parts and the rest agree in order, surname last ("Bagher Ghalibaf" / "Mohammad Bagher
    Ghalibaf"), which is weaker evidence; None when they are not one name.

    Mohammad Javad Zarif is not Mohammad Javad Larijani (the surname must match), two men
    named Mohammad X Zarif with different middle names are not one (neither name is a part
    of the other), and a single word is never a part of a longer name.
    """
    units_a, units_b = _units(a), _units(b)
    if not units_a or not units_b or blocking_key(a) != blocking_key(b):
        return None
    # The surnames must end alike (one may be joined to a first part): a quick refusal.
    end_a, end_b = _unit_key(units_a[-1])[1], _unit_key(units_b[-1])[1]
    if not (end_a.endswith(end_b) or end_b.endswith(end_a)):
        return None
    # Every way of pairing off ends on the surnames (a unit or a few joined): try those
    # first, since most names that share a key do not share a surname.
    if not any(
        _group_match(units_a[-p:], units_b[-q:])
        for p, q in _GROUPINGS
        if p <= len(units_a) and q <= len(units_b)
    ):
        return None
    if _align(units_a, units_b, False, False) is not None:
        return "same"
    shorter, longer = sorted((units_a, units_b), key=len)
    if len(shorter) >= 2 and len(longer) > len(shorter):
        aligned = _align(shorter, longer, False, True)
        if aligned is not None and aligned >= 2:
            return "part"
    return None


# Two spellings the matcher does not join, but this alike (normalised Levenshtein over the
# folded forms), are one name about 82-91% of the time: measured on the shared
# transliteration pairs (`invoke eval-names --pairs …`, "proposals"). Below it, the
# proposals were mostly different people ("Alan White" ~ "Jason White").
PROPOSAL_SIMILARITY = 0.7


def spelling_likeness(a: str, b: str) -> float:
    """How alike two spellings are once folded (0 to 1)."""
    return Levenshtein.normalized_similarity(
        "".join(fold(t) for t in name_tokens(a)), "".join(fold(t) for t in name_tokens(b))
    )


def proposed_merge(a: str, b: str) -> float | None:
    """For two full names the matcher keeps apart: the likeness of their forenames when
    the surnames are one and the forenames alike enough to propose to an editor
    (`PROPOSAL_SIMILARITY`), else None."""
    first_a, first_b = name_tokens(a), name_tokens(b)
    if len(first_a) < 2 or len(first_b) < 2 or fold(first_a[-1]) != fold(first_b[-1]):
        return None
    likeness = spelling_likeness(" ".join(first_a[:-1]), " ".join(first_b[:-1]))
    return likeness if likeness >= PROPOSAL_SIMILARITY else None


def names_match(a: str, b: str) -> bool:
    """Whether two names are one name, in full or in part (see `match_kind`)."""
    return match_kind(a, b) is not None


# The blocking key: the class of the surname's (its last unit's) first letter and its last
# three consonant classes, leaving out every letter whose reading is in doubt, so that
# all readings of a name share one key: vowels and y, h/kh/ch (German ch is kh), j
# (German j is y), zh and so sh (German sch is either), v/w/f (a Persian waw is a vowel,
# Persian writes Russian -ov with f); merging k/g/q/c, s/z/d/dh/ts (dh is d or z), p/b.
# The first letter is a class of its own: weak (a vowel, y, j, h, kh, ch, zh, sh, ain),
# k/g/q, s/z/d/ts, f/v/w, p/b. The end is
# counted from the end, and a joined article goes ("Elbaradei", "البرادعي").
_KEY_LATIN = (
    ("dzh", ""), ("dsch", ""), ("tsch", ""), ("tch", ""), ("sch", ""), ("sh", ""), ("zh", ""),
    ("kh", ""), ("ch", ""), ("ph", ""), ("th", "t"), ("ts", "s"), ("tz", "s"), ("x", "ks"),
    ("dj", ""),
)  # fmt: skip
_KEY_CLASSES = str.maketrans(
    {"k": "k", "g": "k", "q": "k", "c": "k", "s": "s", "z": "s", "d": "s", "S": "s", "Z": "s",
     "p": "b", "b": "b", "t": "t", "l": "l", "m": "m", "n": "n", "r": "r"}
)  # fmt: skip
_KEY_INITIALS = (
    ("dzh", "V"), ("dsch", "V"), ("dj", "V"), ("tsch", "V"), ("tch", "V"), ("sch", "V"),
    ("sh", "V"), ("zh", "V"), ("kh", "V"), ("ch", "V"), ("ph", "F"), ("th", "t"), ("ts", "S"),
    ("tz", "S"), ("dh", "S"),
)  # fmt: skip
_KEY_INITIAL = {
    **dict.fromkeys("aeiouyjh'AYjCKS", "V"), **dict.fromkeys("kgqcx", "K"),
    **dict.fromkeys("szdZ", "S"), **dict.fromkeys("fvwW", "F"), **dict.fromkeys("bp", "B"),
}  # fmt: skip


@lru_cache(maxsize=65536)
def _unit_key(unit: str) -> tuple[str, str]:
    """The first-letter class and the kept consonant classes of a unit."""
    if _is_abjad(unit):
        letters = "".join(_ABJAD_LETTERS.get(c, "") for c in _script_normal(unit))
        letters = letters[2:] if letters.startswith("Al") and len(letters) > 4 else letters
        initial = _KEY_INITIAL.get(letters[:1], letters[:1])
    else:
        letters = _undouble(re.sub(r"[^a-z]", "", romanise(unit)))
        if not _is_other_alphabet(unit):
            letters = _LATIN_ARTICLE.sub("", letters)
        initial = next((c for d, c in _KEY_INITIALS if letters.startswith(d)), None)
        initial = initial or _KEY_INITIAL.get(letters[:1], letters[:1])
        for pattern, ending in _ENDINGS:
            letters = pattern.sub(ending, letters)
        for old, new in _KEY_LATIN:
            letters = letters.replace(old, new)
    kept = "".join(c for c in letters if c in "kgqcszdZpbtlmnr").translate(_KEY_CLASSES)
    return initial, _undouble(kept)


@lru_cache(maxsize=65536)
def blocking_key(name: str) -> str:
    """Names can only match when their keys are equal (see the rules above)."""
    units = _units(name)
    if not units:
        return ""
    initial, kept = _unit_key(units[-1])
    return f"{initial}{kept[-3:] or '-'}"
