"""The password policy holds on every path, and a refused form keeps what was typed."""

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.accounts.passwords import password_problems
from app.accounts.service import change_password
from app.errors import ValidationError
from app.extensions import db
from app.models import User
from tests.accounts.conftest import STRONG_PASSWORD, register, shown

TOO_COMMON = "This password is too common; choose one that is harder to guess."
REPEATED = "Avoid repeated characters or words, such as “aaa” or “abcabc”."
SEQUENCE = "Avoid sequences such as “abcd” or “6789”."
KEYBOARD = "Avoid rows of keys such as “qwerty” or “asdfgh”."
DATES = "Avoid years and dates: they are easy to guess."
PERSONAL = "Do not build the password from your name or e-mail address."


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("aaaaaaaaaa", REPEATED),
        ("matkhau123", TOO_COMMON),
        ("Mậtkhẩu2026", TOO_COMMON),  # checked without diacritics too
        ("anhyeuem2026", TOO_COMMON),
        ("quangngai2026", TOO_COMMON),
        ("xulynuocthai2026", TOO_COMMON),
        ("0123456789", TOO_COMMON),
        ("abcdefghijk", SEQUENCE),
        ("asdfghjkl;'", KEYBOARD),
        ("19.05.1990", DATES),
        ("tranthilan1990", PERSONAL),
        ("LanTran-1990", PERSONAL),
    ],
)
def test_easily_guessed_passwords_are_refused_with_the_reason(app, password, problem):
    with force_locale("en"):
        assert password_problems(password, "lan.tran@example.vn", "Trần Thị Lan") == [problem]


@pytest.mark.parametrize(
    "password",
    [STRONG_PASSWORD, "Bốn-mùa-hoa-nở-ở-Lý-Sơn", "Nuoc-thai-sach-2026!", "x7#Kq!v2Lm@9Rt" * 10],
)
def test_hard_to_guess_passwords_pass(app, password):
    assert password_problems(password, "lan@example.vn", "Trần Thị Lan") == []


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("Ngắn-quá", "Use at least %(count)d characters."),
        ("password123", TOO_COMMON),
        ("aaaaaaaaaa", REPEATED),
        ("matkhau123", TOO_COMMON),
        ("lan.tran-2026-xyz", "The password must not contain your e-mail address."),
        ("LAN.TRAN@EXAMPLE.VN", "The password must not contain your e-mail address."),
    ],
)
def test_sign_up_refuses_weak_passwords_and_keeps_the_input(client, password, problem):
    response = register(
        client,
        name="Trần Thị Lan",
        email="lan.tran@example.vn",
        password=password,
        password_confirm=password,
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert shown(problem, count=10) in html
    assert 'value="Trần Thị Lan"' in html
    assert 'value="lan.tran@example.vn"' in html
    assert password not in html  # passwords are never sent back
    assert db.session.scalar(sa.select(User).where(User.email == "lan.tran@example.vn")) is None


def test_mismatched_confirmation_is_a_field_error(client):
    response = register(client, password_confirm="Something-else-entirely")

    assert shown("The two passwords are not the same.") in response.get_data(as_text=True)


def test_a_password_change_keeps_the_policy(seeded_app):
    user = db.session.scalar(sa.select(User).where(User.email == "business@demo.cnmt.vn"))

    with seeded_app.test_request_context(), pytest.raises(ValidationError) as refused:
        change_password(user, "demo-business-2026", "anhyeuem2026")

    assert list(refused.value.errors) == ["password"]
