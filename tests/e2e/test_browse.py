"""A visitor browses the directory in a real browser: home → firm list → a firm → English."""

import re

import pytest

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.browser


def test_visitor_finds_a_firm_and_reads_it_in_english(live_server, page):
    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_role("heading", level=1).inner_text()
    screenshot(page, "home-vi")

    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Doanh nghiệp"
    ).click()
    page.wait_for_url(re.compile(r"/firms$"))
    cards = page.locator("article.firm-card")
    assert cards.count() > 0
    screenshot(page, "firms-vi")

    first = cards.first.locator("h3 a")
    name = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"/firms/[a-z0-9-]+$"))
    assert page.get_by_role("heading", level=1).inner_text().startswith(name)
    assert page.get_by_text("Mã số thuế").is_visible()
    screenshot(page, "firm-vi")

    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"lang=en"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_text("Tax code").is_visible()
    assert page.get_by_role("heading", level=1).inner_text().startswith(name)
    screenshot(page, "firm-en")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Firms").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Environmental-industry firms"
