"""Security on every response: headers, CSRF on state changes, no markup from user input."""

import pytest
import sqlalchemy as sa
from limits.errors import ConfigurationError

from app.extensions import db
from app.models import Firm, FirmStatus, User
from tests.conftest import login_as, make_app

SHORT_PAYLOAD = "<img src=x onerror=alert(1)>"
PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_every_response_carries_the_security_headers(client):
    for url in ("/", "/firms", "/no-such-page", "/search?q=nuoc"):
        headers = client.get(url).headers
        policy = headers["Content-Security-Policy"]
        assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
        assert "script-src 'self'" in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "Strict-Transport-Security" not in headers


def test_hsts_and_secure_cookies_in_production_settings(tmp_path, new_database):
    app = make_app(tmp_path, new_database())
    app.config["SESSION_COOKIE_SECURE"] = True
    with app.app_context():
        db.create_all()
        response = app.test_client().get("/?lang=en")
        assert "max-age=" in response.headers["Strict-Transport-Security"]
        assert "Secure" in response.headers["Set-Cookie"]
        assert "HttpOnly" in response.headers["Set-Cookie"]
        assert "SameSite=Lax" in response.headers["Set-Cookie"]
        db.session.remove()
        db.engine.dispose()


def test_state_changes_without_a_csrf_token_are_refused(client):
    owner = db.session.scalar(sa.select(User).where(User.email == "business@demo.cnmt.vn"))
    login_as(client, owner)
    firm = db.session.scalar(sa.select(Firm).where(Firm.members.any(user_id=owner.id)))
    assert client.post("/my/firms/new", data={"legal_name": "X"}).status_code == 400
    assert client.post(f"/my/firms/{firm.id}/submit", data={"version": "1"}).status_code == 400
    assert client.post("/logout").status_code == 400


def test_markup_in_every_text_field_renders_inert(client):
    firm = db.session.scalar(sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED))
    for name in (
        "legal_name",
        "trade_name",
        "name_en",
        "address_line",
        "description_vi",
        "investment_purpose",
        "contact_person",
        "phone",
        "email",
    ):
        limit = getattr(Firm.__table__.c[name].type, "length", None) or len(PAYLOAD)
        setattr(firm, name, PAYLOAD if len(PAYLOAD) <= limit else SHORT_PAYLOAD)
    firm.website = "javascript:alert(1)"
    firm.show_contact = True
    firm.seeking_investment = True
    db.session.commit()
    for url in (f"/firms/{firm.slug}", f"/firms/{firm.slug}?lang=en", "/firms", "/search?q=script"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert 'href="javascript:' not in html, url
    login_as(client, db.session.scalar(sa.select(User).where(User.email == "curator@demo.cnmt.vn")))
    html = client.get(f"/curation/firms/{firm.id}").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_the_configured_rate_limit_storage_is_used(tmp_path, new_database):
    # memcached needs pymemcache, which is not installed: using the setting at all fails loudly.
    with pytest.raises(ConfigurationError, match="pymemcache"):
        make_app(tmp_path, new_database(), RATELIMIT_STORAGE_URI="memcached://127.0.0.1:11211")
