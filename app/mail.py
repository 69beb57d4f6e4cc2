"""E-mail: messages rendered in the recipient's language and sent only after the commit.

Development writes each message as a real MIME `.eml` file to MAIL_FILE_DIR; production sends
through SMTP (`MAIL_BACKEND=smtp` and the MAIL_* settings).
"""

import logging
import smtplib
import uuid
from datetime import UTC, datetime
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale

from app.transaction import after_commit

log = logging.getLogger(__name__)


def render_message(to: str, template: str, language: str = "vi", **context) -> EmailMessage:
    """Render `email/<template>.txt`: the first line is the subject, the rest the body."""
    with force_locale(language if language in current_app.config["LANGUAGES"] else "vi"):
        text = render_template(f"email/{template}.txt", **context)
    subject, _, body = text.strip().partition("\n")
    return compose_message(to, subject.strip(), body.strip(), language)


def compose_message(to: str, subject: str, body: str, language: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    # Encoded here rather than by the policy: Python 3.11's folding drops the space at a fold
    # between two encoded words ("đãđược công bố"); `Header` keeps each space inside a word.
    message.set_raw("Subject", Header(subject, "utf-8", header_name="Subject").encode())
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain="cnmt.quangngai.invalid")
    message.set_content(body + "\n", charset="utf-8")
    message["Content-Language"] = language  # after set_content, which resets content headers
    return message


def send_after_commit(message: EmailMessage) -> None:
    """Queue the message; it goes out when the current transaction commits (never on rollback)."""
    app = current_app._get_current_object()

    def deliver() -> None:
        with app.app_context():
            deliver_now(message)

    after_commit(deliver, key=f"mail-{message['Message-ID']}")


def deliver_now(message: EmailMessage) -> None:
    config = current_app.config
    if config["MAIL_BACKEND"] == "smtp":
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
        return
    folder = Path(config["MAIL_FILE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
    path.write_bytes(message.as_bytes())
    log.info("mail to %s written to %s", message["To"], path)
