"""The yearly data update of Plan 68/KH-UBND: reporting years, each firm's return for a year with
its workforce needs (the sector's workforce-needs database), and the log of reminders sent."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, VersionMixin, enum_type, utcnow
from app.models.firm import Firm
from app.models.user import User


class ReturnState(StrEnum):
    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    REOPENED = "reopened"


class WorkforceLevel(StrEnum):
    WORKER = "worker"
    TECHNICIAN = "technician"
    ENGINEER = "engineer"
    MANAGER = "manager"


class ReportingYear(VersionMixin, db.Model):
    """A year whose data firms are asked to update, open until its deadline (or until closed)."""

    __tablename__ = "reporting_year"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    deadline: Mapped[date]
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    closed: Mapped[bool] = mapped_column(default=False)
    closed_at: Mapped[datetime | None]
    # The yearly report (tables and scope counts) as computed when the year was closed.
    frozen_report: Mapped[dict | None] = mapped_column(sa.JSON)

    opened_by: Mapped[User | None] = relationship()


class YearlyReturn(VersionMixin, TimestampMixin, db.Model):
    """One firm's figures for one reporting year; amounts in VND."""

    __tablename__ = "yearly_return"
    __table_args__ = (
        sa.UniqueConstraint("reporting_year_id", "firm_id"),
        sa.CheckConstraint(
            "(revenue_vnd IS NULL OR revenue_vnd >= 0)"
            " AND (capital_vnd IS NULL OR capital_vnd >= 0)"
            " AND (insured_employees IS NULL OR insured_employees >= 0)"
            " AND (env_output_vnd IS NULL OR env_output_vnd >= 0)"
            " AND (exports_vnd IS NULL OR exports_vnd >= 0)"
            " AND (rnd_vnd IS NULL OR rnd_vnd >= 0)",
            name="non_negative_figures",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reporting_year_id: Mapped[int] = mapped_column(
        sa.ForeignKey("reporting_year.id", ondelete="CASCADE"), index=True
    )
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("firm.id", ondelete="CASCADE"), index=True)
    state: Mapped[ReturnState] = mapped_column(
        enum_type(ReturnState, "return_state"), default=ReturnState.NOT_STARTED, index=True
    )
    revenue_vnd: Mapped[int | None] = mapped_column(sa.BigInteger)
    insured_employees: Mapped[int | None]
    capital_vnd: Mapped[int | None] = mapped_column(sa.BigInteger)
    env_output_vnd: Mapped[int | None] = mapped_column(sa.BigInteger)
    exports_vnd: Mapped[int | None] = mapped_column(sa.BigInteger)
    rnd_vnd: Mapped[int | None] = mapped_column(sa.BigInteger)
    certifications: Mapped[str | None] = mapped_column(sa.Text)
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    reopen_reason: Mapped[str | None] = mapped_column(sa.Text)

    reporting_year: Mapped[ReportingYear] = relationship()
    firm: Mapped[Firm] = relationship()
    submitted_by: Mapped[User | None] = relationship()
    workforce_needs: Mapped[list["WorkforceNeed"]] = relationship(
        back_populates="yearly_return", cascade="all, delete-orphan", order_by="WorkforceNeed.id"
    )


class WorkforceNeed(db.Model):
    """People a firm needs to hire: an occupation or skill, a level, and how many."""

    __tablename__ = "workforce_need"
    __table_args__ = (sa.CheckConstraint("number_needed > 0", name="positive_number_needed"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    yearly_return_id: Mapped[int] = mapped_column(
        sa.ForeignKey("yearly_return.id", ondelete="CASCADE"), index=True
    )
    occupation: Mapped[str] = mapped_column(sa.String(200))
    level: Mapped[WorkforceLevel] = mapped_column(enum_type(WorkforceLevel, "workforce_level"))
    number_needed: Mapped[int]

    yearly_return: Mapped[YearlyReturn] = relationship(back_populates="workforce_needs")


class ReminderLog(db.Model):
    """A reminder round sent to one firm for one year (unique: `reports remind` is idempotent)."""

    __tablename__ = "reminder_log"
    __table_args__ = (sa.UniqueConstraint("reporting_year_id", "firm_id", "round_days"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reporting_year_id: Mapped[int] = mapped_column(
        sa.ForeignKey("reporting_year.id", ondelete="CASCADE"), index=True
    )
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("firm.id", ondelete="CASCADE"))
    # The round: "N days or fewer before the deadline"; each round reminds a firm once.
    round_days: Mapped[int]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
