"""The yearly data update (Plan 68/KH-UBND): SCT opens a reporting year, every published firm's
members are asked for the year's figures and workforce needs, curators follow the response rate
and re-open returns, and reminders go out before the deadline.

Each public function checks permissions, validates, changes the models, writes an audit event,
queues mail for after the commit and commits once.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app import audit
from app.authorization import authorize
from app.backoffice.statistics import firm_group_pairs
from app.catalogue.service import catalogue_tree
from app.domain import clock
from app.domain.occupations import occupation_name
from app.domain.places import ward_name
from app.domain.text import nfc
from app.errors import Conflict, NotFound, ValidationError
from app.extensions import db
from app.i18n import language_of, localized
from app.mail import render_message, send_after_commit
from app.models import (
    Firm,
    FirmMember,
    FirmStatus,
    ReminderLog,
    ReportingYear,
    ReturnState,
    User,
    WorkforceLevel,
    WorkforceNeed,
    YearlyReturn,
)
from app.models.base import by_name, utcnow
from app.parsing import MAX_AMOUNT_VND
from app.rules import Problems
from app.transaction import transactional, unit_of_work
from app.urls import public_url

REASON_MAX = 4000
OCCUPATION_MAX = 200
FIRST_YEAR = 2020
MONEY_FIELDS = ("revenue_vnd", "capital_vnd", "env_output_vnd", "exports_vnd", "rnd_vnd")
# The Decree 80 size inputs: required to submit, copied to the firm's listing on submitting,
# and offered from the listing on a return not yet started.
SIZE_FIGURES = ("revenue_vnd", "insured_employees", "capital_vnd")
MAX_PEOPLE = 1_000_000


def _can_answer():
    """SQL: the return's firm can answer (see Firm.reachable_members) or already has."""
    return sa.or_(
        YearlyReturn.state == ReturnState.SUBMITTED,
        sa.exists().where(
            FirmMember.firm_id == YearlyReturn.firm_id,
            User.id == FirmMember.user_id,
            User.active.is_(True),
            User.email_verified_at.is_not(None),
        ),
    )


def _return_link(firm: Firm, year: int) -> str:
    return public_url("backoffice.yearly_return", firm_id=firm.id, year=year)


def _mail_members(firm: Firm, template: str, **context) -> list[User]:
    """Mail the firm's answering members; returns who was mailed."""
    users = firm.reachable_members
    for user in users:
        message = render_message(
            user.email, template, language=user.preferred_language, user=user, firm=firm, **context
        )
        send_after_commit(message)
    return users


def get_reporting_year(year: int) -> ReportingYear:
    reporting_year = db.session.scalar(sa.select(ReportingYear).where(ReportingYear.year == year))
    if reporting_year is None:
        raise NotFound()
    return reporting_year


def open_years() -> list[ReportingYear]:
    """Reporting years waiting for returns (shown to businesses on their listing page)."""
    return list(
        db.session.scalars(
            sa.select(ReportingYear)
            .where(ReportingYear.closed.is_(False))
            .order_by(ReportingYear.year.desc())
        )
    )


# Curators: open and close a year, follow it, re-open a return ---------------------------------


def list_reporting_years(actor: User | None) -> list[ReportingYear]:
    authorize(actor, "reporting.run")
    return list(db.session.scalars(sa.select(ReportingYear).order_by(ReportingYear.year.desc())))


@transactional
def open_reporting_year(
    actor: User | None, year: int | None, deadline: date | None, today: date | None = None
) -> ReportingYear:
    """Open the year, create a not-started return for every published firm, e-mail members."""
    authorize(actor, "reporting.run")
    today = today or clock.today()
    problems = Problems()
    if year is None or not FIRST_YEAR <= year <= today.year:
        problems.add(
            "year",
            _("Choose a year between %(first)s and %(last)s.", first=FIRST_YEAR, last=today.year),
        )
    elif db.session.scalar(sa.select(ReportingYear.id).where(ReportingYear.year == year)):
        problems.add("year", _("This year is already open for reporting."))
    if deadline is None or deadline <= today:
        problems.add("deadline", _("Choose a deadline after today."))
    problems.refuse()
    reporting_year = ReportingYear(year=year, deadline=deadline, opened_by_id=actor.id)
    db.session.add(reporting_year)
    firms = db.session.scalars(
        sa.select(Firm)
        .where(Firm.status == FirmStatus.PUBLISHED)
        .options(selectinload(Firm.members).selectinload(FirmMember.user))
        .order_by(Firm.id)
    ).all()
    for firm in firms:
        db.session.add(YearlyReturn(reporting_year=reporting_year, firm_id=firm.id))
    db.session.flush()
    audit.record(
        actor,
        "reporting_year.opened",
        "reporting_year",
        reporting_year.id,
        after={"year": year, "deadline": deadline.isoformat(), "firms": len(firms)},
    )
    for firm in firms:
        _mail_members(
            firm,
            "backoffice_return_requested",
            year=year,
            deadline=deadline,
            link=_return_link(firm, year),
        )
    return reporting_year


