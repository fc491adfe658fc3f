"""Entities in built sites: the seeds, the sample archive, and archives that change."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, SHARED, build
from newsarchive.core.read import parse_raw_article, render_html
from newsarchive.site_check import broken_links
from test_entities_core import visible_text


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def spellings(page: BeautifulSoup) -> list[str]:
    return [page.select_one("main h1").get_text()] + [
        li.get_text() for li in page.select(".spellings li")
    ]


@pytest.fixture(scope="module")
def seeds_site(tmp_path_factory):
    if not (SHARED / "seeds").is_dir():
        pytest.skip("../shared/seeds is not present")
    root = tmp_path_factory.mktemp("seeds")
    content = root / "content"
    content.mkdir()
    for seed in (SHARED / "seeds").glob("*.txt"):
        shutil.copy(seed, content / seed.name)
    build(content, root / "out")
    return root / "out"


def test_seeds_give_one_page_for_both_spellings_of_the_ambassador(seeds_site):
    page = soup(seeds_site / "entity" / "levan-dzhagaryan.html")
    assert {"Levan Dzhagaryan", "Levan Jagarian", "لوان جاگارین"} <= set(spellings(page))
    persian = page.find("span", string="لوان جاگارین")
    assert (persian["lang"], persian["dir"]) == ("fa", "rtl")
    assert len(page.select(".appearances .story-item")) == 2
    assert not (seeds_site / "entity" / "levan-jagarian.html").exists()


def test_seeds_link_a_surname_to_the_full_name_and_an_acronym_to_its_long_form(seeds_site):
    article = soup(
        seeds_site / "undated" / "tehran-moscow-anti-terror-cooperation-positive-russian-envoy.html"
    )
    qassemi = [t for t in article.select(".story-body .entity") if t.get_text() == "Qassemi"]
    assert qassemi and all(t["data-entity"] == "bahram-qassemi" for t in qassemi)
    dzhagaryan = [t for t in article.select(".story-body .entity") if t.get_text() == "Dzhagaryan"]
    assert dzhagaryan and dzhagaryan[0]["data-entity"] == "levan-dzhagaryan"
    deal = soup(seeds_site / "entity" / "joint-comprehensive-plan-of-action.html")
    assert "JCPOA" in spellings(deal)
    assert len(deal.select(".appearances .story-item")) == 1
    names = {e["name"] for e in json.loads((seeds_site / "data" / "entities.json").read_text())}
    assert "Foreign Ministry Spokesman" not in names
    assert not any("Spokesman" in n or n == "Defense" for n in names)
    isis = json.loads((seeds_site / "data" / "entities.json").read_text())
    daesh = next(e for e in isis if e["name"] == "Daesh")
    assert {"ISIS", "ISIL"} <= set(daesh["aliases"])


def test_the_sample_archive_joins_spellings_across_scripts(sample_site):
    page = soup(sample_site / "entity" / "rustam-khadzhiev.html")
    assert {
        "Rustam Khadzhiev",
        "Rustam Hajiyev",
        "Rustam Khajiev",
        "Рустам Хаджиев",
        "رستم حاجیف",
    } <= set(spellings(page))
    assert page.find("span", string="Рустам Хаджиев")["lang"] == "ru"
    assert page.find("span", string="رستم حاجیف")["dir"] == "rtl"
    assert {"Leyla Ghaffari", "Leila Qaffari"} <= set(
        spellings(soup(sample_site / "entity" / "leyla-ghaffari.html"))
    )
    assert "ZNOC" in spellings(soup(sample_site / "entity" / "zarkhan-national-oil-company.html"))


def test_surname_only_mentions_in_the_sample_link_to_the_person(sample_site):
    article = soup(
        sample_site / "2023" / "04" / "foreign-minister-hajiyev-to-visit-novoyarsk-this-week.html"
    )
    ghaffari = [
        t["data-entity"]
        for t in article.select(".story-body .entity")
        if t.get_text() == "Ghaffari"
    ]
    assert ghaffari == ["leyla-ghaffari"]
    first = article.select_one('.story-body a.entity[data-entity="leyla-ghaffari"]')
    assert first.get_text() == "Leyla Ghaffari"
    assert first["href"] == "../../entity/leyla-ghaffari.html"


def test_articles_keep_their_text_exactly(sample_site):
    """Linking adds tags only: every raw article's body reads as the reader produced it."""
    checked = 0
    for source in sorted((ROOT / "content").rglob("*.txt")):
        article = parse_raw_article(source.read_text(encoding="utf-8"), str(source))
        expected = visible_text(render_html(article))
        pages = [p for p in sample_site.rglob("*.html") if p.parent.name != "entity"]
        for path in pages:
            page = soup(path)
            heading = page.select_one("article.story h1")
            if heading and heading.get_text() == article.title:
                body = page.select_one(".story-body").decode_contents()
                assert visible_text(body).strip() == expected.strip(), source
                checked += 1
                break
    assert checked >= 25


