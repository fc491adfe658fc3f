"""The built sample archive in a real headless Chromium: what a reader sees and does."""

from __future__ import annotations


def test_home_page_leads_to_an_article(page, sample_server):
    page.goto(f"{sample_server}/index.html")
    assert page.title() == "The Qaragol Ledger Archive"
    first = page.locator(".latest .story-title a").first
    title = first.inner_text()
    first.click()
    page.wait_for_load_state()
    assert page.url.startswith(f"{sample_server}/2025/10/")
    assert page.locator("main h1").inner_text() == title
    assert page.locator(".story-header .story-meta time").get_attribute("datetime") == "2025-10-14"
    assert page.locator(".dateline").inner_text() == "SARYKOL (ZPA) –"
    assert title in page.title()


def test_navigation_reaches_archives_and_an_undated_story(page, sample_server):
    page.goto(f"{sample_server}/index.html")
    page.get_by_role("link", name="Archives").click()
    page.wait_for_load_state()
    assert page.locator("main h1").inner_text() == "Archives"
    page.locator("#undated ~ ol a").first.click()
    page.wait_for_load_state()
    assert "/undated/" in page.url
    assert page.locator(".story-meta .undated").inner_text() == "Undated"


def test_keyboard_user_can_skip_to_the_content(page, sample_server):
    page.goto(f"{sample_server}/index.html")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0  # moved on screen when focused
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_persian_caption_renders_right_to_left(page, sample_server):
    page.goto(f"{sample_server}/2023/11/serevia-and-zarkhan-sign-trans-tarak-pipeline-accord.html")
    caption = page.locator('.story-body p[lang="fa"]')
    assert caption.evaluate("el => getComputedStyle(el).direction") == "rtl"


def test_a_spelling_in_persian_stands_in_the_list_with_the_others(page, sample_server):
    page.goto(f"{sample_server}/entity/rustam-khadzhiev.html")
    text_left = (
        "e => { const r = document.createRange(); r.selectNodeContents(e);"
        " return r.getBoundingClientRect().x; }"
    )
    lefts = page.locator(".spellings li").evaluate_all(f"items => items.map({text_left})")
    persian = page.locator('.spellings [dir="rtl"]').first
    assert persian.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert persian.evaluate(text_left) - min(lefts) < 40, (
        f"the Persian spelling starts at {persian.evaluate(text_left)}, the list at {min(lefts)}"
    )


def test_pages_work_without_javascript_and_fit_a_phone(browser, sample_server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        page.goto(f"{sample_server}/index.html")
        assert 20 <= page.locator(".latest .story-item").count() < 40
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        page.click("text=Older →")  # the page of older stories, laid out without the tallies
        assert page.locator(".latest .story-item").count() == 20
        assert page.locator("h1").inner_text() == "Earlier stories"
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
    finally:
        context.close()


def test_an_entity_link_leads_to_the_entity_page(page, sample_server):
    page.goto(f"{sample_server}/2023/04/foreign-minister-hajiyev-to-visit-novoyarsk-this-week.html")
    link = page.locator('.story-body a.entity[data-entity="leyla-ghaffari"]')
    assert link.inner_text() == "Leyla Ghaffari"
    link.click()
    page.wait_for_load_state()
    assert page.url == f"{sample_server}/entity/leyla-ghaffari.html"
    assert page.locator("main h1").inner_text() == "Leyla Ghaffari"
    assert "Leila Qaffari" in page.locator(".spellings").inner_text()
    page.get_by_role("link", name="People", exact=True).first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/entities/person.html")
