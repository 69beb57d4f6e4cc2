"""In a real browser, without any script doing the work: an investor deletes a shortlist, is
asked first, confirms, and restores it with its note from "Recently deleted"."""

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.investors import service
from app.models import Firm, FirmStatus, User
from tests.e2e.conftest import screenshot
from tests.e2e.test_listing_flow import log_in

pytestmark = pytest.mark.browser

NOTE = "Gặp ở hội chợ; hỏi về MBBR."


def test_delete_confirm_and_restore_a_shortlist(live_server, page, seeded_app):
    investor = db.session.scalar(sa.select(User).where(User.email == "investor@demo.cnmt.vn"))
    firm = db.session.scalar(
        sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED).order_by(Firm.id)
    )
    shortlist = service.create_shortlist(investor, "Nước sạch")
    service.add_to_shortlist(investor, firm.id, shortlist.id)
    service.save_note(investor, shortlist.id, firm.id, NOTE)
    log_in(page, live_server, investor.email, "demo-investor-2026")
    page.goto(f"{live_server}/investor/shortlists/{shortlist.id}?lang=en")

    page.get_by_role("button", name="Delete this list").click()

    page.get_by_role("heading", name="Delete the list “Nước sạch”?").wait_for()
    assert page.get_by_text("Your 1 private note on them goes with it.").is_visible()
    screenshot(page, "shortlist-delete-confirm")
    page.get_by_role("button", name="Delete the list").click()

    page.wait_for_url(re.compile(r"/investor/shortlists$"))
    deleted = page.locator("#recently-deleted")
    assert "Nước sạch" in deleted.inner_text()
    assert page.get_by_role("link", name="Nước sạch").count() == 0
    screenshot(page, "shortlists-recently-deleted")
    deleted.get_by_role("button", name="Restore").click()

    page.wait_for_url(re.compile(rf"/investor/shortlists/{shortlist.id}$"))
    assert page.get_by_label("Private note").input_value() == NOTE
