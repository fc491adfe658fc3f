"""The editors' registry: YAML in content/ that says what the machine cannot know.

    entities:
      - name: Rustam Khadzhiev          # canonical name (required)
        kind: person                    # person | organization | place | other (required)
        id: rustam-khadzhiev            # URL name; defaults to the name's slug
        aliases: [Rustam Hajiyev, Рустам Хаджиев]
        description: Foreign minister of Zarkhan.
        wikidata: Q42                   # optional
        links: {Official site: "https://example.org"}
        merges: [rustam-khajiev]        # ids of entities folded into this one (redirected)
        distinct: [Rustam Khadzhiyev Jr] # names of someone else: never joined to this one
    not_entities: [Foreign Ministry Spokesman, Defense]

Every error names the file and line and says what to do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .slugs import make_slug

KINDS = ("person", "organization", "place", "other")
ENTITY_KEYS = frozenset(
    {"name", "kind", "id", "aliases", "description", "wikidata", "links", "merges", "distinct"}
)
TOP_KEYS = frozenset({"entities", "not_entities"})
_WIKIDATA = re.compile(r"^Q[1-9][0-9]*$")
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class RegistryError(ValueError):
    def __init__(self, source: str, line: int | None, problem: str, fix: str) -> None:
        self.source, self.line = source, line
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {problem}. {fix}")


@dataclass(frozen=True)
class RegistryEntity:
    id: str
    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    description: str = ""
    wikidata: str | None = None
    links: tuple[tuple[str, str], ...] = ()
    merges: tuple[str, ...] = ()
    distinct: tuple[str, ...] = ()  # names of other people the machine must not join
    line: int = 0

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Registry:
    entities: tuple[RegistryEntity, ...] = ()
    not_entities: frozenset[str] = field(default_factory=frozenset)  # casefolded
    source: str = ""

    def by_id(self) -> dict[str, RegistryEntity]:
        return {entity.id: entity for entity in self.entities}

    def is_not_entity(self, name: str) -> bool:
        return name.casefold() in self.not_entities


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _scalar(node: yaml.Node, source: str, what: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
        raise RegistryError(
            source, _line(node), f"{what} must be a non-empty text", f"Write {what} as plain text"
        )
    return " ".join(str(node.value).split())


def _scalar_list(node: yaml.Node, source: str, what: str) -> tuple[str, ...]:
    if isinstance(node, yaml.ScalarNode):
        return (_scalar(node, source, what),)
    if not isinstance(node, yaml.SequenceNode):
        raise RegistryError(
            source,
            _line(node),
            f"{what} must be a list",
            f"Write {what} as [a, b] or one item per '- ' line",
        )
    return tuple(_scalar(item, source, what) for item in node.value)


def _checked_items(
    node: yaml.MappingNode, allowed: frozenset[str], what: str, fix: str, source: str
) -> list[tuple[str, yaml.Node]]:
    """A mapping's (key, value node) pairs, in order; an unknown key is an error at its line."""
    items = []
    for key_node, value_node in node.value:
        key = str(key_node.value)
        if key not in allowed:
            raise RegistryError(source, _line(key_node), f"unknown {what} {key!r}", fix)
        items.append((key, value_node))
    return items


