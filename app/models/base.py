"""Shared column helpers for the models: UTC timestamps and string-backed enums."""

from datetime import UTC, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


def utcnow() -> datetime:
    """Naive UTC, stored the same way on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


def enum_type(enum: type[StrEnum], name: str) -> sa.Enum:
    """A VARCHAR with a CHECK constraint, portable across databases and easy to migrate."""
    return sa.Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class VersionMixin:
    """An editable aggregate: an integer version that goes up with every write of its row.

    SQLAlchemy's `version_id_col` makes each UPDATE say `WHERE version = <the version read>`,
    so a write based on an older version fails (a Conflict, see `app.transaction.claim`)
    instead of silently overwriting someone else's.
    """

    version: Mapped[int] = mapped_column(default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version}


class PublicationMixin:
    """Public once published, until archived; the owning agency drafts it before that."""

    published_at: Mapped[datetime | None]
    archived: Mapped[bool] = mapped_column(default=False)

    @property
    def is_public(self) -> bool:
        return self.published_at is not None and not self.archived

    @classmethod
    def public(cls) -> sa.ColumnElement[bool]:
        """SQL condition for records the public may see."""
        return sa.and_(cls.published_at.is_not(None), cls.archived.is_(False))
