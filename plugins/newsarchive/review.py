"""The editors' review of what the machine found: registry entries to paste, merges, and
entities whose names look broken (a line break, a score, a headline word)."""

from __future__ import annotations

import re
from typing import Any

import yaml

# A name is suspicious (it may be part of a sentence, a results line or a headline) when:
LONG_NAME_WORDS = 6  # it has more words than this (not counting "of", "and" ...),
LONG_NAME_CHARACTERS = 60  # or more characters;
MAIN_KIND_SHARE = 0.7  # its main kind holds less than this share of its typed mentions;
_SPLIT = "its mentions are typed differently"
# it starts with one of these words (what a real name opens with is written in full,
# "Mister", or is the name itself, "The Hague", so an editor decides);
FUNCTION_WORDS = frozenset(
    {
        "the", "a", "an", "and", "or", "but", "nor", "of", "in", "on", "at", "to", "for",
        "from", "with", "by", "as", "if", "that", "this", "these", "those", "when", "while",
        "after", "before", "mr", "mrs", "ms", "mr.", "mrs.", "ms.",
    }
)  # fmt: skip
DASHES = ("-", "‐", "–", "—", "―")  # or ends with one of these.
# A number may end a name ("BBC Radio 4", "Apollo 11") or open it ("3M", "20th Century
# Fox"), but one inside a name ("Liverpool 0 Sheffield") is a results line, and one in a
# time or a score ("1:50.51", "2-1") is not part of any name.
_PLAIN_NUMBER = re.compile(r"[^\W\d_]*\d+[^\W\d_]*|[^\W\d_]+-\d+|\d+-[^\W\d_]+")  # MPEG-4
_ORDINAL = re.compile(r"\d+(st|nd|rd|th)", re.IGNORECASE)  # "East 223rd Street" is a name
_WORD = re.compile(r"\w+(?:['’-]\w+)*")


def format_review(review: dict[str, Any], limit: int = 40) -> str:
    """`invoke entities-report`: new entities (as registry YAML), merges, suspicious names,
    ambiguities."""
    lines: list[str] = []
    new = review["new_entities"]
    lines.append(f"New entities ({len(new)}, most mentioned first); to confirm or correct one, "
                 "paste it into content/registry.yaml under 'entities:'")  # fmt: skip
    entries = [
        {
            "name": e["name"],
            "kind": e["kind"],
            "id": e["id"],
            **({"aliases": e["aliases"]} if e["aliases"] else {}),
        }
        for e in new[:limit]
    ]
    dumped = yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=100)
    for e, block in zip(new[:limit], _blocks(dumped), strict=True):
        lines.append(f"  # {e['stories']} stories, now at entity/{e['id']}.html")
        lines.extend("  " + line for line in block.splitlines())
    if len(new) > limit:
        lines.append(f"  … and {len(new) - limit} more")
    lines.append("")
    lines.append(f"Merged automatically ({len(review['merged'])}): spellings taken for one name")
    lines.extend(f"  {m['a']}  =  {m['b']}  (similarity {m['score']})" for m in review["merged"])
    lines.append("")
    lines.append(
        f"Proposed merges ({len(review['proposed_merges'])}): similar, not merged; to merge, "
        "list one as an alias of the other in the registry"
    )
    lines.extend(
        f"  {m['a']}  ~  {m['b']}  (similarity {m['score']})" for m in review["proposed_merges"]
    )
    lines.append("")
    suspicious = suspicious_entities(review)
    lines.append(
        f"Suspicious entities ({len(suspicious)}): may not be names; correct them in the "
        "registry, or list them under 'not_entities:'"
    )
    for e, reasons in suspicious[:limit]:
        lines.append(f"  {e['name']!r} ({e['kind']}, entity/{e['id']}.html): {'; '.join(reasons)}")
    if len(suspicious) > limit:
        lines.append(f"  … and {len(suspicious) - limit} more")
    lines.append("")
    ambiguous = review["ambiguous_surnames"]
    lines.append(
        f"Ambiguous surnames ({len(ambiguous)}): not linked, as the article names several people so"
    )
    lines.extend(
        f"  {a['article']}: {a['surname']!r} could be {' or '.join(a['could_be'])}"
        for a in ambiguous
    )
    return "\n".join(lines)


def _blocks(dumped: str) -> list[str]:
    """The YAML list items, one block each."""
    blocks: list[str] = []
    for line in dumped.splitlines():
        if line.startswith("- ") or not blocks:
            blocks.append(line)
        else:
            blocks[-1] += "\n" + line
    return blocks


def suspicious_entities(review: dict[str, Any]) -> list[tuple[dict[str, Any], list[str]]]:
    """The new entities of a review whose name looks like something else, with the reasons."""
    flagged = [(e, reasons) for e in review["new_entities"] if (reasons := suspicion(e))]
    # A split vote alone is often only a place named for its team ("Chicago"): last.
    return sorted(flagged, key=lambda item: all(r.startswith(_SPLIT) for r in item[1]))


def suspicion(entity: dict[str, Any]) -> list[str]:
    """Why one entity of the review (its name, kind, mentions as written and typed) may
    not be a name; empty if nothing looks wrong."""
    name, kind = entity["name"], entity["kind"]
    reasons = []
    broken = [w for w in [name, *entity.get("written", ())] if "\n" in w or "\r" in w]
    if broken:
        reasons.append(f"runs across a line break ({broken[0]!r})")
    reasons.extend(_number_problems(name, kind))
    words = name.split()
    if name and not name[0].isalnum():
        reasons.append(f"starts with {name[0]!r}")
    if sum(not w.islower() for w in words) > LONG_NAME_WORDS or len(name) > LONG_NAME_CHARACTERS:
        reasons.append(f"long for a name ({len(words)} words, {len(name)} characters)")
    # (in capitals among other words, a short name: "AS Roma")
    opener = words[0] if words else ""
    if opener.casefold() in FUNCTION_WORDS and not (opener.isupper() and not name.isupper()):
        reasons.append(f"starts with {opener!r}")
    if name.rstrip().endswith(DASHES):
        reasons.append("ends in a dash")
    votes = entity.get("kind_votes") or {}
    typed = sum(votes.values())
    if typed >= 2 and max(votes.values()) < MAIN_KIND_SHARE * typed:
        shares = ", ".join(f"{round(100 * n / typed)}% {k}" for k, n in votes.items())
        reasons.append(f"{_SPLIT} ({shares})")
    uses = entity.get("lowercase_uses", 0)
    if entity.get("mentions") == 1 and uses:
        lower = " ".join(_WORD.findall(name.lower()))
        reasons.append(
            f"mentioned once, and the archive writes {lower!r} in lower case "
            f"{uses} time{'s' * (uses != 1)}"
        )
    return reasons


def _number_problems(name: str, kind: str) -> list[str]:
    words = name.split()
    numbers = [(i, w) for i, w in enumerate(words) if any(c.isdigit() for c in w)]
    if not numbers:
        return []
    if kind == "person":
        return [f"a number in a person's name ({numbers[0][1]!r})"]
    problems = []
    for index, word in numbers:
        plain = _PLAIN_NUMBER.fullmatch(word) is not None
        opens = index == 0 and any(c.isalpha() for c in word)
        if _ORDINAL.fullmatch(word):
            continue
        if not plain:
            problems.append(f"a time, score or table number ({word!r})")
        elif index < len(words) - 1 and not opens:
            problems.append(f"a number inside the name ({word!r})")
    return problems
