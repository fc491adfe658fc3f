"""The editors' review of what the machine found: registry entries to paste, merges, and
entities whose names look broken (a line break, a score, a headline word)."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import yaml

from .core.names import PROPOSAL_SIMILARITY

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


BASE_DOUBT = 0.1  # a name no editor has confirmed
REASON_DOUBT = 0.5  # each sign that it is no name at all


def doubt(entity: dict[str, Any], reasons: list[str]) -> float:
    """How likely an editor is to change this entity, 0.1 to 1: the share of its mentions
    typed as another kind, and half for each sign that it is no name (`suspicion`)."""
    votes = entity.get("kind_votes") or {}
    typed = sum(votes.values())
    split = 1 - max(votes.values()) / typed if typed else 0.0
    signs = sum(not r.startswith(_SPLIT) for r in reasons)
    return round(min(1.0, BASE_DOUBT + split + REASON_DOUBT * signs), 2)


def entries_to_review(review: dict[str, Any]) -> list[dict[str, Any]]:
    """Every new entity with its reasons, doubt and priority (stories × doubt), the ones
    most worth an editor's minute first."""
    entries = []
    for entity in review["new_entities"]:
        reasons = suspicion(entity)
        share = doubt(entity, reasons)
        entries.append(
            {**entity, "reasons": reasons, "doubt": share,
             "priority": round(entity["stories"] * share, 2)}
        )  # fmt: skip
    return sorted(entries, key=lambda e: (-e["priority"], -e["stories"], e["name"].casefold()))


def _registry_entry(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": entry["name"],
        "kind": entry["kind"],
        "id": entry["id"],
        **({"aliases": entry["aliases"]} if entry["aliases"] else {}),
    }


def _comment(entry: dict[str, Any]) -> str:
    why = "; ".join(entry["reasons"]) or "looks like a name"
    return (
        f"# {entry['stories']} stories, doubt {entry['doubt']}, entity/{entry['id']}.html: {why}"
    ).replace("\n", "\\n")


def review_yaml(review: dict[str, Any]) -> str:
    """Registry entries for every new entity, most worth checking first, each with a comment
    saying why: correct what is wrong, paste the rest under 'entities:' to confirm it."""
    entries = entries_to_review(review)
    lines = [
        f"# {len(entries)} entities the machine found, most worth checking first (stories x "
        "doubt).",
        "# Correct a kind or name, add aliases, move a non-name to 'not_entities:', and paste",
        "# the entries you confirm into content/registry.yaml under 'entities:'.",
        "entities:",
    ]
    dumped = yaml.safe_dump(
        [_registry_entry(e) for e in entries], allow_unicode=True, sort_keys=False, width=100
    )
    for entry, block in zip(entries, _blocks(dumped), strict=True):
        lines.append("  " + _comment(entry))
        lines.extend("  " + line for line in block.splitlines())
    return "\n".join(lines) + "\n"


CSV_COLUMNS = ("priority", "doubt", "stories", "mentions", "id", "name", "kind", "aliases",
               "reasons", "page")  # fmt: skip


def review_csv(review: dict[str, Any]) -> str:
    """Every new entity as a spreadsheet row, most worth checking first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for e in entries_to_review(review):
        writer.writerow([e["priority"], e["doubt"], e["stories"], e["mentions"], e["id"],
                         e["name"], e["kind"], " | ".join(e["aliases"]), "; ".join(e["reasons"]),
                         f"entity/{e['id']}.html"])  # fmt: skip
    return out.getvalue()


def format_review(review: dict[str, Any], limit: int | None = None) -> str:
    """`invoke entities-report`: the new entities (most worth checking first, with why),
    the spellings merged, proposed merges, the names that look broken, ambiguities."""
    lines: list[str] = []
    entries = entries_to_review(review)
    shown = entries if limit is None else entries[:limit]
    lines.append(
        f"New entities ({len(entries)}), most worth checking first (stories x doubt); "
        "`--format yaml` writes them as registry entries to paste into content/registry.yaml"
    )
    for entry in shown:
        why = "; ".join(entry["reasons"])
        lines.append(
            f"  {entry['priority']:>6}  {entry['name']!r} ({entry['kind']}, {entry['stories']} "
            f"stories, entity/{entry['id']}.html)" + (f": {why}" if why else "")
        )
    if len(entries) > len(shown):
        lines.append(f"  … and {len(entries) - len(shown)} more (leave out --limit to see all)")
    lines.append("")
    lines.append(f"Merged automatically ({len(review['merged'])}): spellings taken for one name")
    lines.extend(f"  {m['a']}  =  {m['b']}  (likeness {m['score']})" for m in review["merged"])
    lines.append("")
    lines.append(
        f"Proposed merges ({len(review['proposed_merges'])}): one surname, forenames spelled "
        f"alike (likeness >= {PROPOSAL_SIMILARITY}: one name in 82-91% of such pairs measured); "
        "to merge, list one as an alias of the other in the registry"
    )
    lines.extend(
        f"  {m['a']}  ~  {m['b']}  (forenames {m['score']} alike)"
        for m in review["proposed_merges"]
    )
    lines.append("")
    suspicious = suspicious_entities(review)
    lines.append(
        f"Suspicious entities ({len(suspicious)}): may not be names; correct them in the "
        "registry, or list them under 'not_entities:'"
    )
    for e, reasons in suspicious if limit is None else suspicious[:limit]:
        lines.append(f"  {e['name']!r} ({e['kind']}, entity/{e['id']}.html): {'; '.join(reasons)}")
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
