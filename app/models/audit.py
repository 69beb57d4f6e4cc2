"""The audit trail of every change, the search outbox that keeps the index true, and the data
generation that tells caches of directory data when they are stale."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import enum_type, utcnow
from app.models.user import User


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_entity", "entity_kind", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(sa.String(60))
    entity_kind: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[int]
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    ip: Mapped[str | None] = mapped_column(sa.String(45))

    actor: Mapped[User | None] = relationship()


class OutboxOperation(StrEnum):
    UPSERT = "upsert"
    DELETE = "delete"


class SearchOutbox(db.Model):
    """One row per change to a searchable record, written in the same transaction."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_kind: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[int]
    operation: Mapped[OutboxOperation] = mapped_column(
        enum_type(OutboxOperation, "outbox_operation")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DataGeneration(db.Model):
    """One row counting the committed changes to directory data (see `app.generation`)."""

    __tablename__ = "data_generation"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(sa.BigInteger, default=0)


# The row exists from the start, so bumping it is always a plain UPDATE (the migration inserts
# it too).
sa.event.listen(
    DataGeneration.__table__,
    "after_create",
    sa.DDL("INSERT INTO data_generation (id, value) VALUES (1, 0)"),
)
