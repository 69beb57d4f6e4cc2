"""Account rules and transactions: sign-up, e-mail verification, login, passwords, profile, staff.

Every public function here is one user action: it validates, changes the models, records the
audit trail where it matters and commits once. Mail is queued with `send_after_commit`, so it goes
out only if the change was saved. Messages are translated in the current request's language.
"""

import hmac
import re
import secrets
from datetime import datetime
from functools import cache
from math import ceil
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from app.accounts import throttle
from app.accounts.passwords import password_problems
from app.accounts.permissions import STAFF_ROLES, can_self_register_as
from app.accounts.tokens import (
    RESET_MAX_AGE,
    VERIFY_MAX_AGE,
    TokenError,
    device_of,
    make_reset_token,
    make_verify_token,
    password_fingerprint,
    read_reset_token,
    read_verify_token,
)
from app.audit import changed_fields, record
from app.authorization import authorize, can
from app.errors import NotFound, TooManyAttempts, ValidationError
from app.extensions import db
from app.mail import render_message, send_after_commit
from app.models import Agency, Firm, FirmInvitation, FirmMember, MemberRole, Role, User
from app.models.base import utcnow
from app.models.user import new_session_token
from app.parsing import parse_id
from app.transaction import transactional, unit_of_work
from app.urls import public_url

EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_NAME_LENGTH = 120
MAX_EMAIL_LENGTH = 254
# The privacy notice people accept at sign-up (templates/main/privacy.html): a new version
# when what it says changes, so each account's consent names the text it agreed to.
PRIVACY_NOTICE_VERSION = "2026-12-03"


class AccountOutcome(NamedTuple):
    """A user who just signed in or verified, and the firms they joined by invitation."""

    user: User
    joined_firms: list[Firm]


# --- password policy ------------------------------------------------------------------------


def _require_good_password(password: str, email: str, name: str, field: str = "password") -> None:
    problems = password_problems(password, email, name)
    if problems:
        raise ValidationError(problems[0], errors={field: problems})


@cache
def _dummy_hash() -> str:
    """A real hash to check against when the e-mail is unknown, so both cases cost the same."""
    return generate_password_hash("no-such-account-dummy-password")


# --- shared checks --------------------------------------------------------------------------


def _clean_email(email: str) -> str:
    address = (email or "").strip().lower()
    if len(address) > MAX_EMAIL_LENGTH or not EMAIL_SHAPE.match(address):
        message = _("Enter a valid e-mail address.")
        raise ValidationError(message, errors={"email": [message]})
    return address


def _clean_name(name: str) -> str:
    cleaned = " ".join((name or "").split())
    if not cleaned:
        message = _("Please enter your name.")
        raise ValidationError(message, errors={"name": [message]})
    if len(cleaned) > MAX_NAME_LENGTH:
        message = _("Use at most %(count)d characters.", count=MAX_NAME_LENGTH)
        raise ValidationError(message, errors={"name": [message]})
    return cleaned


def _clean_language(language: str) -> str:
    if language not in current_app.config["LANGUAGES"]:
        message = _("Choose a language from the list.")
        raise ValidationError(message, errors={"language": [message]})
    return language


def _user_by_email(email: str) -> User | None:
    address = (email or "").strip().lower()
    return db.session.scalar(sa.select(User).where(User.email == address))


def _agency_by_code(code: str) -> Agency:
    agency = db.session.scalar(sa.select(Agency).where(Agency.code == code.strip().upper()))
    if agency is None:
        known = ", ".join(db.session.scalars(sa.select(Agency.code).order_by(Agency.code)))
        raise ValidationError(
            _("Unknown agency %(code)s. Known agencies: %(known)s.", code=code, known=known)
        )
    return agency


# --- mail -----------------------------------------------------------------------------------


def _send(user: User, template: str, **context) -> None:
    message = render_message(
        user.email, template, language=user.preferred_language, user=user, **context
    )
    send_after_commit(message)


