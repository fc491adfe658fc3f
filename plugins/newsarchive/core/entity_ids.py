"""Stable entity ids: an entity keeps its URL as the archive grows, and a merge leaves a redirect.

The ids handed out so far are kept in a small JSON file beside the content (commit it
with the archive). Each build matches its entities to known ids by the spellings they
share; an id is never given to another entity, and an id whose entity was merged into
another, or renamed by the registry, becomes a redirect to the id that took it over.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from .resolve import Entity, Resolution, normalise

FORMAT_VERSION = 1


@dataclass
class IdMap:
    spellings: dict[str, set[str]] = field(default_factory=dict)  # id -> normalised spellings
    redirects: dict[str, str] = field(default_factory=dict)  # old id -> id that took it over

    def to_json(self) -> str:
        data = {
            "version": FORMAT_VERSION,
            "entities": {i: sorted(s) for i, s in sorted(self.spellings.items())},
            "redirects": dict(sorted(self.redirects.items())),
        }
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> IdMap:
        data = json.loads(text)
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"unknown entity id file version {data.get('version')!r}")
        return cls(
            {i: set(s) for i, s in data.get("entities", {}).items()},
            dict(data.get("redirects", {})),
        )

    def resolve_redirect(self, entity_id: str) -> str:
        seen = set()
        while entity_id in self.redirects and entity_id not in seen:
            seen.add(entity_id)
            entity_id = self.redirects[entity_id]
        return entity_id


@dataclass(frozen=True)
class Assignment:
    ids: dict[str, str]  # provisional id -> stable id
    id_map: IdMap  # the updated map to save
    redirects: dict[str, str]  # every old id that now leads elsewhere -> its target


def _spellings(entity: Entity) -> set[str]:
    return {normalise(alias) for alias in entity.aliases}


def assign_ids(entities: Iterable[Entity], previous: IdMap) -> Assignment:
    """Give each entity the id it had before, or a new one no entity ever had."""
    entities = sorted(entities, key=lambda e: (-e.mentions, e.id))
    # Every id that had a spelling: a spelling two entities shared ("Smith") must count
    # for both, or the one holding only shared spellings gets a new id on every build.
    owners_of_spelling: dict[str, list[str]] = {}
    for old_id, spellings in sorted(previous.spellings.items()):
        for spelling in spellings:
            owners_of_spelling.setdefault(spelling, []).append(old_id)

    reserved = set(previous.spellings) | set(previous.redirects)
    new_map = IdMap({k: set(v) for k, v in previous.spellings.items()}, dict(previous.redirects))
    ids: dict[str, str] = {}
    # Registry ids are the editors': no other entity may take one over.
    claimed: set[str] = {e.registry.id for e in entities if e.registry is not None}
    for entity in entities:
        spellings = _spellings(entity)
        overlap: dict[str, int] = {}
        for spelling in spellings:
            for old in owners_of_spelling.get(spelling, ()):
                overlap[old] = overlap.get(old, 0) + 1
        candidates = sorted(
            (old for old in overlap if old not in claimed),
            # Ties go to the id that matches the entity's name as it stands now.
            key=lambda old: (-overlap[old], old != entity.id, old),
        )
        if entity.registry is not None:
            chosen = entity.registry.id  # the editors' id always wins
        elif candidates:
            chosen = candidates[0]
        else:
            chosen = _fresh_id(entity, reserved | claimed)
        for old in candidates:
            if old != chosen:
                new_map.redirects[old] = chosen
                new_map.spellings.pop(old, None)
        new_map.redirects.pop(chosen, None)
        new_map.spellings[chosen] = new_map.spellings.get(chosen, set()) | spellings
        claimed.add(chosen)
        ids[entity.id] = chosen

    for entity in entities:
        for merged in entity.registry.merges if entity.registry else ():
            if merged in reserved and merged not in claimed:
                new_map.redirects[merged] = entity.registry.id
                new_map.spellings.pop(merged, None)

    redirects = {
        old: new_map.resolve_redirect(old)
        for old in new_map.redirects
        if new_map.resolve_redirect(old) in claimed
    }
    return Assignment(ids, new_map, redirects)


def _fresh_id(entity: Entity, taken: set[str]) -> str:
    if entity.id not in taken:
        return entity.id
    number = 2
    while f"{entity.id}-{number}" in taken:
        number += 1
    return f"{entity.id}-{number}"


def apply_ids(resolution: Resolution, assignment: Assignment) -> Resolution:
    """The resolution with every provisional id replaced by its stable id."""
    entities = {}
    for entity in resolution.entities.values():
        stable = assignment.ids[entity.id]
        entities[stable] = Entity(
            stable, entity.name, entity.kind, entity.aliases, entity.mentions, entity.registry
        )
    # Most entities keep the id they were resolved with: only mentions of others are rewritten.
    moved = {old for old, new in assignment.ids.items() if old != new}
    mentions = {
        key: (
            tuple(type(m)(m.start, m.end, assignment.ids[m.entity_id]) for m in linked)
            if moved and any(m.entity_id in moved for m in linked)
            else linked
        )
        for key, linked in resolution.article_mentions.items()
    }
    return Resolution(
        entities, mentions, resolution.merges, resolution.near_misses, resolution.ambiguous
    )
