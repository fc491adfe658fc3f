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
        case_sensitive: false           # true: aliases match only exactly as written
    not_entities: [Foreign Ministry Spokesman, Defense]

A mistake costs only the entry it is in: each problem names the file and line, says what
to write instead, and every valid entry still applies.
"""

from __future__ import annotations

import difflib
import importlib.util
import re
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import yaml

from .slugs import make_slug

KINDS = ("person", "organization", "place", "other")
ENTITY_KEYS = frozenset(
    {
        "name",
        "kind",
        "id",
        "aliases",
        "description",
        "wikidata",
        "links",
        "merges",
        "distinct",
        "case_sensitive",
    }
)
TOP_KEYS = frozenset({"entities", "not_entities"})
_WIKIDATA = re.compile(r"^Q[1-9][0-9]*$")
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class RegistryError(ValueError):
    """One problem in a registry file; `warning` ones are applied with a caveat."""

    def __init__(
        self, source: str, line: int | None, problem: str, fix: str, warning: bool = False
    ) -> None:
        self.source, self.line, self.warning, self.problem = source, line, warning, problem
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
    case_sensitive: bool = False
    line: int = 0
    source: str = field(default="", repr=False, compare=False)
    key_lines: tuple[tuple[str, int], ...] = field(default=(), repr=False, compare=False)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def line_of(self, key: str) -> int:
        """The line of one of the entry's keys ("merges"), else of the entry."""
        return dict(self.key_lines).get(key, self.line)


@dataclass(frozen=True)
class Registry:
    entities: tuple[RegistryEntity, ...] = ()
    not_entities: frozenset[str] = field(default_factory=frozenset)  # casefolded
    source: str = ""
    problems: tuple[RegistryError, ...] = field(default=(), repr=False, compare=False)

    def by_id(self) -> dict[str, RegistryEntity]:
        return {entity.id: entity for entity in self.entities}

    def is_not_entity(self, name: str) -> bool:
        return name.casefold() in self.not_entities


@cache
def _common_words() -> frozenset[str]:
    """English function words ("the", "may", "us"), from spaCy's list. The file is read on
    its own: importing spaCy to get it costs two seconds of every warm build."""
    spacy = importlib.util.find_spec("spacy")
    words = Path(spacy.origin).parent / "lang" / "en" / "stop_words.py"
    spec = importlib.util.spec_from_file_location("_english_stop_words", words)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return frozenset(module.STOP_WORDS)


def is_common_word(alias: str) -> bool:
    """An alias written in lower case that is an everyday English word: linked only where
    the text writes it in capitals ("US", never "us")."""
    return alias == alias.lower() != alias.upper() and alias in _common_words()


def _suggestion(word: str, allowed: object) -> str:
    close = difflib.get_close_matches(word, sorted(allowed), n=1, cutoff=0.6)
    return f"Did you mean {close[0]!r}? " if close else ""


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
            raise RegistryError(
                source, _line(key_node), f"unknown {what} {key!r}", _suggestion(key, allowed) + fix
            )
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
            _suggestion(kind, KINDS) + f"Use one of: {', '.join(KINDS)}",
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
    case_sensitive = False
    if "case_sensitive" in values:
        flag = _scalar(values["case_sensitive"], source, "case_sensitive").lower()
        if flag not in ("true", "false"):
            raise RegistryError(
                source,
                _line(values["case_sensitive"]),
                f"case_sensitive is {flag!r}",
                "Write 'case_sensitive: true' or leave it out",
            )
        case_sensitive = flag == "true"
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
        case_sensitive=case_sensitive,
        line=_line(node),
        source=source,
        key_lines=tuple((key, _line(value)) for key, value in values.items()),
    )


def _yaml_problem(error: yaml.YAMLError, source: str, first_line: int = 0) -> RegistryError:
    mark = getattr(error, "problem_mark", None)
    line = mark.line + 1 if mark else first_line or None
    problem = getattr(error, "problem", None) or str(error)
    fix = (
        "YAML indents with spaces: replace the tab on that line with spaces"
        if "\\t" in problem or "\t" in problem
        else "Check the indentation and quotes on that line"
    )
    return RegistryError(source, line, f"this is not valid YAML ({problem})", fix)


_TOP_LEVEL = re.compile(r"^[^\s#-]")
_ITEM = re.compile(r"^(\s*)-(?:\s|$)")


