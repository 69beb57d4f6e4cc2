"""Reading programmes for the public: grouped by status, one programme, by catalogue target."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.catalogue.service import CatalogueTree
from app.domain import clock
from app.errors import NotFound
from app.extensions import db
from app.models import CatalogueItem, Programme, ProgrammeStatus
from app.models.base import by_name


def _with_details() -> list:
    return [
        selectinload(Programme.agency),
        selectinload(Programme.target_items),
        selectinload(Programme.zones),
        selectinload(Programme.verified_by_agency),
    ]


def programmes_by_status(today: date | None = None) -> dict[ProgrammeStatus, list[Programme]]:
    """Open, upcoming and closed programmes apart (archived ones are not public)."""
    today = today or clock.today()
    grouped: dict[ProgrammeStatus, list[Programme]] = {
        ProgrammeStatus.OPEN: [],
        ProgrammeStatus.FORECAST: [],
        ProgrammeStatus.CLOSED: [],
    }
    programmes = db.session.scalars(
        sa.select(Programme).where(Programme.public()).options(*_with_details())
    ).all()
    for programme in programmes:
        grouped[programme.status_on(today)].append(programme)
    grouped[ProgrammeStatus.OPEN].sort(key=lambda p: (p.closes_on or date.max, p.title_vi))
    grouped[ProgrammeStatus.FORECAST].sort(key=lambda p: (p.opens_on or date.max, p.title_vi))
    grouped[ProgrammeStatus.CLOSED].sort(key=lambda p: p.closes_on or date.min, reverse=True)
    return grouped


def get_public_programme(slug: str) -> Programme:
    programme = db.session.scalar(
        sa.select(Programme)
        .where(Programme.slug == slug, Programme.public())
        .options(*_with_details())
    )
    if programme is None:
        raise NotFound()
    return programme


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
