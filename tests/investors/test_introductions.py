"""Introduction requests: the firm's members answer; acceptance shows each side the other's
contacts, declining shows nothing; investors are limited per 24 hours; curators see the funnel."""

from datetime import datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.catalogue.service import CatalogueTree
from app.extensions import db
from app.investors.introductions import introduction_funnel
from app.models import (
    Firm,
    FirmMember,
    IntroductionRequest,
    IntroductionState,
    InvestorProfile,
    MemberRole,
    Role,
)
from app.models.base import utcnow
from tests.conftest import csrf_token, login_as, make_user
from tests.investors.conftest import BUSINESS, CURATOR, owned_firm, published_firms, user

FIRM_EMAIL = "lienhe@nuocsach.example.vn"
FIRM_PHONE = "0255 3 123 456"


def ask(client, firm: Firm, message="Quỹ chúng tôi muốn tìm hiểu dự án xử lý nước thải."):
    page = f"/firms/{firm.slug}"
    data = {"csrf_token": csrf_token(client, page), "firm_id": str(firm.id), "message": message}
    data["next"] = page
    return client.post("/investor/introductions?lang=en", data=data)


@pytest.fixture
def firm(seeded_app):
    firm = owned_firm(user(BUSINESS))
    firm.email, firm.phone, firm.show_contact = FIRM_EMAIL, FIRM_PHONE, False
    db.session.commit()
    return firm


@pytest.fixture
def requested(client, investor, firm):
    db.session.add(
        InvestorProfile(user_id=investor.id, organisation="Mekong Green Fund", investor_type="fund")
    )
    db.session.commit()
    login_as(client, investor)
    assert ask(client, firm).status_code == 302
    return db.session.scalar(sa.select(IntroductionRequest))


def answer(client, introduction, decision):
    token = csrf_token(client, "/my/introductions")
    return client.post(
        f"/my/introductions/{introduction.id}/{decision}", data={"csrf_token": token}
    )


def test_request_mails_the_firm_without_revealing_the_investor(seeded_app, client, requested):
    parser = BytesParser(policy=policy.default)
    folder = Path(seeded_app.config["MAIL_FILE_DIR"])
    sent = [parser.parsebytes(p.read_bytes()) for p in folder.glob("*.eml")]
    assert [m["To"] for m in sent] == [BUSINESS]
    assert "/my/introductions" in sent[0].get_content()

    login_as(client, user(BUSINESS))
    html = client.get("/my/introductions?lang=en").get_data(as_text=True)
    assert "muốn tìm hiểu dự án" in html
    assert "investor@demo.cnmt.vn" not in html and "Mekong Green Fund" not in html


def test_request_mail_calls_the_message_the_investors(seeded_app, requested):
    folder = Path(seeded_app.config["MAIL_FILE_DIR"])
    [message] = [
        BytesParser(policy=policy.default).parsebytes(p.read_bytes()) for p in folder.glob("*.eml")
    ]
    body = message.get_content()  # the firm's owner reads Vietnamese

    assert "Lời nhắn của nhà đầu tư:\nQuỹ chúng tôi muốn tìm hiểu" in body
    assert "doanh nghiệp:" not in body


def test_accepting_shows_both_sides_each_others_contacts(client, requested, firm, investor):
    login_as(client, investor)
    assert FIRM_EMAIL not in client.get(f"/firms/{firm.slug}").get_data(as_text=True)

    login_as(client, user(BUSINESS))
    answer(client, requested, "accept")
    html = client.get("/my/introductions?lang=en").get_data(as_text=True)
    assert "investor@demo.cnmt.vn" in html and "Mekong Green Fund" in html and "Emma Tran" in html

    login_as(client, investor)
    for url in ("/investor/introductions", f"/firms/{firm.slug}"):
        html = client.get(url).get_data(as_text=True)
        assert FIRM_EMAIL in html and FIRM_PHONE in html, url

    with client.session_transaction() as session:
        session.clear()
    assert FIRM_EMAIL not in client.get(f"/firms/{firm.slug}").get_data(as_text=True)