def _send_verification(user: User) -> None:
    link = public_url("accounts.verify", token=make_verify_token(user))
    hours = current_app.config.get("ACCOUNT_VERIFY_MAX_AGE", VERIFY_MAX_AGE) // 3600
    _send(user, "account_verify", link=link, hours=hours)


# --- invitations ----------------------------------------------------------------------------


def accept_invitations(user: User) -> list[Firm]:
    """Turn the pending firm invitations for the user's (verified) address into editor rights.

    Joins the caller's transaction (flushes, never commits); returns the firms joined. Does nothing
    for an unverified or inactive user: an invitation belongs to whoever owns the address.
    """
    if not can(user, "invitation.accept"):
        return []
    invitations = db.session.scalars(
        sa.select(FirmInvitation)
        .where(FirmInvitation.email == user.email, FirmInvitation.accepted_at.is_(None))
        .order_by(FirmInvitation.id)
    ).all()
    if not invitations:
        return []
    member_of = set(
        db.session.scalars(sa.select(FirmMember.firm_id).where(FirmMember.user_id == user.id))
    )
    joined = []
    now = utcnow()
    for invitation in invitations:
        invitation.accepted_at = now
        if invitation.firm_id in member_of:
            continue
        db.session.add(
            FirmMember(firm_id=invitation.firm_id, user_id=user.id, role=MemberRole.EDITOR)
        )
        member_of.add(invitation.firm_id)
        joined.append(invitation.firm)
        record(
            user, "firm.invitation_accepted", "firm", invitation.firm_id, after={"user": user.id}
        )
    db.session.flush()
    return joined


def _mark_verified(user: User) -> list[Firm]:
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        record(user, "user.verify_email", "user", user.id)
    return accept_invitations(user)


# --- sign-up and verification ---------------------------------------------------------------


@transactional
def register_user(
    *, name: str, email: str, password: str, role: str, language: str, consent: bool
) -> User | None:
    """Create a business or investor account and mail a verification link. `consent`: the
    person accepted the privacy notice (PRIVACY_NOTICE_VERSION), which the account records.

    If the address already has an account, its owner is told by mail instead and None is returned:
    the page answers the same either way, so sign-up never reveals who has an account.
    """
    errors: dict[str, list[str]] = {}
    for check, value in ((_clean_name, name), (_clean_email, email), (_clean_language, language)):
        try:
            check(value)
        except ValidationError as error:
            errors.update(error.errors)
    if not can_self_register_as(role):
        errors["role"] = [_("Choose whether you sign up as a business or an investor.")]
    problems = password_problems(password or "", email or "", name or "")
    if problems:
        errors["password"] = problems
    if not consent:
        errors["privacy_consent"] = [_("To create an account, please accept the privacy notice.")]
    if errors:
        raise ValidationError(next(iter(errors.values()))[0], errors=errors)

    address = _clean_email(email)
    # Hash before looking the address up: the expensive step is paid on both paths, so the time
    # the answer takes does not tell who has an account.
    password_hash = generate_password_hash(password)
    existing = _user_by_email(address)
    if existing is not None:
        _send(
            existing,
            "account_exists",
            login_link=public_url("accounts.login"),
            reset_link=public_url("accounts.forgot_password"),
        )
        return None
    user = User(
        name=_clean_name(name),
        email=address,
        password_hash=password_hash,
        role=Role(role),
        preferred_language=language,
        privacy_consent_at=utcnow(),
        privacy_notice_version=PRIVACY_NOTICE_VERSION,
    )
    try:
        with unit_of_work() as uow, uow.savepoint():
            db.session.add(user)
    except ValidationError:
        return None  # the same address signed up at the same moment
    record(
        None,
        "user.register",
        "user",
        user.id,
        after={"email": user.email, "role": role, "privacy_notice": PRIVACY_NOTICE_VERSION},
    )
    _send_verification(user)
    return user


@transactional
def resend_verification(user: User) -> bool:
    """Mail a fresh verification link; False if the address is already verified."""
    if user.email_verified_at is not None:
        return False
    _send_verification(user)
    return True