@dataclass
class ResponseRow:
    """Firms asked, those of them that can answer (or did), and those that submitted."""

    label: str
    firms: int
    can_answer: int
    submitted: int
    lang: str = ""  # the label's language where it may differ from the page's ("vi": a ward)

    @property
    def cannot_answer(self) -> int:
        return self.firms - self.can_answer

    @property
    def rate(self) -> float:
        """Submitted returns per firm that can answer: the others were never really asked."""
        return 100.0 * self.submitted / self.can_answer if self.can_answer else 0.0


class Obstacle(StrEnum):
    """Why a firm cannot answer, and so what a curator can do about it."""

    NO_ACCOUNT = "no_account"
    UNCONFIRMED = "unconfirmed"
    DEACTIVATED = "deactivated"


@dataclass
class ToDo:
    yearly_return: YearlyReturn
    obstacle: Obstacle


@dataclass
class YearProgress:
    reporting_year: ReportingYear
    by_state: dict[ReturnState, int]
    total: ResponseRow
    by_group: list[ResponseRow]
    by_ward: list[ResponseRow]
    returns: list[YearlyReturn] = field(default_factory=list)
    to_do: list[ToDo] = field(default_factory=list)


def _counts():
    """Firms, firms that can answer, submitted returns: the columns of a ResponseRow."""
    return (
        sa.func.count(),
        sa.func.sum(sa.case((_can_answer(), 1), else_=0)),
        sa.func.sum(sa.case((YearlyReturn.state == ReturnState.SUBMITTED, 1), else_=0)),
    )


def _row(label: str, firms: int, can_answer, submitted, lang: str = "") -> ResponseRow:
    return ResponseRow(label, firms, int(can_answer or 0), int(submitted or 0), lang)


def response_total(reporting_year: ReportingYear) -> ResponseRow:
    counts = db.session.execute(
        sa.select(*_counts()).where(YearlyReturn.reporting_year_id == reporting_year.id)
    ).one()
    return _row(_("All firms"), *counts)


def response_by_group(reporting_year: ReportingYear) -> list[ResponseRow]:
    pairs = firm_group_pairs(sa.true())
    result = {
        group_id: counts
        for group_id, *counts in db.session.execute(
            sa.select(pairs.c.group_id, *_counts())
            .select_from(YearlyReturn)
            .join(pairs, pairs.c.firm_id == YearlyReturn.firm_id)
            .where(YearlyReturn.reporting_year_id == reporting_year.id)
            .group_by(pairs.c.group_id)
        )
    }
    tree = catalogue_tree()
    return [
        _row(
            localized(group, "name"),
            *result.get(group.id, (0, 0, 0)),
            lang=language_of(group, "name"),
        )
        for group in tree.groups
    ]


def response_by_ward(reporting_year: ReportingYear) -> list[ResponseRow]:
    result = db.session.execute(
        sa.select(Firm.ward_code, *_counts())
        .select_from(YearlyReturn)
        .join(Firm, Firm.id == YearlyReturn.firm_id)
        .where(YearlyReturn.reporting_year_id == reporting_year.id)
        .group_by(Firm.ward_code)
        .order_by(sa.func.count().desc(), Firm.ward_code)
    ).all()
    return [
        _row(ward_name(code), *counts, lang="vi")
        if ward_name(code)
        else _row(_("Not stated"), *counts)
        for code, *counts in result
    ]


def returns_by_state(reporting_year: ReportingYear) -> dict[ReturnState, int]:
    counts = dict(
        db.session.execute(
            sa.select(YearlyReturn.state, sa.func.count())
            .where(YearlyReturn.reporting_year_id == reporting_year.id)
            .group_by(YearlyReturn.state)
        ).all()
    )
    return {state: counts.get(state, 0) for state in ReturnState}


