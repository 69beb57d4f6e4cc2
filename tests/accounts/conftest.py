"""Helpers for account tests: the mail outbox, signing up through the form."""

import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from flask_babel import force_locale, gettext
from markupsafe import escape

from tests.conftest import csrf_token

STRONG_PASSWORD = "Mưa-rào-trên-sông-Trà-Khúc"


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


def link_path(message: EmailMessage) -> str:
    """The path of the (absolute) link in a message's body."""
    match = re.search(r"http://localhost(/\S+)", message.get_content())
    assert match, message.get_content()
    return match.group(1)


def register(client, **fields):
    data = {
        "name": "Trần Thị Lan",
        "email": "lan@example.vn",
        "password": STRONG_PASSWORD,
        "password_confirm": STRONG_PASSWORD,
        "role": "business",
        "language": "vi",
    }
    data.update(fields)
    data["csrf_token"] = csrf_token(client, "/register")
    return client.post("/register", data=data)


def log_in(client, email: str, password: str, next_url: str | None = None):
    data = {"email": email, "password": password, "csrf_token": csrf_token(client, "/login")}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/login", data=data)