def test_an_entity_page_shows_stories_newest_first_with_the_sentence(sample_site):
    page = soup(sample_site / "entity" / "malika-tashpulatova.html")
    dates = [t["datetime"] for t in page.select(".appearances time")]
    assert dates == sorted(dates, reverse=True) and len(dates) == 5
    quotes = page.select(".appearances blockquote.mention")
    assert all(q.select_one("mark") for q in quotes)
    assert "Tashpulatova" in quotes[0].select_one("mark").get_text()
    assert page.select_one("svg.timeline") is not None
    assert len(page.select("svg.timeline rect")) >= 20  # July 2023 to April 2025, a bar a month
    together = [a.get_text() for a in page.select("#with-heading + .tally a")]
    assert "Lake Tarak" in together[:3]
    data = json.loads(page.select_one('script[type="application/ld+json"]').string)
    assert (data["@type"], data["name"]) == ("Person", "Malika Tashpulatova")


def test_registry_description_and_links_appear_with_schema_org_same_as(sample_site):
    page = soup(sample_site / "entity" / "rustam-khadzhiev.html")
    assert (
        page.select_one(".entity-description").get_text().startswith("Foreign minister of Zarkhan")
    )
    data = json.loads(page.select_one('script[type="application/ld+json"]').string)
    assert data["sameAs"] == ["https://mfa.zarkhan.example/minister"]
    assert "Рустам Хаджиев" in data["alternateName"]


def test_article_pages_list_who_is_in_the_story_and_mention_them_in_json_ld(sample_site):
    page = soup(
        sample_site / "2023" / "11" / "serevia-and-zarkhan-sign-trans-tarak-pipeline-accord.html"
    )
    groups = {
        h.get_text(): [a.get_text() for a in h.find_next("ul").select("a")]
        for h in page.select(".in-this-story h3")
    }
    assert {"Rustam Khadzhiev", "Yelena Brovkina", "Anvar Sobirkhonov"} <= set(groups["People"])
    assert "Zarkhan National Oil Company" in groups["Organisations"]
    data = json.loads(page.select_one('script[type="application/ld+json"]').string)
    assert data["@type"] == "NewsArticle" and data["datePublished"].startswith("2023-11-20")
    assert {"@type": "Person", "name": "Yelena Brovkina"} in data["mentions"]


def test_entity_indexes_by_kind_by_mentions_and_a_to_z(sample_site):
    people = soup(sample_site / "entities" / "person.html")
    names = [a.get_text() for a in people.select(".entity-list a")]
    counts = [int(s.get_text().split()[0]) for s in people.select(".entity-list .count")]
    assert counts == sorted(counts, reverse=True) and "Rustam Khadzhiev" in names
    alphabetical = [
        a.get_text()
        for a in soup(sample_site / "entities" / "person-a-z.html").select(".entity-list a")
    ]
    assert alphabetical == sorted(alphabetical, key=str.casefold)
    assert set(alphabetical) == set(names)
    places = [
        a.get_text() for a in soup(sample_site / "entities" / "place.html").select(".entity-list a")
    ]
    assert "Qaragol" in places and "Rustam Khadzhiev" not in places


def test_the_sample_a_to_z_has_a_heading_per_letter_and_a_jump_bar_to_them(sample_site):
    page = soup(sample_site / "entities" / "person-a-z.html")
    headings = [h.get_text() for h in page.select("section.letter h2")]
    assert headings == sorted(headings) and len(headings) > 5
    for section in page.select("section.letter"):
        letter = section.h2.get_text()
        assert all(a.get_text()[0].upper() == letter for a in section.select(".entity-list a"))
    jumps = {a.get_text(): a["href"] for a in page.select("nav.letters a")}
    assert list(jumps) == headings
    assert all(page.find(id=href.split("#")[1]) for href in jumps.values())


