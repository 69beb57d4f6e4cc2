"""Language: Vietnamese unless English is chosen, whatever the browser says; a choice made
while signed in is saved in the profile and used for the e-mails the user is sent."""

import re

import sqlalchemy as sa
from flask_babel import force_locale, gettext

from app.extensions import db
from app.models import User
from tests.accounts.conftest import register, sent_mail
from tests.conftest import csrf_token, login_as

ENGLISH_BROWSER = {"Accept-Language": "en-US,en;q=0.9"}
EMAIL = "business@demo.cnmt.vn"


def _user() -> User:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == EMAIL))


def _in(language: str, message: str) -> str:
    with force_locale(language):
        return gettext(message)


def _forgot_password(client) -> None:
    token = csrf_token(client, "/password/forgot")
    client.post("/password/forgot", data={"email": EMAIL, "csrf_token": token})


def test_a_browser_asking_for_english_gets_vietnamese_pages(client):
    html = client.get("/firms", headers=ENGLISH_BROWSER).get_data(as_text=True)

    assert '<html lang="vi">' in html


def test_registering_from_a_browser_asking_for_english_gets_vietnamese_mail(seeded_app, client):
    form = client.get("/register", headers=ENGLISH_BROWSER).get_data(as_text=True)
    [chosen] = re.findall(r'<option [^>]*selected[^>]*value="(\w+)"', form)

    register(client, headers=ENGLISH_BROWSER, language=chosen)

    [message] = sent_mail(seeded_app)
    assert message["Content-Language"] == "vi"


def test_english_is_remembered_in_the_session(client):
    client.get("/?lang=en")

    assert '<html lang="en">' in client.get("/firms").get_data(as_text=True)


def test_choosing_english_while_signed_in_saves_it_in_the_profile(seeded_app, client):
    login_as(client, _user())

    client.get("/firms?lang=en")

    assert _user().preferred_language == "en"
    other_device = seeded_app.test_client()
    login_as(other_device, _user())
    assert '<html lang="en">' in other_device.get("/firms").get_data(as_text=True)


def test_mail_to_a_user_is_in_their_saved_language_not_the_requests(seeded_app, client):
    login_as(client, _user())
    client.get("/firms?lang=en")
    stranger = seeded_app.test_client()  # a Vietnamese page asks for the reset

    _forgot_password(stranger)

    [message] = sent_mail(seeded_app)
    assert message["Subject"] == _in("en", "Choose a new password")
    assert message["Content-Language"] == "en"
