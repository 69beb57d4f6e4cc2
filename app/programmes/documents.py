"""Search documents for public (not archived) programmes, and what they read of the database."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app.catalogue.documents import item_list_dependencies
from app.catalogue.service import CatalogueTree
from app.domain import clock
from app.models import Agency, Programme, Provenance
from app.models.programme import programme_catalogue_item
from app.search_dependencies import Dependency

KIND = "programme"


def public_ids(session: Session) -> set[int]:
    return set(session.scalars(sa.select(Programme.id).where(Programme.public())))


def documents(session: Session, ids: set[int], tree: CatalogueTree) -> dict[int, dict]:
    programmes = session.scalars(
        sa.select(Programme)
        .where(Programme.id.in_(ids), Programme.public())
        .options(selectinload(Programme.agency), selectinload(Programme.target_items))
    )
    today = clock.today()
    return {p.id: programme_document(p, tree, today) for p in programmes}


def programme_document(programme: Programme, tree: CatalogueTree, today: date) -> dict:
    groups = sorted(
        {g.code for g in (tree.group_of(i.id) for i in programme.target_items) if g is not None}
    )
    status = programme.status_on(today)
    return {
        "kind": KIND,
        "id": programme.id,
        "title": programme.title_vi,
        "title_en": programme.title_en,
        "keywords": " · ".join(
            t
            for t in [
                programme.basis_document,
                programme.agency.name_vi,
                *(item.name_vi for item in programme.target_items),
            ]
            if t
        ),
        "body": " ".join(
            t
            for t in (programme.summary_vi, programme.description_vi, programme.other_conditions_vi)
            if t
        ),
        "body_en": " ".join(
            t
            for t in (programme.summary_en, programme.description_en, programme.other_conditions_en)
            if t
        ),
        "facets": {
            "support": list(programme.support_types or []),
            "status": [str(status)],
            "group": groups,
            "agency": [programme.agency.code],
            "size": list(programme.eligible_size_classes or []),
        },
        "sort": {"updated": programme.updated_at, "closes": programme.closes_on},
        "stored": {
            "slug": programme.slug,
            "status": str(status),
            "closes_on": programme.closes_on.isoformat() if programme.closes_on else None,
            "opens_on": programme.opens_on.isoformat() if programme.opens_on else None,
            "rolling": programme.rolling,
            "agency": programme.agency.code,
            "support": list(programme.support_types or []),
            "sizes": list(programme.eligible_size_classes or []),
            "sample": programme.provenance == Provenance.SAMPLE,
        },
    }


DEPENDENCIES = [
    Dependency(
        Programme,
        (
            "published_at",
            "archived",
            "slug",
            "agency_id",
            "title_vi",
            "title_en",
            "basis_document",
            "summary_vi",
            "summary_en",
            "description_vi",
            "description_en",
            "other_conditions_vi",
            "other_conditions_en",
            "support_types",
            "eligible_size_classes",
            "opens_on",
            "closes_on",
            "rolling",
            "provenance",
            "updated_at",
            "target_items",
        ),
        lambda flush, programme: [programme.id],
    ),
    Dependency(
        Agency,
        ("code", "name_vi"),
        lambda flush, agency: flush.ids(
            sa.select(Programme.id).where(Programme.agency_id == agency.id, Programme.public())
        ),
    ),
    *item_list_dependencies(
        sa.select(Programme.id).join(programme_catalogue_item).where(Programme.public()),
        programme_catalogue_item.c.item_id,
    ),
]
