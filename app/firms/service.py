"""Reading the public firm directory: filters, pagination, one firm's page.

Only published firms are ever returned here. The same filters serve the public directory, the
exports and the investors' firm discovery (which adds its own sorting). The text filter asks the
search index for the firms matching every word (as on the search page) and keeps at most
MAX_TEXT_MATCHES of them; the other filters are applied in SQL to published firms, so a record
the index still holds after it was unpublished never shows.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.catalogue.service import catalogue_tree
from app.domain.enterprise import EnterpriseType, is_dependent_unit
from app.domain.firm_size import SectorGroup, SizeClass, classify
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
    IndustryCode,
    InvestmentType,
    LinkRelation,
    Zone,
)
from app.models.base import by_name
from app.models.firm import listed_parent_size
from app.parsing import lenient_amount, parse_int
from app.search.engine import search_backend

PUBLISHED = Firm.status == FirmStatus.PUBLISHED
TEXT_PAGE = 100
MAX_TEXT_MATCHES = 1000


@dataclass
class FirmFilters:
    """The directory filters a visitor chose, and the values that were not understood."""

    groups: list[str] = field(default_factory=list)
    ward: int | None = None
    size: str | None = None
    zone: str | None = None
    seeking: bool = False
    investment_type: str | None = None
    # The firm's ask must overlap [amount_min, amount_max] (either end may be open).
    amount_min: int | None = None
    amount_max: int | None = None
    verified: bool = False
    updated_since: date | None = None
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
        if is_ward(ward_code := parse_int(ward)):
            filters.ward = ward_code
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
        invest_type = args.get("invest_type", "")
        if invest_type in {t.value for t in InvestmentType}:
            filters.investment_type = invest_type
        elif invest_type:
            filters.ignored.append((_l("investment type"), invest_type))
        for name, what in (
            ("amount_min", _l("lowest amount")),
            ("amount_max", _l("highest amount")),
        ):
            raw = args.get(name, "").strip()
            amount = lenient_amount(raw)
            if amount is not None:
                setattr(filters, name, amount)
            elif raw:
                filters.ignored.append((what, raw))
        verified = args.get("verified", "")
        if verified in {"1", "yes", "true"}:
            filters.verified = True
        elif verified:
            filters.ignored.append((_l("verified only"), verified))
        since = args.get("since", "").strip()
        try:
            filters.updated_since = date.fromisoformat(since) if since else None
        except ValueError:
            filters.ignored.append((_l("updated since"), since))
        return filters

    @property
    def active(self) -> bool:
        return bool(
            self.groups
            or self.ward
            or self.size
            or self.zone
            or self.seeking
            or self.investment_type
            or self.amount_min is not None
            or self.amount_max is not None
            or self.verified
            or self.updated_since
            or self.text
        )


def _linked_to_any(
    item_ids: set[int], relation: LinkRelation = LinkRelation.OFFERS
) -> sa.ColumnElement[bool]:
    return Firm.catalogue_links.any(
        sa.and_(FirmCatalogueLink.relation == relation, FirmCatalogueLink.item_id.in_(item_ids))
    )


def _ask_overlaps(low: int | None, high: int | None) -> sa.ColumnElement[bool]:
    """The firm states an amount, and its ask [min or 0, max or unbounded] meets [low, high]."""
    conditions = [
        sa.or_(Firm.investment_min_vnd.is_not(None), Firm.investment_max_vnd.is_not(None))
    ]
    if high is not None:
        conditions.append(sa.func.coalesce(Firm.investment_min_vnd, 0) <= high)
    if low is not None:
        conditions.append(sa.or_(Firm.investment_max_vnd.is_(None), Firm.investment_max_vnd >= low))
    return sa.and_(*conditions)


def directory_query(filters: FirmFilters) -> sa.Select:
    """Published firms that pass the filters (the text as a search in the firm's names)."""
    query = sa.select(Firm).where(PUBLISHED)
    if filters.groups:
        tree = catalogue_tree()
        item_ids = set().union(*(tree.subtree_ids(tree.by_code[c]) for c in filters.groups))
        query = query.where(_linked_to_any(item_ids))
    if filters.ward:
        query = query.where(Firm.ward_code == filters.ward)
    if filters.size:
        query = query.where(Firm.size_class == filters.size)
    if filters.zone:
        query = query.where(Firm.zone.has(Zone.slug == filters.zone))
    if filters.seeking:
        query = query.where(Firm.seeking_investment.is_(True))
    if filters.investment_type:
        # A JSON list of plain values: the quoted value is a substring exactly when it is a member.
        quoted = f'%"{filters.investment_type}"%'
        query = query.where(sa.cast(Firm.investment_types, sa.String).like(quoted))
    if filters.amount_min is not None or filters.amount_max is not None:
        query = query.where(_ask_overlaps(filters.amount_min, filters.amount_max))
    if filters.verified:
        query = query.where(Firm.verified_at.is_not(None))
    if filters.updated_since:
        query = query.where(
            Firm.updated_at >= datetime.combine(filters.updated_since, datetime.min.time())
        )
    if filters.text:
        query = query.where(Firm.id.in_(text_ranks(filters.text)))
    return query


def text_ranks(text: str) -> dict[int, int]:
    """Firm id → rank (0 = most relevant) of the firms matching `text` in the search index, at
    most MAX_TEXT_MATCHES: the same words, accents or none, in any case, match the same firms
    on every database and on every list (directory, exports, discovery)."""
    backend = search_backend(current_app)
    ranks: dict[int, int] = {}
    page = 1
    while True:
        result = backend.search(text, kinds=["firm"], page=page, per_page=TEXT_PAGE)
        for hit in result.hits:
            ranks.setdefault(hit.id, len(ranks))
        if not result.hits or page * TEXT_PAGE >= min(result.total, MAX_TEXT_MATCHES):
            return ranks
        page += 1


def _card_loading() -> list:
    """What a firm card shows, loaded in a fixed number of queries whatever the page size."""
    return [
        selectinload(Firm.catalogue_links),
        selectinload(Firm.zone),
    ]


def list_published_firms(filters: FirmFilters, page: int, per_page: int):
    query = (
        directory_query(filters)
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


def published_firms_linked(
    item_ids: set[int], relation: LinkRelation, limit: int = 50
) -> list[Firm]:
    """Published firms that supply (OFFERS) or need (NEEDS) any of the given catalogue items."""
    return list(
        db.session.scalars(
            sa.select(Firm)
            .where(PUBLISHED, _linked_to_any(item_ids, relation))
            .options(*_card_loading())
            .order_by(by_name(Firm.legal_name))
            .limit(limit)
        )
    )


def firm_groups(firm: Firm) -> list:
    """The catalogue groups a firm supplies, in catalogue order (uses the request's tree)."""
    return groups_of_items(link.item_id for link in firm.offerings)


def groups_of_items(item_ids: Iterable[int]) -> list:
    """The catalogue groups of these items, each once, in catalogue order."""
    tree = catalogue_tree()
    groups = {tree.group_of(item_id) for item_id in item_ids}
    return sorted((g for g in groups if g is not None), key=lambda g: (g.sort_order, g.code))


def current_industry_codes() -> list[IndustryCode]:
    """The VSIC 2025 codes a firm chooses from."""
    return list(
        db.session.scalars(
            sa.select(IndustryCode)
            .where(IndustryCode.version == "2025")
            .order_by(IndustryCode.code)
        )
    )


def size_of(
    kind: EnterpriseType | None,
    tax_code: str | None,
    sector: SectorGroup | None,
    employees: int | None,
    revenue: int | None,
    capital: int | None,
) -> SizeClass | None:
    """The size class a listing with these figures gets (as app.models.firm works it out)."""
    parent = None
    if is_dependent_unit(kind) and tax_code:
        parent = db.session.scalar(listed_parent_size(tax_code))
    return classify(kind, sector, employees, revenue, capital, parent)
