"""Signed links in registration mail: confirming a guest's registration (once, for a day by
default) and cancelling a registration (for the registration it was sent for).

Each link signs the registration's id and a random nonce kept on the registration, with
SECRET_KEY and a salt per purpose: a link made for one purpose never works for the other, a
confirmation link stops working once used (its nonce is cleared), and a cancellation link from
an earlier registration of the same address stops working when it registers again (its nonce is
renewed). Links are built on SITE_URL (`public_url`), never on a request's host.
"""

import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadData, SignatureExpired

from app.errors import NotFound
from app.extensions import db
from app.models import EventRegistration
from app.security import signer
from app.urls import public_url

CONFIRM_SALT = "events.confirm-registration"
CANCEL_SALT = "events.cancel-registration"
CONFIRM_MAX_AGE = int(timedelta(days=1).total_seconds())
CANCEL_MAX_AGE = int(timedelta(days=400).total_seconds())


def new_nonce() -> str:
    return secrets.token_hex(16)


def confirm_max_age() -> int:
    """How long a guest has to confirm (seconds); an unconfirmed registration then expires."""
    return int(current_app.config.get("EVENT_CONFIRM_MAX_AGE", CONFIRM_MAX_AGE))


def confirm_url(registration: EventRegistration) -> str:
    token = signer(CONFIRM_SALT).dumps({"r": registration.id, "n": registration.confirm_nonce})
    return public_url("events.confirm", registration_id=registration.id, token=token)


def cancel_url(registration: EventRegistration) -> str:
    token = signer(CANCEL_SALT).dumps({"r": registration.id, "n": registration.cancel_nonce})
    return public_url("events.cancel_link", registration_id=registration.id, token=token)


def _registration(salt: str, max_age: int, registration_id, token: str, nonce_of):
    try:
        data = signer(salt).loads(token, max_age=max_age)
    except SignatureExpired:  # raised only once the signature is known to be ours
        raise NotFound(_("This link has expired. Register again from the event's page.")) from None
    except BadData:
        data = None
    registration = None
    if (
        isinstance(data, dict)
        and isinstance(registration_id, int)
        and data.get("r") == registration_id
    ):
        registration = db.session.get(EventRegistration, registration_id)
    if registration is None or not data.get("n") or data.get("n") != nonce_of(registration):
        raise NotFound(
            _(
                "This link is not valid: it may be incomplete, changed or already used. Open "
                "the event's page to register or to see your registration."
            )
        )
    return registration


def registration_to_confirm(registration_id, token: str) -> EventRegistration:
    """The registration a confirmation link names, if the link is genuine, unused and recent;
    NotFound (saying why) for anything else."""
    return _registration(
        CONFIRM_SALT, confirm_max_age(), registration_id, token, lambda r: r.confirm_nonce
    )


def registration_to_cancel(registration_id, token: str) -> EventRegistration:
    return _registration(
        CANCEL_SALT, CANCEL_MAX_AGE, registration_id, token, lambda r: r.cancel_nonce
    )
