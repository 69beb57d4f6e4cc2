"""Seed eco-labels (reference data) and sample products of the sample firms, through the
products service; idempotent: labels by code, products by slug, never overwriting edits."""

from datetime import date

import sqlalchemy as sa

from app.domain.tax_code import normalize_tax_code
from app.extensions import db
from app.models import CatalogueItem, EcoLabel, Firm, Product, Role, User
from app.products import service

SAMPLE_VERIFIER = "curator@demo.cnmt.vn"


def load_labels(records: list[dict], created) -> None:
    known = set(db.session.scalars(sa.select(EcoLabel.code)))
    for record in records:
        if record["code"] not in known:
            service.create_label(None, {"active": True, **record})
            known.add(record["code"])
            created["eco-labels"] += 1


def load_products(records: list[dict], created, error: type[Exception]) -> None:
    known = set(db.session.scalars(sa.select(Product.slug)))
    labels = {label.code: label for label in db.session.scalars(sa.select(EcoLabel))}
    verifier = db.session.scalar(
        sa.select(User).where(User.email == SAMPLE_VERIFIER, User.role == Role.CURATOR)
    )
    for record in records:
        if record["slug"] in known:
            continue
        where = f"products.yaml {record['slug']}"
        tax_code = normalize_tax_code(str(record["firm"]))
        firm = db.session.scalar(sa.select(Firm).where(Firm.tax_code == tax_code))
        item = db.session.scalar(
            sa.select(CatalogueItem).where(CatalogueItem.code == record["item"])
        )
        if firm is None or item is None:
            raise error(f"{where}: unknown firm or catalogue item")
        product = service.new_product(
            firm,
            {
                "name_vi": record["name_vi"],
                "name_en": record.get("name_en"),
                "catalogue_item_id": item.id,
                "description_vi": record.get("description_vi"),
                "description_en": record.get("description_en"),
                "specifications": record.get("specifications", []),
            },
            sample=True,
        )
        product.slug = record["slug"]
        known.add(product.slug)
        created["sample products"] += 1
        for entry in record.get("certificates", []):
            if entry["label"] not in labels:
                raise error(f"{where}: unknown label {entry['label']}")
            certificate = service.new_certificate(
                product,
                {
                    "label_id": labels[entry["label"]].id,
                    "number": entry["number"],
                    "issuer": entry["issuer"],
                    "valid_from": _date(entry.get("valid_from")),
                    "valid_until": _date(entry.get("valid_until")),
                    "document_url": entry.get("document_url"),
                },
            )
            if entry.get("verified") and verifier is not None:
                service.verify_certificate(verifier, certificate, certificate.version)


def _date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
