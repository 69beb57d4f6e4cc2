"""A firm's listing: identity, size inputs, place, industry codes, what it offers and needs,
investment ask, and its place in the curation lifecycle."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.enterprise import (
    DEPENDENT_UNITS,
    EnterpriseType,
    is_dependent_unit,
    is_enterprise,
    parent_tax_code,
)
from app.domain.firm_size import SectorGroup, SizeClass, classify
from app.domain.tax_code import format_tax_code
from app.extensions import db
from app.models.base import TimestampMixin, VersionMixin, enum_type, utcnow
from app.models.catalogue import CatalogueItem
from app.models.user import User


class FirmStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    PUBLISHED = "published"
    REJECTED = "rejected"
    ARCHIVED = "archived"


class MemberRole(StrEnum):
    OWNER = "owner"
    EDITOR = "editor"


class LinkRelation(StrEnum):
    OFFERS = "offers"
    NEEDS = "needs"


class InvestmentType(StrEnum):
    EQUITY = "equity"
    LOAN = "loan"
    JOINT_VENTURE = "joint_venture"
    TECHNOLOGY_TRANSFER = "technology_transfer"
    ACQUISITION = "acquisition"


class Firm(VersionMixin, TimestampMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(100), unique=True)
    tax_code: Mapped[str] = mapped_column(sa.String(13), unique=True)
    legal_name: Mapped[str] = mapped_column(sa.String(300))
    trade_name: Mapped[str | None] = mapped_column(sa.String(200))
    name_en: Mapped[str | None] = mapped_column(sa.String(300))
    founded_year: Mapped[int | None]
    # Unknown (None) only for listings made before the kind was recorded.
    enterprise_type: Mapped[EnterpriseType | None] = mapped_column(
        enum_type(EnterpriseType, "enterprise_type")
    )

    sector_group: Mapped[SectorGroup | None] = mapped_column(enum_type(SectorGroup, "sector_group"))
    insured_employees: Mapped[int | None]
    revenue_vnd: Mapped[int | None] = mapped_column(sa.BigInteger)
    capital_vnd: Mapped[int | None] = mapped_column(sa.BigInteger)
    size_year: Mapped[int | None]
    # Derived from the kind and the inputs above on every flush (see _recompute_size); stored
    # for filtering. A branch's figures are its parent enterprise's.
    size_class: Mapped[SizeClass | None] = mapped_column(
        enum_type(SizeClass, "size_class"), index=True
    )

    address_line: Mapped[str | None] = mapped_column(sa.String(300))
    ward_code: Mapped[int | None] = mapped_column(index=True)
    zone_id: Mapped[int | None] = mapped_column(sa.ForeignKey("zone.id"), index=True)

    website: Mapped[str | None] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    contact_person: Mapped[str | None] = mapped_column(sa.String(120))
    show_contact: Mapped[bool] = mapped_column(default=False)

    description_vi: Mapped[str | None] = mapped_column(sa.Text)
    description_en: Mapped[str | None] = mapped_column(sa.Text)

    seeking_investment: Mapped[bool] = mapped_column(default=False, index=True)
    investment_types: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    investment_min_vnd: Mapped[int | None] = mapped_column(sa.BigInteger)
    investment_max_vnd: Mapped[int | None] = mapped_column(sa.BigInteger)
    investment_purpose: Mapped[str | None] = mapped_column(sa.Text)

    status: Mapped[FirmStatus] = mapped_column(
        enum_type(FirmStatus, "firm_status"), default=FirmStatus.DRAFT, index=True
    )
    is_sample: Mapped[bool] = mapped_column(default=False)
    logo_path: Mapped[str | None] = mapped_column(sa.String(200))
    # The curator's last decision as the business sees it: reason, and the checks that failed.
    review_reason: Mapped[str | None] = mapped_column(sa.Text)
    review_failed_checks: Mapped[list[str]] = mapped_column(
        sa.JSON, default=list, server_default="[]"
    )
    submitted_at: Mapped[datetime | None]
    verified_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    # The yearly confirmation (app/firms/renewals.py): when a member last confirmed the listing
    # (publication and approved changes count), and when it lapsed for want of one (archived
    # until a member renews it; None for a curator's archive).
    confirmed_at: Mapped[datetime | None]
    lapsed_at: Mapped[datetime | None]

    __table_args__ = (
        sa.CheckConstraint(
            "investment_min_vnd IS NULL OR investment_max_vnd IS NULL "
            "OR investment_min_vnd <= investment_max_vnd",
            name="investment_range",
        ),
        # The directory's pages: published firms, newest first (no sort of the whole table).
        sa.Index("ix_firm_listing", "status", "published_at", "id"),
    )

    zone: Mapped["Zone | None"] = relationship()  # noqa: F821 (defined in app.models.place)
    members: Mapped[list["FirmMember"]] = relationship(
        back_populates="firm", cascade="all, delete-orphan"
    )
    # Ordered so that a firm's search document is the same whichever query loads it (the
    # content check of `flask search check --content` compares documents exactly).
    catalogue_links: Mapped[list["FirmCatalogueLink"]] = relationship(
        back_populates="firm", cascade="all, delete-orphan", order_by="FirmCatalogueLink.id"
    )
    industry_codes: Mapped[list["FirmIndustryCode"]] = relationship(
        back_populates="firm",
        cascade="all, delete-orphan",
        order_by="FirmIndustryCode.industry_code_id",
    )
    certifications: Mapped[list["FirmCertification"]] = relationship(
        back_populates="firm",
        cascade="all, delete-orphan",
        # The id breaks ties: the search document lists them in this order, and PostgreSQL
        # returns equal years in any order.
        order_by="[FirmCertification.year, FirmCertification.id]",
    )

    @property
    def reachable_members(self) -> list["User"]:
        """The members the site may e-mail for the firm: active accounts with a confirmed address
        (an unconfirmed one may be mistyped, so it is never mailed)."""
        return [
            member.user
            for member in self.members
            if member.user.active and member.user.email_verified_at is not None
        ]

    @property
    def display_name(self) -> str:
        return self.trade_name or self.legal_name

    @property
    def tax_code_display(self) -> str:
        return format_tax_code(self.tax_code)

    @property
    def is_enterprise(self) -> bool:
        """An enterprise under the Law on Enterprises (not a household, branch, cooperative …)."""
        return is_enterprise(self.enterprise_type)

    @property
    def parent_tax_code(self) -> str | None:
        """A branch's or representative office's enterprise's code, written as people do."""
        code = parent_tax_code(self.tax_code)
        return format_tax_code(code) if code and is_dependent_unit(self.enterprise_type) else None

    @property
    def is_public(self) -> bool:
        return self.status == FirmStatus.PUBLISHED

    def links(self, relation: LinkRelation) -> list["FirmCatalogueLink"]:
        return [link for link in self.catalogue_links if link.relation == relation]

    @property
    def offerings(self) -> list["FirmCatalogueLink"]:
        return self.links(LinkRelation.OFFERS)

    @property
    def needs(self) -> list["FirmCatalogueLink"]:
        return self.links(LinkRelation.NEEDS)

    @property
    def primary_industry_code(self) -> "IndustryCode | None":
        return next((fic.industry_code for fic in self.industry_codes if fic.is_primary), None)

    def __repr__(self) -> str:
        return f"<Firm {self.tax_code} {self.status}>"


