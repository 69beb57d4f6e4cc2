"""Registering for an event and cancelling: signed-in people in one click (their account's
name and confirmed address), guests with a name, organisation and address they confirm by a
signed link (unconfirmed, a guest's registration takes no seat and expires with the link).

One registration per address and event. A newcomer gets a seat if one is free and nobody is
waiting, else a place on the waiting list; a cancelled seat goes to the first waiting
(`seats.promote_waiting`). Seats are given under a lock on the event's row (see seats.py).
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from app import audit
from app.accounts.service import EMAIL_SHAPE, MAX_EMAIL_LENGTH, MAX_NAME_LENGTH
from app.authorization import authorize
from app.domain.text import nfc
from app.errors import NotFound, ValidationError
from app.events import links
from app.events.seats import has_free_seat, lock_event, promote_waiting, send_registration_mail
from app.extensions import db
from app.mail import render_message, send_after_commit
from app.models import Event, EventRegistration, RegistrationStatus, User
from app.models.base import utcnow
from app.transaction import transactional
from app.urls import public_url

MAX_ORGANISATION_LENGTH = 200
HOLDING = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING)


def is_expired(registration: EventRegistration, now: datetime | None = None) -> bool:
    """An unconfirmed guest registration whose link has expired: it holds nothing."""
    if registration.status != RegistrationStatus.PENDING:
        return False
    started = registration.queued_at or registration.created_at
    return (now or utcnow()) - started > timedelta(seconds=links.confirm_max_age())


def holds_place(registration: EventRegistration | None) -> bool:
    """A seat, a place on the waiting list, or a confirmation still possible."""
    if registration is None:
        return False
    if registration.status == RegistrationStatus.PENDING:
        return not is_expired(registration)
    return registration.status in HOLDING


def registration_for(event_id: int, email: str) -> EventRegistration | None:
    return db.session.scalar(
        sa.select(EventRegistration).where(
            EventRegistration.event_id == event_id,
            EventRegistration.email == email.strip().lower(),
        )
    )


def my_registration(actor: User | None, event: Event) -> EventRegistration | None:
    """The signed-in person's registration for the event, if they have one that counts."""
    if actor is None or not actor.is_authenticated:
        return None
    registration = registration_for(event.id, actor.email)
    return registration if holds_place(registration) else None


def _open_event(event_id: int) -> Event:
    """The event, locked, if it takes registrations now; else why not."""
    event = db.session.get(Event, event_id)
    if event is None or not event.is_public:
        raise NotFound()
    event = lock_event(event_id)
    if not event.registration_open_at(utcnow()):
        raise ValidationError(_("Registration for this event has closed."))
    return event


def _queue(registration: EventRegistration, event: Event, now: datetime) -> None:
    """A seat if one is free and nobody waits, else the end of the waiting list."""
    free = has_free_seat(event)
    registration.status = RegistrationStatus.CONFIRMED if free else RegistrationStatus.WAITING
    registration.confirmed_at = now if free else None
    registration.queued_at = now
    registration.promoted_at = registration.cancelled_at = registration.checked_in_at = None
    registration.reminded_at = None
    db.session.add(registration)
    db.session.flush()


def _reuse_or_new(event: Event, email: str) -> EventRegistration:
    """The address's earlier registration (cancelled or expired) made new, or a new one."""
    registration = registration_for(event.id, email)
    if registration is None:
        registration = EventRegistration(event=event, email=email)
    registration.cancel_nonce = links.new_nonce()
    return registration


def _audit(actor, action: str, registration: EventRegistration, before=None) -> None:
    audit.record(
        actor,
        f"event_registration.{action}",
        "event_registration",
        registration.id,
        before=before,
        after={"event": registration.event_id, "status": str(registration.status)},
    )


def _tell_outcome(registration: EventRegistration) -> None:
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    send_registration_mail(registration, "event_registered" if confirmed else "event_waiting")


@transactional
def register_user(actor: User | None, event_id: int) -> EventRegistration:
    """Register the signed-in person (their account's name and address)."""
    authorize(actor, "event.register")
    event = _open_event(event_id)
    if holds_place(registration_for(event.id, actor.email)):
        raise ValidationError(_("You are already registered for this event."))
    registration = _reuse_or_new(event, actor.email)
    registration.user_id, registration.name = actor.id, actor.name[:MAX_NAME_LENGTH]
    registration.organisation = None
    registration.language = actor.preferred_language or "vi"
    registration.confirm_nonce = None
    _queue(registration, event, utcnow())
    _audit(actor, "register", registration)
    _tell_outcome(registration)
    return registration


