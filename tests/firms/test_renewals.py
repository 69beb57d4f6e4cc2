"""The yearly confirmation of listings: members confirm; `flask listings remind` reminds 30
and 7 days before the day (once per round and period, real mail files), lapses listings past
it (they leave the directory and search, keep their data) and a member renews with one click."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.domain import clock
from app.extensions import db
from app.firms import renewals
from app.models import AuditEvent, Firm, FirmStatus, ListingReminder
from app.models.base import utcnow
from tests.backoffice.helpers import business_firm
from tests.curation.helpers import (
    BUSINESS,
    CURATOR,
    INVESTOR,
    as_user,
    body,
    found_firm_ids,
    mails,
    mails_to,
    post_form,
    refreshed,
)


def _confirmed_days_ago(firm: Firm, days: int) -> Firm:
    firm.confirmed_at = utcnow() - timedelta(days=days)
    db.session.commit()
    return firm


def _confirm(client, firm: Firm, version: int | None = None):
    page = f"/my/firms/{firm.id}"
    return post_form(
        client,
        page,
        f"/my/firms/{firm.id}/confirm",
        {"version": firm.version if version is None else version},
    )


def _remind(runner):
    result = runner.invoke(args=["listings", "remind"])
    assert result.exit_code == 0, result.output
    return result.output


def test_publication_starts_a_period_and_the_page_says_when_to_confirm(client, seeded_app):
    firm = business_firm(BUSINESS)
    assert firm.confirmed_at is not None
    due = renewals.due_on(firm)
    assert due == clock.local(firm.confirmed_at).date() + timedelta(days=365)
    as_user(client, BUSINESS)
    page = client.get(f"/my/firms/{firm.id}").get_data(as_text=True)
    assert "please confirm by" in page
    assert "Confirm that the listing is up to date" in page


def test_reminders_go_once_per_round_then_the_listing_lapses_and_one_click_renews(
    client, runner, seeded_app
):
    firm = _confirmed_days_ago(business_firm(BUSINESS), 365 - 20)  # due in 20 days
    assert firm.id in found_firm_ids(seeded_app, firm.legal_name)
    before = len(mails(seeded_app))

    assert "reminded 1 listing" in _remind(runner)
    sent = mails(seeded_app)[before:]
    assert [m["To"] for m in sent] == [BUSINESS]
    text = body(sent[0])
    assert "còn 20 ngày" in text  # the business account reads Vietnamese
    assert f"http://cnmt.test/my/firms/{firm.id}" in text
    # Cron runs again the same day, and the next: nothing twice.
    assert "reminded 0 listing" in _remind(runner)
    assert len(mails(seeded_app)) == before + 1

    # 5 days left: the 7-day round.
    _confirmed_days_ago(refreshed(firm), 365 - 5)
    _remind(runner)
    assert len(mails(seeded_app)) == before + 2
    rounds = db.session.scalars(
        sa.select(ListingReminder.round_days).where(ListingReminder.firm_id == firm.id)
    ).all()
    assert sorted(rounds) == [7, 30]

    # The day passes: the listing lapses, leaves the directory and search, keeps its data.
    _confirmed_days_ago(refreshed(firm), 366)
    assert "lapsed 1" in _remind(runner)
    firm = refreshed(firm)
    assert firm.status == FirmStatus.ARCHIVED and firm.lapsed_at is not None
    assert client.get(f"/firms/{firm.slug}").status_code == 404
    assert firm.id not in found_firm_ids(seeded_app, firm.legal_name)
    lapsed_mail = mails_to(seeded_app, BUSINESS)[-1]
    assert f"/my/firms/{firm.id}" in body(lapsed_mail)
    assert "lapsed 0" in _remind(runner)  # stays lapsed, told once

    # One click renews: public again as approved, a new period, audited.
    as_user(client, BUSINESS)
    page = client.get(f"/my/firms/{firm.id}").get_data(as_text=True)
    assert "Renew listing" in page
    response = _confirm(client, firm)
    assert response.status_code == 302
    firm = refreshed(firm)
    assert firm.status == FirmStatus.PUBLISHED and firm.lapsed_at is None
    assert renewals.due_on(firm) == clock.today() + timedelta(days=365)
    assert client.get(f"/firms/{firm.slug}").status_code == 200
    assert firm.id in found_firm_ids(seeded_app, firm.legal_name)
    actions = db.session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.entity_kind == "firm", AuditEvent.entity_id == firm.id)
        .order_by(AuditEvent.id)
    ).all()
    assert actions[-2:] == ["firm.lapse", "firm.renew"]


def test_confirming_starts_a_new_period_and_a_stale_page_is_refused(client, seeded_app):
    firm = _confirmed_days_ago(business_firm(BUSINESS), 300)
    as_user(client, BUSINESS)
    stale = _confirm(client, firm, version=firm.version - 1)
    assert stale.status_code == 302
    assert refreshed(firm).confirmed_at < utcnow() - timedelta(days=299)
    assert "changed after you opened the page" in client.get(stale.headers["Location"]).get_data(
        as_text=True
    )

    firm = refreshed(firm)
    _confirm(client, firm)
    firm = refreshed(firm)
    assert renewals.due_on(firm) == clock.today() + timedelta(days=365)
    assert firm.status == FirmStatus.PUBLISHED


@pytest.mark.parametrize("who", [None, INVESTOR, CURATOR])
def test_only_members_confirm(client, seeded_app, who):
    firm = _confirmed_days_ago(business_firm(BUSINESS), 300)
    confirmed = firm.confirmed_at
    if who:
        as_user(client, who)
        token_page = "/account/profile" if who else "/"
        response = post_form(
            client, token_page, f"/my/firms/{firm.id}/confirm", {"version": firm.version}
        )
        assert response.status_code == 404
    else:
        response = client.post(f"/my/firms/{firm.id}/confirm", data={"version": firm.version})
        assert response.status_code in (302, 400)
    assert refreshed(firm).confirmed_at == confirmed


def test_a_curators_archive_is_not_renewable_by_the_business(client, seeded_app):
    firm = business_firm(BUSINESS)
    firm.status = FirmStatus.ARCHIVED
    db.session.commit()
    as_user(client, BUSINESS)
    page = client.get(f"/my/firms/{firm.id}").get_data(as_text=True)
    assert "Renew listing" not in page
    response = _confirm(client, firm)
    assert response.status_code == 403 or refreshed(firm).status == FirmStatus.ARCHIVED
    assert refreshed(firm).status == FirmStatus.ARCHIVED


def test_a_listing_without_readable_members_is_reported_not_logged(client, runner, seeded_app):
    firm = _confirmed_days_ago(business_firm(BUSINESS), 360)
    for member in firm.members:
        member.user.email_verified_at = None
    db.session.commit()
    output = _remind(runner)
    assert "Could not remind 1 listing" in output and firm.tax_code in output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ListingReminder)) == 0
