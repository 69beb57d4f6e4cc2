"""The figures of the statistics pages, each one SQL aggregate query over published records.

A figure is a titled list of (label, value) rows: the same rows feed the SVG chart, the HTML
table, the CSV download and the yearly report. Public figures describe published data only;
curator figures (interest, workforce needs) need `can_review_firms`; an agency's curators see
figures of their own agency's programmes and of the interest in what they follow up.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from app.authorization import authorize, can
from app.backoffice.charts import Bar
from app.curation.agency_data import list_programmes
from app.domain import clock
from app.domain.firm_size import SizeClass
from app.domain.occupations import occupation_key, usual_spellings
from app.domain.places import ward_name
from app.errors import NotFound
from app.events.service import KIND_LABELS
from app.extensions import db
from app.i18n import language_of, localized
from app.labels import label
from app.marketplace.responses import funnel as market_funnel
from app.matching.interests import interests_for
from app.models import (
    CatalogueItem,
    CatalogueLevel,
    Event,
    EventKind,
    EventRegistration,
    Firm,
    FirmCatalogueLink,
    FirmStatus,
    Interest,
    InterestStatus,
    IntroductionRequest,
    IntroductionState,
    LinkRelation,
    Programme,
    ProgrammeStatus,
    RegistrationStatus,
    ReportingYear,
    ReturnState,
    SupportType,
    WorkforceLevel,
    WorkforceNeed,
    YearlyReturn,
    Zone,
)
from app.models.base import by_name

PUBLISHED = Firm.status == FirmStatus.PUBLISHED


@dataclass
class Figure:
    key: str
    title: str
    label_heading: str
    rows: list[Bar] = field(default_factory=list)
    note: str = ""

    @property
    def total(self) -> int | float:
        return sum(bar.value for bar in self.rows)


def group_of_item() -> sa.CTE:
    """(item_id, group_id) for every catalogue node: a recursive walk down from each group."""
    roots = sa.select(CatalogueItem.id.label("item_id"), CatalogueItem.id.label("group_id")).where(
        CatalogueItem.parent_id.is_(None)
    )
    tree = roots.cte("catalogue_group_of", recursive=True)
    child = aliased(CatalogueItem)
    return tree.union_all(
        sa.select(child.id, tree.c.group_id).join(tree, child.parent_id == tree.c.item_id)
    )


def _groups() -> list[CatalogueItem]:
    return list(
        db.session.scalars(
            sa.select(CatalogueItem)
            .where(CatalogueItem.parent_id.is_(None), CatalogueItem.level == CatalogueLevel.GROUP)
            .order_by(CatalogueItem.sort_order, CatalogueItem.code)
        )
    )


def firm_group_pairs(firm_condition: sa.ColumnElement[bool]) -> sa.Subquery:
    """Distinct (firm_id, group_id): the catalogue groups each matching firm supplies."""
    groups = group_of_item()
    return (
        sa.select(FirmCatalogueLink.firm_id, groups.c.group_id)
        .join(groups, groups.c.item_id == FirmCatalogueLink.item_id)
        .join(Firm, Firm.id == FirmCatalogueLink.firm_id)
        .where(FirmCatalogueLink.relation == LinkRelation.OFFERS, firm_condition)
        .distinct()
        .subquery()
    )


def firms_by_group() -> Figure:
    pairs = firm_group_pairs(PUBLISHED)
    counts = dict(
        db.session.execute(
            sa.select(pairs.c.group_id, sa.func.count()).group_by(pairs.c.group_id)
        ).all()
    )
    rows = [
        Bar(localized(group, "name"), counts.get(group.id, 0), language_of(group, "name"))
        for group in _groups()
    ]
    without = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Firm)
        .where(PUBLISHED, Firm.id.not_in(sa.select(pairs.c.firm_id)))
    )
    if without:
        rows.append(Bar(_("No catalogue item listed"), without))
    return Figure(
        "firms-by-group",
        _("Published firms by catalogue group"),
        _("Catalogue group"),
        rows,
        note=_("A firm that supplies items of several groups is counted in each of them."),
    )


def firms_by_ward() -> Figure:
    result = db.session.execute(
        sa.select(Firm.ward_code, sa.func.count())
        .where(PUBLISHED)
        .group_by(Firm.ward_code)
        .order_by(sa.func.count().desc(), Firm.ward_code)
    ).all()
    rows = [
        Bar(ward_name(code), count, "vi") if ward_name(code) else Bar(_("Not stated"), count)
        for code, count in result
    ]
    return Figure("firms-by-ward", _("Published firms by ward or commune"), _("Ward"), rows)


def firms_by_zone() -> Figure:
    result = db.session.execute(
        sa.select(Zone, sa.func.count(Firm.id))
        .select_from(Firm)
        .outerjoin(Zone, Firm.zone_id == Zone.id)
        .where(PUBLISHED)
        .group_by(Zone.id)
        .order_by(sa.func.count(Firm.id).desc(), by_name(Zone.name_vi))
    ).all()
    rows = [
        Bar(localized(zone, "name"), count, language_of(zone, "name"))
        if zone
        else Bar(_("Outside zones and clusters"), count)
        for zone, count in result
    ]
    return Figure(
        "firms-by-zone", _("Published firms by zone or cluster"), _("Zone or cluster"), rows
    )


def firms_by_size() -> Figure:
    counts = dict(
        db.session.execute(
            sa.select(Firm.size_class, sa.func.count()).where(PUBLISHED).group_by(Firm.size_class)
        ).all()
    )
    rows = [Bar(label(size), counts.get(size, 0)) for size in SizeClass]
    if counts.get(None):
        rows.append(Bar(_("Not known"), counts[None]))
    return Figure("firms-by-size", _("Published firms by size class"), _("Size class"), rows)


def firms_verified() -> Figure:
    verified, total = db.session.execute(
        sa.select(
            sa.func.count(Firm.verified_at),
            sa.func.count(),
        ).where(PUBLISHED)
    ).one()
    rows = [Bar(_("Verified by a curator"), verified), Bar(_("Not verified"), total - verified)]
    return Figure("firms-verified", _("Verified and unverified firms"), _("Verification"), rows)


def firms_by_year() -> Figure:
    year = sa.extract("year", Firm.published_at)
    result = db.session.execute(
        sa.select(year, sa.func.count())
        .where(PUBLISHED, Firm.published_at.is_not(None))
        .group_by(year)
        .order_by(year)
    ).all()
    rows = [Bar(str(int(y)), count) for y, count in result]
    return Figure("firms-by-year", _("Firms published each year"), _("Year"), rows)


def _programmes_public(on: date | None) -> sa.ColumnElement[bool]:
    """Public programmes; with `on`, only those published by the end of that day."""
    if on is None:
        return Programme.public()
    return sa.and_(Programme.public(), Programme.published_at < on + timedelta(days=1))


def programmes_by_support_type(on: date | None = None) -> Figure:
    # support_types is a JSON list; matching the quoted value in its text is portable SQL.
    as_text = sa.cast(Programme.support_types, sa.Text)
    columns = [
        sa.func.sum(sa.case((as_text.like(f'%"{kind.value}"%'), 1), else_=0)).label(kind.value)
        for kind in SupportType
    ]
    counts = db.session.execute(sa.select(*columns).where(_programmes_public(on))).one()
    rows = [
        Bar(label(kind), int(count or 0)) for kind, count in zip(SupportType, counts, strict=True)
    ]
    return Figure(
        "programmes-by-support",
        _("Published programmes by kind of support"),
        _("Kind of support"),
        rows,
        note=_("A programme that offers several kinds of support is counted in each of them."),
    )


def programme_status_sql(today: date) -> sa.ColumnElement[str]:
    """Programme.status_on(today), as SQL."""
    return sa.case(
        (Programme.archived.is_(True), ProgrammeStatus.ARCHIVED.value),
        (
            sa.and_(Programme.opens_on.is_not(None), Programme.opens_on > today),
            ProgrammeStatus.FORECAST.value,
        ),
        (
            sa.and_(
                Programme.rolling.is_(False),
                Programme.closes_on.is_not(None),
                Programme.closes_on < today,
            ),
            ProgrammeStatus.CLOSED.value,
        ),
        else_=ProgrammeStatus.OPEN.value,
    )


def programmes_by_status(today: date | None = None) -> Figure:
    """Programmes published by `today` (default: all) by their status on that day."""
    status = programme_status_sql(today or clock.today())
    counts = dict(
        db.session.execute(
            sa.select(status, sa.func.count()).where(_programmes_public(today)).group_by(status)
        ).all()
    )
    shown = (ProgrammeStatus.OPEN, ProgrammeStatus.FORECAST, ProgrammeStatus.CLOSED)
    rows = [Bar(label(s), counts.get(s.value, 0)) for s in shown]
    return Figure("programmes-by-status", _("Published programmes by status"), _("Status"), rows)


def interests_by_status(year: int | None = None) -> Figure:
    """Interest registrations (with `year`: those registered in that year) by status."""
    registered = sa.extract("year", Interest.created_at) == year if year is not None else sa.true()
    counts = dict(
        db.session.execute(
            sa.select(Interest.status, sa.func.count()).where(registered).group_by(Interest.status)
        ).all()
    )
    rows = [Bar(label(s), counts.get(s, 0)) for s in InterestStatus]
    return Figure(
        "interests-by-status",
        _("Interest registrations by follow-up status"),
        _("Status"),
        rows,
    )


INTRODUCTION_LABELS = {
    IntroductionState.PENDING: _l("Waiting for the firm"),
    IntroductionState.ACCEPTED: _l("Accepted"),
    IntroductionState.DECLINED: _l("Declined"),
}


def introductions_by_state() -> Figure:
    counts = dict(
        db.session.execute(
            sa.select(IntroductionRequest.state, sa.func.count()).group_by(
                IntroductionRequest.state
            )
        ).all()
    )
    rows = [Bar(str(text), counts.get(state, 0)) for state, text in INTRODUCTION_LABELS.items()]
    return Figure(
        "introductions-by-state",
        _("Investors' introduction requests by answer"),
        _("Answer"),
        rows,
    )


def latest_reporting_year() -> int | None:
    return db.session.scalar(sa.select(sa.func.max(ReportingYear.year)))


def _submitted_needs(year: int | None) -> sa.Select:
    return (
        sa.select()
        .select_from(WorkforceNeed)
        .join(YearlyReturn, WorkforceNeed.yearly_return_id == YearlyReturn.id)
        .join(ReportingYear, YearlyReturn.reporting_year_id == ReportingYear.id)
        .where(ReportingYear.year == year, YearlyReturn.state == ReturnState.SUBMITTED)
    )


def workforce_by_skill(year: int | None = None) -> Figure:
    year = year or latest_reporting_year()
    result = db.session.execute(
        _submitted_needs(year)
        .add_columns(
            WorkforceNeed.occupation, sa.func.count(), sa.func.sum(WorkforceNeed.number_needed)
        )
        .group_by(WorkforceNeed.occupation)
    ).all()
    usual = usual_spellings((occupation, times) for occupation, times, _people in result)
    people: Counter[str] = Counter()
    for occupation, _times, number in result:
        people[usual[occupation_key(occupation)]] += int(number)
    rows = sorted(people.items(), key=lambda pair: (-pair[1], pair[0]))
    return Figure(
        "workforce-by-skill",
        _("Workforce needs by occupation or skill (%(year)s)", year=year or "—"),
        _("Occupation or skill"),
        [Bar(occupation, count) for occupation, count in rows],
        note=_("People needed, from submitted yearly returns."),
    )


def workforce_by_level(year: int | None = None) -> Figure:
    year = year or latest_reporting_year()
    counts = dict(
        db.session.execute(
            _submitted_needs(year)
            .add_columns(WorkforceNeed.level, sa.func.sum(WorkforceNeed.number_needed))
            .group_by(WorkforceNeed.level)
        ).all()
    )
    rows = [Bar(label(level), int(counts.get(level, 0))) for level in WorkforceLevel]
    return Figure(
        "workforce-by-level",
        _("Workforce needs by level (%(year)s)", year=year or "—"),
        _("Level"),
        rows,
        note=_("People needed, from submitted yearly returns."),
    )


@dataclass
class Attendance:
    """Registrations of one public event (or the total of a kind of event): those who
    registered and confirmed (a seat or the waiting list, cancelled ones included), holding a
    seat, waiting, cancelled, and checked in at the door."""

    label: str
    registrations: int = 0
    confirmed: int = 0
    waiting: int = 0
    cancelled: int = 0
    attended: int = 0
    event: Event | None = None

    def add(self, other: "Attendance") -> None:
        for name in ("registrations", "confirmed", "waiting", "cancelled", "attended"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _counted(condition) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def event_attendance() -> tuple[list[Attendance], list[Attendance]]:
    """Attendance of each public event (latest first) and of each kind of event: one query."""
    status = EventRegistration.status
    rows = db.session.execute(
        sa.select(
            Event,
            _counted(status != RegistrationStatus.PENDING),
            _counted(status == RegistrationStatus.CONFIRMED),
            _counted(status == RegistrationStatus.WAITING),
            _counted(status == RegistrationStatus.CANCELLED),
            _counted(
                sa.and_(
                    status == RegistrationStatus.CONFIRMED,
                    EventRegistration.checked_in_at.is_not(None),
                )
            ),
        )
        .outerjoin(EventRegistration, EventRegistration.event_id == Event.id)
        .where(Event.public())
        .group_by(Event.id)
        .order_by(Event.starts_at.desc(), Event.id.desc())
    ).all()
    by_event = [
        Attendance(localized(event, "title"), *(int(n) for n in counts), event=event)
        for event, *counts in rows
    ]
    by_kind = {kind: Attendance(str(KIND_LABELS[kind])) for kind in EventKind}
    for attendance in by_event:
        by_kind[attendance.event.kind].add(attendance)
    return by_event, list(by_kind.values())


def events_attendance_by_kind() -> Figure:
    _events, kinds = event_attendance()
    return Figure(
        "events-attendance-by-kind",
        _("Confirmed event registrations by kind of event"),
        _("Kind of event"),
        [Bar(kind.label, kind.confirmed) for kind in kinds],
        note=_("People holding a seat at public events, past and upcoming."),
    )


PUBLIC_FIGURES: dict[str, Callable[[], Figure]] = {
    "firms-by-group": firms_by_group,
    "firms-by-ward": firms_by_ward,
    "firms-by-zone": firms_by_zone,
    "firms-by-size": firms_by_size,
    "firms-verified": firms_verified,
    "firms-by-year": firms_by_year,
    "programmes-by-support": programmes_by_support_type,
    "programmes-by-status": programmes_by_status,
    "events-attendance-by-kind": events_attendance_by_kind,
}
CURATOR_FIGURES: dict[str, Callable[[], Figure]] = {
    "interests-by-status": interests_by_status,
    "introductions-by-state": introductions_by_state,
    "workforce-by-skill": workforce_by_skill,
    "workforce-by-level": workforce_by_level,
}


def agency_programmes_by_state(actor) -> Figure:
    """The actor's agency's programmes: drafts, then the others by their status today."""
    today = clock.today()
    counts = Counter(
        p.status_on(today) if p.published_at or p.archived else "draft"
        for p in list_programmes(actor)
    )
    rows = [Bar(_("Draft"), counts["draft"])]
    rows += [Bar(label(status), counts[status]) for status in ProgrammeStatus]
    return Figure(
        "agency-programmes-by-state", _("Your agency's programmes by status"), _("Status"), rows
    )


def agency_interests_by_status(actor) -> Figure:
    """Interest registrations in what the actor follows up, by follow-up status."""
    authorize(actor, "agency_data.manage")
    counts = Counter(interest.status for interest, _target in interests_for(actor))
    return Figure(
        "agency-interests-by-status",
        _("Interest in your programmes and zones by follow-up status"),
        _("Status"),
        [Bar(label(status), counts[status]) for status in InterestStatus],
    )


AGENCY_FIGURES: dict[str, Callable[..., Figure]] = {
    "agency-programmes-by-state": agency_programmes_by_state,
    "agency-interests-by-status": agency_interests_by_status,
}


def public_figures() -> list[Figure]:
    return [compute() for compute in PUBLIC_FIGURES.values()]


def dashboard_figures(actor) -> list[Figure]:
    """Every figure, for SCT reviewers and administrators; an agency's curators get their
    agency's figures and the public ones."""
    if can(actor, "statistics.see_private"):
        return [compute() for compute in (*PUBLIC_FIGURES.values(), *CURATOR_FIGURES.values())]
    authorize(actor, "agency_data.manage")
    agency = [compute(actor) for compute in AGENCY_FIGURES.values()]
    return [*agency, *public_figures()]


def figure_for_download(actor, key: str) -> Figure:
    if key in PUBLIC_FIGURES:
        return PUBLIC_FIGURES[key]()
    if key in CURATOR_FIGURES:
        authorize(actor, "statistics.see_private")
        return CURATOR_FIGURES[key]()
    if key in AGENCY_FIGURES:
        return AGENCY_FIGURES[key](actor)
    raise NotFound()


def marketplace_funnel(actor):
    """The technology marketplace's funnel (requests → answers → accepted → deals), in all and
    per month, for curators; None for anybody else."""
    return market_funnel(actor) if can(actor, "market.see_funnel") else None