def _user_from_token(data: dict) -> User:
    user = db.session.get(User, data["user"])
    if user is None or not user.active:
        raise TokenError()
    return user


@transactional
def verify_email(token: str) -> AccountOutcome:
    """Mark the address in `token` as verified and accept its invitations; raises TokenError."""
    data = read_verify_token(token)
    user = _user_from_token(data)
    if data.get("email") != user.email:
        raise TokenError()
    joined = _mark_verified(user)
    return AccountOutcome(user, joined)


# --- logging in -----------------------------------------------------------------------------


def _too_many_attempts(until: datetime, now: datetime) -> TooManyAttempts:
    seconds = max(1, ceil((until - now).total_seconds()))
    return TooManyAttempts(
        ngettext(
            "Too many failed log-in attempts. Try again in %(num)d minute, at %(time)s.",
            "Too many failed log-in attempts. Try again in %(num)d minutes, at %(time)s.",
            ceil(seconds / 60),
            time=format_datetime(until, "HH:mm"),
        ),
        retry_after=seconds,
    )


def authenticate(
    email: str, password: str, address: str, device_token: str | None = None
) -> AccountOutcome:
    """The user with these credentials, signed in now; raises ValidationError otherwise.

    Unknown address and wrong password give the same message, and cost the same hash check.
    Failures are counted per account and source (`address`, or the browser's known-device id
    from `device_token`) and per address; while a count blocks, the attempt is refused with
    TooManyAttempts without looking at the password (see `app.accounts.throttle`).
    """
    with unit_of_work() as uow:
        account = (email or "").strip().lower()
        attempt = throttle.Attempt(account, address, device_of(device_token, account))
        now = utcnow()
        blocked_until = throttle.retry_at(attempt, now)
        if blocked_until is not None:
            raise _too_many_attempts(blocked_until, now)
        failure = _("Wrong e-mail address or password.")
        user = _user_by_email(account)
        if user is None:
            check_password_hash(_dummy_hash(), password or "")
        if user is None or not check_password_hash(user.password_hash, password or ""):
            throttle.record_failure(attempt, now)
            if user is not None:
                record(None, "user.login_failed", "user", user.id)
            uow.commit()  # the failure counts even though the attempt is refused
            raise ValidationError(failure)
        if not user.active:
            raise ValidationError(
                _("This account has been deactivated. Please contact the site administrators.")
            )
        user.last_login_at = now
        throttle.record_success(attempt)
        joined = accept_invitations(user)
        return AccountOutcome(user, joined)


def user_for_session(session_id: str) -> User | None:
    """The user a session belongs to (`User.get_id`), if it is still current and the account
    active; None logs the session out."""
    raw_id, _, token = (session_id or "").partition(":")
    user_id = parse_id(raw_id)
    if user_id is None or not token:
        return None  # also a session from before session tokens: log in once more
    user = db.session.get(User, user_id)
    if user is None or not user.active or not hmac.compare_digest(user.session_token, token):
        return None
    return user


def _end_sessions(user: User) -> None:
    user.session_token = new_session_token()


@transactional
def log_out(user: User) -> None:
    """End every session of the user: this one and any copy of its cookie, on any device."""
    _end_sessions(user)


# --- passwords ------------------------------------------------------------------------------


@transactional
def request_password_reset(email: str) -> None:
    """Mail a reset link if an active account has this address; silent either way."""
    user = _user_by_email(email)
    if user is None or not user.active:
        return
    link = public_url("accounts.reset_password", token=make_reset_token(user))
    minutes = current_app.config.get("ACCOUNT_RESET_MAX_AGE", RESET_MAX_AGE) // 60
    _send(user, "account_reset", link=link, minutes=minutes)


def user_for_reset_token(token: str) -> User:
    """The user a reset link is for, if it is still good; raises TokenError."""
    data = read_reset_token(token)
    user = _user_from_token(data)
    if data.get("password") != password_fingerprint(user):
        raise TokenError()  # the password changed since: the link was used or is outdated
    return user


