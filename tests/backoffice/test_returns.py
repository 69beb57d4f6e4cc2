"""The yearly data update: open a year, e-mail firms, a member fills in and submits, the size
class follows, curators see the response rate and re-open; reminders are idempotent."""

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.backoffice.report import SIZE_VI
from app.backoffice.returns import occupation_name
from app.domain import clock
from app.domain.firm_size import size_class
from app.extensions import db
from app.models import (
    AuditEvent,
    Firm,
    FirmMember,
    FirmStatus,
    MemberRole,
    ReminderLog,
    ReportingYear,
    ReturnState,
    YearlyReturn,
)
from app.models.base import utcnow
from tests.backoffice.helpers import (
    YEAR,
    business_firm,
    open_year,
    return_form,
    return_url,
    stored_return,
)
from tests.conftest import make_user
from tests.curation.helpers import (
    BUSINESS,
    CURATOR,
    CURATOR_KHCN,
    INVESTOR,
    add_owner,
    as_user,
    body,
    confirmed_post,
    mails,
    mails_to,
    post_form,
    user,
)


def published_count() -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Firm).where(Firm.status == FirmStatus.PUBLISHED)
    )


def answering_count() -> int:
    """Published firms with a member whose account is active and whose address is confirmed."""
    firms = db.session.scalars(sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED)).all()
    return sum(
        any(m.user.active and m.user.email_verified_at for m in firm.members) for firm in firms
    )


def only_members(*members: tuple[Firm, str, bool, bool]) -> None:
    """Leave the seeded firms with exactly these members: (firm, e-mail, confirmed, active)."""
    db.session.execute(sa.delete(FirmMember))
    for firm, email, confirmed, active in members:
        account = user(email) or make_user(email, verified=confirmed, active=active)
        db.session.add(FirmMember(firm=firm, user=account, role=MemberRole.OWNER))
    db.session.commit()


def published_firms(count: int) -> list[Firm]:
    return db.session.scalars(
        sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED).order_by(Firm.id).limit(count)
    ).all()


def test_opening_a_year_creates_a_return_per_published_firm_and_emails_members(client, seeded_app):
    firm = business_firm(BUSINESS)
    response = open_year(client)
    assert response.status_code == 302
    year = db.session.scalar(sa.select(ReportingYear).where(ReportingYear.year == YEAR))
    assert year is not None
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(YearlyReturn)
            .where(YearlyReturn.reporting_year_id == year.id)
        )
        == published_count()
    )
    [message] = mails_to(seeded_app, BUSINESS)
    assert message["Content-Language"] == "vi"
    assert return_url(firm) in body(message)
    assert db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "reporting_year.opened")
    )


def test_opening_the_same_year_twice_is_refused(client):
    open_year(client)
    response = open_year(client)
    assert response.status_code == 400
    assert "already open" in response.get_data(as_text=True)


def test_member_submits_return_and_the_firm_size_class_follows(client):
    firm = business_firm(BUSINESS)
    open_year(client)
    as_user(client, BUSINESS)
    assert client.get(return_url(firm)).status_code == 200
    response = post_form(client, return_url(firm), return_url(firm), return_form())
    assert response.status_code == 302
    stored = stored_return(firm)
    assert stored.state == ReturnState.SUBMITTED
    assert stored.env_output_vnd == 700_000_000
    assert [(n.occupation, n.level, n.number_needed) for n in stored.workforce_needs] == [
        ("Vận hành trạm xử lý nước thải", "technician", 3),
        ("Kỹ sư môi trường", "engineer", 2),
    ]
    firm = db.session.get(Firm, firm.id)
    assert (firm.revenue_vnd, firm.insured_employees, firm.capital_vnd, firm.size_year) == (
        2_000_000_000,
        8,
        1_500_000_000,
        YEAR,
    )
    assert firm.size_class == size_class(firm.sector_group, 8, 2_000_000_000, 1_500_000_000)
    assert db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "firm.size_updated_from_return")
    )
    # Submitted: the form is gone, and posting again changes nothing.
    html = client.get(return_url(firm)).get_data(as_text=True)
    assert "Submit the return" not in html
    post_form(client, return_url(firm), return_url(firm), return_form(revenue_vnd="1"))
    assert stored_return(firm).revenue_vnd == 2_000_000_000


