"""Acronyms and the forms of an organisation's name that name one thing.

"U.N." and "UN" are one acronym; "THR" spells "The Hollywood Reporter"; "Electronic Data
Systems Corp" is "Electronic Data Systems"; "Betty Ford Centre" is "Betty Ford Center".
"""

from __future__ import annotations

import re

from cleanco import basename

# The commonest acronyms that news uses without ever spelling out. The registry overrides
# any of them: an acronym or long form it names is left to the registry.
COMMON_ACRONYMS = {
    "UN": "United Nations",
    "US": "United States",
    "USA": "United States",
    "UK": "United Kingdom",
    "EU": "European Union",
    "NATO": "North Atlantic Treaty Organization",
    "UAE": "United Arab Emirates",
    "IMF": "International Monetary Fund",
    "IAEA": "International Atomic Energy Agency",
    "OPEC": "Organization of the Petroleum Exporting Countries",
    "WTO": "World Trade Organization",
    "FBI": "Federal Bureau of Investigation",
    "CIA": "Central Intelligence Agency",
    "NASA": "National Aeronautics and Space Administration",
    "UNESCO": "United Nations Educational, Scientific and Cultural Organization",
    "UNICEF": "United Nations Children's Fund",
    "ASEAN": "Association of Southeast Asian Nations",
    "OSCE": "Organization for Security and Co-operation in Europe",
}
# British and American spellings of the words organisations are named with.
_SPELLINGS = {
    "centre": "center",
    "theatre": "theater",
    "organisation": "organization",
    "defence": "defense",
    "programme": "program",
}
# Words that say what kind of place an organisation is, dropped after a name of two words
# or more ("Staunton Police Department" is "Staunton Police").
_GENERIC_ENDINGS = frozenset({"center", "clinic", "department", "dept"})
_PLURAL = re.compile(r"(?<=[^su])s$")
_DOTTED = re.compile(r"^(?:[a-z]\.){2,}[a-z]?$", re.I)
_FUNCTION_WORDS = frozenset("of and for the on in at to de du la le".split())


def undotted(name: str) -> str:
    """ "U.N." -> "UN"; other names unchanged."""
    return name.replace(".", "") if _DOTTED.match(name) else name


def is_acronym(written: str) -> bool:
    letters = undotted(written)
    return 2 <= len(letters) <= 8 and letters.isalpha() and letters.isupper()


def form_key(name: str) -> str:
    """What is left of an organisation's name for matching: no company form ("Inc",
    "Corp", "plc") nor a final "Center" or "Department", one spelling of each word and no
    plural, no dots in an acronym, any case."""
    name = undotted(name.strip())
    stripped = basename(name) or name
    words = [_SPELLINGS.get(w, w) for w in stripped.casefold().replace(" & ", " and ").split()]
    if len(words) > 2 and words[-1].strip(".") in _GENERIC_ENDINGS:
        words.pop()
    # "Motion Picture Arts" and "Motion Pictures Arts": one name, a plural aside.
    return " ".join(_PLURAL.sub("", w) if len(w) > 4 else w for w in words)


def initials(name: str) -> frozenset[str]:
    """The acronyms a long name can have: every word's initial, or only the words that
    are not function words, with or without a leading "The"."""
    words = [w for w in re.split(r"[\s\-]+", basename(name) or name) if w[:1].isalpha()]
    if len(words) < 2:
        return frozenset()
    every = "".join(w[0] for w in words).upper()
    content = "".join(w[0] for w in words if w.casefold() not in _FUNCTION_WORDS).upper()
    forms = {every, content}
    if words[0].casefold() != "the":
        forms |= {f"T{every}", f"T{content}"}
    return frozenset(f for f in forms if len(f) >= 2)