@transactional
def reset_password(token: str, new_password: str) -> User:
    """Set a new password from a reset link (which then stops working); raises TokenError.
    API tokens keep working: each is revoked on its own (see `app.accounts.api_tokens`)."""
    user = user_for_reset_token(token)
    _require_good_password(new_password, user.email, user.name)
    user.password_hash = generate_password_hash(new_password)
    _end_sessions(user)
    record(user, "user.reset_password", "user", user.id)
    # Receiving the link proves the address is theirs.
    _mark_verified(user)
    _send(user, "account_password_changed")
    return user


@transactional
def change_password(user: User, current_password: str, new_password: str) -> None:
    """Set a new password; every session of the user ends (see `_end_sessions`). API tokens
    keep working: each is revoked on its own (see `app.accounts.api_tokens`)."""
    if not check_password_hash(user.password_hash, current_password or ""):
        message = _("Your current password is not correct.")
        raise ValidationError(message, errors={"current_password": [message]})
    _require_good_password(new_password, user.email, user.name)
    if check_password_hash(user.password_hash, new_password):
        message = _("Choose a password different from the current one.")
        raise ValidationError(message, errors={"password": [message]})
    user.password_hash = generate_password_hash(new_password)
    _end_sessions(user)  # the caller starts a new session for the device that changed it
    record(user, "user.change_password", "user", user.id)
    _send(user, "account_password_changed")


# --- profile --------------------------------------------------------------------------------


@transactional
def update_profile(user: User, *, name: str, language: str) -> None:
    before = {"name": user.name, "preferred_language": user.preferred_language}
    user.name = _clean_name(name)
    user.preferred_language = _clean_language(language)
    old, new = changed_fields(
        before, {"name": user.name, "preferred_language": user.preferred_language}
    )
    if new:
        record(user, "user.update_profile", "user", user.id, before=old, after=new)


# --- staff accounts (administrators' pages and the CLI) ------------------------------------

STAFF_PAGE_SIZE = 50


def _may_manage_users(actor: User | None) -> None:
    """No actor: the operator at the server's command line; otherwise an administrator."""
    if actor is not None:
        authorize(actor, "user.manage")


def is_last_admin(user: User) -> bool:
    """The only active administrator: without them nobody could manage accounts on the web."""
    if user.role != Role.ADMIN or not user.active:
        return False
    others = sa.select(sa.func.count()).where(
        User.role == Role.ADMIN, User.active.is_(True), User.id != user.id
    )
    return db.session.scalar(others) == 0


def _refuse_last_admin(user: User) -> None:
    if is_last_admin(user):
        raise ValidationError(
            _("This is the only active administrator: make another account administrator first.")
        )


def _staff_role_and_agency(role: str, agency_code: str | None) -> tuple[Role, Agency | None]:
    if role not in STAFF_ROLES:
        raise ValidationError(_("Staff accounts are curators or administrators."))
    agency = _agency_by_code(agency_code) if agency_code else None
    if role == Role.CURATOR and agency is None:
        message = _("A curator belongs to an agency: give its code.")
        raise ValidationError(message, errors={"agency": [message]})
    return Role(role), agency


