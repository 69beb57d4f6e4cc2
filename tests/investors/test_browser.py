"""In a real browser: an investor logs in, searches firms, shortlists one and asks it for an
introduction."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import IntroductionRequest, ShortlistEntry
from tests.e2e.conftest import browser, chromium_path, live_server, page, screenshot  # noqa: F401

pytestmark = pytest.mark.browser


def test_investor_finds_shortlists_and_asks_for_an_introduction(live_server, page):  # noqa: F811
    page.goto(live_server + "/login?lang=en")
    page.get_by_label("E-mail address").fill("investor@demo.cnmt.vn")
    page.get_by_label("Password", exact=True).fill("demo-investor-2026")
    page.get_by_role("main").get_by_role("button", name="Log in").click()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Investor").click()
    page.get_by_role("link", name="Find firms").first.click()
    page.get_by_label("Words to search for").fill("nước thải")
    page.get_by_label("Seeking investment").check()
    page.get_by_role("button", name="Apply filters").click()
    page.get_by_text("Ignored filter values").wait_for(state="detached")
    first = page.locator("article.firm-card h3 a").first
    firm_name = first.inner_text()

    actions = page.locator("form.add-to-list").first
    actions.get_by_label("or a new list named").fill("Nước thải 2026")
    actions.get_by_role("button", name="Add to shortlist").click()
    page.get_by_text("Added to “Nước thải 2026”").wait_for()
    screenshot(page, "investor-discover-en")

    page.get_by_role("link", name=firm_name).first.click()
    page.get_by_text("On your lists:").wait_for()
    page.get_by_label("Your message to the firm").fill(
        "We are a green fund and would like to discuss your wastewater project."
    )
    page.get_by_role("button", name="Request an introduction").click()
    page.get_by_text("Request sent.").wait_for()
    page.get_by_text("the firm has not answered yet").wait_for()
    screenshot(page, "investor-introduction-en")

    assert db.session.scalar(sa.select(sa.func.count()).select_from(ShortlistEntry)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IntroductionRequest)) == 1
