"""Entity stages that need no model: HTML text maps, linking, names, registry, stable ids."""

from __future__ import annotations

from collections import Counter
from datetime import date
from itertools import pairwise

import pytest
from bs4 import BeautifulSoup
from conftest import visible_text
from hypothesis import given, settings
from hypothesis import strategies as st
from newsarchive.core.clean_names import clean_mention
from newsarchive.core.entity_ids import IdMap, apply_ids, assign_ids
from newsarchive.core.extract import AliasMatcher
from newsarchive.core.html_text import Markup, insert_markup, text_map
from newsarchive.core.link import EntityTarget, link_entities
from newsarchive.core.names import names_match
from newsarchive.core.publish import TIMELINE_MAX_BARS, co_mentions, timeline_svg
from newsarchive.core.registry import parse_registry
from newsarchive.core.resolve import Entity, LinkedMention, Resolution

# --- the HTML text map and the linker -----------------------------------------------------


def test_text_map_reads_text_with_block_breaks_and_unescaped_references():
    mapped = text_map("<h2>Head</h2><p>AT&amp;T in <em>Tehran</em></p><p>Two</p>")
    assert mapped.text == "Head\n\nAT&T in Tehran\n\nTwo\n\n"


def test_markup_never_goes_inside_links_code_or_headings():
    fragment = '<h2>Tehran</h2><p><a href="x">Tehran</a> <code>Tehran</code> Tehran</p>'
    mapped = text_map(fragment)
    spans = [i for i in range(len(mapped.text)) if mapped.text.startswith("Tehran", i)]
    html = insert_markup(mapped, [Markup(s, s + 6, "<b>", "</b>") for s in spans])
    assert html == '<h2>Tehran</h2><p><a href="x">Tehran</a> <code>Tehran</code> <b>Tehran</b></p>'


def test_markup_across_a_tag_is_left_out_rather_than_breaking_the_html():
    mapped = text_map("<p>Levan <em>Dzhagaryan</em> said</p>")
    start = mapped.text.index("Levan")
    html = insert_markup(mapped, [Markup(start, start + len("Levan Dzhagaryan"), "<b>", "</b>")])
    assert html == "<p>Levan <em>Dzhagaryan</em> said</p>"


def test_first_mention_is_linked_and_later_ones_marked():
    mapped = text_map("<p>Qassemi met Bahram Qassemi.</p><p>Qassemi left.</p>")
    text = mapped.text
    full = text.index("Bahram Qassemi")
    last = text.rindex("Qassemi")
    mentions = (
        LinkedMention(0, 7, "bahram-qassemi"),
        LinkedMention(full, full + len("Bahram Qassemi"), "bahram-qassemi"),
        LinkedMention(last, last + 7, "bahram-qassemi"),
    )
    targets = {
        "bahram-qassemi": EntityTarget("Bahram Qassemi", "person", "../entity/bahram-qassemi.html")
    }
    html = link_entities(mapped, mentions, targets)
    soup = BeautifulSoup(html, "html.parser")
    links = soup.select("a.entity")
    assert [a.get_text() for a in links] == ["Qassemi"]
    assert links[0]["href"] == "../entity/bahram-qassemi.html"
    assert [s.get_text() for s in soup.select("span.entity")] == ["Bahram Qassemi", "Qassemi"]
    assert visible_text(html) == "Qassemi met Bahram Qassemi.Qassemi left."


_WORDS = st.sampled_from(
    ["Levan", "Dzhagaryan", "AT&amp;T", "&lt;script&gt;", "said", "لوان", " ", ", ", "&#39;"]
)
_TEXT = st.lists(_WORDS, min_size=1, max_size=8).map("".join)


@st.composite
def html_fragments(draw, depth=0):
    children = draw(
        st.lists(st.one_of(_TEXT, html_fragments(depth + 1)) if depth < 3 else _TEXT, max_size=4)
    )
    tag = draw(st.sampled_from(["p", "em", "a", "code", "h2", "strong", "blockquote", "li"]))
    attributes = ' href="x"' if tag == "a" else ""
    return f"<{tag}{attributes}>{''.join(children)}</{tag}>"


