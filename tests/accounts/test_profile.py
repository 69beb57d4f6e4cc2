"""The profile page: name and preferred language, shown safely."""

import sqlalchemy as sa

from app.extensions import db
from app.models import User
from tests.accounts.conftest import shown
from tests.conftest import csrf_token, login_as, make_user


def _business() -> User:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == "business@demo.cnmt.vn"))


def _save(client, **fields):
    data = {"name": "Nguyễn Văn Hùng", "language": "vi", **fields}
    data["csrf_token"] = csrf_token(client, "/account")
    return client.post("/account", data=data)


def test_choosing_english_saves_it_and_the_next_page_is_english(client):
    login_as(client, _business())

    response = _save(client, language="en")

    assert response.status_code == 302
    assert _business().preferred_language == "en"
    assert '<html lang="en">' in client.get("/firms").get_data(as_text=True)


def test_a_name_with_markup_is_shown_escaped(client):
    login_as(client, _business())

    _save(client, name="<script>alert(1)</script>")

    html = client.get("/account").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_empty_name_is_a_field_error(client):
    login_as(client, _business())

    response = _save(client, name="   ")

    assert response.status_code == 200
    assert shown("Please fill in this field.") in response.get_data(as_text=True)
    assert _business().name == "Nguyễn Văn Hùng"


def test_profile_needs_login(client):
    response = client.get("/account")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_wrong_current_password_is_refused(client):
    login_as(client, _business())
    response = client.post(
        "/account/password",
        data={
            "current_password": "not-my-password",
            "password": "Bốn-mùa-hoa-nở-ở-Lý-Sơn",
            "password_confirm": "Bốn-mùa-hoa-nở-ở-Lý-Sơn",
            "csrf_token": csrf_token(client, "/account/password"),
        },
    )

    assert response.status_code == 200
    assert shown("Your current password is not correct.") in response.get_data(as_text=True)


def test_an_unconfirmed_account_sees_the_confirmation_notice_once(client):
    login_as(client, make_user("chua-xac-nhan@example.vn", verified=False))

    html = client.get("/account?lang=en").get_data(as_text=True)

    assert html.count("Please confirm your e-mail address") == 1
