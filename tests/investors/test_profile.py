"""The investor profile page and the "Recommended for you" list built from it."""

import re

from app.catalogue.service import CatalogueTree
from app.extensions import db
from app.investors.service import investor_interests
from app.matching.engine import ELIGIBLE
from app.matching.service import match_investor
from app.models import InvestorProfile, Role
from tests.conftest import csrf_token, login_as, make_user
from tests.investors.conftest import BUSINESS, user


def save_profile(client, **changes):
    data = {
        "csrf_token": csrf_token(client, "/investor/profile"),
        "organisation": "Mekong Green Fund",
        "investor_type": "fund",
        "ticket_min_vnd": "5.000.000.000",
        "ticket_max_vnd": "50.000.000.000",
        "groups": ["NT"],
        "investment_types": ["equity", "joint_venture"],
        "description": "Quỹ đầu tư xanh cho xử lý nước thải.",
    }
    data.update(changes)
    return client.post("/investor/profile?lang=en", data=data)


def test_recommendations_ask_for_a_profile_first(client, investor):
    login_as(client, investor)
    response = client.get("/investor")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/investor/profile")


def test_saved_profile_drives_ranked_recommendations_with_reasons(client, investor):
    tree = CatalogueTree.load()
    assert "NT" in tree.by_code
    login_as(client, investor)
    assert save_profile(client).status_code == 302

    profile = db.session.query(InvestorProfile).filter_by(user_id=investor.id).one()
    assert profile.ticket_min_vnd == 5_000_000_000
    assert profile.groups == ["NT"]
    expected = [m for m in match_investor(investor_interests(profile)) if m.section == ELIGIBLE]
    assert expected, "the seed should have firms that fit a water-treatment fund"

    html = client.get("/investor?lang=en").get_data(as_text=True)
    shown = re.findall(r'<h2 class="h4"><a href="/firms/[^"]+">([^<]+)</a>', html)
    assert shown == [m.name for m in expected][: len(shown)]
    assert "reason-met" in html
    assert "Seeking investment." in html


def test_profile_rejects_an_inverted_ticket_range(client, investor):
    login_as(client, investor)
    response = save_profile(client, ticket_min_vnd="9.000.000.000", ticket_max_vnd="1.000")
    assert response.status_code == 400
    assert "must not be below" in response.get_data(as_text=True)
    assert db.session.query(InvestorProfile).count() == 0


def test_profile_ignores_unknown_groups(client, investor):
    login_as(client, investor)
    response = save_profile(client, groups=["NO-SUCH-GROUP"])
    assert response.status_code == 400
    assert db.session.query(InvestorProfile).count() == 0


def test_non_investors_are_refused(client):
    login_as(client, user(BUSINESS))
    for url in ("/investor", "/investor/profile", "/investor/firms", "/investor/shortlists"):
        assert client.get(url).status_code == 403, url
    curator = make_user("someone@example.vn", Role.CURATOR)
    login_as(client, curator)
    assert client.get("/investor/searches").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/investor/firms")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