@settings(max_examples=300, deadline=None)
@given(st.lists(html_fragments(), min_size=1, max_size=4).map("".join), st.data())
def test_linking_never_changes_the_text_and_never_nests_links(fragment, data):
    mapped = text_map(fragment)
    length = len(mapped.text)
    spans = data.draw(
        st.lists(st.tuples(st.integers(0, length), st.integers(0, length)), max_size=12)
    )
    mentions = tuple(
        LinkedMention(min(a, b), max(a, b), f"e{i % 3}") for i, (a, b) in enumerate(spans) if a != b
    )
    targets = {f"e{i}": EntityTarget(f"E{i}", "person", f"e{i}.html") for i in range(3)}
    linked = link_entities(mapped, mentions, targets)
    assert visible_text(linked) == visible_text(fragment)
    soup = BeautifulSoup(linked, "html.parser")
    for tag in soup.select(".entity"):
        assert tag.find_parent(["a", "code", "h2"]) is None


# --- names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Levan Dzhagaryan", "Levan Jagarian"),
        ("Levan Jagarian", "لوان جاگارین"),
        ("Bahram Qassemi", "Bahram Ghasemi"),
        ("Hossein Dehqan", "Hossein Dehghan"),
        ("Rustam Khadzhiev", "Рустам Хаджиев"),
        ("Rustam Hajiyev", "رستم حاجیف"),
        ("Dmitri Zhuravlyov", "Dmitry Zhuravlev"),
        ("Yelena Brovkina", "Elena Brovkina"),
        ("Sardor Qodirov", "Sardor Kadyrov"),
    ],
)
def test_spellings_of_one_name_match(a, b):
    assert names_match(a, b)
    assert names_match(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Mohammad Javad Zarif", "Mohammad Javad Larijani"),
        ("Abbas", "Abbasi"),
        ("Ivan Karimov", "Ivan Kuramov"),
        ("Levan Dzhagaryan", "Levan"),
    ],
)
def test_different_names_do_not_match(a, b):
    assert not names_match(a, b)


@pytest.mark.parametrize(
    ("mention", "kind", "name"),
    [
        ("Foreign Ministry Spokesman Bahram Qassemi", "person", "Bahram Qassemi"),
        ("Russian Ambassador to Iran Levan Jagarian", "person", "Levan Jagarian"),
        ("Defense Minister Brigadier General Hossein Dehqan", "person", "Hossein Dehqan"),
        ("Iran’s Foreign Minister Mohammad Javad Zarif", "person", "Mohammad Javad Zarif"),
        (
            "the International Atomic Energy Agency",
            "organization",
            "International Atomic Energy Agency",
        ),
        ("Russia’s", "place", "Russia"),
        ("U.S.", "place", "U.S."),
        ("John Major", "person", "John Major"),
        ("Foreign Ministry Spokesman", "organization", None),
        ("Defense", "organization", None),
        ("the ministry", "organization", None),
        ('"Harbour Watch', "organization", "Harbour Watch"),
        ("'Qaragol Weavers Guild", "organization", "Qaragol Weavers Guild"),
        ("Levan Jagarian\u201d", "person", "Levan Jagarian"),
        ("\u201cRed Kite Brigade\u201d", "organization", "Red Kite Brigade"),
        ("Tariq O'Rourke", "person", "Tariq O'Rourke"),
        (", Davoud Karimi", "person", "Davoud Karimi"),
        ('the "Harbour Watch', "organization", "Harbour Watch"),
        ("- Qaragol", "place", "Qaragol"),
        ('"If Karimi', "person", "Karimi"),
        ('" Mr Karimi', "person", "Karimi"),
        ("AS Qaragol", "organization", "AS Qaragol"),
    ],
)
def test_titles_determiners_and_possessives_are_not_part_of_a_name(mention, kind, name):
    cleaned = clean_mention(mention, 10, kind)
    assert (cleaned.text if cleaned else None) == name
    if cleaned:
        assert mention[cleaned.start - 10 : cleaned.end - 10] == name


