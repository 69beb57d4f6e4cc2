"""Searching as people type, in a real browser: suggestions while typing, a partial last word,
and the All tab's overview."""

import re

import pytest

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.browser


def test_suggestions_while_typing_lead_to_a_firm(live_server, page):
    page.goto(live_server + "/")
    box = page.locator("#site-search")
    box.press_sequentially("tái ch", delay=30)
    options = page.get_by_role("listbox").get_by_role("option")
    options.first.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    labels = options.all_inner_texts()
    assert any("Doanh nghiệp" in label for label in labels), labels
    screenshot(page, "suggestions-vi")
    first = options.first.locator("a").inner_text()
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == "site-search-suggestions-0"
    box.press("Enter")
    page.wait_for_url(re.compile(r"/firms/[a-z0-9-]+$"))
    assert page.get_by_role("heading", level=1).inner_text().startswith(first)


def test_a_partial_word_searches_and_the_all_tab_shows_each_kind(live_server, page):
    page.goto(live_server + "/")
    page.locator("#site-search").fill("xu ly nuoc th")
    page.locator("#site-search").press("Enter")
    page.wait_for_url(re.compile(r"/search\?"))
    sections = page.locator("section.overview-section h2")
    assert sections.first.inner_text().startswith("Doanh nghiệp")
    assert sections.count() >= 3
    page.get_by_role("link", name=re.compile(r"^Xem tất cả \d+: Doanh nghiệp")).click()
    page.wait_for_url(re.compile(r"kind=firm"))
    assert page.locator("article.hit").count() > 5
    screenshot(page, "search-firms-tab-vi")
