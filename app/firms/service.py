"""Reading the public firm directory: filters, pagination, one firm's page.

Only published firms are ever returned here.
"""

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.catalogue.service import catalogue_tree
from app.domain.firm_size import SizeClass
from app.domain.places import is_ward
from app.domain.text import nfc
from app.errors import NotFound
from app.extensions import db
from app.models import (
    CatalogueLevel,
    Firm,
    FirmCatalogueLink,
    FirmIndustryCode,
    FirmStatus,
    LinkRelation,
    Zone,
)

PUBLISHED = Firm.status == FirmStatus.PUBLISHED


@dataclass
class FirmFilters:
    """The directory filters a visitor chose, and the values that were not understood."""

    groups: list[str] = field(default_factory=list)
    ward: int | None = None
    size: str | None = None
    zone: str | None = None
    seeking: bool = False
    text: str = ""
    # (what, value) pairs; the value is user input, so it is only ever escaped by the template.
    ignored: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def from_args(cls, args) -> "FirmFilters":
        filters = cls(text=nfc(args.get("q", "")).strip()[:200])
        tree = catalogue_tree()
        for code in args.getlist("group"):
            item = tree.by_code.get(code)
            if item is not None and item.level == CatalogueLevel.GROUP:
                filters.groups.append(code)
            elif code:
                filters.ignored.append((_l("catalogue group"), code))
        ward = args.get("ward", "")
        if ward.isdigit() and is_ward(int(ward)):
            filters.ward = int(ward)
        elif ward:
            filters.ignored.append((_l("ward"), ward))
        size = args.get("size", "")
        if size in {s.value for s in SizeClass}:
            filters.size = size
        elif size:
            filters.ignored.append((_l("size class"), size))
        zone = args.get("zone", "")
        if zone and db.session.scalar(sa.select(Zone.id).where(Zone.slug == zone, Zone.public())):
            filters.zone = zone
        elif zone:
            filters.ignored.append((_l("zone"), zone))
        seeking = args.get("seeking", "")
        if seeking in {"1", "yes", "true"}:
            filters.seeking = True
        elif seeking:
            filters.ignored.append((_l("seeking investment"), seeking))
        return filters

    @property
    def active(self) -> bool:
        return bool(self.groups or self.ward or self.size or self.zone or self.seeking or self.text)


def _offers_any(item_ids: set[int]) -> sa.ColumnElement[bool]:
    return Firm.catalogue_links.any(
        sa.and_(
            FirmCatalogueLink.relation == LinkRelation.OFFERS,
            FirmCatalogueLink.item_id.in_(item_ids),
        )
    )


def _directory_query(filters: FirmFilters) -> sa.Select:
    query = sa.select(Firm).where(PUBLISHED)
    if filters.groups:
        tree = catalogue_tree()
        item_ids = set().union(*(tree.subtree_ids(tree.by_code[c]) for c in filters.groups))
        query = query.where(_offers_any(item_ids))
    if filters.ward:
        query = query.where(Firm.ward_code == filters.ward)
    if filters.size:
        query = query.where(Firm.size_class == filters.size)
    if filters.zone:
        query = query.where(Firm.zone.has(Zone.slug == filters.zone))
    if filters.seeking:
        query = query.where(Firm.seeking_investment.is_(True))
    if filters.text:
        pattern = f"%{filters.text}%"
        query = query.where(
            sa.or_(
                Firm.legal_name.ilike(pattern),
                Firm.trade_name.ilike(pattern),
                Firm.name_en.ilike(pattern),
            )
        )
    return query


def _card_loading() -> list:
    """What a firm card shows, loaded in a fixed number of queries whatever the page size."""
    return [
        selectinload(Firm.catalogue_links),
        selectinload(Firm.zone),
    ]


def list_published_firms(filters: FirmFilters, page: int, per_page: int):
    query = (
        _directory_query(filters)
        .options(*_card_loading())
        .order_by(Firm.published_at.desc(), Firm.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=True)


def get_published_firm(slug: str) -> Firm:
    firm = db.session.scalar(
        sa.select(Firm)
        .where(PUBLISHED, Firm.slug == slug)
        .options(
            selectinload(Firm.catalogue_links).selectinload(FirmCatalogueLink.item),
            selectinload(Firm.industry_codes).selectinload(FirmIndustryCode.industry_code),
            selectinload(Firm.certifications),
            selectinload(Firm.zone),
        )
    )
    if firm is None:
        raise NotFound()
    return firm


def count_published_firms() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Firm).where(PUBLISHED))


def published_firms_offering(item_ids: set[int], limit: int = 50) -> list[Firm]:
    """Published firms that supply any of the given catalogue items."""
    return list(
        db.session.scalars(
            sa.select(Firm)
            .where(PUBLISHED, _offers_any(item_ids))
            .options(*_card_loading())
            .order_by(Firm.legal_name)
            .limit(limit)
        )
    )


def firm_groups(firm: Firm) -> list:
    """The catalogue groups a firm supplies, in catalogue order (uses the request's tree)."""
    tree = catalogue_tree()
    groups = {tree.group_of(link.item_id) for link in firm.offerings}
    return sorted((g for g in groups if g is not None), key=lambda g: (g.sort_order, g.code))
