"""Support programmes run by agencies, with structured eligibility used by matching."""

from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain import clock
from app.extensions import db
from app.models.agency import Agency
from app.models.base import (
    ProvenanceMixin,
    PublicationMixin,
    TimestampMixin,
    VersionMixin,
    enum_type,
)
from app.models.catalogue import CatalogueItem


class SupportType(StrEnum):
    GRANT = "grant"
    PREFERENTIAL_LOAN = "preferential_loan"
    INTEREST_SUBSIDY = "interest_subsidy"
    TAX_INCENTIVE = "tax_incentive"
    LAND = "land"
    CONSULTING = "consulting"
    TRAINING = "training"
    TECHNOLOGY_TRANSFER = "technology_transfer"
    TRADE_PROMOTION = "trade_promotion"
    CERTIFICATION = "certification"


class GeographicScope(StrEnum):
    NATIONAL = "national"  # open to firms anywhere in Vietnam
    PROVINCE = "province"
    WARDS = "wards"
    ZONES = "zones"


class Criterion(StrEnum):
    """An eligibility criterion a programme's curator marks as required or preferred."""

    SCOPE = "scope"  # national / province / listed wards / listed zones
    ENTERPRISE_TYPES = "enterprise_types"
    SIZES = "sizes"
    DOMAINS = "domains"  # target catalogue groups and items
    AGE = "age"


class ProgrammeStatus(StrEnum):
    FORECAST = "forecast"
    OPEN = "open"
    CLOSED = "closed"
    ARCHIVED = "archived"


programme_catalogue_item = sa.Table(
    "programme_catalogue_item",
    db.metadata,
    sa.Column("programme_id", sa.ForeignKey("programme.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("item_id", sa.ForeignKey("catalogue_item.id"), primary_key=True),
)

programme_zone = sa.Table(
    "programme_zone",
    db.metadata,
    sa.Column("programme_id", sa.ForeignKey("programme.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("zone_id", sa.ForeignKey("zone.id", ondelete="CASCADE"), primary_key=True),
)


class Programme(VersionMixin, PublicationMixin, ProvenanceMixin, TimestampMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(100), unique=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    title_vi: Mapped[str] = mapped_column(sa.String(300))
    title_en: Mapped[str | None] = mapped_column(sa.String(300))
    basis_document: Mapped[str | None] = mapped_column(sa.String(200))
    basis_date: Mapped[date | None]
    summary_vi: Mapped[str | None] = mapped_column(sa.Text)
    summary_en: Mapped[str | None] = mapped_column(sa.Text)
    description_vi: Mapped[str | None] = mapped_column(sa.Text)
    description_en: Mapped[str | None] = mapped_column(sa.Text)
    support_types: Mapped[list[str]] = mapped_column(sa.JSON, default=list)

    # Eligibility; an empty list means "no restriction". Every criterion is required unless
    # listed in `preferred_criteria`, which only move a firm's score.
    eligible_enterprise_types: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    eligible_size_classes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    geographic_scope: Mapped[GeographicScope] = mapped_column(
        enum_type(GeographicScope, "geographic_scope"), default=GeographicScope.PROVINCE
    )
    eligible_ward_codes: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    min_firm_age_years: Mapped[int | None]
    max_firm_age_years: Mapped[int | None]
    preferred_criteria: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    other_conditions_vi: Mapped[str | None] = mapped_column(sa.Text)
    other_conditions_en: Mapped[str | None] = mapped_column(sa.Text)

    max_amount_vnd: Mapped[int | None] = mapped_column(sa.BigInteger)
    # The share of the eligible cost the programme pays (its support rate, "tỷ lệ hỗ trợ"), up
    # to max_amount_vnd; the firm pays the rest (its counterpart funds, "vốn đối ứng").
    cofinancing_pct: Mapped[int | None]
    opens_on: Mapped[date | None]
    closes_on: Mapped[date | None]
    rolling: Mapped[bool] = mapped_column(default=False)
    contact: Mapped[str | None] = mapped_column(sa.String(300))
    official_url: Mapped[str | None] = mapped_column(sa.String(300))

    __table_args__ = (
        sa.CheckConstraint(
            "cofinancing_pct IS NULL OR (cofinancing_pct >= 0 AND cofinancing_pct <= 100)",
            name="cofinancing_pct_range",
        ),
        sa.CheckConstraint(
            "opens_on IS NULL OR closes_on IS NULL OR opens_on <= closes_on",
            name="date_order",
        ),
    )

    agency: Mapped[Agency] = relationship(foreign_keys=[agency_id])
    target_items: Mapped[list[CatalogueItem]] = relationship(
        secondary=programme_catalogue_item, order_by=CatalogueItem.code
    )
    zones: Mapped[list["Zone"]] = relationship(secondary=programme_zone)  # noqa: F821

    def status_on(self, today: date) -> ProgrammeStatus:
        if self.archived:
            return ProgrammeStatus.ARCHIVED
        if self.opens_on and self.opens_on > today:
            return ProgrammeStatus.FORECAST
        if not self.rolling and self.closes_on and self.closes_on < today:
            return ProgrammeStatus.CLOSED
        return ProgrammeStatus.OPEN

    @property
    def status(self) -> ProgrammeStatus:
        return self.status_on(clock.today())
