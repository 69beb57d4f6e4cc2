"""Personal API tokens (as in CKAN): a person makes a token for a program, which then uses the
JSON API (/api/v1) in their name by sending `Authorization: Bearer <token>`.

The secret (`cnmt_` and 43 random URL-safe characters) is shown once, when the token is made;
only its SHA-256 digest is stored, with its first characters so that its owner recognises it.
A token is refused once it is revoked or expired, and whenever its account is deactivated by an
administrator or deleted (deletion also removes the tokens). A password change or reset does
not revoke tokens: they are separate credentials, each revoked on its own on the account page.
What a token may do is its account's rights, limited by its scope (`ApiToken.allows`).
"""

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import joinedload

from app.audit import record
from app.authorization import authorize
from app.errors import NotFound, Unauthenticated, ValidationError
from app.extensions import db
from app.models import ApiScope, ApiToken, User
from app.models.base import utcnow
from app.parsing import parse_int
from app.transaction import transactional, unit_of_work

SECRET_PREFIX = "cnmt_"
SECRET_BYTES = 32  # 43 URL-safe characters
SECRET_SHAPE = re.compile(r"cnmt_[A-Za-z0-9_-]{43}")
DISPLAY_LENGTH = 12  # "cnmt_" and 7 characters of the secret: enough to tell tokens apart
LIFETIMES_DAYS = (30, 90, 365)
DEFAULT_LIFETIME_DAYS = 90
MAX_LIVE_TOKENS = 10
MAX_NAME_LENGTH = 80
# Revoked and expired tokens stay on the account page this long, then only in the data export.
RECENT = timedelta(days=30)
# Reading through the API records the use at most this often, so reading does not write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def digest(secret: str) -> str:
    """The hex SHA-256 digest of a secret: what the database keeps instead of it."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split()) if isinstance(name, str) else ""
    if not cleaned:
        raise _invalid("name", _("Give the token a name, for example the program that uses it."))
    if len(cleaned) > MAX_NAME_LENGTH:
        raise _invalid("name", _("Use at most %(count)d characters.", count=MAX_NAME_LENGTH))
    return cleaned


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError(message, errors={field: [message]})


def _live(user: User, now) -> sa.ColumnElement[bool]:
    return sa.and_(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > now
    )


@transactional
def create_token(actor: User, name: str, scope: str, days: int | str) -> tuple[ApiToken, str]:
    """A new token of `actor`'s, valid for `days` (30, 90 or 365), and its secret: returned
    this once and never stored. Refused when the account already has MAX_LIVE_TOKENS live ones."""
    authorize(actor, "api_token.create")
    errors: dict[str, list[str]] = {}
    try:
        cleaned_name = _clean_name(name)
    except ValidationError as error:
        errors.update(error.errors)
    if not isinstance(scope, str) or scope not in {member.value for member in ApiScope}:
        errors["scope"] = [_("Choose whether the token may only read or also write.")]
    lifetime = days if type(days) is int else parse_int(days)  # JSON's true is no number
    if lifetime not in LIFETIMES_DAYS:
        errors["days"] = [_("Choose how long the token works: 30, 90 or 365 days.")]
    if errors:
        raise ValidationError(next(iter(errors.values()))[0], errors=errors)
    now = utcnow()
    # Lock the account's row (PostgreSQL) so that parallel requests are counted one at a time.
    db.session.execute(sa.select(User.id).where(User.id == actor.id).with_for_update())
    live = db.session.scalar(sa.select(sa.func.count(ApiToken.id)).where(_live(actor, now)))
    if live >= MAX_LIVE_TOKENS:
        raise ValidationError(
            ngettext(
                "You already have %(num)d working API token, the most an account may have. "
                "Revoke one you no longer use, then create the new one.",
                "You already have %(num)d working API tokens, the most an account may have. "
                "Revoke one you no longer use, then create the new one.",
                live,
            )
        )
    secret = SECRET_PREFIX + secrets.token_urlsafe(SECRET_BYTES)
    token = ApiToken(
        user_id=actor.id,
        name=cleaned_name,
        scope=ApiScope(scope),
        secret_digest=digest(secret),
        prefix=secret[:DISPLAY_LENGTH],
        created_at=now,
        expires_at=now + timedelta(days=lifetime),
    )
    db.session.add(token)
    db.session.flush()
    record(
        actor,
        "api_token.create",
        "api_token",
        token.id,
        after={
            "name": token.name,
            "prefix": token.prefix,
            "scope": token.scope.value,
            "expires_at": token.expires_at.isoformat(timespec="seconds"),
        },
    )
    return token, secret


def get_token(actor: User, token_id: int) -> ApiToken:
    """One of `actor`'s own tokens; anybody else's, like a missing one, is not found."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound()
    authorize(actor, "api_token.manage", token)
    return token


@transactional
def revoke_token(actor: User, token_id: int) -> ApiToken:
    """Stop one of `actor`'s tokens for good (revoking it again changes nothing)."""
    token = get_token(actor, token_id)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record(
            actor,
            "api_token.revoke",
            "api_token",
            token.id,
            before={"name": token.name, "prefix": token.prefix},
        )
    return token


def tokens_of(user: User) -> list[ApiToken]:
    """The account's live tokens and those revoked or expired within RECENT, newest first."""
    since = utcnow() - RECENT
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .where(
                ApiToken.user_id == user.id,
                sa.or_(ApiToken.revoked_at.is_(None), ApiToken.revoked_at > since),
                ApiToken.expires_at > since,
            )
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def authenticate(raw: str) -> ApiToken:
    """The live token whose secret is `raw`, with its account; raises Unauthenticated for an
    unknown, malformed, revoked or expired token and for a deactivated or deleted account.

    The lookup is by the secret's digest, so the database compares digests, never secrets: how
    long it takes says nothing about how close a guess was. The found digest is compared again
    in constant time. Records the use (`last_used_at`) at most once per LAST_USED_RESOLUTION.
    """
    secret = raw.strip() if isinstance(raw, str) else ""
    if not SECRET_SHAPE.fullmatch(secret):
        raise Unauthenticated()
    wanted = digest(secret)
    token = db.session.scalar(
        sa.select(ApiToken)
        .where(ApiToken.secret_digest == wanted)
        .options(joinedload(ApiToken.user))
    )
    now = utcnow()
    if (
        token is None
        or not hmac.compare_digest(token.secret_digest, wanted)
        or not token.is_live(now)
        or not token.user.active
    ):
        raise Unauthenticated()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        with unit_of_work():
            token.last_used_at = now
    return token