def _pieces(text: str) -> list[tuple[int, str]]:
    """A registry that is not valid YAML as a whole, cut into its top-level sections, and
    the `entities:` section into its items: (first line index, text) each, so one bad
    entry spoils only itself."""
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if _TOP_LEVEL.match(line)]
    pieces: list[tuple[int, str]] = []
    for start, end in zip(starts, [*starts[1:], len(lines)], strict=True):
        if not lines[start].startswith("entities:"):
            pieces.append((start, "".join(lines[start:end])))
            continue
        items = [i for i in range(start + 1, end) if _ITEM.match(lines[i])]
        indent = min((len(_ITEM.match(lines[i])[1]) for i in items), default=0)
        items = [i for i in items if len(_ITEM.match(lines[i])[1]) == indent]
        pieces.append((start, lines[start]))  # the header alone: an empty section
        for item, item_end in zip(items, [*items[1:], end], strict=True):
            pieces.append((item, "entities:\n" + "".join(lines[item:item_end])))
    return pieces


def _compose_pieces(text: str, source: str) -> tuple[list[yaml.Node], list[RegistryError]]:
    """The registry's top-level mappings: the whole file, or where it is not valid YAML,
    each piece that is (padded so that every line keeps its number)."""
    try:
        root = yaml.compose(text)
        return ([root] if root is not None else []), []
    except yaml.YAMLError as error:
        problems = [_yaml_problem(error, source)]
    roots = []
    for start, piece in _pieces(text):
        padded = "\n" * (start - 1 if piece.startswith("entities:\n") and start else start)
        try:
            root = yaml.compose(padded + piece)
        except yaml.YAMLError as error:
            problem = _yaml_problem(error, source, start + 1)
            if problem.problem != problems[0].problem:  # the one already reported
                problems.append(problem)
            continue
        if root is not None:
            roots.append(root)
    return roots, problems


def parse_registry(text: str, source: str = "registry.yaml") -> Registry:
    """Parse and check a registry: every valid entry, and a problem naming the line for
    each one left out."""
    roots, problems = _compose_pieces(text, source)
    entities: list[RegistryEntity] = []
    not_entities: set[str] = set()
    for root in roots:
        if not isinstance(root, yaml.MappingNode):
            problems.append(
                RegistryError(
                    source,
                    _line(root),
                    "the registry must be a mapping",
                    "Start it with 'entities:'",
                )
            )
            continue
        for key_node, value_node in root.value:
            key = str(key_node.value)
            try:
                if key not in TOP_KEYS:
                    raise RegistryError(
                        source,
                        _line(key_node),
                        f"unknown section {key!r}",
                        _suggestion(key, TOP_KEYS) + "Use 'entities:' and 'not_entities:'",
                    )
                if key == "not_entities":
                    not_entities.update(
                        n.casefold() for n in _scalar_list(value_node, source, "not_entities")
                    )
                    continue
                if isinstance(value_node, yaml.ScalarNode) and not value_node.value:
                    continue  # "entities:" with nothing under it yet
                if not isinstance(value_node, yaml.SequenceNode):
                    raise RegistryError(
                        source,
                        _line(value_node),
                        "entities must be a list",
                        "Start each entity with '- name:'",
                    )
            except RegistryError as problem:
                problems.append(problem)
                continue
            for item in value_node.value:
                try:
                    entities.append(_entity(item, source))
                except RegistryError as problem:
                    problems.append(problem)
    entities, contradictions = _consistent(entities)
    problems += contradictions + _common_word_warnings(entities)
    problems.sort(key=lambda p: p.line or 0)
    return Registry(tuple(entities), frozenset(not_entities), source, tuple(problems))


def _consistent(entities: list[RegistryEntity]) -> tuple[list[RegistryEntity], list[RegistryError]]:
    """The entities without the ones that contradict an earlier entry (an id or a name
    used twice, a merge of itself or one that closes a circle), and a problem for each."""
    problems: list[RegistryError] = []
    kept: list[RegistryEntity] = []
    ids: dict[str, RegistryEntity] = {}
    names: dict[str, RegistryEntity] = {}
    for entity in entities:
        if entity.id in ids:
            first = ids[entity.id]
            problems.append(
                RegistryError(
                    entity.source,
                    entity.line,
                    f"id {entity.id!r} is used twice (also {first.source}:{first.line}); "
                    "this entry is left out",
                    "Give one of them another id, or merge them with 'merges:'",
                )
            )
            continue
        if entity.name.casefold() in names:
            first = names[entity.name.casefold()]
            problems.append(
                RegistryError(
                    entity.source,
                    entity.line,
                    f"{entity.name!r} is already a name of {first.name!r} "
                    f"({first.source}:{first.line}); this entry is left out",
                    "Keep one entry for them, with the other names as aliases",
                )
            )
            continue
        aliases = []
        for alias in entity.aliases:
            other = names.get(alias.casefold())
            if other is not None:
                problems.append(
                    RegistryError(
                        entity.source,
                        entity.line_of("aliases"),
                        f"alias {alias!r} of {entity.name!r} also names {other.name!r} "
                        f"({other.source}:{other.line}); it is left out here",
                        "Keep the alias on one entity only",
                    )
                )
            elif alias.casefold() != entity.name.casefold():
                aliases.append(alias)
        entity = replace(entity, aliases=tuple(aliases))
        ids[entity.id] = entity
        for name in entity.names:
            names[name.casefold()] = entity
        kept.append(entity)
    return _acyclic_merges(kept, names, problems)