def check_guest(data: dict) -> dict:
    """A guest's name, organisation and e-mail address; raises ValidationError."""
    cleaned = {
        name: nfc(str(data.get(name) or "")).strip() for name in ("name", "organisation", "email")
    }
    cleaned["email"] = cleaned["email"].lower()
    errors: dict[str, list[str]] = {}
    if not cleaned["name"]:
        errors["name"] = [_("Enter your name.")]
    elif len(cleaned["name"]) > MAX_NAME_LENGTH:
        errors["name"] = [_("At most %(limit)d characters.", limit=MAX_NAME_LENGTH)]
    if len(cleaned["organisation"]) > MAX_ORGANISATION_LENGTH:
        errors["organisation"] = [_("At most %(limit)d characters.", limit=MAX_ORGANISATION_LENGTH)]
    email = cleaned["email"]
    if len(email) > MAX_EMAIL_LENGTH or not EMAIL_SHAPE.match(email):
        errors["email"] = [_("Enter a valid e-mail address.")]
    if errors:
        raise ValidationError(_("Please correct the fields marked below."), errors)
    cleaned["organisation"] = cleaned["organisation"] or None
    return cleaned


@transactional
def register_guest(event_id: int, data: dict, language: str = "vi") -> None:
    """Ask a guest to confirm their registration by the link mailed to them. An address already
    registered gets a reminder of its registration instead: the page says the same either way,
    so it tells nobody who is registered."""
    cleaned = check_guest(data)
    event = _open_event(event_id)
    existing = registration_for(event.id, cleaned["email"])
    if existing is not None and existing.status in HOLDING:
        send_registration_mail(existing, "event_already_registered")
        return
    registration = _reuse_or_new(event, cleaned["email"])
    registration.user_id = None
    registration.name, registration.organisation = cleaned["name"], cleaned["organisation"]
    registration.language = language
    registration.status = RegistrationStatus.PENDING
    registration.queued_at = utcnow()
    registration.confirmed_at = registration.cancelled_at = None
    registration.confirm_nonce = links.new_nonce()
    db.session.add(registration)
    db.session.flush()
    _audit(None, "request", registration)
    send_after_commit(
        render_message(
            registration.email,
            "event_confirm",
            language,
            registration=registration,
            event=event,
            event_url=public_url("events.detail", slug=event.slug),
            confirm_url=links.confirm_url(registration),
            hours=links.confirm_max_age() // 3600,
        )
    )


@transactional
def confirm_guest(registration_id, token: str) -> EventRegistration:
    """A guest opened their confirmation link: a seat, or the waiting list. The link works once."""
    registration = links.registration_to_confirm(registration_id, token)
    if registration.status != RegistrationStatus.PENDING:
        raise NotFound()
    event = _open_event(registration.event_id)
    registration.confirm_nonce = None
    _queue(registration, event, utcnow())
    _audit(None, "confirm", registration, before={"status": "pending"})
    _tell_outcome(registration)
    return registration


def _cancel(actor, registration: EventRegistration) -> EventRegistration:
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    if registration.status == RegistrationStatus.CANCELLED:
        return registration  # a second click or a replayed link changes nothing
    held_seat = registration.status == RegistrationStatus.CONFIRMED
    before = {"status": str(registration.status)}
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = utcnow()
    registration.confirm_nonce = None
    db.session.flush()
    _audit(actor, "cancel", registration, before=before)
    send_registration_mail(registration, "event_cancelled")
    if held_seat:
        promote_waiting(event)
    return registration


@transactional
def cancel_own(actor: User | None, event_id: int) -> EventRegistration:
    """The signed-in person cancels their registration (from the event's page)."""
    authorize(actor, "event.register")
    event = db.session.get(Event, event_id)
    registration = registration_for(event_id, actor.email) if event is not None else None
    if registration is None or not holds_place(registration):
        raise NotFound(_("You are not registered for this event."))
    return _cancel(actor, registration)


@transactional
def cancel_by_link(registration_id, token: str) -> EventRegistration:
    """Whoever holds the cancellation link of a registration cancels it."""
    return _cancel(None, links.registration_to_cancel(registration_id, token))


def link_registration(kind: str, registration_id, token: str) -> EventRegistration:
    """The registration a link names (for the page that asks to confirm or cancel)."""
    if kind == "confirm":
        registration = links.registration_to_confirm(registration_id, token)
        if registration.status != RegistrationStatus.PENDING:
            raise NotFound()
        return registration
    return links.registration_to_cancel(registration_id, token)