def _obstacle(firm: Firm) -> Obstacle:
    users = [member.user for member in firm.members]
    if any(user.active for user in users):
        return Obstacle.UNCONFIRMED
    return Obstacle.DEACTIVATED if users else Obstacle.NO_ACCOUNT


def year_progress(actor: User | None, year: int) -> YearProgress:
    """The year's response: rates over the firms that can answer, and a to-do list of the firms
    that cannot (no account, address not confirmed, accounts deactivated)."""
    authorize(actor, "reporting.run")
    reporting_year = get_reporting_year(year)
    returns = db.session.scalars(
        sa.select(YearlyReturn)
        .join(Firm, Firm.id == YearlyReturn.firm_id)
        .where(YearlyReturn.reporting_year_id == reporting_year.id)
        .options(
            selectinload(YearlyReturn.firm).selectinload(Firm.members).selectinload(FirmMember.user)
        )
        .order_by(by_name(Firm.legal_name), Firm.id)
    ).all()
    cannot_answer = set(
        db.session.scalars(
            sa.select(YearlyReturn.id).where(
                YearlyReturn.reporting_year_id == reporting_year.id, sa.not_(_can_answer())
            )
        )
    )
    return YearProgress(
        reporting_year,
        returns_by_state(reporting_year),
        response_total(reporting_year),
        response_by_group(reporting_year),
        response_by_ward(reporting_year),
        list(returns),
        [ToDo(item, _obstacle(item.firm)) for item in returns if item.id in cannot_answer],
    )


@transactional
def reopen_return(actor: User | None, return_id: int, reason: str | None) -> YearlyReturn:
    """Send a submitted return back to the firm, with a reason it reads in the e-mail."""
    authorize(actor, "reporting.run")
    yearly_return = db.session.get(YearlyReturn, return_id)
    if yearly_return is None:
        raise NotFound()
    text = nfc(reason or "").strip()
    if not text:
        raise ValidationError(_("Give a reason."), errors={"reason": [_("Give a reason.")]})
    if len(text) > REASON_MAX:
        message = _("Keep the reason under %(max)s characters.", max=REASON_MAX)
        raise ValidationError(message, errors={"reason": [message]})
    if yearly_return.state != ReturnState.SUBMITTED:
        raise Conflict(_("Only a submitted return can be re-opened."))
    if yearly_return.reporting_year.closed:
        raise Conflict(_("This reporting year is closed."))
    yearly_return.state = ReturnState.REOPENED
    yearly_return.reopen_reason = text
    audit.record(
        actor,
        "return.reopened",
        "yearly_return",
        yearly_return.id,
        before={"state": ReturnState.SUBMITTED.value},
        after={"state": ReturnState.REOPENED.value},
        reason=text,
    )
    year = yearly_return.reporting_year
    _mail_members(
        yearly_return.firm,
        "backoffice_return_reopened",
        year=year.year,
        deadline=year.deadline,
        reason=text,
        link=_return_link(yearly_return.firm, year.year),
    )
    return yearly_return


# Businesses: fill in and submit ----------------------------------------------------------------


def _member_firm(actor: User | None, firm_id: int) -> Firm:
    """The firm, only for its members: anybody else learns nothing (404, not 403)."""
    firm = db.session.get(Firm, firm_id)
    if firm is None:
        raise NotFound()
    authorize(actor, "return.fill", firm)
    return firm


def get_return(actor: User | None, firm_id: int, year: int) -> YearlyReturn:
    """The firm's return for the year; a not-yet-saved one if the firm joined after opening."""
    firm = _member_firm(actor, firm_id)
    reporting_year = get_reporting_year(year)
    yearly_return = db.session.scalar(
        sa.select(YearlyReturn)
        .where(YearlyReturn.firm_id == firm.id, YearlyReturn.reporting_year_id == reporting_year.id)
        .options(selectinload(YearlyReturn.workforce_needs))
    )
    if yearly_return is None:
        if firm.status != FirmStatus.PUBLISHED:
            raise NotFound()
        # Not added to the session: it is saved only when the firm saves or submits it.
        yearly_return = YearlyReturn(
            firm=firm, reporting_year=reporting_year, state=ReturnState.NOT_STARTED
        )
    return yearly_return


