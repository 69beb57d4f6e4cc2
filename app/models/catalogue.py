"""The Decision 980/QĐ-TTg catalogue of environmental-industry technologies, equipment, products.

A tree: domain group → kind (technology / equipment / product) → item. Codes are ours and stable;
the official item number is kept apart and never invented.
"""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, VersionMixin, enum_type, utcnow


class CatalogueLevel(StrEnum):
    GROUP = "group"
    KIND = "kind"
    ITEM = "item"


class CatalogueKind(StrEnum):
    TECHNOLOGY = "technology"
    EQUIPMENT = "equipment"
    PRODUCT = "product"


class CatalogueItem(VersionMixin, TimestampMixin, db.Model):
    __tablename__ = "catalogue_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("catalogue_item.id"), index=True)
    level: Mapped[CatalogueLevel] = mapped_column(enum_type(CatalogueLevel, "catalogue_level"))
    kind: Mapped[CatalogueKind | None] = mapped_column(enum_type(CatalogueKind, "catalogue_kind"))
    name_vi: Mapped[str] = mapped_column(sa.String(300))
    name_en: Mapped[str | None] = mapped_column(sa.String(300))
    description_vi: Mapped[str | None] = mapped_column(sa.Text)
    description_en: Mapped[str | None] = mapped_column(sa.Text)
    source_document: Mapped[str | None] = mapped_column(sa.String(200))
    official_number: Mapped[str | None] = mapped_column(sa.String(40))
    verified: Mapped[bool] = mapped_column(default=False)
    sort_order: Mapped[int] = mapped_column(default=0)

    parent: Mapped["CatalogueItem | None"] = relationship(
        remote_side="CatalogueItem.id", back_populates="children"
    )
    children: Mapped[list["CatalogueItem"]] = relationship(
        back_populates="parent", order_by="CatalogueItem.sort_order, CatalogueItem.code"
    )

    def __repr__(self) -> str:
        return f"<CatalogueItem {self.code}>"


class CatalogueCodeAlias(db.Model):
    """A code an entry had before it was re-coded or merged into another: the old address of
    its page leads to the entry. An entry that takes the code later wins over the alias."""

    __tablename__ = "catalogue_code_alias"

    code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("catalogue_item.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