def test_invalid_return_keeps_what_was_typed(client):
    firm = business_firm(BUSINESS)
    open_year(client)
    as_user(client, BUSINESS)
    response = post_form(
        client,
        return_url(firm),
        return_url(firm),
        return_form(
            revenue_vnd="-5",
            **{"workforce_needs-0-level": "", "workforce_needs-0-occupation": "Thợ hàn đặc biệt"},
        ),
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'value="-5"' in html
    assert "Thợ hàn đặc biệt" in html
    assert "The amount cannot be negative." in html
    response = post_form(
        client,
        return_url(firm),
        return_url(firm),
        return_form(**{"workforce_needs-0-level": "", "workforce_needs-1-number_needed": "0"}),
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Number must be between 1 and 1000000." in html
    response = post_form(
        client, return_url(firm), return_url(firm), return_form(**{"workforce_needs-0-level": ""})
    )
    assert response.status_code == 400
    assert "Choose a level." in response.get_data(as_text=True)
    assert stored_return(firm).state == ReturnState.NOT_STARTED


def test_a_return_not_started_offers_the_listing_figures_to_check(client):
    firm = business_firm(BUSINESS)
    firm.revenue_vnd, firm.insured_employees, firm.capital_vnd = 38_000_000_000, 46, None
    db.session.commit()
    open_year(client)
    as_user(client, BUSINESS)
    html = client.get(return_url(firm)).get_data(as_text=True)
    assert 'name="revenue_vnd" type="text" value="38.000.000.000"' in html
    assert 'name="insured_employees" type="number" value="46"' in html
    assert 'name="capital_vnd" type="text" value=""' in html
    hint = f"From your listing: please check it is the figure for {YEAR}."
    assert html.count(hint) == 2

    # Once the member has saved the return, it shows what they saved, without the hint.
    form = return_form(revenue_vnd="38,5 tỷ", capital_vnd="", action="save")
    post_form(client, return_url(firm), return_url(firm), form)
    assert stored_return(firm).revenue_vnd == 38_500_000_000
    html = client.get(return_url(firm)).get_data(as_text=True)
    assert 'name="revenue_vnd" type="text" value="38.500.000.000"' in html
    assert 'name="capital_vnd" type="text" value=""' in html
    assert hint not in html


def test_amounts_in_a_return_may_be_typed_in_ty_and_trieu(client):
    firm = business_firm(BUSINESS)
    open_year(client)
    as_user(client, BUSINESS)
    form = return_form(revenue_vnd="38 tỷ", capital_vnd="1,2 tỷ đồng", rnd_vnd="500tr")
    assert post_form(client, return_url(firm), return_url(firm), form).status_code == 302
    returned = stored_return(firm)
    assert (returned.revenue_vnd, returned.capital_vnd, returned.rnd_vnd) == (
        38_000_000_000,
        1_200_000_000,
        500_000_000,
    )
    assert returned.firm.revenue_vnd == 38_000_000_000


def test_submitting_needs_the_size_figures_but_a_draft_does_not(client):
    firm = business_firm(BUSINESS)
    open_year(client)
    as_user(client, BUSINESS)
    response = post_form(client, return_url(firm), return_url(firm), return_form(capital_vnd=""))
    assert response.status_code == 400
    assert "Required to submit the return." in response.get_data(as_text=True)
    response = post_form(
        client, return_url(firm), return_url(firm), return_form(capital_vnd="", action="save")
    )
    assert response.status_code == 302
    assert stored_return(firm).state == ReturnState.DRAFT


def test_curator_sees_response_rate_and_reopens_a_return(client, seeded_app):
    firm = business_firm(BUSINESS)
    open_year(client)
    as_user(client, BUSINESS)
    post_form(client, return_url(firm), return_url(firm), return_form())
    as_user(client, CURATOR)
    page = client.get(f"/curation/reports/{YEAR}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"(1 of {answering_count()} firms that can answer)" in html
    assert 'data-state="submitted">1<' in html

    returned = stored_return(firm)
    before = len(mails_to(seeded_app, BUSINESS))
    url = f"/curation/reports/{YEAR}/returns/{returned.id}/reopen"
    assert post_form(client, f"/curation/reports/{YEAR}", url, {"reason": ""}).status_code == 400
    response = post_form(
        client, f"/curation/reports/{YEAR}", url, {"reason": "Doanh thu thiếu một chữ số 0."}
    )
    assert response.status_code == 302
    assert stored_return(firm).state == ReturnState.REOPENED
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "return.reopened"))
    assert event.reason == "Doanh thu thiếu một chữ số 0."
    new_mails = mails_to(seeded_app, BUSINESS)[before:]
    assert len(new_mails) == 1
    assert "Doanh thu thiếu một chữ số 0." in body(new_mails[0])
    # The business can correct and submit again.
    as_user(client, BUSINESS)
    assert "Doanh thu thiếu một chữ số 0." in client.get(return_url(firm)).get_data(as_text=True)
    post_form(client, return_url(firm), return_url(firm), return_form(revenue_vnd="20000000000"))
    assert stored_return(firm).state == ReturnState.SUBMITTED


def test_response_rate_by_group_and_ward_count_submitted_returns(client, seeded_app):
    from app.backoffice.returns import year_progress
    from tests.curation.helpers import user

    firm = business_firm(BUSINESS)
    open_year(client)
    as_user(client, BUSINESS)
    post_form(client, return_url(firm), return_url(firm), return_form())
    with seeded_app.test_request_context("/?lang=en"):
        progress = year_progress(user(CURATOR), YEAR)
        ward_rows = {row.label: (row.firms, row.submitted) for row in progress.by_ward}
    from app.domain.places import ward_name

    firms = db.session.scalars(sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED)).all()
    expected = {}
    for f in firms:
        key = ward_name(f.ward_code) or "Not stated"
        asked, done = expected.get(key, (0, 0))
        expected[key] = (asked + 1, done + (1 if f.id == firm.id else 0))
    assert ward_rows == expected
    assert sum(row.submitted for row in progress.by_group) >= 1
    assert all(row.submitted <= row.firms for row in progress.by_group)


