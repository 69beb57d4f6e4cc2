"""Reminders the day before: each confirmed attendee of an event starting before the end of
tomorrow (Quảng Ngãi time) gets one e-mail, once.

Each registration is claimed (a conditional UPDATE of `reminded_at`) in the same commit that
queues its message, and mail leaves only after that commit: running the command twice, even at
the same time, never reminds anyone twice. A message that cannot be built is logged and the
others still go out.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.events.seats import send_registration_mail
from app.events.service import start_of_local_day
from app.extensions import db
from app.models import Event, EventRegistration, RegistrationStatus
from app.models.base import utcnow
from app.transaction import unit_of_work

log = logging.getLogger(__name__)


@dataclass
class ReminderReport:
    sent: int = 0
    failed: int = 0


def _claim(registration: EventRegistration, now: datetime) -> bool:
    """Mark the registration reminded at `now` unless another run got there first."""
    result = db.session.execute(
        sa.update(EventRegistration)
        .where(
            EventRegistration.id == registration.id,
            EventRegistration.reminded_at.is_(None),
            EventRegistration.status == RegistrationStatus.CONFIRMED,
        )
        .values(reminded_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def send_reminders(now: datetime | None = None) -> ReminderReport:
    now = now or utcnow()
    end_of_tomorrow = start_of_local_day(now) + timedelta(days=2)
    report = ReminderReport()
    with unit_of_work():
        due = db.session.scalars(
            sa.select(EventRegistration)
            .join(Event, EventRegistration.event_id == Event.id)
            .where(
                Event.public(),
                Event.starts_at > now,
                Event.starts_at < end_of_tomorrow,
                EventRegistration.status == RegistrationStatus.CONFIRMED,
                EventRegistration.reminded_at.is_(None),
            )
            .options(selectinload(EventRegistration.event).selectinload(Event.agency))
            .order_by(EventRegistration.id)
        ).all()
        for registration in due:
            if not _claim(registration, now):
                continue
            try:
                send_registration_mail(registration, "event_reminder")
            except ValueError:  # e.g. an address that cannot be a mail header
                log.exception("event reminder for registration %s not built", registration.id)
                report.failed += 1
                continue
            report.sent += 1
    return report
