"""Search documents for zones/clusters and incubators, and what they read of the database."""

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app.catalogue.documents import item_list_dependencies
from app.catalogue.service import CatalogueTree
from app.domain.places import ward_name
from app.models import Incubator, Provenance, Zone
from app.models.place import incubator_catalogue_item, zone_catalogue_item
from app.search_dependencies import Dependency

ZONE = "zone"
INCUBATOR = "incubator"


def zone_ids(session: Session) -> set[int]:
    return set(session.scalars(sa.select(Zone.id).where(Zone.public())))


def incubator_ids(session: Session) -> set[int]:
    return set(session.scalars(sa.select(Incubator.id)))


def _group_codes(items, tree: CatalogueTree) -> list[str]:
    return sorted({g.code for g in (tree.group_of(i.id) for i in items) if g is not None})


def zone_documents(session: Session, ids: set[int], tree: CatalogueTree) -> dict[int, dict]:
    zones = session.scalars(
        sa.select(Zone)
        .where(Zone.id.in_(ids), Zone.public())
        .options(selectinload(Zone.priority_items))
    )
    return {
        zone.id: {
            "kind": ZONE,
            "id": zone.id,
            "title": zone.name_vi,
            "title_en": zone.name_en,
            "keywords": " · ".join(
                t
                for t in [ward_name(zone.ward_code), *(i.name_vi for i in zone.priority_items)]
                if t
            ),
            "body": " ".join(t for t in (zone.description_vi, zone.incentives_vi) if t),
            "body_en": " ".join(t for t in (zone.description_en, zone.incentives_en) if t),
            "facets": {
                "zone_kind": [str(zone.kind)],
                "zone_status": [str(zone.status)],
                "group": _group_codes(zone.priority_items, tree),
                "ward": [str(zone.ward_code)] if zone.ward_code else [],
            },
            "sort": {"updated": zone.updated_at, "closes": None},
            "stored": {
                "slug": zone.slug,
                "kind": str(zone.kind),
                "status": str(zone.status),
                "area_ha": zone.area_ha,
                "ward": zone.ward_code,
                "sample": zone.provenance == Provenance.SAMPLE,
            },
        }
        for zone in zones
    }


def incubator_documents(session: Session, ids: set[int], tree: CatalogueTree) -> dict[int, dict]:
    incubators = session.scalars(
        sa.select(Incubator)
        .where(Incubator.id.in_(ids))
        .options(selectinload(Incubator.focus_items))
    )
    return {
        incubator.id: {
            "kind": INCUBATOR,
            "id": incubator.id,
            "title": incubator.name_vi,
            "title_en": incubator.name_en,
            "keywords": " · ".join(
                t
                for t in [
                    incubator.host_organisation,
                    ward_name(incubator.ward_code),
                    *(i.name_vi for i in incubator.focus_items),
                ]
                if t
            ),
            "body": " ".join(t for t in (incubator.services_vi, incubator.description_vi) if t),
            "body_en": " ".join(t for t in (incubator.services_en, incubator.description_en) if t),
            "facets": {
                "group": _group_codes(incubator.focus_items, tree),
                "ward": [str(incubator.ward_code)] if incubator.ward_code else [],
            },
            "sort": {"updated": incubator.updated_at, "closes": None},
            "stored": {
                "slug": incubator.slug,
                "host": incubator.host_organisation,
                "sample": incubator.provenance == Provenance.SAMPLE,
            },
        }
        for incubator in incubators
    }


ZONE_DEPENDENCIES = [
    Dependency(
        Zone,
        (
            "published_at",
            "archived",
            "slug",
            "name_vi",
            "name_en",
            "kind",
            "status",
            "ward_code",
            "area_ha",
            "provenance",
            "description_vi",
            "description_en",
            "incentives_vi",
            "incentives_en",
            "updated_at",
            "priority_items",
        ),
        lambda flush, zone: [zone.id],
    ),
    *item_list_dependencies(
        sa.select(Zone.id).join(zone_catalogue_item).where(Zone.public()),
        zone_catalogue_item.c.item_id,
    ),
]

INCUBATOR_DEPENDENCIES = [
    Dependency(
        Incubator,
        (
            "slug",
            "name_vi",
            "name_en",
            "host_organisation",
            "ward_code",
            "services_vi",
            "services_en",
            "description_vi",
            "description_en",
            "provenance",
            "updated_at",
            "focus_items",
        ),
        lambda flush, incubator: [incubator.id],
    ),
    *item_list_dependencies(
        sa.select(Incubator.id).join(incubator_catalogue_item),
        incubator_catalogue_item.c.item_id,
    ),
]
