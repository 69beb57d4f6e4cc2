"""The technology marketplace: requests (what a firm needs) and offers (what it can provide),
curated like listings, with changes to published ones reviewed as revisions; suppliers' answers
to requests; the opt-in of firms to hear of new requests; what was mailed (so nothing goes
twice)."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, VersionMixin, enum_type, utcnow
from app.models.catalogue import CatalogueItem
from app.models.firm import Decided, Firm, ReviewState
from app.models.user import User


class MarketSide(StrEnum):
    REQUEST = "request"
    OFFER = "offer"


class MarketKind(StrEnum):
    # Requests
    BUY_EQUIPMENT = "buy_equipment"
    LICENSE_PATENT = "license_patent"
    HIRE_EXPERT = "hire_expert"
    JOINT_RND = "joint_rnd"
    INVESTMENT = "investment"
    # Offers
    TECHNOLOGY = "technology"
    PRODUCT = "product"
    PATENT = "patent"
    EXPERTISE = "expertise"


REQUEST_KINDS = (
    MarketKind.BUY_EQUIPMENT,
    MarketKind.LICENSE_PATENT,
    MarketKind.HIRE_EXPERT,
    MarketKind.JOINT_RND,
    MarketKind.INVESTMENT,
)
OFFER_KINDS = (MarketKind.TECHNOLOGY, MarketKind.PRODUCT, MarketKind.PATENT, MarketKind.EXPERTISE)
KINDS_OF_SIDE = {MarketSide.REQUEST: REQUEST_KINDS, MarketSide.OFFER: OFFER_KINDS}


class MarketStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    PUBLISHED = "published"
    REJECTED = "rejected"
    ARCHIVED = "archived"
    EXPIRED = "expired"


class ResponseState(StrEnum):
    SENT = "sent"
    SHORTLISTED = "shortlisted"
    ACCEPTED = "accepted"
    DECLINED = "declined"


market_listing_item = sa.Table(
    "market_listing_item",
    db.metadata,
    sa.Column(
        "listing_id", sa.ForeignKey("market_listing.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("item_id", sa.ForeignKey("catalogue_item.id"), primary_key=True, index=True),
)


class MarketListing(VersionMixin, TimestampMixin, db.Model):
    """A technology request or offer of one firm (or research institute, university …)."""

    __tablename__ = "market_listing"
    __table_args__ = (
        sa.CheckConstraint(
            "budget_min_vnd IS NULL OR budget_max_vnd IS NULL OR budget_min_vnd <= budget_max_vnd",
            name="budget_range",
        ),
        sa.CheckConstraint("trl IS NULL OR (trl >= 1 AND trl <= 9)", name="trl_range"),
        sa.Index("ix_market_listing_live", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    side: Mapped[MarketSide] = mapped_column(enum_type(MarketSide, "market_side"), index=True)
    kind: Mapped[MarketKind] = mapped_column(enum_type(MarketKind, "market_kind"))
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("firm.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text)
    ward_code: Mapped[int | None] = mapped_column(index=True)
    # Requests: what the firm would spend, and until when it looks.
    budget_min_vnd: Mapped[int | None] = mapped_column(sa.BigInteger)
    budget_max_vnd: Mapped[int | None] = mapped_column(sa.BigInteger)
    deadline: Mapped[date | None]
    # Offers: technology readiness level (1–9) and the terms of a licence or sale.
    trl: Mapped[int | None]
    licensing_terms: Mapped[str | None] = mapped_column(sa.Text)

    status: Mapped[MarketStatus] = mapped_column(
        enum_type(MarketStatus, "market_status"), default=MarketStatus.DRAFT, index=True
    )
    review_reason: Mapped[str | None] = mapped_column(sa.Text)
    submitted_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    # Set at publication and renewal: the deadline, or 12 months on, whichever comes first.
    expires_at: Mapped[datetime | None]
    # When matching suppliers were told of the published request (claimed once).
    suppliers_notified_at: Mapped[datetime | None]
    is_sample: Mapped[bool] = mapped_column(default=False)

    # Deleted with its firm by the ORM (not only by the foreign key), so that the search outbox
    # sees each item go.
    firm: Mapped[Firm] = relationship(
        backref=backref("market_listings", cascade="all, delete-orphan", lazy="select")
    )
    author: Mapped[User | None] = relationship()
    items: Mapped[list[CatalogueItem]] = relationship(
        secondary=market_listing_item, order_by=CatalogueItem.id
    )

    @property
    def is_request(self) -> bool:
        return self.side == MarketSide.REQUEST

    def is_live(self, now: datetime) -> bool:
        """Published and not past its expiry: public, searchable, open to answers."""
        return self.status == MarketStatus.PUBLISHED and (
            self.expires_at is None or self.expires_at > now
        )

    @classmethod
    def live(cls, now: datetime) -> sa.ColumnElement[bool]:
        """SQL condition for listings the public sees at `now`."""
        return sa.and_(
            cls.status == MarketStatus.PUBLISHED,
            sa.or_(cls.expires_at.is_(None), cls.expires_at > now),
        )

    def __repr__(self) -> str:
        return f"<MarketListing {self.side} {self.id} {self.status}>"


class MarketRevision(Decided, db.Model):
    """A proposed change to a published request or offer: the public sees the published text
    until a curator approves it. `data` is the checked content (`service.clean`, dates as ISO
    text); at most one is pending per listing."""

    __tablename__ = "market_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(
        sa.ForeignKey("market_listing.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    data: Mapped[dict] = mapped_column(sa.JSON)
    state: Mapped[ReviewState] = mapped_column(
        enum_type(ReviewState, "market_revision_state"), default=ReviewState.PENDING, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(sa.Text)

    listing: Mapped[MarketListing] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class MarketResponse(VersionMixin, db.Model):
    """A supplier firm's short proposal in answer to a published request."""

    __tablename__ = "market_response"
    __table_args__ = (sa.UniqueConstraint("listing_id", "firm_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(
        sa.ForeignKey("market_listing.id", ondelete="CASCADE"), index=True
    )
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("firm.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[ResponseState] = mapped_column(
        enum_type(ResponseState, "market_response_state"), default=ResponseState.SENT, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    deal_reported_at: Mapped[datetime | None]
    deal_reported_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    listing: Mapped[MarketListing] = relationship()
    firm: Mapped[Firm] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])


class MarketSubscription(db.Model):
    """A firm's opt-in to hear of new requests that fit what it supplies or offers."""

    __tablename__ = "market_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("firm.id", ondelete="CASCADE"), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    # When it was (last) turned on: an unsubscribe link names it (see app.marketplace.alerts).
    since: Mapped[datetime] = mapped_column(default=utcnow)

    firm: Mapped[Firm] = relationship()


class MarketMailing(db.Model):
    """One message the marketplace decided to send, recorded before it goes (the claim):
    a request told to a supplier firm (`kind` "match", `firm_id`), or an expiry reminder of a
    listing (`kind` "remind-14" / "remind-1", with the expiry it is about in `round`)."""

    __tablename__ = "market_mailing"
    __table_args__ = (sa.UniqueConstraint("listing_id", "kind", "firm_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(
        sa.ForeignKey("market_listing.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(20))
    firm_id: Mapped[int] = mapped_column(default=0)  # 0: not about a firm (reminders)
    round: Mapped[str] = mapped_column(sa.String(32), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