def _entity(node: yaml.Node, source: str) -> RegistryEntity:
    if not isinstance(node, yaml.MappingNode):
        raise RegistryError(
            source, _line(node), "each entity must be a mapping", "Start it with '- name: ...'"
        )
    values = dict(
        _checked_items(
            node, ENTITY_KEYS, "key", f"Use one of: {', '.join(sorted(ENTITY_KEYS))}", source
        )
    )
    if "name" not in values:
        raise RegistryError(source, _line(node), "an entity has no name", "Add 'name: ...'")
    name = _scalar(values["name"], source, "name")
    if "kind" not in values:
        raise RegistryError(
            source,
            _line(node),
            f"{name!r} has no kind",
            f"Add 'kind:' with one of {', '.join(KINDS)}",
        )
    kind = _scalar(values["kind"], source, "kind").lower()
    if kind not in KINDS:
        raise RegistryError(
            source,
            _line(values["kind"]),
            f"unknown kind {kind!r} for {name!r}",
            f"Use one of: {', '.join(KINDS)}",
        )
    entity_id = _scalar(values["id"], source, "id") if "id" in values else make_slug(name, name)
    if not _ID.match(entity_id):
        raise RegistryError(
            source,
            _line(values["id"]),
            f"id {entity_id!r} is not a URL name",
            "Use lower-case letters, digits and single hyphens, like 'levan-dzhagaryan'",
        )
    wikidata = _scalar(values["wikidata"], source, "wikidata") if "wikidata" in values else None
    if wikidata and not _WIKIDATA.match(wikidata):
        raise RegistryError(
            source,
            _line(values["wikidata"]),
            f"{wikidata!r} is not a Wikidata id",
            "Write it as Q followed by digits, like Q42",
        )
    links: list[tuple[str, str]] = []
    if "links" in values:
        links_node = values["links"]
        if not isinstance(links_node, yaml.MappingNode):
            raise RegistryError(
                source,
                _line(links_node),
                "links must be a mapping",
                "Write 'links: {Label: https://...}'",
            )
        for label_node, url_node in links_node.value:
            url = _scalar(url_node, source, "a link")
            if not url.startswith(("https://", "http://")):
                raise RegistryError(
                    source,
                    _line(url_node),
                    f"link {url!r} is not a web address",
                    "Start it with https://",
                )
            links.append((_scalar(label_node, source, "a link label"), url))
    return RegistryEntity(
        id=entity_id,
        name=name,
        kind=kind,
        aliases=_scalar_list(values["aliases"], source, "aliases") if "aliases" in values else (),
        description=_scalar(values["description"], source, "description")
        if "description" in values
        else "",
        wikidata=wikidata,
        links=tuple(links),
        merges=_scalar_list(values["merges"], source, "merges") if "merges" in values else (),
        distinct=(
            _scalar_list(values["distinct"], source, "distinct") if "distinct" in values else ()
        ),
        line=_line(node),
    )


def parse_registry(text: str, source: str = "registry.yaml") -> Registry:
    """Parse and check a registry; raises RegistryError naming the line."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(error, "problem", None) or str(error)
        raise RegistryError(
            source,
            line,
            f"this is not valid YAML ({problem})",
            "Check the indentation and quotes on that line",
        ) from None
    if root is None:
        return Registry(source=source)
    if not isinstance(root, yaml.MappingNode):
        raise RegistryError(
            source, _line(root), "the registry must be a mapping", "Start it with 'entities:'"
        )
    entities: list[RegistryEntity] = []
    not_entities: set[str] = set()
    for key, value_node in _checked_items(
        root, TOP_KEYS, "section", "Use 'entities:' and 'not_entities:'", source
    ):
        if key == "not_entities":
            not_entities.update(
                name.casefold() for name in _scalar_list(value_node, source, "not_entities")
            )
            continue
        if not isinstance(value_node, yaml.SequenceNode):
            raise RegistryError(
                source,
                _line(value_node),
                "entities must be a list",
                "Start each entity with '- name:'",
            )
        entities.extend(_entity(item, source) for item in value_node.value)
    _check_unique(entities, source)
    return Registry(tuple(entities), frozenset(not_entities), source)


def _check_unique(entities: list[RegistryEntity], source: str) -> None:
    ids: dict[str, RegistryEntity] = {}
    names: dict[str, RegistryEntity] = {}
    for entity in entities:
        if entity.id in ids:
            raise RegistryError(
                source,
                entity.line,
                f"id {entity.id!r} is used twice (also line {ids[entity.id].line})",
                "Give one of them another id, or merge them with 'merges:'",
            )
        ids[entity.id] = entity
        for name in entity.names:
            other = names.get(name.casefold())
            if other is not None and other is not entity:
                raise RegistryError(
                    source,
                    entity.line,
                    f"{name!r} names both {other.name!r} (line {other.line}) and {entity.name!r}",
                    "Keep the alias on one entity only",
                )
            names[name.casefold()] = entity


def load_registry(paths: list[Path]) -> Registry:
    """All registry files, in order, as one registry."""
    entities: list[RegistryEntity] = []
    not_entities: set[str] = set()
    for path in paths:
        registry = parse_registry(path.read_text(encoding="utf-8"), str(path))
        entities.extend(registry.entities)
        not_entities |= registry.not_entities
    _check_unique(entities, ", ".join(str(p) for p in paths))
    return Registry(tuple(entities), frozenset(not_entities), ", ".join(str(p) for p in paths))
