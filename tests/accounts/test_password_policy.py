"""The password policy holds on every path, and a refused form keeps what was typed."""

import pytest
import sqlalchemy as sa

from app.accounts.service import common_passwords, password_problems
from app.extensions import db
from app.models import User
from tests.accounts.conftest import register, shown


def test_common_list_is_built_from_zxcvbn_and_holds_typical_passwords():
    assert {"password123", "123456", "qwertyuiop"} <= common_passwords()


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("Ngắn-quá", "Use at least %(count)d characters."),
        ("password123", "This password is too common; choose one that is harder to guess."),
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


def test_a_long_uncommon_password_passes(app):
    assert password_problems("Mưa-rào-trên-sông-Trà-Khúc", "lan@example.vn") == []


def test_mismatched_confirmation_is_a_field_error(client):
    response = register(client, password_confirm="Something-else-entirely")

    assert shown("The two passwords are not the same.") in response.get_data(as_text=True)
