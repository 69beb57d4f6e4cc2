"""Malformed input to the investors' pages is refused cleanly, never a server error."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import IntroductionRequest, Shortlist
from tests.conftest import csrf_token, login_as
from tests.investors.conftest import published_firms


@pytest.fixture
def logged_in(client, investor):
    login_as(client, investor)
    return client


@pytest.mark.parametrize("page", ["²", "99999999999999999999"])
def test_page_that_is_no_page_number_is_not_found(logged_in, page):
    assert logged_in.get(f"/investor/firms?page={page}").status_code == 404


@pytest.mark.parametrize("query", ["ward=²", "amount_min=99999999999999999999999"])
def test_filter_values_that_are_no_numbers_are_ignored(logged_in, query):
    response = logged_in.get(f"/investor/firms?{query}&lang=en")
    assert response.status_code == 200
    assert "Ignored" in response.get_data(as_text=True)


@pytest.mark.parametrize("firm_id", ["²", "99999999999999999999", "abc"])
def test_introduction_to_no_firm_sends_nothing(logged_in, firm_id):
    page = f"/firms/{published_firms()[0].slug}"
    data = {
        "csrf_token": csrf_token(logged_in, page),
        "firm_id": firm_id,
        "message": "Quỹ chúng tôi muốn tìm hiểu dự án.",
    }
    assert logged_in.post("/investor/introductions", data=data).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IntroductionRequest)) == 0


@pytest.mark.parametrize("shortlist_id", ["²", "99999999999999999999"])
def test_adding_to_no_shortlist_adds_nothing(logged_in, shortlist_id):
    firm = published_firms()[0]
    page = f"/firms/{firm.slug}"
    data = {"csrf_token": csrf_token(logged_in, page), f"firm{firm.id}-shortlist_id": shortlist_id}
    assert logged_in.post(f"/investor/firms/{firm.id}/shortlist", data=data).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Shortlist)) == 0
