"""A firm's expression of interest in a programme, zone/cluster or incubator, and its outcome."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, VersionMixin, enum_type
from app.models.firm import Firm
from app.models.user import User


class InterestTarget(StrEnum):
    PROGRAMME = "programme"
    ZONE = "zone"
    INCUBATOR = "incubator"


class InterestStatus(StrEnum):
    NEW = "new"
    CONTACTED = "contacted"
    SUPPORTED = "supported"
    NOT_SUPPORTED = "not_supported"


class Interest(VersionMixin, TimestampMixin, db.Model):
    __tablename__ = "interest"
    __table_args__ = (
        sa.UniqueConstraint("firm_id", "target_kind", "target_id"),
        sa.Index("ix_interest_target", "target_kind", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("firm.id", ondelete="CASCADE"), index=True)
    target_kind: Mapped[InterestTarget] = mapped_column(
        enum_type(InterestTarget, "interest_target")
    )
    target_id: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    message: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[InterestStatus] = mapped_column(
        enum_type(InterestStatus, "interest_status"), default=InterestStatus.NEW
    )
    status_changed_at: Mapped[datetime | None]

    firm: Mapped[Firm] = relationship()
    author: Mapped[User | None] = relationship()
