"""Search documents for catalogue groups, kinds and items."""

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.catalogue.service import CatalogueTree
from app.models import CatalogueItem

KIND = "catalogue"


def public_ids(session: Session) -> set[int]:
    return set(session.scalars(sa.select(CatalogueItem.id)))


def documents(session: Session, ids: set[int], tree: CatalogueTree) -> dict[int, dict]:
    return {i: item_document(tree, tree.by_id[i]) for i in ids if i in tree.by_id}


def item_document(tree: CatalogueTree, item) -> dict:
    ancestors = tree.ancestors(item)
    group = ancestors[0] if ancestors else item
    return {
        "kind": KIND,
        "id": item.id,
        "title": item.name_vi,
        "title_en": item.name_en,
        "keywords": " · ".join(
            [item.code, *(a.name_vi for a in ancestors), *(a.name_en or "" for a in ancestors)]
        ),
        "body": item.description_vi or "",
        "body_en": item.description_en,
        "facets": {
            "group": [group.code],
            "level": [str(item.level)],
            "catalogue_kind": [str(item.kind)] if item.kind else [],
        },
        "sort": {"updated": item.updated_at, "closes": None},
        "stored": {"code": item.code, "level": str(item.level), "group": group.code},
    }