# --- the registry -------------------------------------------------------------------------

GOOD_REGISTRY = """\
entities:
  - name: Rustam Khadzhiev
    kind: person
    aliases: [Рустам Хаджиев, رستم حاجیف]
    wikidata: Q42
    links: {Ministry: "https://example.org/minister"}
  - name: Zarkhan Press Agency
    kind: organization
    id: zpa
    aliases: ZPA
not_entities: [Foreign Ministry Spokesman]
"""


def test_a_registry_is_read_with_ids_aliases_and_links():
    registry = parse_registry(GOOD_REGISTRY)
    person, agency = registry.entities
    assert (person.id, person.kind, person.aliases) == (
        "rustam-khadzhiev",
        "person",
        ("Рустам Хаджиев", "رستم حاجیف"),
    )
    assert person.links == (("Ministry", "https://example.org/minister"),)
    assert (agency.id, agency.aliases) == ("zpa", ("ZPA",))
    assert registry.is_not_entity("foreign ministry spokesman")


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("entities:\n  - name: X\n    kind: animal\n", 3, "unknown kind 'animal'"),
        ("entities:\n  - name: X\n    kind: persn\n", 3, "Did you mean 'person'?"),
        ("entities:\n  - name: X\n    kind: person\n    colour: red\n", 4, "unknown key 'colour'"),
        (
            "entities:\n  - name: X\n    kind: person\n    alias: [Y]\n",
            4,
            "Did you mean 'aliases'?",
        ),
        ("entities:\n  - kind: person\n", 2, "no name"),
        ("entities:\n  - name: X\n    kind: person\n    wikidata: 42\n", 4, "not a Wikidata id"),
        ("entities:\n  - name: X\n    kind: person\n    id: Not An Id\n", 4, "not a URL name"),
        ("entities:\n  - name: [unclosed\n", 3, "not valid YAML"),
        ("entities:\n  - name: X\n\tkind: person\n", 3, "replace the tab on that line"),
        ("not_entites: [Defense]\n", 1, "Did you mean 'not_entities'?"),
        (
            "entities:\n  - name: A\n    kind: person\n    aliases: [B]\n  - name: B\n    kind: person\n",
            5,
            "'B' is already a name of 'A' (content/registry.yaml:2)",
        ),
        (
            "entities:\n  - name: A\n    kind: person\n  - name: A\n    kind: place\n",
            4,
            "id 'a' is used twice",
        ),
        ("entities:\n  - name: A\n    kind: person\n    merges: [a]\n", 4, "'A' merges itself"),
    ],
)
def test_invalid_registry_entries_name_the_file_line_and_reason(text, line, words):
    registry = parse_registry(text, "content/registry.yaml")
    (problem,) = registry.problems
    assert problem.line == line
    assert str(problem).startswith(f"content/registry.yaml:{line}: ")
    assert words in str(problem)


BROKEN_REGISTRY = """\
entities:
  - name: Anna Petrova
    kind: persn
  - name: Bank of Qaragol
    kind: organization
    aliases: [BoQ]
  - name: Zarkhan Times
\tkind: organization
  - name: Levan Jagarian
    kind: person
    aliases: [Levan Dzhagaryan]
  - name: Bank of Qaragol
    kind: place
not_entites: [Defense]
not_entities: [Foreign Ministry]
"""


def test_a_registry_mistake_costs_only_its_own_entry():
    registry = parse_registry(BROKEN_REGISTRY, "content/registry.yaml")
    assert [e.name for e in registry.entities] == ["Bank of Qaragol", "Levan Jagarian"]
    assert registry.by_id()["bank-of-qaragol"].kind == "organization"  # the first entry wins
    assert registry.is_not_entity("Foreign Ministry")
    assert [p.line for p in registry.problems] == [3, 8, 12, 14]
    assert not any(p.warning for p in registry.problems)


