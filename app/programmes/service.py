"""Reading programmes for the public: grouped by status (filtered by status, agency and kind of
support), one programme, by catalogue target."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.catalogue.service import CatalogueTree
from app.domain import clock
from app.errors import NotFound
from app.extensions import db
from app.firms.self_service import my_firms
from app.matching.engine import Match
from app.matching.interests import registered_targets
from app.matching.service import match_firm
from app.models import (
    Agency,
    CatalogueItem,
    Firm,
    FirmStatus,
    InterestTarget,
    Programme,
    ProgrammeStatus,
    Role,
    SupportType,
    User,
)
from app.models.base import by_name

PUBLIC_STATUSES = (ProgrammeStatus.OPEN, ProgrammeStatus.FORECAST, ProgrammeStatus.CLOSED)


@dataclass(frozen=True)
class ProgrammeFilters:
    """What the programme list is narrowed to; a value that names nothing is ignored."""

    status: ProgrammeStatus | None = None
    agency: str | None = None  # an agency's code
    support: SupportType | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> "ProgrammeFilters":
        status, support = args.get("status", ""), args.get("support", "")
        return cls(
            status=ProgrammeStatus(status) if status in PUBLIC_STATUSES else None,
            agency=args.get("agency", "").strip()[:20] or None,
            support=SupportType(support) if support in set(SupportType) else None,
        )

    @property
    def active(self) -> bool:
        return any((self.status, self.agency, self.support))

    def keeps(self, programme: Programme) -> bool:
        return (self.agency is None or programme.agency.code == self.agency) and (
            self.support is None or self.support in (programme.support_types or [])
        )


@dataclass
class ProgrammeListing:
    filters: ProgrammeFilters  # those applied (an unknown agency dropped)
    grouped: dict[ProgrammeStatus, list[Programme]]  # the statuses shown, each sorted
    agencies: list[Agency]  # the agencies with a public programme (the filter's choices)
    support_types: list[SupportType]  # the kinds of support offered (the filter's choices)


def _with_details() -> list:
    return [
        selectinload(Programme.agency),
        selectinload(Programme.target_items),
        selectinload(Programme.zones),
        selectinload(Programme.verified_by_agency),
    ]


def programmes_by_status(
    filters: ProgrammeFilters | None = None, today: date | None = None
) -> ProgrammeListing:
    """Open, upcoming and closed programmes apart (archived ones are not public), those the
    filters keep, and the choices the filters offer."""
    filters = filters or ProgrammeFilters()
    today = today or clock.today()
    programmes = db.session.scalars(
        sa.select(Programme).where(Programme.public()).options(*_with_details())
    ).all()
    agencies = {programme.agency.code: programme.agency for programme in programmes}
    if filters.agency not in agencies:
        filters = ProgrammeFilters(filters.status, None, filters.support)
    shown = [filters.status] if filters.status else PUBLIC_STATUSES
    grouped: dict[ProgrammeStatus, list[Programme]] = {status: [] for status in shown}
    for programme in programmes:
        status = programme.status_on(today)
        if status in grouped and filters.keeps(programme):
            grouped[status].append(programme)
    order = {
        ProgrammeStatus.OPEN: (lambda p: (p.closes_on or date.max, p.title_vi), False),
        ProgrammeStatus.FORECAST: (lambda p: (p.opens_on or date.max, p.title_vi), False),
        ProgrammeStatus.CLOSED: (lambda p: p.closes_on or date.min, True),
    }
    for status, found in grouped.items():
        key, reverse = order[status]
        found.sort(key=key, reverse=reverse)
    offered = {kind for programme in programmes for kind in programme.support_types or []}
    return ProgrammeListing(
        filters,
        grouped,
        sorted(agencies.values(), key=lambda agency: agency.name_vi),
        [kind for kind in SupportType if kind in offered],
    )


def get_public_programme(slug: str) -> Programme:
    programme = db.session.scalar(
        sa.select(Programme)
        .where(Programme.slug == slug, Programme.public())
        .options(*_with_details())
    )
    if programme is None:
        raise NotFound()
    return programme


@dataclass
class Eligibility:
    """A business's firm against a programme: the matching engine's verdict with its reasons,
    and whether the firm has registered interest already."""

    firm: Firm
    match: Match
    registered: bool


def eligibility_of_my_firms(user: User, programme: Programme) -> list[Eligibility] | None:
    """For a business, each of its firms (archived ones aside) checked against the programme by
    the matching engine; None for anyone else."""
    if not user.is_authenticated or user.role != Role.BUSINESS:
        return None
    checks = []
    for firm in my_firms(user):
        if firm.status == FirmStatus.ARCHIVED:
            continue
        match = next((m for m in match_firm(firm.id)["programme"] if m.id == programme.id), None)
        if match is not None:
            registered = (InterestTarget.PROGRAMME, programme.id) in registered_targets(firm)
            checks.append(Eligibility(firm, match, registered))
    return checks


def programmes_targeting(item: CatalogueItem, tree: CatalogueTree) -> list[Programme]:
    """Public programmes that target the item, one of its ancestors, or something below it."""
    related = tree.subtree_ids(item) | {a.id for a in tree.ancestors(item)}
    return list(
        db.session.scalars(
            sa.select(Programme)
            .where(
                Programme.public(),
                Programme.target_items.any(CatalogueItem.id.in_(related)),
            )
            .options(*_with_details())
            .order_by(by_name(Programme.title_vi))
        )
    )


def count_open_programmes(today: date | None = None) -> int:
    """How many public programmes are open (their dates only: no related records loaded)."""
    today = today or clock.today()
    programmes = db.session.scalars(sa.select(Programme).where(Programme.public()))
    return sum(programme.status_on(today) == ProgrammeStatus.OPEN for programme in programmes)


def open_programmes(limit: int, today: date | None = None) -> list[Programme]:
    """The public programmes open now, the nearest deadline first (for the home page)."""
    listing = programmes_by_status(ProgrammeFilters(status=ProgrammeStatus.OPEN), today)
    return listing.grouped[ProgrammeStatus.OPEN][:limit]
