"""Curators send the yearly-return reminders from the year's page, with the code `flask reports
remind` runs: pressing twice sends nothing twice; the result says how many firms were e-mailed
and skipped, and so does opening a year."""

import re
from datetime import timedelta

import sqlalchemy as sa

from app.domain import clock
from app.extensions import db
from app.models import Firm, FirmMember, FirmStatus, MemberRole, ReminderLog
from tests.backoffice.helpers import YEAR, business_firm, open_year, return_form, return_url
from tests.conftest import csrf_token, make_user
from tests.curation.helpers import (
    BUSINESS,
    CURATOR,
    CURATOR_KHCN,
    as_user,
    confirmed_post,
    mails,
    post_form,
    user,
)

YEAR_PAGE = f"/curation/reports/{YEAR}"
REMIND = f"{YEAR_PAGE}/remind"


def only_members(*members: tuple[Firm, str, bool]) -> None:
    """Leave the seeded firms with exactly these members: (firm, e-mail, confirmed)."""
    db.session.execute(sa.delete(FirmMember))
    for firm, email, confirmed in members:
        account = user(email) or make_user(email, verified=confirmed)
        db.session.add(FirmMember(firm=firm, user=account, role=MemberRole.OWNER))
    db.session.commit()


def published_firms(count: int) -> list[Firm]:
    return db.session.scalars(
        sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED).order_by(Firm.id).limit(count)
    ).all()


def published_count() -> int:
    query = sa.select(sa.func.count()).select_from(Firm).where(Firm.status == FirmStatus.PUBLISHED)
    return db.session.scalar(query)


def flashes(html: str) -> str:
    return " ".join(re.sub(r"\s+", " ", html).split())


def test_opening_a_year_says_how_many_firms_were_emailed_and_skipped(client):
    first, second, unconfirmed = published_firms(3)
    only_members(
        (first, "an@example.vn", True),
        (second, "binh@example.vn", True),
        (unconfirmed, "chua@example.vn", False),
    )

    response = open_year(client)

    html = client.get(response.headers["Location"]).get_data(as_text=True)
    skipped = published_count() - 2
    assert f"2 firms e-mailed, {skipped} skipped" in flashes(html)


def test_reminders_from_the_page_go_once_and_say_how_many(client, seeded_app):
    first, second, unconfirmed, done = published_firms(4)
    only_members(
        (first, "an@example.vn", True),
        (second, "binh@example.vn", True),
        (unconfirmed, "chua@example.vn", False),
        (done, BUSINESS, True),
    )
    open_year(client, deadline=clock.today() + timedelta(days=5))
    as_user(client, BUSINESS)
    post_form(client, return_url(business_firm(BUSINESS)), return_url(done), return_form())
    as_user(client, CURATOR)
    assert 'id="reminders"' in client.get(YEAR_PAGE).get_data(as_text=True)
    before = len(mails(seeded_app))

    first_press = post_form(client, YEAR_PAGE, REMIND)
    html = flashes(client.get(first_press.headers["Location"]).get_data(as_text=True))

    assert "Reminders sent: 2 firms e-mailed (2 messages)." in html
    assert f"{published_count() - 3} firms skipped" in html
    sent = sorted(m["To"] for m in mails(seeded_app)[before:])
    assert sent == ["an@example.vn", "binh@example.vn"]
    assert {log.round_days for log in db.session.scalars(sa.select(ReminderLog))} == {5}

    second_press = post_form(client, YEAR_PAGE, REMIND)
    html = flashes(client.get(second_press.headers["Location"]).get_data(as_text=True))
    assert "No reminder sent: the firms that have not answered were reminded today." in html
    assert len(mails(seeded_app)) == before + 2


def test_the_command_and_the_page_share_their_rounds(client, runner, seeded_app):
    only_members((published_firms(1)[0], "an@example.vn", True))
    open_year(client, deadline=clock.today() + timedelta(days=5))
    runner.invoke(args=["reports", "remind", "--days", "5"])
    before = len(mails(seeded_app))

    as_user(client, CURATOR)
    post_form(client, YEAR_PAGE, REMIND)

    assert len(mails(seeded_app)) == before


def test_no_reminder_after_the_deadline_nor_for_a_closed_year(client, seeded_app):
    open_year(client, deadline=clock.today() + timedelta(days=5))
    confirmed_post(client, YEAR_PAGE, f"{YEAR_PAGE}/close")
    before = len(mails(seeded_app))

    response = post_form(client, YEAR_PAGE, REMIND)

    html = flashes(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "the year is closed or its deadline has passed" in html
    assert 'id="reminders"' not in html
    assert len(mails(seeded_app)) == before


def test_only_reviewers_send_reminders_and_a_forged_request_sends_nothing(client, seeded_app):
    open_year(client, deadline=clock.today() + timedelta(days=5))
    before = len(mails(seeded_app))
    for email in (BUSINESS, CURATOR_KHCN):
        as_user(client, email)
        token = csrf_token(client, "/account")
        assert client.post(REMIND, data={"csrf_token": token}).status_code == 403
    as_user(client, CURATOR)
    assert client.post(REMIND, data={"csrf_token": "forged"}).status_code == 400
    assert len(mails(seeded_app)) == before


def test_long_actions_show_a_working_state_and_still_submit_without_script(client):
    open_year(client, deadline=clock.today() + timedelta(days=5))
    for page in ("/curation/reports", YEAR_PAGE, "/curation/imports/firms"):
        html = client.get(page).get_data(as_text=True)
        assert re.search(r'<form method="post"[^>]*data-working="[^"]+"', html), page
        assert "/static/js/working.js" in html, page
