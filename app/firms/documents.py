"""Search documents for published firms (the search_index document contract)."""

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app.catalogue.service import CatalogueTree
from app.domain.places import ward_name
from app.models import Firm, FirmCatalogueLink, FirmIndustryCode, FirmStatus

KIND = "firm"


def public_ids(session: Session) -> set[int]:
    return set(session.scalars(sa.select(Firm.id).where(Firm.status == FirmStatus.PUBLISHED)))


def documents(session: Session, ids: set[int], tree: CatalogueTree) -> dict[int, dict]:
    """Documents for those of `ids` that are public; the others are absent (to be deleted)."""
    firms = session.scalars(
        sa.select(Firm)
        .where(Firm.id.in_(ids), Firm.status == FirmStatus.PUBLISHED)
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
