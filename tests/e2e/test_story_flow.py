"""In a real browser: a curator of Sở Công Thương writes a success story about a firm,
previews it, publishes it; visitors then reach it from the firm's page and from the home page."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Firm, FirmStatus
from tests.e2e.conftest import screenshot
from tests.e2e.test_listing_flow import log_in

pytestmark = pytest.mark.browser

TITLE = "Trạm xử lý nước thải trình duyệt vận hành ổn định"


def test_story_published_and_linked_from_the_firm_page(live_server, page, seeded_app):
    firm = db.session.scalar(
        sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED).order_by(Firm.id)
    )
    log_in(page, live_server, "curator@demo.cnmt.vn", "demo-curator-2026")
    page.goto(live_server + "/curation/news?lang=en")
    page.get_by_role("link", name="New article").click()
    page.get_by_label("Success story").check()
    page.get_by_label("Title (Vietnamese)").fill(TITLE)
    page.get_by_label("Summary (Vietnamese)").fill("Sau sáu tháng, nước thải đầu ra đạt quy chuẩn.")
    page.get_by_label("Text (Vietnamese)").fill(
        "## Kết quả\n\n- COD giảm 90 %\n- Chi phí điện giảm\n\n<script>alert(1)</script>"
    )
    page.get_by_label("Firms (address names", exact=False).fill(firm.slug)
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("section.preview")
    preview.get_by_role("heading", name="Kết quả").wait_for()
    assert "<script>" in preview.inner_text()  # shown as text, never run
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("It is a draft until you publish it").wait_for()
    page.get_by_role("button", name="Publish now").click()
    page.get_by_text("Published: it is now public").wait_for()
    screenshot(page, "story-editor-en")
    page.get_by_role("button", name="Log out").click()

    page.goto(live_server + f"/firms/{firm.slug}?lang=vi")
    related = page.locator("section.related-stories")
    related.get_by_role("link", name=TITLE).click()
    page.get_by_role("heading", level=1, name=TITLE).wait_for()
    assert page.get_by_role("heading", name="Kết quả").is_visible()
    assert page.get_by_role("link", name=firm.display_name).is_visible()
    screenshot(page, "story-page-vi")
    page.goto(live_server + "/")
    assert page.locator("section.latest-stories").get_by_role("link", name=TITLE).is_visible()
