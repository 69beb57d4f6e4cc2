"""The investor's side: a profile of interests, shortlists of firms with private notes, saved
searches with e-mail alerts, and introduction requests that firms accept or decline."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, VersionMixin, enum_type, utcnow
from app.models.firm import Firm
from app.models.user import User


class InvestorType(StrEnum):
    FUND = "fund"
    BANK = "bank"
    CORPORATE = "corporate"
    DEVELOPMENT_FINANCE = "development_finance"
    ANGEL = "angel"
    OTHER = "other"


class AlertFrequency(StrEnum):
    OFF = "off"
    DAILY = "daily"
    WEEKLY = "weekly"


class IntroductionState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class InvestorProfile(VersionMixin, TimestampMixin, db.Model):
    """What an investor is and looks for; one per investor account."""

    __tablename__ = "investor_profile"
    __table_args__ = (
        sa.CheckConstraint(
            "ticket_min_vnd IS NULL OR ticket_max_vnd IS NULL OR ticket_min_vnd <= ticket_max_vnd",
            name="ticket_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    organisation: Mapped[str] = mapped_column(sa.String(200))
    investor_type: Mapped[InvestorType] = mapped_column(enum_type(InvestorType, "investor_type"))
    ticket_min_vnd: Mapped[int | None] = mapped_column(sa.BigInteger)
    ticket_max_vnd: Mapped[int | None] = mapped_column(sa.BigInteger)
    # Catalogue group codes, investment type values, ward codes and zone ids the investor follows.
    groups: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    investment_types: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    wards: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    zones: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    description: Mapped[str | None] = mapped_column(sa.Text)

    user: Mapped[User] = relationship()


class Shortlist(VersionMixin, TimestampMixin, db.Model):
    """A named list of firms an investor keeps; private to its owner."""

    __tablename__ = "shortlist"
    __table_args__ = (sa.UniqueConstraint("owner_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    # Set when its owner deletes it: hidden, restorable until purged (see investors.service).
    deleted_at: Mapped[datetime | None]

    entries: Mapped[list["ShortlistEntry"]] = relationship(
        back_populates="shortlist", cascade="all, delete-orphan", order_by="ShortlistEntry.id"
    )


class ShortlistEntry(db.Model):
    """A firm on a shortlist, with the investor's private note."""

    __tablename__ = "shortlist_entry"
    __table_args__ = (sa.UniqueConstraint("shortlist_id", "firm_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shortlist_id: Mapped[int] = mapped_column(sa.ForeignKey("shortlist.id", ondelete="CASCADE"))
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("firm.id", ondelete="CASCADE"), index=True)
    note: Mapped[str | None] = mapped_column(sa.Text)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    shortlist: Mapped[Shortlist] = relationship(back_populates="entries")
    firm: Mapped[Firm] = relationship()


class SavedSearch(VersionMixin, TimestampMixin, db.Model):
    """A firm-discovery query kept under a name, with optional e-mail alerts.

    Alerts report firms published or changed after `last_sent_at` (or, before the first alert,
    after `alerts_since`, when alerts were turned on)."""

    __tablename__ = "saved_search"
    __table_args__ = (sa.UniqueConstraint("owner_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    # The discovery page's query arguments (name → list of values), as in the URL.
    args: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    frequency: Mapped[AlertFrequency] = mapped_column(
        enum_type(AlertFrequency, "alert_frequency"), default=AlertFrequency.OFF, index=True
    )
    alerts_since: Mapped[datetime | None]
    last_sent_at: Mapped[datetime | None]
    # Set when its owner deletes it: hidden, no alerts, restorable until purged.
    deleted_at: Mapped[datetime | None]

    owner: Mapped[User] = relationship()


class AlertDelivery(db.Model):
    """One alert decided for a saved search: which firms, to whom, and how delivery went."""

    __tablename__ = "alert_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    saved_search_id: Mapped[int] = mapped_column(
        sa.ForeignKey("saved_search.id", ondelete="CASCADE"), index=True
    )
    window_start: Mapped[datetime]
    window_end: Mapped[datetime]
    firm_ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    # "pending" until delivery was tried, then "sent" or "failed" (with the error).
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    saved_search: Mapped[SavedSearch] = relationship()


class IntroductionRequest(VersionMixin, db.Model):
    """An investor asks a firm for an introduction; the firm's members accept or decline."""

    __tablename__ = "introduction_request"
    __table_args__ = (sa.Index("ix_introduction_investor_created", "investor_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    investor_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("firm.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[IntroductionState] = mapped_column(
        enum_type(IntroductionState, "introduction_state"),
        default=IntroductionState.PENDING,
        index=True,
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    investor: Mapped[User] = relationship(foreign_keys=[investor_id])
    firm: Mapped[Firm] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