def returns_due(user: User) -> list[tuple[int, int]]:
    """(firm id, year) of each return the user's published firms have not submitted for an
    open reporting year, newest year first (one query: the menu counts them)."""
    submitted = sa.exists().where(
        YearlyReturn.firm_id == Firm.id,
        YearlyReturn.reporting_year_id == ReportingYear.id,
        YearlyReturn.state == ReturnState.SUBMITTED,
    )
    rows = db.session.execute(
        sa.select(Firm.id, ReportingYear.year)
        .select_from(FirmMember)
        .join(Firm, Firm.id == FirmMember.firm_id)
        .join(ReportingYear, ReportingYear.closed.is_(False))
        .where(FirmMember.user_id == user.id, Firm.status == FirmStatus.PUBLISHED, ~submitted)
        .order_by(ReportingYear.year.desc(), Firm.id)
    )
    return [(firm_id, year) for firm_id, year in rows]


def figures_from_listing(yearly_return: YearlyReturn) -> dict[str, int]:
    """The firm's current size figures, to start a return not yet started from (the member
    checks them: they may be older than the reporting year)."""
    if yearly_return.state != ReturnState.NOT_STARTED:
        return {}
    firm = yearly_return.firm
    return {name: getattr(firm, name) for name in SIZE_FIGURES if getattr(firm, name) is not None}


def can_edit_return(yearly_return: YearlyReturn) -> bool:
    return yearly_return.state != ReturnState.SUBMITTED and not yearly_return.reporting_year.closed


def _clean_needs(rows: list[dict], problems: Problems) -> list[WorkforceNeed]:
    needs = []
    for index, row in enumerate(rows):
        occupation = occupation_name(row.get("occupation") or "")
        number, level = row.get("number_needed"), row.get("level")
        if not occupation and not number:
            continue
        found = []
        if not occupation or len(occupation) > OCCUPATION_MAX:
            found.append(_("Name the occupation or skill (up to 200 characters)."))
        if level not in {lv.value for lv in WorkforceLevel}:
            found.append(_("Choose a level."))
        if not isinstance(number, int) or not 0 < number <= MAX_PEOPLE:
            found.append(_("Give the number of people needed (at least 1)."))
        for message in found:
            problems.add(f"workforce_needs-{index}-occupation", message)
        if found:
            continue
        needs.append(WorkforceNeed(occupation=occupation, level=level, number_needed=number))
    return needs


@transactional
def save_return(
    actor: User | None, firm_id: int, year: int, data: dict, submit: bool
) -> YearlyReturn:
    """Save the figures (draft), or submit them: submitting the firm's newest year updates its
    size inputs, and so its size class, to this year's figures (an older year's return does
    not turn the listing back)."""
    yearly_return = get_return(actor, firm_id, year)
    if yearly_return.reporting_year.closed:
        raise Conflict(_("This reporting year is closed."))
    if yearly_return.state == ReturnState.SUBMITTED:
        raise Conflict(_("This return was already submitted. Ask Sở Công Thương to re-open it."))
    problems = Problems()
    values = {}
    for name in (*MONEY_FIELDS, "insured_employees"):
        value = data.get(name)
        limit = MAX_PEOPLE if name == "insured_employees" else MAX_AMOUNT_VND
        if value is not None and not 0 <= value <= limit:
            problems.add(name, _("Enter a number between 0 and %(max)s.", max=limit))
        values[name] = value
    certifications = nfc(data.get("certifications") or "").strip()
    if len(certifications) > REASON_MAX:
        problems.add("certifications", _("Keep this under %(max)s characters.", max=REASON_MAX))
    needs = _clean_needs(data.get("workforce", []), problems)
    if submit:
        for name in SIZE_FIGURES:
            if values.get(name) is None:
                problems.add(name, _("Required to submit the return."))
    problems.refuse()

    if yearly_return not in db.session:
        db.session.add(yearly_return)
    before = {"state": str(yearly_return.state)}
    for name, value in values.items():
        setattr(yearly_return, name, value)
    yearly_return.certifications = certifications or None
    yearly_return.workforce_needs = needs
    firm = yearly_return.firm
    if submit:
        yearly_return.state = ReturnState.SUBMITTED
        yearly_return.submitted_at = utcnow()
        yearly_return.submitted_by_id = actor.id
    if submit and _is_latest(firm, year):
        size_before = _size_inputs(firm)
        firm.revenue_vnd = values["revenue_vnd"]
        firm.insured_employees = values["insured_employees"]
        firm.capital_vnd = values["capital_vnd"]
        firm.size_year = year
        db.session.flush()  # recomputes the size class
        old, new = audit.changed_fields(size_before, _size_inputs(firm))
        audit.record(actor, "firm.size_updated_from_return", "firm", firm.id, old, new)
    elif not submit and yearly_return.state == ReturnState.NOT_STARTED:
        yearly_return.state = ReturnState.DRAFT
    db.session.flush()
    audit.record(
        actor,
        "return.submitted" if submit else "return.saved",
        "yearly_return",
        yearly_return.id,
        before=before,
        after={"state": str(yearly_return.state), "year": year},
    )
    return yearly_return


