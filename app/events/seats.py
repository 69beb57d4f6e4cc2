"""Seats: counting them, and the lock under which they are given.

Every action that gives or frees a seat first takes the event's row (`lock_event`: an UPDATE of
the row, which PostgreSQL holds until the commit and SQLite's single writer serialises), then
counts the confirmed registrations: two people registering for the last seat at the same time
are served one after the other, and the second goes on the waiting list. The waiting list is
served in the order people joined it; a freed seat goes to its first (`promote_waiting`), who is
told by e-mail.
"""

import sqlalchemy as sa

from app import audit
from app.events import links
from app.extensions import db
from app.mail import render_message, send_after_commit
from app.models import Event, EventRegistration, RegistrationStatus
from app.models.base import utcnow
from app.urls import public_url


def lock_event(event_id: int) -> Event:
    """Take the event's row for the rest of the transaction and read it afresh."""
    db.session.execute(
        sa.update(Event)
        .where(Event.id == event_id)
        .values(capacity=Event.capacity)
        .execution_options(synchronize_session=False)
    )
    return db.session.get(Event, event_id, populate_existing=True)


def seats_by_event(event_ids: list[int]) -> dict[int, int]:
    """Confirmed registrations (seats taken) by event id."""
    if not event_ids:
        return {}
    return dict(
        db.session.execute(
            sa.select(EventRegistration.event_id, sa.func.count())
            .where(
                EventRegistration.event_id.in_(event_ids),
                EventRegistration.status == RegistrationStatus.CONFIRMED,
            )
            .group_by(EventRegistration.event_id)
        ).all()
    )


def seats_taken(event_id: int) -> int:
    return seats_by_event([event_id]).get(event_id, 0)


def waiting_list(event_id: int) -> list[EventRegistration]:
    """Those waiting for a seat, first come first."""
    return list(
        db.session.scalars(
            sa.select(EventRegistration)
            .where(
                EventRegistration.event_id == event_id,
                EventRegistration.status == RegistrationStatus.WAITING,
            )
            .order_by(EventRegistration.queued_at, EventRegistration.id)
        )
    )


def has_free_seat(event: Event) -> bool:
    """Whether a newcomer gets a seat now (the event's row locked): nobody waits before them
    and a seat is free."""
    if waiting_list(event.id):
        return False
    return event.capacity is None or seats_taken(event.id) < event.capacity


def promote_waiting(event: Event) -> list[EventRegistration]:
    """Give the free seats to the first on the waiting list, each told by e-mail; none once the
    event has started."""
    event = lock_event(event.id)
    now = utcnow()
    if now >= event.starts_at:
        return []
    waiting = waiting_list(event.id)
    if event.capacity is not None:
        waiting = waiting[: max(event.capacity - seats_taken(event.id), 0)]
    for registration in waiting:
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = registration.promoted_at = now
        audit.record(
            None,
            "event_registration.promote",
            "event_registration",
            registration.id,
            before={"status": "waiting"},
            after={"status": "confirmed"},
        )
        send_registration_mail(registration, "event_promoted")
    db.session.flush()
    return waiting


def send_registration_mail(registration: EventRegistration, template: str, **context) -> None:
    """A message about the registration, after the commit, with the event's and cancel links."""
    event = registration.event
    send_after_commit(
        render_message(
            registration.email,
            template,
            registration.language,
            registration=registration,
            event=event,
            event_url=public_url("events.detail", slug=event.slug),
            calendar_url=public_url("events.calendar", slug=event.slug),
            cancel_url=links.cancel_url(registration),
            **context,
        )
    )
