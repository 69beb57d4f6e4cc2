"""Places a firm can locate in or grow through: economic zones, industrial parks and clusters,
and business incubators."""

from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

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


class ZoneKind(StrEnum):
    ECONOMIC_ZONE = "economic_zone"
    BORDER_ECONOMIC_ZONE = "border_economic_zone"
    INDUSTRIAL_PARK = "industrial_park"
    INDUSTRIAL_CLUSTER = "industrial_cluster"


class ZoneStatus(StrEnum):
    OPERATING = "operating"
    PLANNED = "planned"
    CALLING_FOR_INVESTMENT = "calling_for_investment"


zone_catalogue_item = sa.Table(
    "zone_catalogue_item",
    db.metadata,
    sa.Column("zone_id", sa.ForeignKey("zone.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("item_id", sa.ForeignKey("catalogue_item.id"), primary_key=True),
)

incubator_catalogue_item = sa.Table(
    "incubator_catalogue_item",
    db.metadata,
    sa.Column("incubator_id", sa.ForeignKey("incubator.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("item_id", sa.ForeignKey("catalogue_item.id"), primary_key=True),
)


class Zone(VersionMixin, PublicationMixin, ProvenanceMixin, TimestampMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(100), unique=True)
    name_vi: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str | None] = mapped_column(sa.String(200))
    kind: Mapped[ZoneKind] = mapped_column(enum_type(ZoneKind, "zone_kind"), index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("zone.id"))
    ward_code: Mapped[int | None]
    area_ha: Mapped[float | None]
    occupancy_pct: Mapped[float | None]
    status: Mapped[ZoneStatus] = mapped_column(enum_type(ZoneStatus, "zone_status"))
    wastewater_capacity_m3_day: Mapped[int | None]
    description_vi: Mapped[str | None] = mapped_column(sa.Text)
    description_en: Mapped[str | None] = mapped_column(sa.Text)
    incentives_vi: Mapped[str | None] = mapped_column(sa.Text)
    incentives_en: Mapped[str | None] = mapped_column(sa.Text)
    managing_agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    contact: Mapped[str | None] = mapped_column(sa.String(300))

    __table_args__ = (
        sa.CheckConstraint(
            "occupancy_pct IS NULL OR (occupancy_pct >= 0 AND occupancy_pct <= 100)",
            name="occupancy_pct_range",
        ),
    )

    parent: Mapped["Zone | None"] = relationship(remote_side="Zone.id", back_populates="children")
    children: Mapped[list["Zone"]] = relationship(back_populates="parent", order_by="Zone.name_vi")
    managing_agency: Mapped[Agency | None] = relationship(foreign_keys=[managing_agency_id])
    priority_items: Mapped[list[CatalogueItem]] = relationship(
        secondary=zone_catalogue_item, order_by=CatalogueItem.code
    )


class Incubator(VersionMixin, ProvenanceMixin, TimestampMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(100), unique=True)
    name_vi: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str | None] = mapped_column(sa.String(200))
    host_organisation: Mapped[str] = mapped_column(sa.String(200))
    ward_code: Mapped[int | None]
    services_vi: Mapped[str | None] = mapped_column(sa.Text)
    services_en: Mapped[str | None] = mapped_column(sa.Text)
    description_vi: Mapped[str | None] = mapped_column(sa.Text)
    description_en: Mapped[str | None] = mapped_column(sa.Text)
    max_startup_age_years: Mapped[int | None]
    capacity: Mapped[int | None]
    contact: Mapped[str | None] = mapped_column(sa.String(300))
    website: Mapped[str | None] = mapped_column(sa.String(200))

    focus_items: Mapped[list[CatalogueItem]] = relationship(
        secondary=incubator_catalogue_item, order_by=CatalogueItem.code
    )