def test_response_rate_counts_only_firms_that_can_answer_and_lists_the_others(client, seeded_app):
    from app.backoffice.returns import Obstacle, year_progress

    answering, unconfirmed, deactivated, answered_anyway = published_firms(4)
    only_members(
        (answering, BUSINESS, True, True),
        (unconfirmed, "chua-xac-nhan@example.vn", False, True),
        (deactivated, "da-nghi@example.vn", True, False),
        (answered_anyway, "nop-roi@example.vn", False, True),
    )
    open_year(client)
    # An unconfirmed member may still answer: a firm that did counts among those that can.
    as_user(client, "nop-roi@example.vn")
    url = return_url(answered_anyway)
    assert post_form(client, url, url, return_form()).status_code == 302

    as_user(client, CURATOR)
    html = client.get(f"/curation/reports/{YEAR}").get_data(as_text=True)
    total = published_count()
    assert "(1 of 2 firms that can answer)" in html
    assert f"{total - 2} of the {total} firms asked cannot answer" in html
    assert f'href="/curation/firms/{unconfirmed.id}"' in html
    assert "No member has confirmed an e-mail address" in html
    assert "No account yet: invite the firm to claim its listing." in html
    with seeded_app.test_request_context("/?lang=en"):
        progress = year_progress(user(CURATOR), YEAR)
    totals = progress.total
    assert (totals.firms, totals.can_answer, totals.submitted, totals.rate) == (total, 2, 1, 50.0)
    assert sum(row.can_answer for row in progress.by_ward) == 2
    assert sum(row.cannot_answer for row in progress.by_ward) == total - 2
    obstacles = {item.yearly_return.firm_id: item.obstacle for item in progress.to_do}
    assert len(obstacles) == total - 2
    assert answering.id not in obstacles and answered_anyway.id not in obstacles
    assert obstacles.pop(unconfirmed.id) == Obstacle.UNCONFIRMED
    assert obstacles.pop(deactivated.id) == Obstacle.DEACTIVATED
    assert set(obstacles.values()) == {Obstacle.NO_ACCOUNT}


