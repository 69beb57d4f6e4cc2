"""Shared column helpers for the models: UTC timestamps, string-backed enums, versions,
publication and the provenance of a record's figures."""

import sqlite3
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from app.domain.text import VIETNAMESE_COLLATION, vietnamese_sort_key

if TYPE_CHECKING:
    from app.models.agency import Agency


def utcnow() -> datetime:
    """Naive UTC, stored the same way on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


def by_name(column) -> sa.ColumnElement:
    """`column` in Vietnamese alphabetical order, the same on SQLite and PostgreSQL (whatever
    the server's own locale): PostgreSQL's ICU collation, and on SQLite a collation of the same
    name that sorts with the same key."""
    return column.collate(VIETNAMESE_COLLATION)


@sa.event.listens_for(sa.engine.Engine, "connect")
def _vietnamese_collation_on_sqlite(dbapi_connection, connection_record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_collation(VIETNAMESE_COLLATION, _compare_vietnamese)


def _compare_vietnamese(left: str, right: str) -> int:
    left_key, right_key = vietnamese_sort_key(left), vietnamese_sort_key(right)
    return (left_key > right_key) - (left_key < right_key)


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


class Provenance(StrEnum):
    SAMPLE = "sample"  # demo data: not real figures
    PUBLIC_SOURCE = "public_source"  # taken from a public document (source_*)
    VERIFIED = "verified"  # confirmed by an agency on a date (verified_by_agency, verified_on)


class ProvenanceMixin:
    """Where a record's figures (amounts, rates, dates, areas, capacities) come from. The source
    document, its date and link are typed by curators; the verifying agency and the day are set
    only by the "mark verified" action, from the acting curator."""

    provenance: Mapped[Provenance] = mapped_column(
        enum_type(Provenance, "provenance"), default=Provenance.SAMPLE
    )
    source_document: Mapped[str | None] = mapped_column(sa.String(200))
    source_date: Mapped[date | None]
    source_url: Mapped[str | None] = mapped_column(sa.String(300))
    verified_on: Mapped[date | None]

    @declared_attr
    def verified_by_agency_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("agency.id"))

    @declared_attr
    def verified_by_agency(cls) -> Mapped["Agency | None"]:
        return relationship("Agency", foreign_keys=f"{cls.__name__}.verified_by_agency_id")
