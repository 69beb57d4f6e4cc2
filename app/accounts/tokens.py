"""Signed, expiring tokens for e-mail links (verify an address, reset a password) and for the
known-device cookie, and keyed digests that name an account or address without storing it.

Tokens are signed with the app's SECRET_KEY and a purpose-specific salt, so a token made for one
purpose is never accepted for another. A reset token also signs a fingerprint of the current
password hash: once the password changes (by that reset or otherwise) the token stops working.
"""

import hashlib
import hmac
import secrets

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired

from app.models import User
from app.security import signer

VERIFY_SALT = "accounts.verify-email"
RESET_SALT = "accounts.reset-password"
DEVICE_SALT = "accounts.known-device"
VERIFY_MAX_AGE = 48 * 3600
RESET_MAX_AGE = 2 * 3600
DEVICE_MAX_AGE = 180 * 24 * 3600


class TokenError(Exception):
    """The token is unusable; `expired` tells a stale link apart from a broken or forged one."""

    def __init__(self, expired: bool = False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _load(salt: str, token: str, max_age: int) -> dict:
    try:
        data = signer(salt).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise TokenError(expired=True) from error
    except BadSignature as error:
        raise TokenError() from error
    if not isinstance(data, dict) or not isinstance(data.get("user"), int):
        raise TokenError()
    return data


def password_fingerprint(user: User) -> str:
    """A short keyed digest of the password hash: changes whenever the password does."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, user.password_hash.encode(), hashlib.sha256).hexdigest()
    return digest[:24]


def keyed_digest(*parts: str) -> str:
    """A digest of `parts` keyed with SECRET_KEY: stable across processes, not reversible."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()[:40]


def make_device_token(email: str) -> str:
    """A new device id for a browser that just logged in to the account `email`."""
    return signer(DEVICE_SALT).dumps(
        {"account": keyed_digest("account", email), "device": secrets.token_urlsafe(12)}
    )


def device_of(token: str | None, email: str) -> str | None:
    """The device id in `token` if it is genuine, current and was made for the account `email`."""
    if not token:
        return None
    try:
        data = signer(DEVICE_SALT).loads(token, max_age=DEVICE_MAX_AGE)
    except BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(data, dict) or data.get("account") != keyed_digest("account", email):
        return None
    device = data.get("device")
    return device if isinstance(device, str) else None


def make_verify_token(user: User) -> str:
    return signer(VERIFY_SALT).dumps({"user": user.id, "email": user.email})


def read_verify_token(token: str, max_age: int | None = None) -> dict:
    """The token's data ({"user": id, "email": address}); raises TokenError."""
    if max_age is None:
        max_age = current_app.config.get("ACCOUNT_VERIFY_MAX_AGE", VERIFY_MAX_AGE)
    return _load(VERIFY_SALT, token, max_age)


def make_reset_token(user: User) -> str:
    return signer(RESET_SALT).dumps({"user": user.id, "password": password_fingerprint(user)})


def read_reset_token(token: str, max_age: int | None = None) -> dict:
    """The token's data ({"user": id, "password": fingerprint}); raises TokenError."""
    if max_age is None:
        max_age = current_app.config.get("ACCOUNT_RESET_MAX_AGE", RESET_MAX_AGE)
    return _load(RESET_SALT, token, max_age)