def _acyclic_merges(
    entities: list[RegistryEntity],
    names: dict[str, RegistryEntity],
    problems: list[RegistryError],
) -> tuple[list[RegistryEntity], list[RegistryError]]:
    """Merges without one of an entity into itself or one that closes a circle (A merges B,
    B merges A): the later entry's merge is left out, with a problem."""
    by_id = {e.id: e for e in entities}
    merged_into: dict[str, set[str]] = {e.id: set() for e in entities}  # id -> ids it takes

    def takes(taker: str, taken: str) -> bool:
        seen, stack = set(), [taker]
        while stack:
            current = stack.pop()
            if current == taken:
                return True
            if current not in seen:
                seen.add(current)
                stack.extend(merged_into[current])
        return False

    kept = []
    for entity in entities:
        merges = []
        for merged in entity.merges:
            target = by_id.get(merged) or names.get(merged.casefold())
            if target is entity:
                problem = f"{entity.name!r} merges itself ({merged!r}); that merge is left out"
                fix = "Name another entity's id in 'merges:', or remove the line"
            elif target is not None and takes(target.id, entity.id):
                problem = (
                    f"{entity.name!r} merges {target.name!r}, which merges it "
                    f"({target.source}:{target.line}); that merge is left out"
                )
                fix = "Keep the merge on one of the two entries only"
            else:
                if target is not None:
                    merged_into[entity.id].add(target.id)
                merges.append(merged)
                continue
            problems.append(RegistryError(entity.source, entity.line_of("merges"), problem, fix))
        kept.append(replace(entity, merges=tuple(merges)))
    return kept, problems


def _common_word_warnings(entities: list[RegistryEntity]) -> list[RegistryError]:
    return [
        RegistryError(
            entity.source,
            entity.line_of("aliases"),
            f"alias {alias!r} of {entity.name!r} is an everyday word; it is linked only "
            f"where written in capitals ({alias.upper()!r})",
            "Write the alias as the articles spell the name, or add 'case_sensitive: true' "
            "to link it exactly as written",
            warning=True,
        )
        for entity in entities
        if not entity.case_sensitive
        for alias in entity.aliases
        if is_common_word(alias)
    ]


def _decoded(data: bytes, source: str) -> tuple[str | None, list[RegistryError]]:
    """A registry file's text: UTF-8 (UTF-16 with its mark); else read as Windows-1252,
    the usual other encoding of an editor's file, with a warning; binary is refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), []
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
    if b"\x00" in data or sum(b < 9 or 13 < b < 32 for b in data) > len(data) // 100:
        return None, [
            RegistryError(
                source,
                None,
                "this is not a text file",
                "Point NEWSARCHIVE_REGISTRY at the YAML registry, or restore it from a copy",
            )
        ]
    problem = RegistryError(
        source,
        line,
        "this is not UTF-8 text (read as Windows-1252 instead)",
        "Save the file as UTF-8 in your editor",
        warning=True,
    )
    return data.decode("cp1252", errors="replace"), [problem]


def load_registry(paths: list[Path]) -> Registry:
    """All registry files, in order, as one registry, with every problem found in them."""
    entities: list[RegistryEntity] = []
    not_entities: set[str] = set()
    problems: list[RegistryError] = []
    for path in paths:
        text, unreadable = _decoded(path.read_bytes(), str(path))
        problems.extend(unreadable)
        if text is None:
            continue
        registry = parse_registry(text, str(path))
        entities.extend(registry.entities)
        not_entities |= registry.not_entities
        problems.extend(registry.problems)
    entities, contradictions = _consistent(entities)  # across files: within one, parsed out
    return Registry(
        tuple(entities),
        frozenset(not_entities),
        ", ".join(str(p) for p in paths),
        tuple(problems + contradictions),
    )
