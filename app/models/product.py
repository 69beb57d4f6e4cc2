"""A firm's products (Plan 68 II.3: the market for environmental goods), their photos, and the
eco-labels and certifications they hold, checked by curators against a curated list of labels.

A firm's own `FirmCertification` rows stay what they are: free-text, year-level statements about
the firm that nobody verifies. A product's certificate names a label from the curated list, has
a number, an issuing body and validity dates, and counts as "labelled" only once a curator of
Sở Công Thương verified it and while it has not expired.
"""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, VersionMixin, enum_type, utcnow
from app.models.catalogue import CatalogueItem
from app.models.firm import Firm, FirmStatus
from app.models.user import User


class LabelKind(StrEnum):
    PRODUCT_LABEL = "product_label"  # the product itself meets the criteria (Green Label)
    MANAGEMENT_SYSTEM = "management_system"  # the maker's system is certified (ISO 14001)
    RECOGNITION = "recognition"  # a programme that recognises the product (Vietnam Value)


class CertificateState(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


class CertificateStatus(StrEnum):
    """What the public is told: the curator's decision, unless the validity has run out."""

    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"
    EXPIRED = "expired"


class EcoLabel(VersionMixin, TimestampMixin, db.Model):
    """A label or certification products may hold: reference data that curators keep."""

    __tablename__ = "eco_label"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name_vi: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str | None] = mapped_column(sa.String(200))
    kind: Mapped[LabelKind] = mapped_column(enum_type(LabelKind, "label_kind"))
    issuer: Mapped[str | None] = mapped_column(sa.String(200))  # the usual issuing body
    basis: Mapped[str | None] = mapped_column(sa.String(200))  # the legal basis, if known
    url: Mapped[str | None] = mapped_column(sa.String(300))
    description_vi: Mapped[str | None] = mapped_column(sa.Text)
    description_en: Mapped[str | None] = mapped_column(sa.Text)
    # A retired label can no longer be chosen; certificates that name it keep it.
    active: Mapped[bool] = mapped_column(default=True)


class Product(VersionMixin, TimestampMixin, db.Model):
    """A product a firm offers; public while its firm is published."""

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("firm.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(100), unique=True)
    name_vi: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str | None] = mapped_column(sa.String(200))
    catalogue_item_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("catalogue_item.id"), index=True
    )
    description_vi: Mapped[str | None] = mapped_column(sa.Text)
    description_en: Mapped[str | None] = mapped_column(sa.Text)
    # [[name, value], …] in the order the business gave them.
    specifications: Mapped[list[list[str]]] = mapped_column(
        sa.JSON, default=list, server_default="[]"
    )
    is_sample: Mapped[bool] = mapped_column(default=False)
    # Products go public with their (already curated) firm at once; a curator who finds one
    # unfit withdraws it from the public, with a reason the firm reads.
    withdrawn_at: Mapped[datetime | None]
    withdrawn_reason: Mapped[str | None] = mapped_column(sa.Text)

    # Deleted with its firm by the ORM (not only by the foreign key), so that the search outbox
    # sees each product go.
    firm: Mapped[Firm] = relationship(
        backref=backref("products", cascade="all, delete-orphan", lazy="select")
    )
    catalogue_item: Mapped[CatalogueItem | None] = relationship()
    photos: Mapped[list["ProductPhoto"]] = relationship(
        back_populates="product",
        cascade="all, delete-orphan",
        order_by="[ProductPhoto.position, ProductPhoto.id]",
    )
    certificates: Mapped[list["ProductCertificate"]] = relationship(
        back_populates="product",
        cascade="all, delete-orphan",
        order_by="ProductCertificate.id",
    )

    @property
    def is_public(self) -> bool:
        return self.firm.status == FirmStatus.PUBLISHED and self.withdrawn_at is None

    @classmethod
    def public(cls) -> sa.ColumnElement[bool]:
        """SQL condition for products the public may see: those of published firms that no
        curator withdrew."""
        return sa.and_(
            cls.withdrawn_at.is_(None),
            cls.firm_id.in_(sa.select(Firm.id).where(Firm.status == FirmStatus.PUBLISHED)),
        )

    def verified_labels(self, today: date) -> list[EcoLabel]:
        """The labels of its verified certificates that have not expired, by label code."""
        labels = {c.label.code: c.label for c in self.certificates if c.counts_as_labelled(today)}
        return [labels[code] for code in sorted(labels)]


class ProductPhoto(db.Model):
    __tablename__ = "product_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        sa.ForeignKey("product.id", ondelete="CASCADE"), index=True
    )
    path: Mapped[str] = mapped_column(sa.String(200))
    alt_vi: Mapped[str] = mapped_column(sa.String(200))
    alt_en: Mapped[str | None] = mapped_column(sa.String(200))
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    product: Mapped[Product] = relationship(back_populates="photos")


class ProductCertificate(VersionMixin, TimestampMixin, db.Model):
    """A product's certificate for one label; any edit by the business sends it back to the
    curators (pending)."""

    __tablename__ = "product_certificate"
    __table_args__ = (
        sa.CheckConstraint(
            "valid_until IS NULL OR valid_from IS NULL OR valid_from <= valid_until",
            name="validity_order",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        sa.ForeignKey("product.id", ondelete="CASCADE"), index=True
    )
    label_id: Mapped[int] = mapped_column(sa.ForeignKey("eco_label.id"), index=True)
    number: Mapped[str] = mapped_column(sa.String(100))
    issuer: Mapped[str] = mapped_column(sa.String(200))
    valid_from: Mapped[date | None]
    valid_until: Mapped[date | None] = mapped_column(index=True)
    document_url: Mapped[str | None] = mapped_column(sa.String(300))
    state: Mapped[CertificateState] = mapped_column(
        enum_type(CertificateState, "certificate_state"),
        default=CertificateState.PENDING,
        index=True,
    )
    review_reason: Mapped[str | None] = mapped_column(sa.Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    reviewed_at: Mapped[datetime | None]
    # The expiry date a reminder was sent for: claimed before the mail leaves, so no reminder
    # goes twice; a renewed certificate (a new date) is reminded again.
    reminded_for: Mapped[date | None]
    # Set once the expiry is noticed (`flask listings remind`): the write re-indexes the
    # product, whose "labelled" facet depends on the date.
    expiry_noted: Mapped[bool] = mapped_column(default=False)

    product: Mapped[Product] = relationship(back_populates="certificates")
    label: Mapped[EcoLabel] = relationship()
    reviewed_by: Mapped[User | None] = relationship()

    def is_expired(self, today: date) -> bool:
        return self.valid_until is not None and self.valid_until < today

    def status_on(self, today: date) -> CertificateStatus:
        if self.state != CertificateState.REJECTED and self.is_expired(today):
            return CertificateStatus.EXPIRED
        return CertificateStatus(self.state.value)

    def counts_as_labelled(self, today: date) -> bool:
        return self.status_on(today) == CertificateStatus.VERIFIED
