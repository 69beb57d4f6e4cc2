"""In a real browser, the marketplace flow: a business posts a request; a curator publishes it;
the supplier whose offer matches (and who opted in) is told by e-mail, opens the link and
answers; the business accepts; each side then sees the other's contact details. And a change
to a published request, which the public does not see until a curator approves it."""

import re
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.marketplace import alerts
from app.models import Firm, FirmCatalogueLink, FirmMember, FirmStatus, MemberRole, Role
from tests.conftest import make_user
from tests.e2e.conftest import screenshot
from tests.marketplace.conftest import BUSINESS, CURATOR, MEMBRANES, item_id, published, user

pytestmark = pytest.mark.browser

TITLE = "Mua mô-đun màng UF cho tái sử dụng nước rửa"
SUPPLIER, SUPPLIER_PASSWORD = "banhang@mang-loc.example.vn", "Mang-loc-sach-2026!"


def mail_link(mail_dir: str, to: str, path: str) -> str:
    parser = BytesParser(policy=policy.default)
    for file in sorted(Path(mail_dir).glob("*.eml"), reverse=True):
        message = parser.parsebytes(file.read_bytes())
        if message["To"] == to:
            found = re.search(rf"https?://\S+{path}\S*", message.get_content())
            if found:
                return found.group(0)
    raise AssertionError(f"no mail to {to} with {path}")


def log_in(page, base: str, email: str, password: str) -> None:
    page.goto(base + "/login?lang=en")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("main").get_by_role("button", name="Log in").click()


@pytest.fixture
def opted_in_supplier(seeded_app):
    firm = db.session.scalar(
        sa.select(Firm)
        .join(FirmCatalogueLink)
        .where(
            Firm.status == FirmStatus.PUBLISHED,
            FirmCatalogueLink.item_id == item_id(MEMBRANES),
            FirmCatalogueLink.relation == "offers",
            ~Firm.members.any(),
        )
    )
    firm.email = "lienhe@mang-loc.example.vn"
    account = make_user(SUPPLIER, Role.BUSINESS, name="Lê Thị Màng")
    account.password_hash = generate_password_hash(SUPPLIER_PASSWORD)
    db.session.add(FirmMember(firm=firm, user=account, role=MemberRole.OWNER))
    db.session.commit()
    alerts.set_alerts(account, firm.id, True)
    return firm


def test_request_match_answer_accept_and_exchange_contacts(
    live_server, browser, seeded_app, opted_in_supplier
):
    business = browser.new_context().new_page()
    log_in(business, live_server, BUSINESS, "demo-business-2026")
    business.goto(live_server + "/marketplace/new?side=request&lang=en")
    business.get_by_label("Kind").select_option("buy_equipment")
    business.get_by_label("Title").fill(TITLE)
    business.get_by_label("Description").fill(
        "Cần mô-đun màng UF 200 m³/ngày để tái sử dụng nước rửa thiết bị chế biến thủy sản."
    )
    business.get_by_label("Ward or commune").select_option(label="Phường Cẩm Thành")
    box = business.locator(f"input[name=item_ids][value='{item_id(MEMBRANES)}']")
    business.locator("details", has=box).locator("summary").click()
    box.check()
    screenshot(business, "market-request-form-en")
    business.get_by_role("button", name="Save").click()
    business.get_by_role("button", name="Submit for review").click()
    business.get_by_text("Submitted. A curator will review it.").wait_for()

    curator = browser.new_context().new_page()
    log_in(curator, live_server, "curator@demo.cnmt.vn", "demo-curator-2026")
    curator.goto(live_server + "/curation/marketplace?lang=en")
    curator.get_by_role("link", name=TITLE).click()
    curator.get_by_role("button", name="Publish").click()
    curator.get_by_text("Published.").wait_for()

    link = mail_link(seeded_app.config["MAIL_FILE_DIR"], SUPPLIER, "/marketplace/")
    supplier = browser.new_context().new_page()
    log_in(supplier, live_server, SUPPLIER, SUPPLIER_PASSWORD)
    supplier.goto(link + "?lang=en")
    supplier.get_by_text("Supplies what is needed", exact=False).first.wait_for()
    supplier.get_by_label("Your proposal").fill(
        "Chúng tôi cung cấp mô-đun màng UF sản xuất trong nước, lắp đặt trong 4 tuần."
    )
    supplier.get_by_role("button", name="Send the answer").click()
    supplier.get_by_text("Answer sent.").wait_for()
    assert BUSINESS not in supplier.content()

    business.reload()
    assert SUPPLIER not in business.content()
    business.get_by_role("button", name="Accept and share contacts").click()
    business.get_by_text(SUPPLIER).first.wait_for()
    screenshot(business, "market-answer-accepted-en")

    supplier.reload()
    supplier.get_by_text(BUSINESS).first.wait_for()


def test_a_change_to_a_published_request_waits_for_the_curator(live_server, browser, seeded_app):
    owner, reviewer = user(BUSINESS), user(CURATOR)
    listing = published(owner, reviewer)
    old_title, new_title = listing.title, "Mua mô-đun màng UF 300 m³/ngày kèm bảo hành 5 năm"
    public = f"{live_server}/marketplace/{listing.id}?lang=en"

    business = browser.new_context().new_page()
    log_in(business, live_server, BUSINESS, "demo-business-2026")
    business.goto(f"{live_server}/marketplace/{listing.id}/edit?lang=en")
    business.get_by_label("Title").fill(new_title)
    business.get_by_role("button", name="Save").click()
    business.get_by_text("Your change is waiting for a curator's review.").wait_for()

    visitor = browser.new_context().new_page()
    visitor.goto(public)
    assert old_title in visitor.content() and new_title not in visitor.content()

    curator = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    log_in(curator, live_server, CURATOR, "demo-curator-2026")
    curator.goto(live_server + "/curation/marketplace?lang=en")
    curator.locator("#changes ~ article").get_by_role("link", name=old_title).click()
    curator.get_by_role("heading", name="A change waiting for review").wait_for()
    screenshot(curator, "market-change-review-phone-en")
    curator.get_by_role("button", name="Approve and publish the change").click()
    curator.get_by_text("The change is published.").wait_for()

    visitor.goto(public)
    assert new_title in visitor.content()
