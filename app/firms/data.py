"""A listing's editable content as plain, JSON-able data.

The same dict is produced from a form, stored in a pending revision, compared field by field for
curators, and applied to the firm on approval, so every path edits a listing the same way.
"""

import sqlalchemy as sa
from flask_babel import gettext as _

from app import transaction
from app.domain.enterprise import EnterpriseType, is_dependent_unit, tax_code_fits
from app.errors import Conflict
from app.extensions import db
from app.models import (
    CatalogueItem,
    Firm,
    FirmCatalogueLink,
    FirmCertification,
    FirmIndustryCode,
    IndustryCode,
    LinkRelation,
)
from app.models.base import utcnow
from app.rules import Problems

SCALAR_FIELDS = (
    "legal_name",
    "trade_name",
    "name_en",
    "founded_year",
    "enterprise_type",
    "sector_group",
    "insured_employees",
    "revenue_vnd",
    "capital_vnd",
    "size_year",
    "address_line",
    "ward_code",
    "zone_id",
    "website",
    "email",
    "phone",
    "contact_person",
    "show_contact",
    "description_vi",
    "description_en",
    "seeking_investment",
    "investment_types",
    "investment_min_vnd",
    "investment_max_vnd",
    "investment_purpose",
)
LIST_FIELDS = ("offers", "needs", "industry_codes", "certifications")


def snapshot(firm: Firm) -> dict:
    """The listing's editable content."""
    data = {name: _plain(getattr(firm, name)) for name in SCALAR_FIELDS}
    for relation, key in ((LinkRelation.OFFERS, "offers"), (LinkRelation.NEEDS, "needs")):
        data[key] = sorted(
            ({"item_id": link.item_id, "note": link.note or ""} for link in firm.links(relation)),
            key=lambda entry: entry["item_id"],
        )
    data["industry_codes"] = sorted(
        (
            {"industry_code_id": fic.industry_code_id, "primary": fic.is_primary}
            for fic in firm.industry_codes
        ),
        key=lambda entry: (not entry["primary"], entry["industry_code_id"]),
    )
    data["certifications"] = [
        {"name": c.name, "issuer": c.issuer or "", "year": c.year} for c in firm.certifications
    ]
    return data


def problems(data: dict, tax_code: str, new: bool = False) -> Problems:
    """The problems of a listing's content under the firm's tax code, on every path that
    writes it (the business's form, a curator's import); a new listing must say its kind."""
    found = Problems()
    kind = data.get("enterprise_type")
    if kind is None:
        if new:
            found.add("enterprise_type", _("Choose what kind of unit the firm is."))
    elif kind not in {k.value for k in EnterpriseType}:
        found.add("enterprise_type", _("Choose a kind of unit from the list."))
    elif not tax_code_fits(kind, tax_code):
        found.add("enterprise_type", _misfit(kind, tax_code))
    found.ward("ward_code", data.get("ward_code"))
    found.amount_range(
        "investment_min_vnd",
        data.get("investment_min_vnd"),
        "investment_max_vnd",
        data.get("investment_max_vnd"),
    )
    return found


def _misfit(kind: str, tax_code: str) -> str:
    if len(tax_code) == 13:
        return _(
            "A 13-digit tax code belongs to a branch or representative office: choose that "
            "kind, or enter the enterprise's own 10-digit code."
        )
    if is_dependent_unit(kind):
        return _(
            "A branch or representative office has a 13-digit tax code: its enterprise's 10 "
            "digits and 3 of its own (0123456789-001)."
        )
    return _(
        "A 12-digit tax code is a personal ID, the tax code of a household business only: "
        "choose household business, or enter the 10-digit code of the enterprise."
    )


def claim(firm: Firm, seen_version: int | None, stale: Conflict, public: bool = True) -> None:
    """Take the listing for the current write if it still has the version the form or decision
    was made from (`app.transaction.claim`; `stale` otherwise). Called before any other row of
    the listing is touched, so of two concurrent writers the second stops here.

    A change the public does not see (a revision proposed or decided without applying it) keeps
    `updated_at`, which investors' alerts and "updated since" filters read.
    """
    firm.updated_at = utcnow() if public else Firm.updated_at  # SET updated_at = updated_at
    transaction.claim(firm, seen_version, stale)


def apply(firm: Firm, data: dict) -> None:
    """Make the firm's content equal to `data` (unknown catalogue/industry ids are refused)."""
    for name in SCALAR_FIELDS:
        if name in data:
            setattr(firm, name, data[name])
    if "offers" in data or "needs" in data:
        wanted = {
            (entry["item_id"], relation): entry["note"] or None
            for relation, key in ((LinkRelation.OFFERS, "offers"), (LinkRelation.NEEDS, "needs"))
            for entry in data.get(key, snapshot_links(firm, relation))
        }
        _check_ids(CatalogueItem, {item_id for item_id, _ in wanted})
        # Update links in place: replacing the collection would insert before deleting and
        # trip the (firm, item, relation) unique constraint for links that stay.
        for link in list(firm.catalogue_links):
            key = (link.item_id, link.relation)
            if key in wanted:
                link.note = wanted.pop(key)
            else:
                firm.catalogue_links.remove(link)
        for (item_id, relation), note in wanted.items():
            firm.catalogue_links.append(
                FirmCatalogueLink(item_id=item_id, relation=relation, note=note)
            )
    if "industry_codes" in data:
        wanted_codes = {e["industry_code_id"]: bool(e["primary"]) for e in data["industry_codes"]}
        _check_ids(IndustryCode, set(wanted_codes))
        for fic in list(firm.industry_codes):
            if fic.industry_code_id in wanted_codes:
                fic.is_primary = wanted_codes.pop(fic.industry_code_id)
            else:
                firm.industry_codes.remove(fic)
        for code_id, primary in wanted_codes.items():
            firm.industry_codes.append(
                FirmIndustryCode(industry_code_id=code_id, is_primary=primary)
            )
    if "certifications" in data:
        firm.certifications = [
            FirmCertification(name=c["name"], issuer=c["issuer"] or None, year=c["year"])
            for c in data["certifications"]
        ]
    transaction.flush()


def snapshot_links(firm: Firm, relation: LinkRelation) -> list[dict]:
    return [{"item_id": link.item_id, "note": link.note or ""} for link in firm.links(relation)]


def differences(before: dict, after: dict) -> list[str]:
    """Names of the fields whose values differ."""
    return [name for name in (*SCALAR_FIELDS, *LIST_FIELDS) if before.get(name) != after.get(name)]


def _plain(value):
    return str(value) if hasattr(value, "_value_") else value


def _check_ids(model, ids: set[int]) -> None:
    if not ids:
        return
    found = set(db.session.scalars(sa.select(model.id).where(model.id.in_(ids))))
    if found != ids:
        raise ValueError(f"unknown {model.__name__} ids: {sorted(ids - found)}")