def test_a_long_index_comes_in_pages_and_a_page_a_letter(sample_site, tmp_path):
    output = tmp_path / "out"
    build(ROOT / "content", output, NEWSARCHIVE_INDEX_PAGE_SIZE=10,
          NEWSARCHIVE_ENTITY_IDS=str(tmp_path / "ids.json"))  # fmt: skip
    ranked = [soup(output / "entities" / "all.html")]
    while link := ranked[-1].select_one('.pagination a[rel="next"]'):
        ranked.append(soup(output / "entities" / link["href"]))
    names = [a.get_text() for page in ranked for a in page.select(".entity-list a")]
    everyone = json.loads((output / "data" / "entities.json").read_text())
    assert len(ranked) > 3 and all(len(page.select(".entity-list li")) <= 10 for page in ranked)
    assert sorted(names) == sorted(e["name"] for e in everyone)
    assert ranked[1].select_one(".entity-list")["start"] == "11"

    first = soup(output / "entities" / "all-a-z.html")
    letters = {a.get_text(): a["href"] for a in first.select("nav.letters a")}
    seen = []
    for letter, href in letters.items():
        page = soup(output / "entities" / href)
        assert [h.get_text() for h in page.select("section.letter h2")] == [letter]
        assert page.select_one('nav.letters a[aria-current="page"]').get_text() == letter
        seen += [a.get_text() for a in page.select(".entity-list a")]
    assert sorted(seen) == sorted(names)
    assert broken_links(output) == []


def test_open_data_export(sample_site):
    entities = json.loads((sample_site / "data" / "entities.json").read_text())
    articles = json.loads((sample_site / "data" / "articles.json").read_text())
    assert len(articles) == 42
    by_id = {e["id"]: e for e in entities}
    rustam = by_id["rustam-khadzhiev"]
    assert set(rustam) == {"id", "name", "kind", "aliases", "url", "articles"}
    assert rustam["url"] == "entity/rustam-khadzhiev.html"
    assert all((sample_site / url).is_file() for e in entities for url in e["articles"])
    undated = next(a for a in articles if a["url"].startswith("undated/"))
    assert undated["date"] is None
    accord = next(a for a in articles if a["url"].endswith("sign-trans-tarak-pipeline-accord.html"))
    assert set(accord) == {"url", "title", "date", "entities", "dates", "related"}
    assert accord["date"] == "2023-11-20" and "rustam-khadzhiev" in accord["entities"]
    assert all(entity_id in by_id for a in articles for entity_id in a["entities"])


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def test_entity_urls_stay_put_as_the_archive_grows_and_a_merge_leaves_a_redirect(
    content_dir, tmp_path
):
    write(
        content_dir,
        "a.txt",
        "Date: 2024-01-01\n\nFirst\n\nNOVOYARSK (SevInform) – Anna Petrova met Oleg Sarin on Monday.\n",
    )
    write(
        content_dir,
        "b.txt",
        "Date: 2024-02-01\n\nSecond\n\nQARAGOL (ZPA) – Anya Petrova spoke to reporters.\n",
    )
    output = tmp_path / "out"
    build(content_dir, output)
    before = {p.name for p in (output / "entity").glob("*.html")}
    assert {"anna-petrova.html", "anya-petrova.html", "oleg-sarin.html"} <= before

    # More articles: a new person, and Oleg Sarin now mostly spelled Oleg Saryn.
    for i in range(3):
        write(
            content_dir,
            f"c{i}.txt",
            f"Date: 2024-03-0{i + 1}\n\nThird {i}\n\nOleg Saryn and Pavel Kirov met in Novoyarsk.\n",
        )
    build(content_dir, output)
    after = {p.name for p in (output / "entity").glob("*.html")}
    assert before <= after and "pavel-kirov.html" in after
    sarin = soup(output / "entity" / "oleg-sarin.html")
    assert {"Oleg Sarin", "Oleg Saryn"} <= set(spellings(sarin))
    assert not (output / "entity" / "oleg-saryn.html").exists()

    # The editors say Anya is Anna: one page, and Anya's old URL redirects there.
    write(
        content_dir,
        "registry.yaml",
        "entities:\n  - name: Anna Petrova\n    kind: person\n    aliases: [Anya Petrova]\n",
    )
    build(content_dir, output)
    redirect = soup(output / "entity" / "anya-petrova.html")
    assert (
        redirect.select_one('meta[http-equiv="refresh"]')["content"]
        == "0; url=../entity/anna-petrova.html"
    )
    assert {"Anna Petrova", "Anya Petrova"} <= set(
        spellings(soup(output / "entity" / "anna-petrova.html"))
    )


