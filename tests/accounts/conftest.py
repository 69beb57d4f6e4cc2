"""Helpers for account tests: the mail outbox, signing up through the form."""

import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from flask_babel import force_locale, gettext
from markupsafe import escape

from config import TestConfig
from tests.conftest import csrf_token

STRONG_PASSWORD = "Mưa-rào-trên-sông-Trà-Khúc"
# What an attacker sends so that links would lead to their site if built from the request.
FOREIGN_HOST = {"Host": "evil.example"}
SITE_URL = TestConfig.SITE_URL


def shown(message: str, **variables) -> str:
    """`message` as a page in the default language (Vietnamese) shows it, HTML-escaped."""
    with force_locale("vi"):
        return str(escape(gettext(message, **variables)))


def sent_mail(app) -> list[EmailMessage]:
    """Every message written to MAIL_FILE_DIR, oldest first."""
    folder = Path(app.config["MAIL_FILE_DIR"])
    if not folder.exists():
        return []
    parser = BytesParser(policy=policy.default)
    return [parser.parsebytes(path.read_bytes()) for path in sorted(folder.glob("*.eml"))]


def links(message: EmailMessage) -> list[str]:
    """Every absolute link in a message's body."""
    return re.findall(r"https?://\S+", message.get_content())


def link_path(message: EmailMessage) -> str:
    """The path of the link in a message's body, which must be on the site's address."""
    [link] = links(message)
    assert link.startswith(SITE_URL + "/"), link
    return link.removeprefix(SITE_URL)


def register(client, headers=None, **fields):
    """Sign up through the form; a field given as None is left out (an unticked box)."""
    data = {
        "name": "Trần Thị Lan",
        "email": "lan@example.vn",
        "password": STRONG_PASSWORD,
        "password_confirm": STRONG_PASSWORD,
        "role": "business",
        "language": "vi",
        "privacy_consent": "y",
    }
    data.update(fields)
    data = {name: value for name, value in data.items() if value is not None}
    data["csrf_token"] = csrf_token(client, "/register", headers=headers)
    return client.post("/register", data=data, headers=headers)


def log_in(client, email: str, password: str, next_url: str | None = None):
    data = {"email": email, "password": password, "csrf_token": csrf_token(client, "/login")}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/login", data=data)
