"""Signing up, the verification mail and its signed, expiring link."""

import hashlib
import re

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from app.accounts.service import PRIVACY_NOTICE_VERSION
from app.extensions import db
from app.models import AuditEvent, User
from tests.accounts.conftest import (
    FOREIGN_HOST,
    SITE_URL,
    STRONG_PASSWORD,
    link_path,
    links,
    log_in,
    register,
    sent_mail,
    shown,
)
from tests.conftest import csrf_token, login_as


def _user(email: str) -> User:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_registration_mails_a_vietnamese_verification_link_that_verifies(seeded_app, client):
    response = register(client)

    assert response.status_code == 200
    assert "lan@example.vn" in response.get_data(as_text=True)
    user = _user("lan@example.vn")
    assert user.role == "business" and user.email_verified_at is None
    [message] = sent_mail(seeded_app)
    assert message["To"] == "lan@example.vn"
    with force_locale("vi"):
        assert message["Subject"] == _("Confirm your e-mail address")
    path = link_path(message)
    assert path.startswith("/verify/")

    page = client.get(path)

    assert page.status_code == 200
    assert _user("lan@example.vn").email_verified_at is not None
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.register"))


def test_registration_records_when_and_which_privacy_notice_was_accepted(client):
    register(client)

    user = _user("lan@example.vn")
    assert user.privacy_notice_version == PRIVACY_NOTICE_VERSION
    assert user.privacy_consent_at is not None
    assert f"Version {PRIVACY_NOTICE_VERSION}" in client.get("/privacy?lang=en").get_data(
        as_text=True
    )


def test_register_form_links_its_required_consent_box_to_the_privacy_notice(client):
    page = client.get("/register").get_data(as_text=True)

    assert 'name="privacy_consent"' in page
    assert 'href="/privacy"' in page[page.index("<form") :]


def test_registering_without_consent_keeps_what_was_typed_and_says_what_is_wrong(client):
    response = register(client, privacy_consent=None, name="Trần Thị Lan", role="investor")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _user("lan@example.vn") is None
    assert shown("To create an account, please accept the privacy notice.") in page
    assert 'value="Trần Thị Lan"' in page and 'value="lan@example.vn"' in page
    assert re.search(r'<input checked[^>]*value="investor"', page)


def test_verification_mail_follows_the_chosen_language(seeded_app, client):
    register(client, email="emma@example.com", language="en")

    [message] = sent_mail(seeded_app)
    assert message["Subject"] == "Confirm your e-mail address"


def test_sign_up_mail_links_are_on_the_site_address_whatever_host_the_request_names(
    seeded_app, client
):
    for email in ("lan@example.vn", "investor@demo.cnmt.vn"):  # a new address, a taken one
        register(client, email=email, headers=FOREIGN_HOST)

    verify, exists = sent_mail(seeded_app)
    assert [link.removeprefix(SITE_URL)[:8] for link in links(verify)] == ["/verify/"]
    assert [link.removeprefix(SITE_URL) for link in links(exists)] == ["/login", "/password/forgot"]


def test_registered_business_can_log_in(client):
    register(client)

    response = log_in(client, "LAN@example.vn", STRONG_PASSWORD)

    assert response.status_code == 302
    assert _user("lan@example.vn").last_login_at is not None


def test_unverified_user_sees_a_notice_and_can_resend_the_mail(seeded_app, client):
    register(client)
    log_in(client, "lan@example.vn", STRONG_PASSWORD)

    html = client.get("/account").get_data(as_text=True)
    assert 'action="/verify/resend"' in html
    response = client.post("/verify/resend", data={"csrf_token": csrf_token(client, "/account")})

    assert response.status_code == 302
    assert len(sent_mail(seeded_app)) == 2
    assert link_path(sent_mail(seeded_app)[-1]).startswith("/verify/")


def test_expired_verification_link_is_refused_with_a_clear_page(seeded_app, client):
    register(client)
    path = link_path(sent_mail(seeded_app)[0])
    seeded_app.config["ACCOUNT_VERIFY_MAX_AGE"] = -1  # every token is now older than allowed

    response = client.get(path)

    assert response.status_code == 400
    assert shown("This link has expired") in response.get_data(as_text=True)
    assert _user("lan@example.vn").email_verified_at is None


def test_tampered_verification_link_is_refused(seeded_app, client):
    register(client)
    path = link_path(sent_mail(seeded_app)[0])
    tampered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")

    response = client.get(tampered)

    assert response.status_code == 400
    assert shown("This link is not valid") in response.get_data(as_text=True)
    assert _user("lan@example.vn").email_verified_at is None


def test_signing_up_with_a_taken_address_answers_the_same_and_mails_the_owner(seeded_app, client):
    response = register(client, email="investor@demo.cnmt.vn")

    assert response.status_code == 200
    assert "investor@demo.cnmt.vn" in response.get_data(as_text=True)
    [message] = sent_mail(seeded_app)
    assert message["Subject"] == "You already have an account"  # Emma reads English
    assert _user("investor@demo.cnmt.vn").name == "Emma Tran"


def test_sign_up_hashes_the_password_whether_or_not_the_address_has_an_account(client, monkeypatch):
    # Hashing is the expensive step: if only new addresses paid for it, the answer's timing would
    # tell who has an account. Count it where werkzeug does it, in hashlib.scrypt.
    hashed = []
    scrypt = hashlib.scrypt
    monkeypatch.setattr(hashlib, "scrypt", lambda *a, **k: hashed.append(1) or scrypt(*a, **k))

    register(client, email="lan@example.vn")
    for_new_address = len(hashed)
    register(client, email="investor@demo.cnmt.vn")
    for_taken_address = len(hashed) - for_new_address

    assert for_new_address == for_taken_address == 1


def test_staff_roles_cannot_be_chosen_on_the_sign_up_form(client):
    response = register(client, role="admin")

    assert response.status_code == 200
    assert _user("lan@example.vn") is None


def test_register_without_csrf_token_is_refused(client):
    response = client.post(
        "/register",
        data={
            "name": "X",
            "email": "x@example.vn",
            "password": STRONG_PASSWORD,
            "password_confirm": STRONG_PASSWORD,
            "role": "business",
            "language": "vi",
        },
    )

    assert response.status_code == 400
    assert _user("x@example.vn") is None


def test_logged_in_user_is_sent_from_register_to_the_account(seeded_app, client):
    login_as(client, _user("business@demo.cnmt.vn"))

    assert client.get("/register").headers["Location"] == "/account"
