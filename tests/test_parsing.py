"""Numbers are ASCII digits within what the database stores; control characters never reach a
view, a form or a query; path arguments out of range are no match (404)."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import User
from app.parsing import (
    MAX_AMOUNT_VND,
    MAX_ID,
    clean_text,
    lenient_amount,
    parse_amount,
    parse_decimal,
    parse_id,
    parse_int,
)
from tests.conftest import csrf_token, login_as

CURATOR = "curator@demo.cnmt.vn"
BUSINESS = "business@demo.cnmt.vn"


def user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("42", 42), (" 7 ", 7), ("0", 0), (str(MAX_ID), MAX_ID), ("007", 7)],
)
def test_ascii_whole_numbers_are_read(raw, expected):
    assert parse_int(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["²", "١٢٣", "１２", "1.5", "1e3", "", " ", "-1", "+1", "abc", "1\x002", str(MAX_ID + 1), None],
)
def test_anything_else_is_no_number(raw):
    assert parse_int(raw) is None


def test_bounds_are_the_callers_choice():
    assert parse_int("-5", low=-10) == -5
    assert parse_int(str(10**18), high=10**18) == 10**18
    assert parse_int("99999999999999999999", high=2**63) is None


def test_an_id_is_positive():
    assert parse_id("1") == 1
    assert parse_id("0") is None


@pytest.mark.parametrize(("raw", "expected"), [("12.5", 12.5), ("12,5", 12.5), ("-3", -3.0)])
def test_decimals_take_a_point_or_a_comma(raw, expected):
    assert parse_decimal(raw) == expected


@pytest.mark.parametrize("raw", ["nan", "inf", "-inf", "1e400", "١.٥", "9" * 20])
def test_decimals_are_finite_ascii_and_bounded(raw):
    assert parse_decimal(raw) is None


def test_clean_text_drops_control_characters_but_keeps_lines_and_tabs():
    assert clean_text("Nước\x00 thải\x1b\x7f\x85") == "Nước thải"
    assert clean_text("một\r\nhai\tba") == "một\r\nhai\tba"


@pytest.mark.parametrize(
    "path",
    [
        "/curation/firms/99999999999999999999",
        f"/curation/firms/{MAX_ID + 1}",
        "/curation/firms/%C2%B2",
        "/curation/firms/%D9%A3",
        "/curation/reports/99999999999999999999",
        "/curation/history/firm/99999999999999999999",
    ],
)
def test_path_numbers_beyond_an_integer_column_are_not_found(client, path):
    login_as(client, user(CURATOR))
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", ["/firms/%00", "/firms/a%00b", "/programmes/x%1Fy"])
def test_path_text_with_control_characters_is_not_found(client, path):
    assert client.get(path).status_code == 404


def test_query_arguments_reach_views_without_control_characters(client):
    html = client.get("/firms?q=n%C6%B0%E1%BB%9Bc%00th%E1%BA%A3i%1B").get_data(as_text=True)
    assert 'value="nướcthải"' in html


def test_form_fields_reach_forms_without_control_characters(client):
    account = user(BUSINESS)
    login_as(client, account)
    response = client.post(
        "/account",
        data={
            "csrf_token": csrf_token(client, "/account"),
            "name": "Nguyễn\x00 Văn\x08 An",
            "language": "vi",
        },
    )
    assert response.status_code == 302
    db.session.refresh(account)
    assert account.name == "Nguyễn Văn An"


@pytest.mark.parametrize("province", ["²", "99999999999999999999", "-1", "abc"])
def test_wards_of_no_province_are_none(client, province):
    response = client.get(f"/places/wards?province={province}")
    assert response.status_code == 200
    assert response.json == {"wards": []}


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1.500.000.000", 1_500_000_000),
        ("1,500,000,000", 1_500_000_000),
        ("1 500 000 000", 1_500_000_000),
        ("1\u00a0500\u00a0000\u00a0000 ₫", 1_500_000_000),
        ("1500000000đ", 1_500_000_000),
        ("0", 0),
        ("", None),
        ("38 tỷ", 38_000_000_000),
        ("38,5 tỷ", 38_500_000_000),
        ("1,2 tỷ đồng", 1_200_000_000),
        ("1.200 tỷ", 1_200_000_000_000),
        ("0,25 Tỉ VND", 250_000_000),
        ("500 triệu", 500_000_000),
        ("500tr", 500_000_000),
        ("2,75 trieu dong", 2_750_000),
        ("38\u00a0tỷ", 38_000_000_000),
        ("38 ty\u0309", 38_000_000_000),  # "tỷ" typed with a combining hook (not NFC)
        ("1.000.000.000.000.000", MAX_AMOUNT_VND),
    ],
)
def test_amounts_are_read_one_way_everywhere(typed, amount):
    assert parse_amount(typed) == amount


@pytest.mark.parametrize(
    "typed",
    [
        "-5",
        "1.5",
        "15.00.000",
        "1e9",
        "một tỷ",
        "9" * 20,
        "38.5 tỷ",
        "tỷ",
        "38 tỷ tỷ",
        "-38 tỷ",
        "1,0000000001 tỷ",
        "1.000.000.000.000.001",
        "1.000.001 tỷ",
    ],
)
def test_what_is_not_an_amount_gets_a_message(seeded_app, typed):
    with seeded_app.test_request_context("/?lang=en"):
        with pytest.raises(ValueError) as refused:
            parse_amount(typed)
        assert "amount" in str(refused.value)
        assert lenient_amount(typed) is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-38 tỷ", "The amount cannot be negative."),
        ("-1.500.000", "The amount cannot be negative."),
        ("1.001.000 tỷ", "more than 1.000.000.000.000.000 đồng"),
        ("1,5 đ tỷ", "e.g. 1.500.000.000 or 1,5 tỷ"),
    ],
)
def test_implausible_amounts_are_refused_with_the_reason(seeded_app, typed, message):
    with seeded_app.test_request_context("/?lang=en"):
        with pytest.raises(ValueError) as refused:
            parse_amount(typed)
        assert message in str(refused.value)
