"""Answers to requests: a supplier firm sends a short proposal to a live request; the
requesting firm shortlists, accepts or declines it; on acceptance each side sees the other's
contact details (consent, as for investors' introductions), never before; then either side may
report that a deal was made. Curators see the funnel on the statistics page."""

from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app import audit
from app.authorization import authorize, can
from app.errors import Conflict, Forbidden, NotFound, ValidationError
from app.extensions import db
from app.mail import render_message, send_after_commit
from app.models import (
    Firm,
    FirmMember,
    FirmStatus,
    MarketListing,
    MarketResponse,
    MarketSide,
    ResponseState,
    User,
)
from app.models.base import utcnow
from app.transaction import claim, flush, transactional
from app.urls import public_url

MESSAGE_MIN, MESSAGE_MAX = 20, 2000
OPEN = (ResponseState.SENT, ResponseState.SHORTLISTED)


def _mail_members(firm: Firm, template: str, **context) -> None:
    for user in firm.reachable_members:
        send_after_commit(render_message(user.email, template, user.preferred_language, **context))


@transactional
def respond(actor: User, listing_id: int, firm_id: int, message: str) -> MarketResponse:
    """The supplier firm `firm_id` answers the live request `listing_id`."""
    firm = db.session.get(Firm, firm_id)
    if firm is None:
        raise NotFound()
    authorize(actor, "market.respond", firm)
    listing = db.session.get(MarketListing, listing_id)
    if listing is None or not listing.is_live(utcnow()):
        raise NotFound()
    if listing.side != MarketSide.REQUEST:
        raise ValidationError(_("Only requests can be answered."))
    if firm.status != FirmStatus.PUBLISHED:
        raise ValidationError(_("Your firm's listing must be published before it can answer."))
    if listing.firm_id == firm.id:
        raise ValidationError(_("A firm cannot answer its own request."))
    text = (message or "").strip()
    if not MESSAGE_MIN <= len(text) <= MESSAGE_MAX:
        problem = _(
            "Write your proposal in %(min)s to %(max)s characters.",
            min=MESSAGE_MIN,
            max=MESSAGE_MAX,
        )
        raise ValidationError(problem, {"message": [problem]})
    if db.session.scalar(
        sa.select(MarketResponse.id).where(
            MarketResponse.listing_id == listing.id, MarketResponse.firm_id == firm.id
        )
    ):
        raise ValidationError(_("Your firm has already answered this request."))
    response = MarketResponse(
        listing_id=listing.id, firm_id=firm.id, author_id=actor.id, message=text
    )
    db.session.add(response)
    flush(duplicate=ValidationError(_("Your firm has already answered this request.")))
    audit.record(
        actor,
        "market_response.create",
        "market_listing",
        listing.id,
        after={"response": response.id},
    )
    _mail_members(
        listing.firm,
        "market_response_new",
        listing=listing,
        supplier=firm,
        link=public_url("marketplace.detail", listing_id=listing.id),
    )
    return response


def _response(response_id: int) -> MarketResponse:
    response = db.session.scalar(
        sa.select(MarketResponse)
        .where(MarketResponse.id == response_id)
        .options(
            selectinload(MarketResponse.listing)
            .selectinload(MarketListing.firm)
            .selectinload(Firm.members),
            selectinload(MarketResponse.firm).selectinload(Firm.members),
        )
    )
    if response is None:
        raise NotFound()
    return response


DECISIONS = {
    "shortlist": (ResponseState.SHORTLISTED, (ResponseState.SENT,)),
    "accept": (ResponseState.ACCEPTED, OPEN),
    "decline": (ResponseState.DECLINED, OPEN),
}


@transactional
def decide(actor: User, response_id: int, decision: str, version: int | None) -> MarketResponse:
    """The requesting firm shortlists, accepts or declines an answer."""
    if decision not in DECISIONS:
        raise NotFound()
    response = _response(response_id)
    authorize(actor, "market.answer", response.listing.firm)
    new_state, allowed = DECISIONS[decision]
    claim(
        response,
        version,
        Conflict(_("This answer changed after you opened the page. Nothing was saved.")),
    )
    if response.state not in allowed:
        raise Conflict(_("This answer has already been decided."))
    before = str(response.state)
    response.state = new_state
    response.decided_at = utcnow()
    flush()
    audit.record(
        actor,
        f"market_response.{decision}",
        "market_listing",
        response.listing_id,
        {"response": response.id, "state": before},
        {"response": response.id, "state": str(new_state)},
    )
    if new_state in (ResponseState.ACCEPTED, ResponseState.DECLINED):
        _mail_members(
            response.firm,
            "market_response_decided",
            listing=response.listing,
            accepted=new_state == ResponseState.ACCEPTED,
            link=public_url("marketplace.detail", listing_id=response.listing_id),
        )
    return response