def test_declining_reveals_nothing(client, requested, firm, investor):
    login_as(client, user(BUSINESS))
    answer(client, requested, "decline")
    db.session.refresh(requested)
    assert requested.state == IntroductionState.DECLINED
    html = client.get("/my/introductions").get_data(as_text=True)
    assert "investor@demo.cnmt.vn" not in html and "Mekong Green Fund" not in html

    login_as(client, investor)
    for url in ("/investor/introductions", f"/firms/{firm.slug}"):
        assert FIRM_EMAIL not in client.get(url).get_data(as_text=True)
    ask(client, firm)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IntroductionRequest)) == 1


def test_only_the_firms_members_can_answer(client, requested):
    login_as(client, make_user("stranger@biz.example.vn", Role.BUSINESS))
    assert answer(client, requested, "accept").status_code == 404
    db.session.refresh(requested)
    assert requested.state == IntroductionState.PENDING


def test_an_investor_may_ask_five_times_in_24_hours(client, investor):
    login_as(client, investor)
    firms = published_firms()[:7]
    for firm in firms[:5]:
        ask(client, firm)
    response = ask(client, firms[5])
    html = client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "You can ask for 5 introductions in 24 hours" in html
    count = sa.select(sa.func.count()).select_from(IntroductionRequest)
    assert db.session.scalar(count) == 5

    oldest = db.session.scalars(sa.select(IntroductionRequest).order_by(IntroductionRequest.id))
    next(iter(oldest)).created_at = utcnow() - timedelta(hours=25)
    db.session.commit()
    ask(client, firms[6])
    assert db.session.scalar(count) == 6


def test_curators_see_the_funnel_per_month_and_group(client, seeded_app, investor):
    firms = published_firms()
    rows = [
        (firms[0], IntroductionState.ACCEPTED, datetime(2026, 1, 10)),
        (firms[1], IntroductionState.DECLINED, datetime(2026, 1, 20)),
        (firms[2], IntroductionState.PENDING, datetime(2026, 2, 3)),
    ]
    for firm, state, created in rows:
        db.session.add(
            IntroductionRequest(
                investor_id=investor.id,
                firm_id=firm.id,
                message="m",
                state=state,
                created_at=created,
            )
        )
    db.session.commit()
    curator = user(CURATOR)
    with seeded_app.test_request_context():
        by_month, by_group = introduction_funnel(curator)
    assert by_month == {
        "2026-02": {"requested": 1, "accepted": 0, "declined": 0},
        "2026-01": {"requested": 2, "accepted": 1, "declined": 1},
    }
    tree = CatalogueTree.load()
    expected: dict = {}
    for firm, state, _created in rows:
        codes = {tree.group_of(link.item_id).code for link in firm.offerings} or {None}
        for code in codes:
            counts = expected.setdefault(code, {"requested": 0, "accepted": 0, "declined": 0})
            counts["requested"] += 1
            if state != IntroductionState.PENDING:
                counts[str(state)] += 1
    assert by_group == expected

    login_as(client, curator)
    html = client.get("/curation/introductions?lang=en").get_data(as_text=True)
    assert "01/2026" in html and "Per catalogue group" in html
    login_as(client, investor)
    assert client.get("/curation/introductions").status_code == 403


def test_an_unconfirmed_investor_cannot_ask_for_introductions(seeded_app, client, firm):
    login_as(client, make_user("chua-xac-nhan@fund.example", Role.INVESTOR, verified=False))

    response = ask(client, firm)

    assert response.status_code == 403
    assert "Please confirm your e-mail address first" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(IntroductionRequest)) is None
    assert not list(Path(seeded_app.config["MAIL_FILE_DIR"]).glob("*.eml"))


def test_an_unconfirmed_member_cannot_answer(client, requested, firm):
    member = make_user("chua-xac-nhan@biz.example.vn", Role.BUSINESS, verified=False)
    firm.members.append(FirmMember(user=member, role=MemberRole.EDITOR))
    db.session.commit()
    login_as(client, member)

    assert answer(client, requested, "accept").status_code == 403
    db.session.refresh(requested)
    assert requested.state == IntroductionState.PENDING