@transactional
def create_staff_user(
    actor: User | None,
    *,
    email: str,
    password: str | None = None,
    role: str,
    agency_code: str | None = None,
    name: str | None = None,
) -> User:
    """A curator or administrator account, verified from the start (an operator or an
    administrator vouches). Without a password, the person gets a link to choose one."""
    _may_manage_users(actor)
    address = _clean_email(email)
    staff_role, agency = _staff_role_and_agency(role, agency_code)
    if password is not None:
        _require_good_password(password, address, name or "")
    if _user_by_email(address) is not None:
        message = _("An account with this e-mail address already exists.")
        raise ValidationError(message, errors={"email": [message]})
    user = User(
        email=address,
        name=_clean_name(name or address.partition("@")[0]),
        # Nobody knows a random password: the person chooses theirs from the link.
        password_hash=generate_password_hash(password or secrets.token_urlsafe(32)),
        role=staff_role,
        agency=agency,
        email_verified_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    record(
        actor,
        "user.create",
        "user",
        user.id,
        after={"email": address, "role": staff_role.value, "agency": agency and agency.code},
    )
    if password is None:
        link = public_url("accounts.reset_password", token=make_reset_token(user))
        minutes = current_app.config.get("ACCOUNT_RESET_MAX_AGE", RESET_MAX_AGE) // 60
        _send(user, "account_staff_welcome", link=link, minutes=minutes, agency=agency)
    return user


def account(email: str) -> User:
    """The account with this address (the commands name accounts by it)."""
    user = _user_by_email(email)
    if user is None:
        raise NotFound(_("No account has this e-mail address."))
    return user


@transactional
def set_user_role(
    actor: User | None, *, email: str, role: str, agency_code: str | None = None
) -> User:
    """Change an account's role (and agency); recorded in the audit trail."""
    _may_manage_users(actor)
    user = account(email)
    new_role = Role(role) if role in set(Role) else None
    if new_role is None:
        message = _("Unknown role.")
        raise ValidationError(message, errors={"role": [message]})
    agency = None
    if new_role in STAFF_ROLES:
        new_role, agency = _staff_role_and_agency(role, agency_code)
    elif agency_code:
        message = _("Only curators and administrators belong to an agency.")
        raise ValidationError(message, errors={"agency": [message]})
    if new_role != Role.ADMIN:
        _refuse_last_admin(user)
    before = {"role": user.role.value, "agency": user.agency and user.agency.code}
    user.role = new_role
    user.agency = agency
    after = {"role": new_role.value, "agency": agency and agency.code}
    old, new = changed_fields(before, after)
    if new:
        record(actor, "user.set_role", "user", user.id, before=old, after=new)
    return user


@transactional
def deactivate_user(actor: User | None, *, email: str) -> User:
    """Stop an account from logging in (its open sessions end at their next request)."""
    _may_manage_users(actor)
    user = account(email)
    if actor is not None and actor.id == user.id:
        raise ValidationError(_("You cannot deactivate your own account."))
    _refuse_last_admin(user)
    return _set_active(actor, user, False)


@transactional
def reactivate_user(actor: User | None, *, email: str) -> User:
    """Let a deactivated account log in again."""
    _may_manage_users(actor)
    return _set_active(actor, account(email), True)


def _set_active(actor: User | None, user: User, active: bool) -> User:
    if user.active != active:
        user.active = active
        action = "user.reactivate" if active else "user.deactivate"
        record(
            actor, action, "user", user.id, before={"active": not active}, after={"active": active}
        )
    return user


def list_users(role: str | None = None) -> list[User]:
    """Every account (the command line)."""
    return list(db.session.scalars(_users_query(role)))


def _users_query(role: str | None, text: str = "") -> sa.Select:
    query = sa.select(User).options(joinedload(User.agency)).order_by(User.role, User.email)
    if role in set(Role):
        query = query.where(User.role == Role(role))
    words = " ".join(text.split()).lower()
    if words:
        query = query.where(
            sa.or_(
                User.email.contains(words, autoescape=True),
                sa.func.lower(User.name).contains(words, autoescape=True),
            )
        )
    return query


def find_users(actor: User | None, text: str, role: str | None, page: int):
    """A page of accounts whose address or name contains `text` (an administrator's search)."""
    _may_manage_users(actor)
    return db.paginate(
        _users_query(role, text[:MAX_EMAIL_LENGTH]),
        page=page,
        per_page=STAFF_PAGE_SIZE,
        error_out=False,
    )


def staff_agencies(actor: User | None) -> list[Agency]:
    """The agencies a curator may belong to (what an administrator chooses from)."""
    _may_manage_users(actor)
    return list(db.session.scalars(sa.select(Agency).order_by(Agency.code)))


def get_user(actor: User | None, user_id: int) -> User:
    _may_manage_users(actor)
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user
