"""Expiry and reminders: `send_reminders(now)` marks the published requests and offers past
their expiry as expired (they leave search; their page stays for their owner and curators),
then reminds the owners of those that expire within 14 days, and again within 1 day.

Each reminder is claimed before it is sent (`claim_mailing`): a `MarketMailing` row (listing,
round, the expiry it is about) under a unique constraint, committed before any mail leaves, so
a second or concurrent run sends nothing twice; a renewal moves the expiry, and the new one is
reminded afresh.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app import audit
from app.extensions import db
from app.mail import deliver_now, render_message
from app.models import Firm, FirmMember, MarketListing, MarketMailing, MarketStatus
from app.models.base import utcnow
from app.transaction import insert_once, unit_of_work
from app.urls import public_url

log = logging.getLogger(__name__)
# Days before expiry, nearest first: a listing within a day of expiry gets only that reminder.
ROUNDS = (1, 14)


@dataclass
class ReminderCounts:
    expired: int = 0
    reminded: int = 0
    sent: int = 0
    failed: int = 0


def claim_mailing(listing_id: int, kind: str, firm_id: int = 0, round=None) -> bool:
    """Record that this message is being sent, unless it was: False if it was (or a concurrent
    run claims it first: that run sends it, this one skips it)."""
    key = round.isoformat() if round is not None else ""
    return insert_once(MarketMailing, listing_id=listing_id, kind=kind, firm_id=firm_id, round=key)


def expire_listings(now: datetime) -> int:
    """Mark published items past their expiry as expired (audited); in the caller's unit."""
    count = 0
    for listing in db.session.scalars(
        sa.select(MarketListing)
        .where(
            MarketListing.status == MarketStatus.PUBLISHED,
            MarketListing.expires_at.is_not(None),
            MarketListing.expires_at <= now,
        )
        .order_by(MarketListing.id)
    ):
        listing.status = MarketStatus.EXPIRED
        audit.record(
            None,
            "market_listing.expire",
            "market_listing",
            listing.id,
            {"status": "published"},
            {"status": "expired"},
        )
        count += 1
    return count


def send_reminders(now: datetime | None = None) -> ReminderCounts:
    """Expire what is due, then send the reminders that are due (see the module docstring)."""
    now = now or utcnow()
    counts = ReminderCounts()
    outgoing = []
    with unit_of_work():
        counts.expired = expire_listings(now)
        reminded: set[int] = set()
        for days in ROUNDS:
            due = db.session.scalars(
                sa.select(MarketListing)
                .where(
                    MarketListing.status == MarketStatus.PUBLISHED,
                    MarketListing.expires_at > now,
                    MarketListing.expires_at <= now + timedelta(days=days),
                )
                .options(
                    selectinload(MarketListing.firm)
                    .selectinload(Firm.members)
                    .selectinload(FirmMember.user)
                )
                .order_by(MarketListing.id)
            ).all()
            for listing in due:
                if listing.id in reminded:
                    continue
                reminded.add(listing.id)
                if not claim_mailing(listing.id, f"remind-{days}", round=listing.expires_at):
                    continue  # reminded already
                counts.reminded += 1
                for user in listing.firm.reachable_members:
                    try:
                        outgoing.append(
                            render_message(
                                user.email,
                                "market_reminder",
                                user.preferred_language,
                                listing=listing,
                                days=days,
                                link=public_url("marketplace.detail", listing_id=listing.id),
                            )
                        )
                    except ValueError as error:
                        log.error("reminder for %s not built: %s", listing.id, error)
                        counts.failed += 1
    for message in outgoing:
        try:
            deliver_now(message)
        except Exception:
            log.exception("reminder to %s not delivered", message["To"])
            counts.failed += 1
        else:
            counts.sent += 1
    return counts
