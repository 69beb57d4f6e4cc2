"""Matching pages: a business's matches, interest registration and its follow-up by agencies."""

import re

import sqlalchemy as sa

from app.extensions import db
from app.models import Firm, Interest, InterestStatus, Programme, User
from tests.conftest import csrf_token, login_as, make_user


def user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def owned_firm(account: User) -> Firm:
    return db.session.scalar(sa.select(Firm).where(Firm.members.any(user_id=account.id)))


def test_business_sees_three_tabs_with_reasons(client):
    owner = user("business@demo.cnmt.vn")
    login_as(client, owner)
    firm = owned_firm(owner)
    for tab in ("programme", "zone", "incubator"):
        html = client.get(f"/my/firms/{firm.id}/matches?tab={tab}&lang=en").get_data(as_text=True)
        assert 'class="card match-card"' in html
        assert "reason-met" in html


def test_suppliers_and_buyers_tabs_link_to_published_firms_without_an_interest_form(client):
    owner = user("business@demo.cnmt.vn")
    login_as(client, owner)
    firm = owned_firm(owner)
    listed = []
    for tab in ("supplier", "buyer"):
        html = client.get(f"/my/firms/{firm.id}/matches?tab={tab}&lang=en").get_data(as_text=True)
        assert 'aria-current="page"' in html and "Register interest" not in html
        listed += re.findall(r'<h3><a href="/firms/([^"]+)"', html)
    assert listed
    for slug in listed:
        assert client.get(f"/firms/{slug}").status_code == 200


def test_another_business_cannot_see_the_matches(client):
    firm = owned_firm(user("business@demo.cnmt.vn"))
    stranger = make_user("x@example.vn")
    login_as(client, stranger)
    assert client.get(f"/my/firms/{firm.id}/matches").status_code == 404


def test_interest_is_registered_once_and_followed_up_by_the_owning_agency(client, seeded_app):
    owner = user("business@demo.cnmt.vn")
    login_as(client, owner)
    firm = owned_firm(owner)
    programme = db.session.scalar(
        sa.select(Programme).where(Programme.public()).order_by(Programme.id)
    )
    page = f"/my/firms/{firm.id}/matches"
    data = {
        "csrf_token": csrf_token(client, page),
        "target_kind": "programme",
        "target_id": str(programme.id),
        "message": "Chúng tôi muốn vay vốn mở rộng xưởng.",
    }
    assert client.post(f"/my/firms/{firm.id}/interest", data=data).status_code == 302
    client.post(f"/my/firms/{firm.id}/interest", data=data)
    interests = db.session.scalars(sa.select(Interest).where(Interest.firm_id == firm.id)).all()
    assert len(interests) == 1

    admin = user("admin@demo.cnmt.vn")
    login_as(client, admin)
    html = client.get("/curation/interests?lang=en").get_data(as_text=True)
    assert "Chúng tôi muốn vay vốn mở rộng xưởng." in html
    client.post(
        f"/curation/interests/{interests[0].id}/status",
        data={"csrf_token": csrf_token(client, "/curation/interests"), "status": "contacted"},
    )
    db.session.refresh(interests[0])
    assert interests[0].status == InterestStatus.CONTACTED


def test_curator_of_another_agency_cannot_follow_up(client):
    programme = db.session.scalar(
        sa.select(Programme).join(Programme.agency).where(Programme.agency.has(code="QBVMT"))
    )
    login_as(client, user("curator-khcn@demo.cnmt.vn"))
    assert client.get(f"/curation/programmes/{programme.id}/matches").status_code in (403, 404)


def test_agency_sees_firms_that_fit_its_programme(client):
    curator = user("curator-khcn@demo.cnmt.vn")
    programme = db.session.scalar(
        sa.select(Programme).where(Programme.agency_id == curator.agency_id)
    )
    login_as(client, curator)
    html = client.get(f"/curation/programmes/{programme.id}/matches?lang=en").get_data(as_text=True)
    assert html.count('class="card match-card"') > 10


def test_only_eligible_candidates_carry_a_fit_label_and_relevance_is_no_criterion(client):
    owner = user("business@demo.cnmt.vn")
    firm = owned_firm(owner)
    login_as(client, owner)
    labels = ("Strong fit", "Good fit", "Weak fit")
    seen_ineligible = 0
    for tab in ("programme", "zone", "incubator"):
        html = client.get(f"/my/firms/{firm.id}/matches?tab={tab}&lang=en").get_data(as_text=True)
        sections = dict(
            re.findall(r'<section class="match-section match-(\w+)">(.*?)</section>', html, re.S)
        )
        for name, body in sections.items():
            if name != "eligible":
                seen_ineligible += body.count("match-card")
                assert not any(text in body for text in labels), (tab, name)
        # Text relevance is relative to the best candidate: a note, never a ✓ criterion.
        for item in re.findall(r'<li class="reason reason-(\w+)">(.*?)</li>', html, re.S):
            if "resembles your profile" in item[1]:
                assert item[0] == "info"
    assert seen_ineligible > 0


def test_firm_cards_among_matches_show_no_empty_source_line(client):
    owner = user("business@demo.cnmt.vn")
    login_as(client, owner)
    firm = owned_firm(owner)
    html = client.get(f"/my/firms/{firm.id}/matches?tab=supplier&lang=en").get_data(as_text=True)
    assert "provenance-source" not in html and "Source: ," not in html
    assert "Sample data" in html  # the demo suppliers say they are samples
