"""Search documents for published firms (the search_index document contract), and what they
read of the database."""

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app.catalogue.documents import in_changed_groups, showing
from app.catalogue.service import CatalogueTree
from app.domain.old_places import old_places_of_ward
from app.domain.places import ward_name
from app.models import (
    CatalogueItem,
    Firm,
    FirmCatalogueLink,
    FirmCertification,
    FirmIndustryCode,
    FirmStatus,
    IndustryCode,
    LinkRelation,
    Zone,
)
from app.models.firm import dependent_units_of
from app.search_dependencies import UNKNOWN, Dependency, Flush

KIND = "firm"
PUBLIC = Firm.status == FirmStatus.PUBLISHED


def public_ids(session: Session) -> set[int]:
    return set(session.scalars(sa.select(Firm.id).where(PUBLIC)))


def documents(session: Session, ids: set[int], tree: CatalogueTree) -> dict[int, dict]:
    """Documents for those of `ids` that are public; the others are absent (to be deleted)."""
    firms = session.scalars(
        sa.select(Firm)
        .where(Firm.id.in_(ids), PUBLIC)
        .options(
            selectinload(Firm.catalogue_links).selectinload(FirmCatalogueLink.item),
            selectinload(Firm.industry_codes).selectinload(FirmIndustryCode.industry_code),
            selectinload(Firm.certifications),
            selectinload(Firm.zone),
        )
    )
    return {firm.id: firm_document(firm, tree) for firm in firms}


def firm_document(firm: Firm, tree: CatalogueTree) -> dict:
    offered = [link.item for link in firm.offerings]
    groups = sorted({g.code for g in (tree.group_of(i.id) for i in offered) if g is not None})
    group_names = [tree.by_code[code].name_vi for code in groups]
    vsic = [fic.industry_code for fic in firm.industry_codes]
    keywords = [
        firm.legal_name,
        *(item.name_vi for item in offered),
        *(item.code for item in offered),
        *(link.item.name_vi for link in firm.needs),
        *group_names,
        *(code.name_vi for code in vsic),
        *(code.code for code in vsic),
        *(cert.name for cert in firm.certifications),
        ward_name(firm.ward_code),
        # People still search by the commune and district of before 1/7/2025.
        *(f"{old.ward} {old.district}" for old in old_places_of_ward(firm.ward_code)),
        firm.zone.name_vi if firm.zone else "",
    ]
    english = [
        firm.description_en or "",
        *(item.name_en or "" for item in offered),
        *(code.name_en or "" for code in vsic),
    ]
    facets = {
        "group": groups,
        "ward": [str(firm.ward_code)] if firm.ward_code else [],
        "size": [str(firm.size_class)] if firm.size_class else [],
        "seeking": ["yes" if firm.seeking_investment else "no"],
        "zone": [firm.zone.slug] if firm.zone else [],
        "verified": ["yes" if firm.verified_at else "no"],
        "invest_type": list(firm.investment_types or []),
    }
    return {
        "kind": KIND,
        "id": firm.id,
        "title": firm.display_name,
        "title_en": firm.name_en,
        "keywords": " · ".join(k for k in keywords if k),
        "body": " ".join(t for t in (firm.description_vi, firm.investment_purpose) if t),
        "body_en": " ".join(t for t in english if t),
        "facets": facets,
        "sort": {"updated": firm.published_at or firm.updated_at, "closes": None},
        "stored": {
            "slug": firm.slug,
            "legal_name": firm.legal_name,
            "size": str(firm.size_class) if firm.size_class else None,
            "ward": firm.ward_code,
            "groups": groups,
            "zone": firm.zone.slug if firm.zone else None,
            "seeking": firm.seeking_investment,
            "verified": firm.verified_at is not None,
            "sample": firm.is_sample,
        },
    }


def _of_firm(flush: Flush, row) -> set[int]:
    return flush.values(row, "firm_id")


def _unless_published(flush: Flush, firm: Firm) -> list[int]:
    return [] if firm.published_at else [firm.id]


def _when_verification_flips(flush: Flush, firm: Firm) -> list[int]:
    before = flush.previous(firm, "verified_at")
    flips = before is UNKNOWN or (before is None) != (firm.verified_at is None)
    return [firm.id] if flips else []


def _dependent_units(flush: Flush, firm: Firm) -> set[int]:
    if firm.status != FirmStatus.PUBLISHED:
        return set()  # its branches keep the class they had
    return flush.ids(sa.select(Firm.id).where(dependent_units_of(firm.tax_code), PUBLIC))


LINKED = sa.select(Firm.id).join(FirmCatalogueLink).where(PUBLIC)
OFFERING = LINKED.where(FirmCatalogueLink.relation == LinkRelation.OFFERS)

DEPENDENCIES = [
    Dependency(
        Firm,
        (
            "status",
            "slug",
            "legal_name",
            "trade_name",
            "name_en",
            "description_vi",
            "description_en",
            "investment_purpose",
            "ward_code",
            "size_class",
            "seeking_investment",
            "investment_types",
            "zone_id",
            "published_at",
            "is_sample",
        ),
        lambda flush, firm: [firm.id],
    ),
    # A listed enterprise's size class is its branches' (app.models.firm passes it on).
    Dependency(Firm, ("size_class", "status"), _dependent_units),
    # Sorted by publication, or by the last edit if it has none; shown as verified or not.
    Dependency(Firm, ("updated_at",), _unless_published),
    Dependency(Firm, ("verified_at",), _when_verification_flips),
    Dependency(FirmCatalogueLink, ("firm_id", "item_id", "relation"), _of_firm),
    Dependency(FirmIndustryCode, ("firm_id", "industry_code_id"), _of_firm),
    # The year orders the certifications.
    Dependency(FirmCertification, ("firm_id", "name", "year"), _of_firm),
    Dependency(
        IndustryCode,
        ("code", "name_vi", "name_en"),
        lambda flush, code: flush.ids(
            sa.select(Firm.id)
            .join(FirmIndustryCode)
            .where(FirmIndustryCode.industry_code_id == code.id, PUBLIC)
        ),
    ),
    Dependency(
        Zone,
        ("name_vi", "slug"),
        lambda flush, zone: flush.ids(sa.select(Firm.id).where(Firm.zone_id == zone.id, PUBLIC)),
    ),
    # Names of what it offers and needs; codes and English names of what it offers; the codes
    # and names of the groups of what it offers.
    Dependency(CatalogueItem, ("name_vi",), showing(LINKED, FirmCatalogueLink.item_id)),
    Dependency(CatalogueItem, ("code", "name_en"), showing(OFFERING, FirmCatalogueLink.item_id)),
    Dependency(
        CatalogueItem,
        ("parent_id", "code", "name_vi"),
        showing(OFFERING, FirmCatalogueLink.item_id, in_changed_groups("code", "name_vi")),
    ),
]
