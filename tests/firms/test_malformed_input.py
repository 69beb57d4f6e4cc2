"""Malformed input to the directory and to a business's listing is refused cleanly (404, a form
error or an ignored filter), never a server error; control characters are never stored."""

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Firm, FirmMember, User
from tests.conftest import csrf_token, login_as
from tests.firms.test_self_service import create_listing, form_data, new_business

BUSINESS = "business@demo.cnmt.vn"


def user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def demo_firm() -> Firm:
    account = user(BUSINESS)
    return db.session.scalar(sa.select(Firm).where(Firm.members.any(user_id=account.id)))


@pytest.fixture
def owner(client) -> User:
    account = new_business()
    login_as(client, account)
    return account


@pytest.mark.parametrize("name", ["kind", "fmt", "_external", "_scheme", "_anchor"])
def test_any_query_argument_name_is_kept_in_the_download_links(client, name):
    response = client.get(f"/firms?{name}=anything&group=NT")
    assert response.status_code == 200
    links = re.findall(r'href="(/exports/firms\.(?:csv|xlsx)[^"]*)"', response.get_data(True))
    assert len(links) == 2
    assert all(f"{name}=anything" in link and "group=NT" in link for link in links)


@pytest.mark.parametrize("page", ["²", "١", "99999999999999999999", "9223372036854775808"])
def test_page_that_is_no_page_number_is_not_found(client, page):
    assert client.get(f"/firms?page={page}").status_code == 404


@pytest.mark.parametrize(
    "query", ["ward=²", "ward=99999999999999999999", "amount_min=²", "amount_max=1²"]
)
def test_filter_values_that_are_no_numbers_are_ignored_with_a_note(client, query):
    response = client.get(f"/firms?{query}&lang=en")
    assert response.status_code == 200
    assert "Ignored filter values we do not recognise" in response.get_data(as_text=True)


def test_size_preview_ignores_unicode_digits(client):
    response = client.get("/firms/size-class?sector=trade_services&employees=²&revenue=9²")
    assert response.status_code == 200


def test_an_id_beyond_an_integer_column_is_not_found(client):
    login_as(client, user(BUSINESS))
    assert client.get("/my/firms/99999999999999999999").status_code == 404
    assert client.get("/my/firms/claim/99999999999999999999").status_code == 404


def test_control_characters_never_reach_a_stored_listing(client, owner):
    firm = create_listing(client)
    url = f"/my/firms/{firm.id}/edit"
    data = form_data(
        client,
        url,
        legal_name="Công ty\x00 Nước\x0b Sạch",
        description_vi="Dòng một\r\nDòng\x00 hai",
    )
    data["version"] = str(firm.version)

    assert client.post(url, data=data).status_code == 302

    db.session.refresh(firm)
    assert firm.legal_name == "Công ty Nước Sạch"
    assert firm.description_vi == "Dòng một\r\nDòng hai"


@pytest.mark.parametrize("version", ["abc", "²", "99999999999999999999", ""])
def test_a_version_that_is_no_number_refuses_the_edit(client, owner, version):
    firm = create_listing(client)
    url = f"/my/firms/{firm.id}/edit"
    data = form_data(client, url, description_vi="Không lưu")
    data["version"] = version

    assert client.post(url, data=data).status_code in (400, 409)

    db.session.refresh(firm)
    assert firm.description_vi != "Không lưu"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("certifications", "ISO 14001; Bureau Veritas; ²⁰²⁴"),
        ("revenue_vnd", "1" + "0" * 25),
        ("investment_max_vnd", "٣٠٠"),
        ("founded_year", "99999999999999999999"),
        ("primary_industry_code", "²"),
    ],
)
def test_numbers_the_database_cannot_hold_are_form_errors(client, owner, field, value):
    url = "/my/firms/new"
    response = client.post(url, data=form_data(client, url, **{field: value}))
    assert response.status_code == 400
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Firm).where(Firm.tax_code == "4300378569")
        )
        == 0
    )


def test_a_note_for_no_catalogue_item_is_ignored(client, owner):
    url = "/my/firms/new"
    response = client.post(url, data=form_data(client, url, **{"offer_note_²": "ghi chú"}))
    assert response.status_code == 302


def test_a_member_id_that_is_no_number_is_a_bad_request(client):
    firm = demo_firm()
    login_as(client, user(BUSINESS))
    url = f"/my/firms/{firm.id}"
    members = db.session.scalar(
        sa.select(sa.func.count()).select_from(FirmMember).where(FirmMember.firm_id == firm.id)
    )
    for value in ("²", "99999999999999999999"):
        response = client.post(
            f"{url}/members/remove", data={"csrf_token": csrf_token(client, url), "user_id": value}
        )
        assert response.status_code == 400
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(FirmMember).where(FirmMember.firm_id == firm.id)
        )
        == members
    )
