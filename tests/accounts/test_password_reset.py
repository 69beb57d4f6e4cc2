"""Password reset links: signed, expiring, and single-use because they sign the password hash."""

import sqlalchemy as sa
from werkzeug.security import check_password_hash

from app.accounts.tokens import make_reset_token
from app.extensions import db
from app.models import User
from tests.accounts.conftest import (
    FOREIGN_HOST,
    SITE_URL,
    STRONG_PASSWORD,
    link_path,
    links,
    log_in,
    sent_mail,
    shown,
)
from tests.conftest import csrf_token, login_as

EMAIL = "business@demo.cnmt.vn"
TOO_COMMON = "This password is too common; choose one that is harder to guess."
NEW_PASSWORD = "Bốn-mùa-hoa-nở-ở-Lý-Sơn"


def _user() -> User:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == EMAIL))


def _reset_link(app, client) -> str:
    client.post(
        "/password/forgot",
        data={"email": EMAIL, "csrf_token": csrf_token(client, "/password/forgot")},
    )
    return link_path(sent_mail(app)[-1])


def _reset(client, path: str, password: str = NEW_PASSWORD):
    return client.post(
        path,
        data={
            "password": password,
            "password_confirm": password,
            "csrf_token": csrf_token(client, path),
        },
    )


def test_reset_link_sets_a_new_password_once(seeded_app, client):
    path = _reset_link(seeded_app, client)
    assert path.startswith("/password/reset/")

    first = _reset(client, path)

    assert first.status_code == 302 and first.headers["Location"] == "/login"
    assert check_password_hash(_user().password_hash, NEW_PASSWORD)
    assert log_in(client, EMAIL, NEW_PASSWORD).status_code == 302
    assert sent_mail(seeded_app)[-1]["Subject"]  # the "password changed" notice

    second = client.get(path)
    assert second.status_code == 400
    assert shown("This link is not valid") in second.get_data(as_text=True)


def test_second_use_of_a_reset_link_cannot_set_a_password(seeded_app, client):
    path = _reset_link(seeded_app, client)
    _reset(client, path)

    response = client.post(path, data={"password": STRONG_PASSWORD})

    assert response.status_code in (400,)
    assert check_password_hash(_user().password_hash, NEW_PASSWORD)


def test_expired_reset_link_is_refused(seeded_app, client):
    path = _reset_link(seeded_app, client)
    seeded_app.config["ACCOUNT_RESET_MAX_AGE"] = -1

    response = client.get(path)

    assert response.status_code == 400
    assert shown("This link has expired") in response.get_data(as_text=True)


def test_changing_the_password_invalidates_an_earlier_reset_link(seeded_app, client):
    with seeded_app.test_request_context():
        path = f"/password/reset/{make_reset_token(_user())}"
    login_as(client, _user())
    client.post(
        "/account/password",
        data={
            "current_password": "demo-business-2026",
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
            "csrf_token": csrf_token(client, "/account/password"),
        },
    )
    assert check_password_hash(_user().password_hash, NEW_PASSWORD)

    assert client.get(path).status_code == 400


def test_forgot_password_answers_the_same_for_unknown_addresses(seeded_app, client):
    def answer(email: str) -> str:
        token = csrf_token(client, "/password/forgot")
        html = client.post("/password/forgot", data={"email": email, "csrf_token": token})
        return html.get_data(as_text=True).replace(email, "EMAIL")

    known = answer(EMAIL)
    unknown = answer("nobody@example.vn")

    assert known == unknown
    assert [m["To"] for m in sent_mail(seeded_app)] == [EMAIL]


def test_reset_link_is_on_the_site_address_whatever_host_the_request_names(seeded_app, client):
    token = csrf_token(client, "/password/forgot", headers=FOREIGN_HOST)

    client.post(
        "/password/forgot", data={"email": EMAIL, "csrf_token": token}, headers=FOREIGN_HOST
    )

    [message] = sent_mail(seeded_app)
    [link] = links(message)
    assert link.startswith(f"{SITE_URL}/password/reset/")
    assert "evil.example" not in message.get_content()


def test_reset_keeps_the_password_policy(seeded_app, client):
    path = _reset_link(seeded_app, client)

    response = _reset(client, path, password="password123")

    assert response.status_code == 200
    assert shown(TOO_COMMON) in response.get_data(as_text=True)
    assert check_password_hash(_user().password_hash, "demo-business-2026")