def test_an_invalid_registry_is_reported_and_the_site_still_builds(content_dir, tmp_path, caplog):
    write(
        content_dir,
        "a.txt",
        "Date: 2024-01-01\n\nFirst\n\nAnna Petrova met Oleg Sarin in Novoyarsk.\n",
    )
    write(content_dir, "registry.yaml", "entities:\n  - name: Anna Petrova\n    kind: wizard\n")
    report = build(content_dir, tmp_path / "out")
    assert report.errors >= 1 and report.articles == 1
    messages = "\n".join(r.getMessage() for r in caplog.records)
    assert "registry.yaml:3: unknown kind 'wizard' for 'Anna Petrova'" in messages
    assert (tmp_path / "out" / "entity" / "anna-petrova.html").is_file()


def test_a_broken_registry_still_applies_its_valid_entries(content_dir, tmp_path, caplog):
    write(
        content_dir,
        "a.txt",
        "Date: 2024-01-01\n\nFirst\n\nThe QWG met Anna Petrova. Olya Sarina of the QWG spoke.\n",
    )
    (content_dir / "registry.yaml").write_bytes(
        "entities:\n"
        "  - name: Qaragol Weavers Guild\n    kind: organization\n    aliases: [QWG]\n"
        "    description: A guild of weavers in Qaragol, founded in the 1920s \u2013 or so.\n"
        "  - name: Anna Petrova\n    kind: persn\n"
        "  - name: Olya Sarina\n    kind: person\n    merges: [nobody-at-all]\n".encode("cp1252")
    )
    report = build(content_dir, tmp_path / "out")
    messages = "\n".join(r.getMessage() for r in caplog.records)
    assert "registry.yaml:5: this is not UTF-8 text" in messages  # the dash, in Windows-1252
    assert "registry.yaml:7: unknown kind 'persn' for 'Anna Petrova'. Did you mean 'person'?" in (
        messages
    )
    assert "registry.yaml:10: 'Olya Sarina' merges 'nobody-at-all', which names no entity" in (
        messages
    )
    assert (report.errors, report.warnings) >= (1, 2)
    assert f"{report.errors} error" in report.summary()
    guild = soup(tmp_path / "out" / "entity" / "qaragol-weavers-guild.html")
    assert "founded in the 1920s \u2013 or so" in guild.get_text()
    story = soup(tmp_path / "out" / "2024" / "01" / "first.html")
    assert [a.get_text() for a in story.select('a[data-entity="qaragol-weavers-guild"]')] == ["QWG"]


def test_build_with_fatal_errors_exits_non_zero_but_keeps_the_site(content_dir, tmp_path):
    from invoke import Context, Exit

    import tasks

    write(content_dir, "a.txt", "Date: 2024-01-01\n\nFirst\n\nAnna Petrova met Oleg Sarin.\n")
    write(content_dir, "registry.yaml", "entities:\n  - name: Anna Petrova\n    kind: wizard\n")
    output = tmp_path / "out"
    tasks.build.body(
        Context(), output=str(output), content=str(content_dir)
    )  # errors reported only
    with pytest.raises(Exit) as stopped:
        tasks.build.body(Context(), output=str(output), content=str(content_dir), fatal="errors")
    assert stopped.value.code == 1 and "--fatal errors was given" in str(stopped.value.message)
    assert (output / "2024" / "01" / "first.html").is_file()


def test_the_number_beside_an_entity_is_the_stories_that_name_it(sample_site):
    # Counted with the mentions, before the stories are listed (the search needs it
    # early): it must still be the number of stories its page and the open data list.
    stories = {e["url"]: len(e["articles"])
               for e in json.loads((sample_site / "data" / "entities.json").read_text())}  # fmt: skip
    shown = 0
    for listing in [sample_site / "index.html", *sample_site.glob("entities*.html"),
                    *(sample_site / "entities").glob("*.html")]:  # fmt: skip
        soup = BeautifulSoup(listing.read_text(encoding="utf-8"), "html.parser")
        for item in soup.select("li"):
            link, count = item.find("a"), item.select_one(".count")
            url = next((u for u in stories if link and link["href"].endswith(u)), None)
            if url and count and "stor" in count.text:
                assert int(count.text.split()[-2]) == stories[url], (listing.name, url)
                shown += 1
    assert shown > 20