def test_xss_in_an_occupation_is_escaped_everywhere(client):
    firm = business_firm(BUSINESS)
    open_year(client)
    as_user(client, BUSINESS)
    payload = "<script>alert(1)</script>"
    post_form(
        client,
        return_url(firm),
        return_url(firm),
        return_form(**{"workforce_needs-0-occupation": payload}),
    )
    html = client.get(return_url(firm)).get_data(as_text=True)
    assert payload not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    as_user(client, CURATOR)
    for url in ("/curation/dashboard", f"/curation/reports/{YEAR}/print"):
        html = client.get(url).get_data(as_text=True)
        assert payload not in html
        assert "&lt;script&gt;" in html


# Permissions -----------------------------------------------------------------------------------


@pytest.mark.parametrize("email", [BUSINESS, INVESTOR, CURATOR_KHCN])
def test_curator_pages_are_forbidden_to_others(client, email):
    open_year(client)
    as_user(client, email)
    for url in (
        "/curation/reports",
        f"/curation/reports/{YEAR}",
        f"/curation/reports/{YEAR}.xlsx",
        f"/curation/reports/{YEAR}/print",
    ):
        assert client.get(url).status_code == 403, url


def test_opening_a_year_is_forbidden_to_other_agencies(client):
    as_user(client, CURATOR_KHCN)
    token_page = "/my/firms"
    response = post_form(
        client, token_page, "/curation/reports", {"year": str(YEAR), "deadline": "2099-01-01"}
    )
    assert response.status_code == 403
    assert db.session.scalar(sa.select(ReportingYear)) is None


def test_another_firms_return_is_not_found(client):
    open_year(client)
    other = next(
        f
        for f in db.session.scalars(sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED))
        if f.id != business_firm(BUSINESS).id
    )
    as_user(client, BUSINESS)
    assert client.get(return_url(other)).status_code == 404
    as_user(client, CURATOR)
    assert client.get(return_url(other)).status_code == 404


def test_unknown_year_is_not_found(client):
    as_user(client, BUSINESS)
    assert client.get(return_url(business_firm(BUSINESS), 1999)).status_code == 404


# Reminders ------------------------------------------------------------------------------------


def test_reminders_go_once_per_round_to_firms_that_have_not_submitted(client, runner, seeded_app):
    firm = business_firm(BUSINESS)
    open_year(client, deadline=clock.today() + timedelta(days=5))
    as_user(client, BUSINESS)
    post_form(client, return_url(firm), return_url(firm), return_form())
    other = db.session.scalars(
        sa.select(Firm)
        .where(Firm.status == FirmStatus.PUBLISHED, Firm.id != firm.id)
        .order_by(Firm.id)
    ).first()
    add_owner(other, email="chu@example.vn", language="en")
    before = len(mails(seeded_app))

    first = runner.invoke(args=["reports", "remind"])
    assert first.exit_code == 0, first.output
    sent = mails(seeded_app)[before:]
    assert [m["To"] for m in sent].count("chu@example.vn") == 1
    assert BUSINESS not in [m["To"] for m in sent]
    reminder = next(m for m in sent if m["To"] == "chu@example.vn")
    assert reminder["Content-Language"] == "en"
    assert "in 5 days" in body(reminder)
    logged = db.session.scalar(sa.select(sa.func.count()).select_from(ReminderLog))
    assert logged >= 1

    second = runner.invoke(args=["reports", "remind"])
    assert second.exit_code == 0
    assert len(mails(seeded_app)) == before + len(sent)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReminderLog)) == logged

    # A new, closer round reminds once more.
    runner.invoke(args=["reports", "remind", "--days", "7"])
    assert len(mails(seeded_app)) == before + 2 * len(sent)


def test_no_reminders_when_the_deadline_is_far(client, runner, seeded_app):
    open_year(client, deadline=clock.today() + timedelta(days=40))
    before = len(mails(seeded_app))
    result = runner.invoke(args=["reports", "remind", "--days", "14"])
    assert "No open reporting year" in result.output
    assert len(mails(seeded_app)) == before


def test_closed_year_takes_no_returns_and_no_reminders(client, runner, seeded_app):
    firm = business_firm(BUSINESS)
    open_year(client, deadline=clock.today() + timedelta(days=3))
    confirmed_post(client, f"/curation/reports/{YEAR}", f"/curation/reports/{YEAR}/close")
    before = len(mails(seeded_app))
    runner.invoke(args=["reports", "remind"])
    assert len(mails(seeded_app)) == before
    as_user(client, BUSINESS)
    assert "Submit the return" not in client.get(return_url(firm)).get_data(as_text=True)


