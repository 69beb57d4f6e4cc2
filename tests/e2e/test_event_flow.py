"""In a real browser: a curator of Sở Công Thương publishes an event with one seat; a guest
registers and confirms by the mailed link, taking the seat; an investor registers and goes on
the waiting list; the guest cancels by the link in their mail, and the investor is promoted and
told by e-mail."""

import re
from datetime import timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from app.domain import clock
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.browser

TITLE = "Hội thảo trình duyệt về nước thải"


def mails_to(mail_dir: str, to: str) -> list:
    parser = BytesParser(policy=policy.default)
    found = [parser.parsebytes(p.read_bytes()) for p in sorted(Path(mail_dir).glob("*.eml"))]
    return [m for m in found if m["To"] == to]


def link(message, kind: str) -> str:
    return re.search(rf"https?://\S+/{kind}/\S+", message.get_content()).group(0)


def log_in(page, base: str, email: str, password: str) -> None:
    page.goto(base + "/login?lang=en")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("main").get_by_role("button", name="Log in").click()


def test_event_registration_waiting_list_and_promotion(live_server, page, seeded_app):
    mail_dir = seeded_app.config["MAIL_FILE_DIR"]
    day = (clock.today() + timedelta(days=5)).isoformat()

    log_in(page, live_server, "curator@demo.cnmt.vn", "demo-curator-2026")
    page.goto(live_server + "/curation/events/new?lang=en")
    page.get_by_label("Kind of event").select_option("technology_workshop")
    page.get_by_label("Title (Vietnamese)").fill(TITLE)
    page.get_by_label("Starts at").fill(f"{day}T08:00")
    page.get_by_label("Ends at").fill(f"{day}T11:30")
    page.get_by_label("Place", exact=True).fill("Hội trường Sở Công Thương")
    page.get_by_label("Seats").fill("1")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("Published: it is now public.").wait_for()
    page.get_by_role("button", name="Log out").click()

    page.goto(live_server + "/events?lang=en")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_label("Your name").fill("Khách Trình Duyệt")
    page.get_by_label("E-mail", exact=True).fill("khach@trinhduyet.example.vn")
    page.get_by_role("button", name="Register").click()
    page.get_by_text("Almost done").wait_for()
    page.goto(link(mails_to(mail_dir, "khach@trinhduyet.example.vn")[-1], "confirm"))
    page.get_by_role("button", name="Confirm my registration").click()
    page.get_by_text("Your registration is confirmed").wait_for()
    page.get_by_text("1 of 1 taken").wait_for()
    screenshot(page, "event-full-en")

    log_in(page, live_server, "investor@demo.cnmt.vn", "demo-investor-2026")
    page.goto(live_server + "/events?lang=en")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("button", name="Join the waiting list").click()
    page.locator("#registration").get_by_text("You are on the waiting list.").wait_for()

    guest_mail = mails_to(mail_dir, "khach@trinhduyet.example.vn")[-1]
    page.goto(link(guest_mail, "cancel"))
    page.get_by_role("button", name="Cancel my registration").click()
    page.get_by_text("Your registration is cancelled.").wait_for()

    page.locator("#registration").get_by_text("your seat is confirmed").wait_for()
    screenshot(page, "event-promoted-en")
    promoted = mails_to(mail_dir, "investor@demo.cnmt.vn")[-1]
    assert TITLE in str(promoted["Subject"])
    assert "/cancel/" in promoted.get_content()
