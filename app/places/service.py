"""Reading zones, clusters and incubators for the public."""

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app.errors import NotFound
from app.extensions import db
from app.models import Firm, FirmStatus, Incubator, Zone, ZoneKind
from app.models.base import by_name

ZONE_KIND_ORDER = [
    ZoneKind.ECONOMIC_ZONE,
    ZoneKind.BORDER_ECONOMIC_ZONE,
    ZoneKind.INDUSTRIAL_PARK,
    ZoneKind.INDUSTRIAL_CLUSTER,
]


def public_zones() -> list[Zone]:
    """Published zones and clusters by name (filters and choices)."""
    return list(
        db.session.scalars(sa.select(Zone).where(Zone.public()).order_by(by_name(Zone.name_vi)))
    )


def zones_by_slug() -> dict[str, Zone]:
    """Every zone by slug, to name the zones search results and facets refer to."""
    return {zone.slug: zone for zone in db.session.scalars(sa.select(Zone))}


def count_public_zones() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Zone).where(Zone.public()))


def count_incubators() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Incubator))


def zones_by_kind() -> dict[ZoneKind, list[Zone]]:
    zones = db.session.scalars(
        sa.select(Zone)
        .where(Zone.public())
        .options(selectinload(Zone.parent), selectinload(Zone.verified_by_agency))
        .order_by(by_name(Zone.name_vi))
    ).all()
    grouped: dict[ZoneKind, list[Zone]] = {kind: [] for kind in ZONE_KIND_ORDER}
    for zone in zones:
        grouped[zone.kind].append(zone)
    return grouped


def get_zone(slug: str) -> Zone:
    zone = db.session.scalar(
        sa.select(Zone)
        .where(Zone.slug == slug, Zone.public())
        .options(
            selectinload(Zone.priority_items),
            selectinload(Zone.children),
            selectinload(Zone.managing_agency),
            selectinload(Zone.verified_by_agency),
        )
    )
    if zone is None:
        raise NotFound()
    return zone


def zones_within(session: Session | None = None) -> dict[int, set[int]]:
    """Each zone with every zone inside it (an industrial park inside an economic zone): a
    programme for the economic zone is for the firms in its parks too, and they are the
    economic zone's firms."""
    session = session or db.session
    parents = dict(session.execute(sa.select(Zone.id, Zone.parent_id)).all())
    within = {zone_id: {zone_id} for zone_id in parents}
    for zone_id in parents:
        ancestor, seen = parents[zone_id], {zone_id}
        while ancestor is not None and ancestor not in seen:  # the zone rules refuse loops
            within[ancestor].add(zone_id)
            seen.add(ancestor)
            ancestor = parents.get(ancestor)
    return within


def published_firms_in_zone(zone: Zone, limit: int | None = None) -> list[Firm]:
    """The zone's published firms by name (the first `limit` of them), those in the zones
    inside it included, with what a firm card shows."""
    return list(
        db.session.scalars(
            sa.select(Firm)
            .where(
                Firm.status == FirmStatus.PUBLISHED,
                Firm.zone_id.in_(zones_within().get(zone.id, {zone.id})),
            )
            .options(selectinload(Firm.catalogue_links), selectinload(Firm.zone))
            .order_by(by_name(Firm.legal_name))
            .limit(limit)
        )
    )


def list_incubators() -> list[Incubator]:
    return list(
        db.session.scalars(
            sa.select(Incubator)
            .options(
                selectinload(Incubator.focus_items), selectinload(Incubator.verified_by_agency)
            )
            .order_by(by_name(Incubator.name_vi))
        )
    )


def get_incubator(slug: str) -> Incubator:
    incubator = db.session.scalar(
        sa.select(Incubator)
        .where(Incubator.slug == slug)
        .options(selectinload(Incubator.focus_items), selectinload(Incubator.verified_by_agency))
    )
    if incubator is None:
        raise NotFound()
    return incubator
