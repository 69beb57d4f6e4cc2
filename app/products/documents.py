"""Search documents for the products of published firms, and what they read of the database.

The "labelled" and "label" facets name the labels of verified certificates that have not
expired on the day the document is built. An expiry is a change of date, not of data: the
reminder command (`flask listings remind`, daily from cron) marks each newly expired
certificate (`expiry_noted`), and that write re-indexes its product through the outbox; the
nightly rebuild would catch any left over.
"""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app.catalogue.documents import in_changed_groups, showing
from app.catalogue.service import CatalogueTree
from app.domain import clock
from app.models import (
    CatalogueItem,
    EcoLabel,
    Firm,
    Product,
    ProductCertificate,
)
from app.search_dependencies import Dependency, Flush

KIND = "product"


def public_ids(session: Session) -> set[int]:
    return set(session.scalars(sa.select(Product.id).where(Product.public())))


def documents(session: Session, ids: set[int], tree: CatalogueTree) -> dict[int, dict]:
    """Documents for those of `ids` that are public; the others are absent (to be deleted)."""
    products = session.scalars(
        sa.select(Product)
        .where(Product.id.in_(ids), Product.public())
        .options(
            selectinload(Product.firm),
            selectinload(Product.catalogue_item),
            selectinload(Product.certificates).selectinload(ProductCertificate.label),
        )
    )
    today = clock.today()
    return {product.id: product_document(product, tree, today) for product in products}


def product_document(product: Product, tree: CatalogueTree, today: date) -> dict:
    item = product.catalogue_item
    group = tree.group_of(item.id) if item is not None else None
    labels = product.verified_labels(today)
    specifications = [f"{name} {value}" for name, value in product.specifications or []]
    keywords = [
        product.firm.display_name,
        product.firm.legal_name,
        item.name_vi if item else "",
        item.code if item else "",
        *(label.name_vi for label in labels),
        *specifications,
    ]
    english = [
        product.description_en or "",
        item.name_en or "" if item else "",
        *(label.name_en or "" for label in labels),
    ]
    return {
        "kind": KIND,
        "id": product.id,
        "title": product.name_vi,
        "title_en": product.name_en,
        "keywords": " · ".join(k for k in keywords if k),
        "body": product.description_vi or "",
        "body_en": " ".join(t for t in english if t),
        "facets": {
            "labelled": ["yes" if labels else "no"],
            "label": [label.code for label in labels],
            "group": [group.code] if group is not None else [],
        },
        "sort": {"updated": product.updated_at, "closes": None},
        "stored": {
            "slug": product.slug,
            "firm": product.firm.display_name,
            "labels": [label.code for label in labels],
            "sample": product.is_sample,
        },
    }


def _of_product(flush: Flush, row) -> set[int]:
    return flush.values(row, "product_id")


def _of_firm(flush: Flush, firm: Firm) -> set[int]:
    # Every product of the firm, public or not: a firm that leaves publication takes its
    # products out of the index.
    return flush.ids(sa.select(Product.id).where(Product.firm_id == firm.id))


def _with_label(flush: Flush, label: EcoLabel) -> set[int]:
    return flush.ids(
        sa.select(ProductCertificate.product_id).where(ProductCertificate.label_id == label.id)
    )


PUBLIC_PRODUCTS = sa.select(Product.id).where(Product.public())

DEPENDENCIES = [
    Dependency(
        Product,
        (
            "firm_id",
            "slug",
            "name_vi",
            "name_en",
            "catalogue_item_id",
            "description_vi",
            "description_en",
            "specifications",
            "is_sample",
            "withdrawn_at",
            "updated_at",
        ),
        lambda flush, product: [product.id],
    ),
    Dependency(
        ProductCertificate,
        ("product_id", "label_id", "state", "valid_until", "expiry_noted"),
        _of_product,
    ),
    Dependency(EcoLabel, ("code", "name_vi", "name_en"), _with_label),
    Dependency(Firm, ("status", "legal_name", "trade_name"), _of_firm),
    Dependency(
        CatalogueItem,
        ("name_vi", "name_en", "code"),
        showing(PUBLIC_PRODUCTS, Product.catalogue_item_id),
    ),
    Dependency(
        CatalogueItem,
        ("parent_id", "code"),
        showing(PUBLIC_PRODUCTS, Product.catalogue_item_id, in_changed_groups("code")),
    ),
]
