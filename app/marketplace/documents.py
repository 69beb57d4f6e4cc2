"""Search documents for live (published, unexpired) technology requests and offers — two kinds,
`tech_request` and `tech_offer` — and what they read of the database. An item that expires
leaves the index when `flask listings remind` marks it expired (its status changes); the
nightly rebuild reads `live` at its own time too."""

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app.catalogue.documents import in_changed_groups, showing
from app.catalogue.service import CatalogueTree
from app.domain.places import ward_name
from app.models import CatalogueItem, Firm, FirmStatus, MarketListing, MarketSide
from app.models.base import utcnow
from app.models.marketplace import market_listing_item
from app.search_dependencies import Dependency

KINDS = {MarketSide.REQUEST: "tech_request", MarketSide.OFFER: "tech_offer"}


def _searchable(side: MarketSide) -> sa.ColumnElement[bool]:
    """Live items of `side` whose firm is listed (a lapsed or archived firm's items leave)."""
    return sa.and_(
        MarketListing.live(utcnow()),
        MarketListing.side == side,
        Firm.status == FirmStatus.PUBLISHED,
    )


def _public_ids(side: MarketSide):
    def public_ids(session: Session) -> set[int]:
        return set(
            session.scalars(
                sa.select(MarketListing.id)
                .join(Firm, Firm.id == MarketListing.firm_id)
                .where(_searchable(side))
            )
        )

    return public_ids


def _documents(side: MarketSide):
    def documents(session: Session, ids: set[int], tree: CatalogueTree) -> dict[int, dict]:
        listings = session.scalars(
            sa.select(MarketListing)
            .join(Firm, Firm.id == MarketListing.firm_id)
            .where(MarketListing.id.in_(ids), _searchable(side))
            .options(selectinload(MarketListing.items), selectinload(MarketListing.firm))
        )
        return {listing.id: listing_document(listing, tree) for listing in listings}

    return documents


def listing_document(listing: MarketListing, tree: CatalogueTree) -> dict:
    groups = sorted({g.code for g in (tree.group_of(i.id) for i in listing.items) if g is not None})
    firm = listing.firm
    return {
        "kind": KINDS[listing.side],
        "id": listing.id,
        "title": listing.title,
        "title_en": None,
        "keywords": " · ".join(
            t
            for t in [
                firm.trade_name or firm.legal_name,
                *(item.name_vi for item in listing.items),
                *(item.code for item in listing.items),
                *(tree.by_code[code].name_vi for code in groups),
                ward_name(listing.ward_code),
            ]
            if t
        ),
        "body": " ".join(t for t in (listing.description, listing.licensing_terms) if t),
        "body_en": " ".join(item.name_en for item in listing.items if item.name_en),
        "facets": {
            "market_kind": [str(listing.kind)],
            "group": groups,
            "ward": [str(listing.ward_code)] if listing.ward_code else [],
        },
        "sort": {"updated": listing.published_at or listing.updated_at, "closes": listing.deadline},
        "stored": {
            "listing_id": listing.id,
            "firm": firm.trade_name or firm.legal_name,
            "market_kind": str(listing.kind),
            "deadline": listing.deadline.isoformat() if listing.deadline else None,
            "sample": listing.is_sample,
        },
    }


def _live_of_side(side: MarketSide) -> sa.Select:
    return sa.select(MarketListing.id).where(
        MarketListing.status == "published", MarketListing.side == side
    )


def _items_of(side: MarketSide) -> tuple:
    owners = _live_of_side(side).join(
        market_listing_item, market_listing_item.c.listing_id == MarketListing.id
    )
    return owners, market_listing_item.c.item_id


def _dependencies(side: MarketSide) -> list[Dependency]:
    return [
        Dependency(
            MarketListing,
            (
                "status",
                "side",
                "kind",
                "title",
                "description",
                "licensing_terms",
                "ward_code",
                "deadline",
                "published_at",
                "expires_at",
                "is_sample",
                "firm_id",
                "items",
                "version",
            ),
            lambda flush, listing: [listing.id] if listing.side == side else [],
        ),
        Dependency(
            Firm,
            ("legal_name", "trade_name", "status"),
            lambda flush, firm: flush.ids(
                _live_of_side(side).where(MarketListing.firm_id == firm.id)
            ),
        ),
        # The names, codes and English names of its items; the codes and names of their groups.
        Dependency(CatalogueItem, ("name_vi", "code", "name_en"), showing(*_items_of(side))),
        Dependency(
            CatalogueItem,
            ("parent_id", "code", "name_vi"),
            showing(*_items_of(side), in_changed_groups("code", "name_vi")),
        ),
    ]


request_ids, request_documents = _public_ids(MarketSide.REQUEST), _documents(MarketSide.REQUEST)
offer_ids, offer_documents = _public_ids(MarketSide.OFFER), _documents(MarketSide.OFFER)
REQUEST_DEPENDENCIES = _dependencies(MarketSide.REQUEST)
OFFER_DEPENDENCIES = _dependencies(MarketSide.OFFER)