def test_merges_in_a_circle_keep_the_first_and_report_the_one_that_closes_it():
    registry = parse_registry(
        "entities:\n"
        "  - name: Leyla Ghaffari\n    kind: person\n    merges: [leila-qaffari]\n"
        "  - name: Leila Qaffari\n    kind: person\n    merges: [Leyla Ghaffari]\n",
        "content/registry.yaml",
    )
    first, second = registry.entities
    assert (first.merges, second.merges) == (("leila-qaffari",), ())
    (problem,) = registry.problems
    assert problem.line == 7 and "which merges it (content/registry.yaml:2)" in str(problem)


def test_an_everyday_word_as_an_alias_is_linked_only_in_capitals_unless_flagged():
    text = "They met us in May. US officials may agree; Us and MAY are no names here."
    registry = parse_registry(
        "entities:\n"
        "  - name: United States\n    kind: place\n    aliases: [us]\n"
        "  - name: Zarkhan Maritime\n    kind: organization\n    aliases: [may]\n"
        "    case_sensitive: true\n",
        "content/registry.yaml",
    )
    found = [(m.text, m.entity_id) for m in AliasMatcher(registry).find(text)]
    assert found == [("US", "united-states"), ("may", "zarkhan-maritime")]
    assert [p.line for p in registry.problems] == [4]
    assert registry.problems[0].warning and "'US'" in str(registry.problems[0])


def test_a_lower_case_alias_that_is_no_everyday_word_needs_a_capital_in_the_text():
    registry = parse_registry(
        "entities:\n  - name: Qaragol Fruit Company\n    kind: organization\n    aliases: [apricot]\n"
    )
    text = "An apricot harvest for Apricot, the fruit company."
    assert [m.text for m in AliasMatcher(registry).find(text)] == ["Apricot"]
    assert registry.problems == ()


# --- stable ids ---------------------------------------------------------------------------


def entity(entity_id, *aliases, mentions=1):
    return Entity(entity_id, aliases[0], "person", aliases, mentions)


def test_an_entity_keeps_its_id_when_its_provisional_name_changes():
    first = assign_ids([entity("levan-jagarian", "Levan Jagarian")], IdMap())
    assert first.ids == {"levan-jagarian": "levan-jagarian"}
    # More articles spell him Dzhagaryan now, so the name (and provisional id) changed.
    second = assign_ids(
        [entity("levan-dzhagaryan", "Levan Dzhagaryan", "Levan Jagarian", mentions=5)], first.id_map
    )
    assert second.ids == {"levan-dzhagaryan": "levan-jagarian"}
    assert second.redirects == {}


def test_a_merge_keeps_one_id_and_redirects_the_other():
    first = assign_ids(
        [entity("leyla-ghaffari", "Leyla Ghaffari"), entity("leila-qaffari", "Leila Qaffari")],
        IdMap(),
    )
    merged = assign_ids(
        [entity("leyla-ghaffari", "Leyla Ghaffari", "Leila Qaffari", mentions=3)], first.id_map
    )
    assert merged.ids == {"leyla-ghaffari": "leyla-ghaffari"}
    assert merged.redirects == {"leila-qaffari": "leyla-ghaffari"}


def test_an_id_is_never_handed_to_another_entity():
    first = assign_ids([entity("georgia", "Georgia")], IdMap())
    gone = assign_ids([], first.id_map)
    other = assign_ids([entity("georgia", "Georgia O'Keeffe's Georgia")], gone.id_map)
    assert other.ids["georgia"] != "georgia"


def test_an_entity_whose_spellings_a_bigger_entity_shares_keeps_its_id_build_after_build():
    people = [
        entity("ana-beridze", "Ana Beridze", "Beridze", mentions=9),
        entity("beridze", "Beridze", mentions=2),  # a second Beridze, only ever the surname
    ]
    first = assign_ids(people, IdMap())
    again = assign_ids(people, IdMap.from_json(first.id_map.to_json()))
    assert again.ids == first.ids == {"ana-beridze": "ana-beridze", "beridze": "beridze"}
    assert again.id_map.spellings == first.id_map.spellings
    assert again.redirects == {}