@transactional
def report_deal(actor: User, response_id: int) -> MarketResponse:
    """Either side of an accepted answer says that a deal was made (once)."""
    response = _response(response_id)
    side = next(
        (f for f in (response.listing.firm, response.firm) if can(actor, "market.manage", f)),
        None,
    )
    if side is None:
        raise NotFound()
    authorize(actor, "market.report_deal", side)
    if response.state != ResponseState.ACCEPTED:
        raise Forbidden(_("A deal can be reported only on an accepted answer."))
    if response.deal_reported_at is not None:
        raise Conflict(_("A deal has already been reported for this answer."))
    response.deal_reported_at = utcnow()
    response.deal_reported_by_id = actor.id
    audit.record(
        actor,
        "market_response.deal",
        "market_listing",
        response.listing_id,
        after={"response": response.id, "deal": True},
    )
    return response


def answers_to(actor, listing: MarketListing) -> list[MarketResponse]:
    """Every answer to the request, for its firm's members (and curators); none for others."""
    if not (can(actor, "market.manage", listing.firm) or can(actor, "market.review")):
        return []
    return list(
        db.session.scalars(
            sa.select(MarketResponse)
            .where(MarketResponse.listing_id == listing.id)
            .options(selectinload(MarketResponse.firm), selectinload(MarketResponse.author))
            .order_by(MarketResponse.created_at, MarketResponse.id)
        )
    )


def my_answers(actor, listing: MarketListing) -> list[MarketResponse]:
    """The answers the actor's firms sent to this request."""
    if not getattr(actor, "is_authenticated", False):
        return []
    firm_ids = sa.select(FirmMember.firm_id).where(FirmMember.user_id == actor.id)
    return list(
        db.session.scalars(
            sa.select(MarketResponse)
            .where(MarketResponse.listing_id == listing.id, MarketResponse.firm_id.in_(firm_ids))
            .options(selectinload(MarketResponse.firm))
            .order_by(MarketResponse.id)
        )
    )


def answers_sent(actor: User) -> list[MarketResponse]:
    """Every answer the actor's firms sent, newest first."""
    firm_ids = sa.select(FirmMember.firm_id).where(FirmMember.user_id == actor.id)
    return list(
        db.session.scalars(
            sa.select(MarketResponse)
            .where(MarketResponse.firm_id.in_(firm_ids))
            .options(selectinload(MarketResponse.listing), selectinload(MarketResponse.firm))
            .order_by(MarketResponse.created_at.desc(), MarketResponse.id.desc())
        )
    )


@dataclass
class FunnelRow:
    requests: int = 0
    answers: int = 0
    accepted: int = 0
    deals: int = 0


def funnel(actor) -> tuple[FunnelRow, dict[str, FunnelRow]]:
    """Published requests → answers → accepted → deals reported, in all and per month of
    publication (YYYY-MM, newest first)."""
    authorize(actor, "market.see_funnel")
    total = FunnelRow()
    months: dict[str, FunnelRow] = defaultdict(FunnelRow)
    requests = db.session.execute(
        sa.select(MarketListing.id, MarketListing.published_at).where(
            MarketListing.side == MarketSide.REQUEST, MarketListing.published_at.is_not(None)
        )
    ).all()
    month_of = {r.id: r.published_at.strftime("%Y-%m") for r in requests}
    for month in month_of.values():
        months[month].requests += 1
        total.requests += 1
    for listing_id, state, deal in db.session.execute(
        sa.select(MarketResponse.listing_id, MarketResponse.state, MarketResponse.deal_reported_at)
    ):
        row = months[month_of[listing_id]] if listing_id in month_of else None
        for counts in (total, row) if row else (total,):
            counts.answers += 1
            counts.accepted += state == ResponseState.ACCEPTED
            counts.deals += deal is not None
    return total, dict(sorted(months.items(), reverse=True))