@sa.event.listens_for(Firm, "before_insert")
@sa.event.listens_for(Firm, "before_update")
def _recompute_size(mapper, connection, firm: Firm) -> None:
    parent = None
    if is_dependent_unit(firm.enterprise_type):
        parent = connection.scalar(listed_parent_size(firm.tax_code))
    firm.size_class = classify(
        firm.enterprise_type,
        firm.sector_group,
        firm.insured_employees,
        firm.revenue_vnd,
        firm.capital_vnd,
        parent,
    )


@sa.event.listens_for(Firm, "after_insert")
@sa.event.listens_for(Firm, "after_update")
def _pass_size_to_dependent_units(mapper, connection, firm: Firm) -> None:
    """A listed enterprise's class is its branches' and representative offices' class (their
    search documents follow: see app.firms.documents)."""
    if firm.status != FirmStatus.PUBLISHED or firm.size_class is None or len(firm.tax_code) != 10:
        return
    attributes = sa.inspect(firm).attrs  # changed by this flush (a new firm's: all set)
    if not any(attributes[name].history.has_changes() for name in ("size_class", "status")):
        return
    table = Firm.__table__
    connection.execute(
        table.update()
        .where(
            dependent_units_of(firm.tax_code, table.c),
            table.c.size_class.is_distinct_from(firm.size_class),
        )
        # Derived data: neither the unit's version nor its "updated" time changes.
        .values(size_class=firm.size_class, updated_at=table.c.updated_at)
    )


def listed_parent_size(tax_code: str) -> sa.Select:
    """The size class of the listed (published) enterprise of the dependent unit `tax_code`."""
    return sa.select(Firm.size_class).where(
        Firm.tax_code == parent_tax_code(tax_code), Firm.status == FirmStatus.PUBLISHED
    )


