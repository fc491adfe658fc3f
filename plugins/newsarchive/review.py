"""The editors' review of what the machine found, as text with registry entries to paste."""

from __future__ import annotations

from typing import Any

import yaml


def format_review(review: dict[str, Any], limit: int = 40) -> str:
    """`invoke entities-report`: new entities (as registry YAML), merges, ambiguities."""
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