def _is_latest(firm: Firm, year: int) -> bool:
    """Whether `year`'s figures are the firm's newest: a return for an earlier year than the
    figures on its listing is kept with its year and leaves the listing as it is."""
    return firm.size_year is None or year >= firm.size_year


def _size_inputs(firm: Firm) -> dict:
    return {
        "revenue_vnd": firm.revenue_vnd,
        "insured_employees": firm.insured_employees,
        "capital_vnd": firm.capital_vnd,
        "size_year": firm.size_year,
        "size_class": str(firm.size_class) if firm.size_class else None,
    }


# Reminders (cron) ------------------------------------------------------------------------------


@dataclass
class ReminderReport:
    """What a reminder run did: firms reminded (at least one member mailed), messages sent,
    distinct people mailed, and firms nobody could be mailed for (not logged as reminded, so
    a later run reminds them once a member can answer)."""

    firms: int = 0
    messages: int = 0
    recipients: set[int] = field(default_factory=set)
    unreachable: list[Firm] = field(default_factory=list)
    years: list[int] = field(default_factory=list)


def send_reminders(
    days: int = 14, today: date | None = None, year: int | None = None
) -> ReminderReport:
    """Remind the members of firms that have not submitted, for open years (or `year`) whose
    deadline is within `days`. One reminder per firm, year and round (`days`): the log rows are
    written in the same transaction as the mail is queued, so a second run (or a concurrent one,
    which fails on the unique key) sends nothing twice."""
    today = today or clock.today()
    report = ReminderReport()
    chosen = ReportingYear.year == year if year is not None else sa.true()
    try:
        with unit_of_work():
            years = db.session.scalars(
                sa.select(ReportingYear).where(
                    ReportingYear.closed.is_(False),
                    ReportingYear.deadline >= today,
                    ReportingYear.deadline <= today + timedelta(days=days),
                    chosen,
                )
            ).all()
            for reporting_year in years:
                already = sa.select(ReminderLog.firm_id).where(
                    ReminderLog.reporting_year_id == reporting_year.id,
                    ReminderLog.round_days == days,
                )
                submitted = sa.select(YearlyReturn.firm_id).where(
                    YearlyReturn.reporting_year_id == reporting_year.id,
                    YearlyReturn.state == ReturnState.SUBMITTED,
                )
                firms = db.session.scalars(
                    sa.select(Firm)
                    .where(
                        Firm.status == FirmStatus.PUBLISHED,
                        Firm.id.not_in(submitted),
                        Firm.id.not_in(already),
                    )
                    .options(selectinload(Firm.members).selectinload(FirmMember.user))
                    .order_by(Firm.id)
                ).all()
                report.years.append(reporting_year.year)
                for firm in firms:
                    mailed = _mail_members(
                        firm,
                        "backoffice_return_reminder",
                        year=reporting_year.year,
                        deadline=reporting_year.deadline,
                        days_left=(reporting_year.deadline - today).days,
                        link=_return_link(firm, reporting_year.year),
                    )
                    if not mailed:
                        report.unreachable.append(firm)
                        continue
                    db.session.add(
                        ReminderLog(
                            reporting_year_id=reporting_year.id, firm_id=firm.id, round_days=days
                        )
                    )
                    report.firms += 1
                    report.messages += len(mailed)
                    report.recipients.update(user.id for user in mailed)
    except ValidationError:
        # Another run logged the same round first: it sends those reminders, this one none.
        return ReminderReport(years=report.years)
    return report


def remind_now(actor: User | None, year: int, today: date | None = None) -> ReminderReport:
    """A curator's "send reminders now" on the year's page: the run `flask reports remind`
    makes, for this year, in the round of the days left before its deadline, so pressing it
    twice on a day (or cron's run of that round) reminds nobody twice."""
    authorize(actor, "reporting.run")
    today = today or clock.today()
    reporting_year = get_reporting_year(year)
    days_left = (reporting_year.deadline - today).days
    if reporting_year.closed or days_left < 0:
        return ReminderReport()
    return send_reminders(days=days_left, today=today, year=year)
