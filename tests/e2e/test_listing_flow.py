"""In a real browser: a business registers, verifies, lists its firm and submits it; a curator
of Sở Công Thương approves it; the public then finds it."""

import re
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.browser

FIRM = "Công ty TNHH Xử lý Nước Trình Duyệt"


def latest_link(mail_dir: str, to: str) -> str:
    parser = BytesParser(policy=policy.default)
    for path in sorted(Path(mail_dir).glob("*.eml"), reverse=True):
        message = parser.parsebytes(path.read_bytes())
        if message["To"] == to:
            return re.search(r"https?://\S+", message.get_content()).group(0)
    raise AssertionError(f"no mail to {to}")


def log_in(page, base: str, email: str, password: str) -> None:
    page.goto(base + "/login?lang=en")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("main").get_by_role("button", name="Log in").click()


def test_register_submit_and_approve(live_server, page, seeded_app):
    email, password = "giamdoc@trinhduyet.example.vn", "Nuoc-thai-sach-2026!"
    page.goto(live_server + "/register?lang=en")
    page.get_by_label("Your name").fill("Trần Văn Duyệt")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("A business: I want to list and manage my firm").check()
    page.get_by_label("New password").fill(password)
    page.get_by_label("Repeat the password").fill(password)
    page.get_by_label("I have read the privacy notice", exact=False).check()
    page.get_by_role("main").get_by_role("button").last.click()
    page.get_by_text(email).first.wait_for()

    page.goto(latest_link(seeded_app.config["MAIL_FILE_DIR"], email))
    log_in(page, live_server, email, password)

    page.goto(live_server + "/my/firms/new?lang=en")
    page.get_by_label("Tax code").fill("4300378569")
    page.get_by_label("Registered name").fill(FIRM)
    page.get_by_label("Type of unit").select_option("llc_multi_member")
    page.get_by_label("Sector (Decree 80/2021)").select_option("agri_industry")
    page.get_by_label("Employees with social insurance (yearly average)").fill("12")
    page.get_by_label("Revenue (đồng)").fill("4.000.000.000")
    page.get_by_text("Size class:").get_by_text("Small").wait_for()
    page.get_by_label("Ward or commune").select_option(label="Xã Tịnh Khê")
    page.get_by_label("Description in Vietnamese").fill("Thi công trạm xử lý nước thải MBBR.")
    picker = page.locator("[data-picker]").first
    picker.get_by_placeholder(re.compile("Type to filter")).fill("mbbr")
    picker.locator("[data-picker-item]:visible input[type=checkbox]").first.check()
    screenshot(page, "listing-form-en")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("button", name="Submit for review").click()
    page.get_by_text("Submitted. A curator").wait_for()
    screenshot(page, "listing-submitted-en")
    page.get_by_role("button", name="Log out").click()

    log_in(page, live_server, "curator@demo.cnmt.vn", "demo-curator-2026")
    page.goto(live_server + "/?lang=en")
    page.get_by_role("link", name="Review queue").click()
    screenshot(page, "queue-en")
    page.get_by_role("link", name=FIRM).click()
    screenshot(page, "review-en")
    page.get_by_role("button", name="Approve", exact=True).click()
    page.get_by_text("published", exact=False).first.wait_for()

    page.goto(live_server + "/search?q=xu ly nuoc trinh duyet&lang=vi")
    result = page.locator("article.hit h3 a").first
    assert "Trình Duyệt" in result.inner_text()
    result.click()
    assert page.get_by_role("heading", level=1).inner_text().startswith(FIRM)
    screenshot(page, "published-vi")
