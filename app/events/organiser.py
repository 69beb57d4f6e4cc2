"""The organisers' tools: the attendee list (confirmed, waiting, unconfirmed, cancelled), its
CSV download and the printable check-in list, and recording who attended. All hold personal
data: only those the registry allows (`event.attendees`) see them."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from app import audit
from app.authorization import authorize
from app.errors import NotFound, ValidationError
from app.events.registration import is_expired
from app.events.service import status_label
from app.extensions import db
from app.i18n import format_moment
from app.models import Event, EventRegistration, RegistrationStatus, User
from app.models.base import utcnow
from app.tabular import Table
from app.transaction import transactional


@dataclass
class Attendees:
    event: Event
    confirmed: list[EventRegistration] = field(default_factory=list)
    waiting: list[EventRegistration] = field(default_factory=list)
    unconfirmed: list[EventRegistration] = field(default_factory=list)  # guests, not expired
    cancelled: list[EventRegistration] = field(default_factory=list)  # and expired guests

    @property
    def attended(self) -> int:
        return sum(1 for r in self.confirmed if r.checked_in_at is not None)


def _event(actor: User | None, event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        raise NotFound()
    authorize(actor, "event.attendees", event)
    return event


def attendees(actor: User | None, event_id: int) -> Attendees:
    event = _event(actor, event_id)
    found = Attendees(event)
    registrations = db.session.scalars(
        sa.select(EventRegistration)
        .where(EventRegistration.event_id == event.id)
        .order_by(EventRegistration.queued_at, EventRegistration.id)
    )
    for registration in registrations:
        if registration.status == RegistrationStatus.CONFIRMED:
            found.confirmed.append(registration)
        elif registration.status == RegistrationStatus.WAITING:
            found.waiting.append(registration)
        elif registration.status == RegistrationStatus.PENDING and not is_expired(registration):
            found.unconfirmed.append(registration)
        else:
            found.cancelled.append(registration)
    found.confirmed.sort(key=lambda r: (r.name.casefold(), r.id))
    return found


def attendee_table(actor: User | None, event_id: int) -> Table:
    """Everyone who registered, for the CSV download (cells that look like formulas are
    neutralised by app.tabular)."""
    found = attendees(actor, event_id)
    rows = []
    groups = (
        (found.confirmed, None),
        (found.waiting, None),
        (found.unconfirmed, None),
        (found.cancelled, _("Expired")),
    )
    for registrations, expired_text in groups:
        for registration in registrations:
            status = status_label(registration.status)
            if expired_text and registration.status == RegistrationStatus.PENDING:
                status = expired_text
            rows.append(
                [
                    registration.name,
                    registration.organisation,
                    registration.email,
                    status,
                    format_moment(registration.queued_at or registration.created_at),
                    format_moment(registration.checked_in_at),
                ]
            )
    headers = [
        _("Name"),
        _("Organisation"),
        _("E-mail"),
        _("Status"),
        _("Registered at"),
        _("Checked in at"),
    ]
    return Table(_("Attendees"), headers, rows)


@transactional
def set_attendance(actor: User | None, event_id: int, registration_id: int, attended: bool):
    """Record (or undo) that a confirmed attendee came."""
    event = _event(actor, event_id)
    registration = db.session.get(EventRegistration, registration_id)
    if registration is None or registration.event_id != event.id:
        raise NotFound()
    if registration.status != RegistrationStatus.CONFIRMED:
        raise ValidationError(_("Only confirmed attendees can be checked in."))
    before = audit.plain(registration.checked_in_at)
    registration.checked_in_at = (registration.checked_in_at or utcnow()) if attended else None
    db.session.flush()
    audit.record(
        actor,
        "event_registration.check_in" if attended else "event_registration.undo_check_in",
        "event_registration",
        registration.id,
        before={"checked_in_at": before},
        after={"checked_in_at": audit.plain(registration.checked_in_at)},
    )
    return registration
