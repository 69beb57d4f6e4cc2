"""Matching both ways, through the matching engine's trade rule (`engine.evaluate_trade`): a
request is a buyer whose needs are its catalogue items, an offer a supplier whose offers are
its items. A request is shown the published firms that supply its items and the live offers
that fit; an offer is shown the live requests it could answer. A firm's own items are never
matched with each other. Reasons say which items are met, or the shared domain, and nearness."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.domain.places import ward_centroid
from app.extensions import db
from app.matching import engine
from app.matching.profiles import Catalogue, FirmProfile
from app.matching.service import catalogue as matching_catalogue
from app.matching.service import match_suppliers
from app.models import MarketListing, MarketSide
from app.models.base import utcnow


def profile(listing: MarketListing, named_by_listing: bool = False) -> FirmProfile:
    """The listing as a trading firm: a request needs its items, an offer supplies them. The
    id is the firm's (so a firm is not matched with itself) unless `named_by_listing`."""
    items = frozenset(item.id for item in listing.items)
    is_request = listing.side == MarketSide.REQUEST
    return FirmProfile(
        id=listing.id if named_by_listing else listing.firm_id,
        name=listing.title,
        size_class=None,
        ward_code=listing.ward_code,
        zone_id=None,
        founded_year=None,
        offers=frozenset() if is_request else items,
        needs=items if is_request else frozenset(),
        point=ward_centroid(listing.ward_code),
    )


def _live(side: MarketSide, now: datetime) -> list[MarketListing]:
    return list(
        db.session.scalars(
            sa.select(MarketListing)
            .where(MarketListing.live(now), MarketListing.side == side)
            .options(selectinload(MarketListing.items))
            .order_by(MarketListing.id)
        )
    )


def _pairs(
    buyer_side: list[MarketListing], supplier_side: list[MarketListing], name_by: str, kind: str
) -> list[engine.Match]:
    catalogue: Catalogue = matching_catalogue()
    matches = []
    for request in buyer_side:
        for offer in supplier_side:
            named = request if name_by == "request" else offer
            match = engine.evaluate_trade(
                profile(request), profile(offer), catalogue, profile(named, named_by_listing=True)
            )
            if match is not None:
                match.kind = kind
                matches.append(match)
    return engine.ranked(matches)


def for_request(request: MarketListing, now: datetime | None = None) -> dict[str, list]:
    """Suppliers (published firms) and live offers that fit a request, each ranked."""
    now = now or utcnow()
    suppliers = match_suppliers(profile(request))
    offers = _pairs([request], _live(MarketSide.OFFER, now), "offer", "tech_offer")
    return {"supplier": suppliers, "offer": offers}


def for_offer(offer: MarketListing, now: datetime | None = None) -> list[engine.Match]:
    """Live requests an offer could answer, ranked."""
    now = now or utcnow()
    return _pairs(_live(MarketSide.REQUEST, now), [offer], "request", "tech_request")


def firms_to_tell(request: MarketListing, now: datetime | None = None) -> dict[int, list]:
    """Firm id → reasons, for the firms a new request fits: those that supply one of its
    items (or whose live offers name one), not merely the same domain."""
    now = now or utcnow()
    matches = for_request(request, now)
    found: dict[int, list] = {}
    for match in matches["supplier"]:
        if any(reason.code == "supplies" for reason in match.reasons):
            found.setdefault(match.id, match.reasons)
    offers = {o.id: o for o in _live(MarketSide.OFFER, now)}
    for match in matches["offer"]:
        if any(reason.code == "supplies" for reason in match.reasons):
            found.setdefault(offers[match.id].firm_id, match.reasons)
    found.pop(request.firm_id, None)
    return found
