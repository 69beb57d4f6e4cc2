"""Logging in and out: same answer for unknown addresses, inactive accounts, CSRF (throttling is
in test_login_throttle.py)."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import User
from tests.accounts.conftest import log_in, shown
from tests.conftest import csrf_token

EMAIL = "business@demo.cnmt.vn"
PASSWORD = "demo-business-2026"
DEACTIVATED = "This account has been deactivated. Please contact the site administrators."


def _user(email: str = EMAIL) -> User:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def _error_text(response) -> str:
    html = response.get_data(as_text=True)
    start = html.index('class="notice form-errors"')
    return html[start : html.index("</div>", start)]


def test_login_records_the_time_and_lands_on_the_account(client):
    response = log_in(client, EMAIL, PASSWORD)

    assert response.status_code == 302
    assert _user().last_login_at is not None
    assert client.get("/account").status_code == 200


@pytest.mark.parametrize(
    ("email", "password", "landing"),
    [
        ("business@demo.cnmt.vn", "demo-business-2026", "/my/firms"),
        ("investor@demo.cnmt.vn", "demo-investor-2026", "/investor"),
        ("curator@demo.cnmt.vn", "demo-curator-2026", "/curation/"),
        ("curator-khcn@demo.cnmt.vn", "demo-curator-2026", "/curation/programmes"),
        ("admin@demo.cnmt.vn", "demo-admin-2026", "/curation/dashboard"),
    ],
)
def test_login_without_next_lands_each_role_on_its_own_work(client, email, password, landing):
    response = log_in(client, email, password)

    assert response.headers["Location"] == landing
    assert client.get("/login").headers["Location"] == landing


def test_login_with_a_local_next_goes_there_whatever_the_role(client):
    response = log_in(client, "curator@demo.cnmt.vn", "demo-curator-2026", next_url="/firms")

    assert response.headers["Location"] == "/firms"


def test_unknown_address_and_wrong_password_get_the_same_answer(client):
    wrong_password = log_in(client, EMAIL, "not-the-password")
    unknown = log_in(client, "nobody@example.vn", "not-the-password")

    assert wrong_password.status_code == unknown.status_code == 200
    assert _error_text(wrong_password) == _error_text(unknown)


def test_login_without_csrf_token_is_refused(client):
    response = client.post("/login", data={"email": EMAIL, "password": PASSWORD})

    assert response.status_code == 400
    assert _user().last_login_at is None


def test_logout_needs_a_post_with_csrf_token(client):
    log_in(client, EMAIL, PASSWORD)

    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})

    assert client.get("/account").status_code == 302


def test_deactivated_account_cannot_log_in_and_is_logged_out(client):
    log_in(client, EMAIL, PASSWORD)
    user = _user()
    user.active = False
    db.session.commit()

    assert client.get("/account").status_code == 302
    response = log_in(client, EMAIL, PASSWORD)
    assert response.status_code == 200
    assert shown(DEACTIVATED) in response.get_data(as_text=True)


def _copy_of_session(app, client):
    """Another browser holding a copy of `client`'s session cookie, as a thief would."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_copied_session_cookie_stops_working_after_logout(seeded_app, client):
    log_in(client, EMAIL, PASSWORD)
    token = csrf_token(client, "/account")
    thief = _copy_of_session(seeded_app, client)
    assert thief.get("/account").status_code == 200

    client.post("/logout", data={"csrf_token": token})

    assert thief.get("/account").status_code == 302


def test_password_change_elsewhere_ends_other_sessions(seeded_app, client):
    log_in(client, EMAIL, PASSWORD)
    other = seeded_app.test_client()
    log_in(other, EMAIL, PASSWORD)
    token = csrf_token(other, "/account/password")
    other.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "password": "Bốn-mùa-hoa-nở-ở-Lý-Sơn",
            "password_confirm": "Bốn-mùa-hoa-nở-ở-Lý-Sơn",
            "csrf_token": token,
        },
    )

    assert other.get("/account").status_code == 200
    assert client.get("/account").status_code == 302