@given(
    st.lists(
        st.tuples(
            st.sets(st.sampled_from(["ana", "ana lo", "lo", "mer", "mer lo", "tsk"]), min_size=1),
            st.integers(1, 5),
        ),
        max_size=6,
    )
)
@settings(max_examples=200, deadline=None)
def test_building_again_with_nothing_changed_keeps_every_id(found):
    # Same entities, same archive: the URLs of the first build must hold on the second.
    entities = [
        Entity(f"e{number}", sorted(names)[0], "person", tuple(sorted(names)), mentions)
        for number, (names, mentions) in enumerate(found)
    ]
    first = assign_ids(entities, IdMap())
    second = assign_ids(entities, IdMap.from_json(first.id_map.to_json()))
    assert second.ids == first.ids
    assert second.redirects == {}


def test_ids_are_applied_to_mentions_and_survive_a_round_trip_through_json():
    assignment = assign_ids([entity("a", "A Name")], IdMap())
    resolution = Resolution({"a": entity("a", "A Name")}, {"x.txt": (LinkedMention(0, 6, "a"),)})
    applied = apply_ids(resolution, assignment)
    assert set(applied.entities) == {"a"}
    assert applied.article_mentions["x.txt"][0].entity_id == "a"
    assert IdMap.from_json(assignment.id_map.to_json()).spellings == assignment.id_map.spellings


@given(
    st.dictionaries(
        st.text("abcdef", min_size=1, max_size=3),
        st.sets(st.sampled_from(["p1", "p2", "o1", "o2", "l1", "l2", "l3"]), max_size=5),
        max_size=30,
    )
)
@settings(max_examples=200, deadline=None)
def test_co_mentions_count_the_articles_each_pair_of_entities_shares(entities_by_article):
    found = co_mentions(entities_by_article, limit=3)
    for entity_id in {e for entities in entities_by_article.values() for e in entities}:
        shared = Counter(
            other
            for entities in entities_by_article.values()
            if entity_id in entities
            for other in entities - {entity_id}
        )
        expected = sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        assert found.get(entity_id, []) == expected


# --- the timeline chart -----------------------------------------------------------------


def chart(dates):
    svg = BeautifulSoup(timeline_svg(dates, "Qaragol"), "html.parser").svg
    bars = svg.select("rect")
    labels = [(float(t["x"]), t.get_text()) for t in svg.select("text.year")]
    return svg, bars, labels


def test_the_timeline_has_a_bar_a_month_with_its_count_and_year_labels_that_never_touch():
    dates = [date(2023, 11, 5), date(2023, 11, 20), date(2024, 1, 3), date(2025, 6, 1)]
    svg, bars, labels = chart(dates)
    assert len(bars) == 20  # November 2023 to June 2025
    assert bars[0].title.get_text() == "November 2023: 2 articles"
    assert bars[1].title.get_text() == "December 2023: 0 articles"
    assert [text for _, text in labels] == ["2024", "2025"]  # "2023" would touch "2024"
    assert all(b[0] - a[0] >= 40 for a, b in pairwise(labels))
    assert "at most 2 in one month" in svg["aria-label"]
    assert svg.select_one("line.axis") is not None
    assert [t.get_text() for t in svg.select("text.scale")] == ["2", "0"]


@pytest.mark.parametrize(
    ("dates", "unit", "first_title"),
    [
        ([date(1990, 1, 1), date(2024, 1, 1)], "year", "1990: 1 article"),
        ([date(1300, 1, 1), date(2024, 1, 1)], "decade", "1300s: 1 article"),
        ([date(1, 1, 1), date(9999, 12, 31)], "century", "0–99: 1 article"),
    ],
)
def test_a_long_span_is_drawn_in_coarser_bins_and_the_chart_stays_small(dates, unit, first_title):
    svg, bars, labels = chart(dates)
    assert f"by {unit};" in svg["aria-label"]
    assert len(bars) <= TIMELINE_MAX_BARS
    assert bars[0].title.get_text() == first_title
    assert len(str(svg)) < 40_000
    assert all(b[0] - a[0] >= 40 for a, b in pairwise(labels))