def test_an_older_years_return_keeps_its_year_and_leaves_the_listing_as_it_is(client):
    """A 2025 return, then a late 2024 one: the listing keeps the 2025 figures and class, and
    each year's report counts the firm in the class its own return gives."""
    firm = business_firm(BUSINESS)
    open_year(client, year=YEAR)
    open_year(client, year=YEAR - 1)
    as_user(client, BUSINESS)
    newest = return_form(revenue_vnd="40.000.000.000", insured_employees="46")
    older = return_form(revenue_vnd="2.000.000.000", insured_employees="8")
    assert post_form(client, return_url(firm), return_url(firm), newest).status_code == 302
    late = return_url(firm, YEAR - 1)
    assert post_form(client, late, late, older).status_code == 302

    firm = db.session.get(Firm, firm.id)
    db.session.refresh(firm)
    assert (firm.revenue_vnd, firm.insured_employees, firm.size_year) == (40 * 10**9, 46, YEAR)
    current = size_class(firm.sector_group, 46, 40 * 10**9, 1_500_000_000)
    assert firm.size_class == current
    earlier = size_class(firm.sector_group, 8, 2 * 10**9, 1_500_000_000)
    assert earlier != current

    as_user(client, CURATOR)
    for year, expected in ((YEAR, current), (YEAR - 1, earlier)):
        workbook = load_workbook(io.BytesIO(client.get(f"/curation/reports/{year}.xlsx").data))
        rows = list(workbook["6. Kết quả SXKD"].iter_rows(min_row=2, values_only=True))
        counted = {row[1]: row[2] for row in rows[:-1]}
        assert counted[SIZE_VI[expected]] == 1, year
        assert sum(counted.values()) == 1


def test_remind_counts_firms_messages_and_people_and_reports_firms_it_could_not_remind(
    client, runner, seeded_app
):
    first, second, unconfirmed, done = published_firms(4)
    only_members(
        (first, "an@example.vn", True, True),
        (first, "binh@example.vn", True, True),
        (second, "an@example.vn", True, True),
        (unconfirmed, "chua-xac-nhan@example.vn", False, True),
        (done, BUSINESS, True, True),
    )
    open_year(client, deadline=clock.today() + timedelta(days=5))
    as_user(client, BUSINESS)
    post_form(client, return_url(done), return_url(done), return_form())
    before = len(mails(seeded_app))

    result = runner.invoke(args=["reports", "remind"])
    assert result.exit_code == 0, result.output
    assert f"Reminded 2 firms for {YEAR}: 3 messages to 2 people." in result.output
    assert f"Could not remind {published_count() - 3} firms" in result.output
    assert unconfirmed.tax_code in result.output
    sent = mails(seeded_app)[before:]
    assert sorted(m["To"] for m in sent) == ["an@example.vn", "an@example.vn", "binh@example.vn"]
    # Firms nobody could be mailed for are not marked as reminded ...
    assert set(db.session.scalars(sa.select(ReminderLog.firm_id))) == {first.id, second.id}

    # ... so once a member confirms the address, the next run reminds that firm.
    user("chua-xac-nhan@example.vn").email_verified_at = utcnow()
    db.session.commit()
    again = runner.invoke(args=["reports", "remind"])
    assert f"Reminded 1 firm for {YEAR}: 1 message to 1 person." in again.output
    assert [m["To"] for m in mails(seeded_app)[before + 3 :]] == ["chua-xac-nhan@example.vn"]


@pytest.mark.parametrize(
    "typed",
    ["kỹ sư môi trường", "Kỹ  sư   môi trường ", "KỸ SƯ MÔI TRƯỜNG", "Kỹ sư môi trường"],
)
def test_one_occupation_is_counted_as_one_however_it_was_typed(typed):
    assert occupation_name(typed) == "Kỹ sư môi trường"


def test_occupations_keep_their_abbreviations():
    assert occupation_name("vận hành trạm XLNT") == "Vận hành trạm XLNT"
