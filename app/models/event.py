"""Events agencies organise (trade fairs, conferences, workshops, training courses,
competitions) and the registrations people make for them.

Times are stored as naive UTC, like every timestamp of the platform (`app.models.base.utcnow`);
they are entered and shown in Asia/Ho_Chi_Minh (`app.domain.clock`). A registration holds a seat
only while it is confirmed: the seats taken are counted, never stored, under a lock on the
event's row (see app/events/registration.py).
"""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.extensions import db
from app.models.agency import Agency
from app.models.base import PublicationMixin, TimestampMixin, VersionMixin, enum_type, utcnow
from app.models.user import User


class EventKind(StrEnum):
    TRADE_FAIR = "trade_fair"
    INVESTMENT_CONFERENCE = "investment_conference"
    TECHNOLOGY_WORKSHOP = "technology_workshop"
    TRAINING_COURSE = "training_course"  # for officials and firms (Plan 68, II.5)
    COMPETITION = "competition"


class RegistrationStatus(StrEnum):
    PENDING = "pending"  # a guest who has not opened the confirmation link yet: no seat
    CONFIRMED = "confirmed"  # holds a seat
    WAITING = "waiting"  # on the waiting list: no seat until promoted
    CANCELLED = "cancelled"


class Event(VersionMixin, PublicationMixin, TimestampMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(100), unique=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    kind: Mapped[EventKind] = mapped_column(enum_type(EventKind, "event_kind"))
    title_vi: Mapped[str] = mapped_column(sa.String(300))
    title_en: Mapped[str | None] = mapped_column(sa.String(300))
    description_vi: Mapped[str | None] = mapped_column(sa.Text)
    description_en: Mapped[str | None] = mapped_column(sa.Text)
    starts_at: Mapped[datetime] = mapped_column(index=True)  # naive UTC
    ends_at: Mapped[datetime]  # naive UTC
    place: Mapped[str | None] = mapped_column(sa.String(300))
    online_url: Mapped[str | None] = mapped_column(sa.String(300))
    capacity: Mapped[int | None]  # None: no limit
    registration_deadline: Mapped[datetime | None]  # naive UTC; None: until the event starts
    contact: Mapped[str | None] = mapped_column(sa.String(300))
    is_sample: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        sa.CheckConstraint("ends_at >= starts_at", name="time_order"),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
    )

    agency: Mapped[Agency] = relationship(foreign_keys=[agency_id])

    @property
    def registration_closes_at(self) -> datetime:
        return self.registration_deadline or self.starts_at

    def registration_open_at(self, now: datetime) -> bool:
        return self.is_public and now < self.registration_closes_at

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class EventRegistration(db.Model):
    """One person's registration for an event: a signed-in user's, or a guest's (confirmed by a
    signed link). One per e-mail address and event; a cancelled or expired one is reused when
    the same address registers again."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(120))
    organisation: Mapped[str | None] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(254))  # stored lower-cased
    language: Mapped[str] = mapped_column(sa.String(5), default="vi")
    status: Mapped[RegistrationStatus] = mapped_column(
        enum_type(RegistrationStatus, "registration_status")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the registration joined the queue for a seat (its place on the waiting list).
    queued_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    promoted_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    checked_in_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]  # claimed by `flask events remind`
    # Signed links name these: the confirmation link works once (cleared when used), a
    # cancellation link only for the registration it was sent for (renewed on re-registration).
    confirm_nonce: Mapped[str | None] = mapped_column(sa.String(32))
    cancel_nonce: Mapped[str] = mapped_column(sa.String(32))

    __table_args__ = (
        sa.UniqueConstraint("event_id", "email", name="uq_event_registration_event_email"),
        sa.Index("ix_event_registration_event_status", "event_id", "status"),
    )

    event: Mapped[Event] = relationship()
    user: Mapped[User | None] = relationship()

    @validates("email")
    def _lowercase_email(self, key: str, value: str) -> str:
        return value.strip().lower()
