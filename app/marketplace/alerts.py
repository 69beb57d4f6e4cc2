"""Telling supplier firms of new requests that fit them: opt-in, a digest per person, each
request told once, an unsubscribe link on SITE_URL.

A firm opts in on its marketplace page (`MarketSubscription`). When a request is published the
request is claimed (a conditional UPDATE of `suppliers_notified_at`) and one `MarketMailing` row
per firm told is written, in one commit, before any mail leaves: a second or concurrent run
finds the request claimed and sends nothing. Each member of the firms told (active, with a
confirmed address) gets one message listing every new request that fits any of their firms.
The same function runs after a curator's approval and from `flask listings remind` (cron), which
catches up on any request a crash left unclaimed.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy.orm import selectinload

from app import audit
from app.authorization import authorize
from app.errors import NotFound
from app.extensions import db
from app.mail import deliver_now, render_message
from app.marketplace.matching import firms_to_tell
from app.marketplace.renewals import claim_mailing
from app.models import (
    Firm,
    FirmMember,
    MarketListing,
    MarketSide,
    MarketSubscription,
    User,
)
from app.models.base import utcnow
from app.security import signer
from app.transaction import transactional, unit_of_work
from app.urls import public_url

log = logging.getLogger(__name__)
UNSUBSCRIBE_LINK_AGE = timedelta(days=60)


def _serializer() -> URLSafeTimedSerializer:
    return signer("market-unsubscribe")


def unsubscribe_url(subscription: MarketSubscription) -> str:
    token = _serializer().dumps(
        {"firm": subscription.firm_id, "since": subscription.since.isoformat()}
    )
    return public_url("marketplace.unsubscribe", firm_id=subscription.firm_id, token=token)


def subscription_of_link(firm_id: int | None, token: str) -> MarketSubscription:
    """The opt-in an unsubscribe link names, if it was signed for that firm and its current
    opt-in, less than 60 days ago; anything else is a page saying the link is not valid."""
    try:
        data = _serializer().loads(token, max_age=int(UNSUBSCRIBE_LINK_AGE.total_seconds()))
    except BadData:
        data = None
    subscription = None
    if firm_id is not None and isinstance(data, dict) and data.get("firm") == firm_id:
        subscription = db.session.scalar(
            sa.select(MarketSubscription).where(MarketSubscription.firm_id == firm_id)
        )
    if subscription is None or data.get("since") != subscription.since.isoformat():
        raise NotFound(
            _(
                "This unsubscribe link is not valid any more: it may be incomplete, too old or "
                "from before the alerts were turned on again. Log in to turn them off on your "
                "marketplace page."
            )
        )
    return subscription


@transactional
def unsubscribe(firm_id: int | None, token: str) -> MarketSubscription:
    subscription = subscription_of_link(firm_id, token)
    if subscription.active:
        subscription.active = False
        audit.record(
            None, "market_alerts.unsubscribe", "firm", firm_id, {"active": True}, {"active": False}
        )
    return subscription


def subscription(firm: Firm) -> MarketSubscription | None:
    return db.session.scalar(
        sa.select(MarketSubscription).where(MarketSubscription.firm_id == firm.id)
    )


@transactional
def set_alerts(actor: User, firm_id: int, active: bool) -> MarketSubscription:
    """Turn the firm's e-mails about fitting requests on or off."""
    firm = db.session.get(Firm, firm_id)
    if firm is None:
        raise NotFound()
    authorize(actor, "market.subscribe", firm)
    found = subscription(firm)
    before = bool(found and found.active)
    if found is None:
        found = MarketSubscription(firm_id=firm.id, active=active, since=utcnow())
        db.session.add(found)
    elif active and not found.active:
        found.since = utcnow()  # earlier unsubscribe links stop working
    found.active = active
    if before != active:
        audit.record(
            actor, "market_alerts.set", "firm", firm.id, {"active": before}, {"active": active}
        )
    return found


@dataclass
class AlertCounts:
    requests: int = 0
    firms: int = 0
    sent: int = 0
    failed: int = 0


def _claim(listing: MarketListing, now: datetime) -> bool:
    result = db.session.execute(
        sa.update(MarketListing)
        .where(MarketListing.id == listing.id, MarketListing.suppliers_notified_at.is_(None))
        .values(suppliers_notified_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def send_request_alerts(now: datetime | None = None) -> AlertCounts:
    """Tell opted-in firms of every live request not told yet (see the module docstring)."""
    now = now or utcnow()
    counts = AlertCounts()
    outgoing = []
    with unit_of_work():
        requests = db.session.scalars(
            sa.select(MarketListing)
            .where(
                MarketListing.live(now),
                MarketListing.side == MarketSide.REQUEST,
                MarketListing.suppliers_notified_at.is_(None),
            )
            .options(selectinload(MarketListing.items))
            .order_by(MarketListing.id)
        ).all()
        digests: dict[int, list] = defaultdict(list)  # user id → [(request, firm, reasons)]
        people: dict[int, User] = {}
        for request in requests:
            fits = firms_to_tell(request, now)
            if not _claim(request, now):
                continue
            counts.requests += 1
            subscriptions = db.session.scalars(
                sa.select(MarketSubscription)
                .where(MarketSubscription.firm_id.in_(fits), MarketSubscription.active)
                .options(
                    selectinload(MarketSubscription.firm)
                    .selectinload(Firm.members)
                    .selectinload(FirmMember.user)
                )
                .order_by(MarketSubscription.firm_id)
            )
            for sub in subscriptions:
                if not claim_mailing(request.id, "match", firm_id=sub.firm_id):
                    continue  # told already
                counts.firms += 1
                for user in sub.firm.reachable_members:
                    people[user.id] = user
                    digests[user.id].append((request, sub, fits[sub.firm_id]))
        for user_id, entries in digests.items():
            user = people[user_id]
            try:
                message = render_message(
                    user.email,
                    "market_request_alert",
                    user.preferred_language,
                    entries=entries,
                    link=lambda listing: public_url("marketplace.detail", listing_id=listing.id),
                    unsubscribe=unsubscribe_url,
                )
            except ValueError as error:
                log.error("marketplace alert to user %s not built: %s", user_id, error)
                counts.failed += 1
                continue
            outgoing.append(message)
    for message in outgoing:
        try:
            deliver_now(message)
        except Exception:
            log.exception("marketplace alert to %s not delivered", message["To"])
            counts.failed += 1
        else:
            counts.sent += 1
    return counts
