"""Rules the service holds on every path, whatever the form did or did not check."""

import pytest
import sqlalchemy as sa

from app.accounts import service
from app.accounts.tokens import TokenError, make_verify_token, read_reset_token
from app.errors import ValidationError
from app.extensions import db
from app.models import User


def _business() -> User:
    return db.session.scalar(sa.select(User).where(User.email == "business@demo.cnmt.vn"))


def test_register_user_enforces_the_password_policy(seeded_app):
    with seeded_app.test_request_context(), pytest.raises(ValidationError) as caught:
        service.register_user(
            name="Lan",
            email="lan@example.vn",
            password="password123",
            role="business",
            language="vi",
            consent=True,
        )

    assert list(caught.value.errors) == ["password"]


def test_register_user_refuses_staff_roles(seeded_app):
    with seeded_app.test_request_context(), pytest.raises(ValidationError) as caught:
        service.register_user(
            name="Lan",
            email="lan@example.vn",
            password="Mưa-rào-trên-sông-Trà-Khúc",
            role="admin",
            language="vi",
            consent=True,
        )

    assert "role" in caught.value.errors


def test_register_user_refuses_without_consent_to_the_privacy_notice(seeded_app):
    with seeded_app.test_request_context(), pytest.raises(ValidationError) as caught:
        service.register_user(
            name="Lan",
            email="lan@example.vn",
            password="Mưa-rào-trên-sông-Trà-Khúc",
            role="business",
            language="vi",
            consent=False,
        )

    assert list(caught.value.errors) == ["privacy_consent"]
    assert db.session.scalar(sa.select(User).where(User.email == "lan@example.vn")) is None


def test_a_verification_token_is_not_a_reset_token(seeded_app):
    token = make_verify_token(_business())

    with pytest.raises(TokenError) as caught:
        read_reset_token(token)

    assert not caught.value.expired


def test_deactivated_user_cannot_authenticate_even_with_the_right_password(seeded_app):
    user = _business()
    user.active = False
    db.session.commit()

    with seeded_app.test_request_context(), pytest.raises(ValidationError):
        service.authenticate("business@demo.cnmt.vn", "demo-business-2026", "127.0.0.1")