def dependent_units_of(tax_code: str, columns=Firm) -> sa.ColumnElement[bool]:
    """SQL condition for the branches and representative offices of the enterprise `tax_code`."""
    # A range of the unique tax-code index: the codes are digits only.
    return sa.and_(
        columns.tax_code.between(tax_code + "000", tax_code + "999"),
        columns.enterprise_type.in_(sorted(DEPENDENT_UNITS)),
    )


class FirmMember(db.Model):
    __tablename__ = "firm_member"
    __table_args__ = (sa.UniqueConstraint("firm_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("firm.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[MemberRole] = mapped_column(enum_type(MemberRole, "member_role"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    firm: Mapped[Firm] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class FirmCatalogueLink(db.Model):
    """A catalogue item the firm offers (supplies) or needs, with a short note."""

    __tablename__ = "firm_catalogue_link"
    __table_args__ = (sa.UniqueConstraint("firm_id", "item_id", "relation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("firm.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("catalogue_item.id"), index=True)
    relation: Mapped[LinkRelation] = mapped_column(enum_type(LinkRelation, "link_relation"))
    note: Mapped[str | None] = mapped_column(sa.String(300))

    firm: Mapped[Firm] = relationship(back_populates="catalogue_links")
    item: Mapped[CatalogueItem] = relationship()


class IndustryCode(db.Model):
    """A VSIC code with the version of the system it belongs to (2018 or 2025).

    `version` names the system, so the integer that guards concurrent edits (see
    `VersionMixin`) is `row_version` here.
    """

    __tablename__ = "industry_code"
    __table_args__ = (sa.UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(8))
    version: Mapped[str] = mapped_column(sa.String(4))
    name_vi: Mapped[str] = mapped_column(sa.String(300))
    name_en: Mapped[str | None] = mapped_column(sa.String(300))
    row_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": row_version}


class FirmIndustryCode(db.Model):
    __tablename__ = "firm_industry_code"

    firm_id: Mapped[int] = mapped_column(
        sa.ForeignKey("firm.id", ondelete="CASCADE"), primary_key=True
    )
    industry_code_id: Mapped[int] = mapped_column(
        sa.ForeignKey("industry_code.id"), primary_key=True
    )
    is_primary: Mapped[bool] = mapped_column(default=False)

    firm: Mapped[Firm] = relationship(back_populates="industry_codes")
    industry_code: Mapped[IndustryCode] = relationship()


class FirmCertification(db.Model):
    __tablename__ = "firm_certification"

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("firm.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    issuer: Mapped[str | None] = mapped_column(sa.String(200))
    year: Mapped[int | None]

    firm: Mapped[Firm] = relationship(back_populates="certifications")


class ListingReminder(db.Model):
    """One reminder round sent for one period of a listing's yearly confirmation (unique, so
    `flask listings remind` is idempotent)."""

    __tablename__ = "listing_reminder"
    __table_args__ = (sa.UniqueConstraint("firm_id", "due_on", "round_days"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("firm.id", ondelete="CASCADE"), index=True)
    # The day the confirmation is due: a new confirmation starts a new period.
    due_on: Mapped[date]
    # The round: "N days or fewer before the day"; each round reminds a listing once a period.
    round_days: Mapped[int]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Decided:
    """A request decided once (a proposed change, a claim): its `state`, who decided, when, and
    the reason given. Models with those columns take `decide` from here."""

    def decide(
        self,
        state: ReviewState,
        actor: User | None = None,
        reason: str | None = None,
        at: datetime | None = None,
    ) -> None:
        self.state = state
        self.decided_by_id = actor.id if actor is not None else None
        self.decided_at = at or utcnow()
        if reason is not None:
            self.reason = reason


class FirmRevision(Decided, db.Model):
    """A proposed change to a published listing; the public sees the firm until it is approved."""

    __tablename__ = "firm_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("firm.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    data: Mapped[dict] = mapped_column(sa.JSON)
    base_version: Mapped[int]
    state: Mapped[ReviewState] = mapped_column(
        enum_type(ReviewState, "revision_state"), default=ReviewState.PENDING, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(sa.Text)

    firm: Mapped[Firm] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class FirmClaim(Decided, db.Model):
    """A user's request to manage a firm that is already listed under its tax code."""

    __tablename__ = "firm_claim"

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("firm.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    evidence: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[ReviewState] = mapped_column(
        enum_type(ReviewState, "claim_state"), default=ReviewState.PENDING, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(sa.Text)

    firm: Mapped[Firm] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class FirmInvitation(db.Model):
    """An owner's invitation for someone (by e-mail) to edit the firm's listing."""

    __tablename__ = "firm_invitation"
    __table_args__ = (sa.UniqueConstraint("firm_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("firm.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(sa.String(254))
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None]

    firm: Mapped[Firm] = relationship()
