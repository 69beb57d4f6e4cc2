"""Firm discovery for investors: the directory's filters and text match
(app.firms.service), sorting (by relevance: the index's ranks), and the card or table view."""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.firms.service import FirmFilters, directory_query, text_ranks
from app.models import Firm

SORTS = ("relevance", "newest", "amount")
VIEWS = ("cards", "table")
# The query arguments a saved search keeps (paging and the view are not part of the query).
QUERY_ARGS = (
    "q",
    "group",
    "ward",
    "size",
    "zone",
    "seeking",
    "invest_type",
    "amount_min",
    "amount_max",
    "verified",
    "since",
    "sort",
)


@dataclass
class Discovery:
    """What the investor asked for: filters (with the values not understood), sort and view."""

    filters: FirmFilters
    sort: str = "newest"
    view: str = "cards"
    ignored: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def from_args(cls, args) -> "Discovery":
        filters = FirmFilters.from_args(args)
        ignored = list(filters.ignored)
        sort = args.get("sort", "")
        if sort not in SORTS:
            if sort:
                ignored.append((_l("sort order"), sort))
            sort = "relevance" if filters.text else "newest"
        if sort == "relevance" and not filters.text:
            sort = "newest"
        view = args.get("view", "")
        if view not in VIEWS:
            if view:
                ignored.append((_l("view"), view))
            view = "cards"
        return cls(filters=filters, sort=sort, view=view, ignored=ignored)


def query_args(args) -> dict[str, list[str]]:
    """The part of the request's arguments that defines the query (for saving it)."""
    return {
        name: values
        for name in QUERY_ARGS
        if (values := [v[:200] for v in args.getlist(name) if v.strip()][:50])
    }


@dataclass
class DiscoveryPage:
    """One page of firms; the same attributes the `pager` macro and templates read."""

    items: list[Firm]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def matching_query(filters: FirmFilters) -> tuple[sa.Select, dict[int, int] | None]:
    """Published firms passing the filters; with a text, restricted to the index's matches
    (returned as ranks for sorting by relevance)."""
    query = directory_query(filters)
    return query, text_ranks(filters.text) if filters.text else None


def _card_loading() -> list:
    return [selectinload(Firm.catalogue_links), selectinload(Firm.zone)]


def _order(query: sa.Select, sort: str) -> sa.Select:
    if sort == "amount":
        amount = sa.func.coalesce(Firm.investment_max_vnd, Firm.investment_min_vnd)
        return query.order_by(
            sa.case((amount.is_(None), 1), else_=0), amount.desc(), Firm.id.desc()
        )
    return query.order_by(Firm.published_at.desc(), Firm.id.desc())


def discover_firms(discovery: Discovery, page: int, per_page: int) -> DiscoveryPage:
    query, ranks = matching_query(discovery.filters)
    if discovery.sort == "relevance" and ranks is not None:
        ids = sorted(db.session.scalars(query.with_only_columns(Firm.id)), key=ranks.__getitem__)
        shown = ids[(page - 1) * per_page : page * per_page]
        firms = {
            f.id: f
            for f in db.session.scalars(
                sa.select(Firm).where(Firm.id.in_(shown)).options(*_card_loading())
            )
        }
        return DiscoveryPage([firms[i] for i in shown], len(ids), page, per_page)
    pagination = db.paginate(
        _order(query, discovery.sort).options(*_card_loading()),
        page=page,
        per_page=per_page,
        error_out=False,
    )
    return DiscoveryPage(list(pagination.items), pagination.total or 0, page, per_page)


def firms_changed_between(filters: FirmFilters, start: datetime, end: datetime) -> list[Firm]:
    """Firms passing the filters that were published or changed in [start, end)."""
    query, _ranks = matching_query(filters)
    query = query.where(
        sa.or_(
            sa.and_(Firm.published_at >= start, Firm.published_at < end),
            sa.and_(Firm.updated_at >= start, Firm.updated_at < end),
        )
    )
    return list(db.session.scalars(query.order_by(Firm.published_at.desc(), Firm.id.desc())))
