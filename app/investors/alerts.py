"""Saved-search alerts: deciding which are due, sending each once, and unsubscribing by a link.

A daily alert is due a day after the previous one (weekly: seven days), less an hour of slack so
that a cron job at a fixed time never skips a day. An alert lists only firms published or
changed since the previous alert of that search; with nothing new, no mail is sent and the
window stays open. Deciding claims the search (a conditional UPDATE of `last_sent_at`) and
records an `AlertDelivery` in one commit; mail goes out after that commit, so running the
command twice, even at the same time, never sends an alert twice. A message that cannot be
built or delivered (a bad address) is logged, marked failed, and the others still go out.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from app import audit
from app.authorization import can
from app.errors import NotFound
from app.extensions import db
from app.investors.discovery import Discovery, firms_changed_between
from app.mail import deliver_now, render_message
from app.models import AlertDelivery, AlertFrequency, SavedSearch
from app.models.base import utcnow
from app.security import signer
from app.transaction import transactional, unit_of_work
from app.urls import public_url

log = logging.getLogger(__name__)

PERIODS = {AlertFrequency.DAILY: timedelta(days=1), AlertFrequency.WEEKLY: timedelta(days=7)}
SLACK = timedelta(hours=1)
FIRMS_PER_ALERT = 50
# Every alert carries a fresh link; one from an old mail stops working after this.
UNSUBSCRIBE_LINK_AGE = timedelta(days=60)


def _serializer() -> URLSafeTimedSerializer:
    return signer("saved-search-unsubscribe")


def _subscribed_at(search: SavedSearch) -> str:
    """When the alerts were (last) turned on: a link names it, so a link from an earlier
    subscription cannot turn off alerts the owner has turned on again since."""
    return (search.alerts_since or search.created_at).isoformat()


def unsubscribe_token(search: SavedSearch) -> str:
    return _serializer().dumps(
        {"search": search.id, "owner": search.owner_id, "since": _subscribed_at(search)}
    )


def unsubscribe_url(search: SavedSearch) -> str:
    return public_url(
        "investors.unsubscribe",
        search_id=search.id,
        token=unsubscribe_token(search),
    )


def search_of_link(search_id: int | None, token: str) -> SavedSearch:
    """The saved search an unsubscribe link names, if its token was signed for that search, its
    owner and its current subscription, less than UNSUBSCRIBE_LINK_AGE ago; anything else
    (incomplete, altered, another search's, expired, from an earlier subscription) is refused
    with a page that says which."""
    try:
        data = _serializer().loads(token, max_age=int(UNSUBSCRIBE_LINK_AGE.total_seconds()))
    except SignatureExpired:  # raised only once the signature is known to be ours
        raise NotFound(
            _(
                "This unsubscribe link has expired. Log in to turn off the alerts under Saved "
                "searches, or use the link in a recent alert."
            )
        ) from None
    except BadData:
        data = None
    search = None
    if search_id is not None and isinstance(data, dict) and data.get("search") == search_id:
        search = db.session.get(SavedSearch, search_id)
    if search is None or data.get("owner") != search.owner_id:
        raise NotFound(
            _(
                "This unsubscribe link is not valid: it may be incomplete or changed. Log in "
                "to turn off the alerts under Saved searches."
            )
        )
    if data.get("since") != _subscribed_at(search):
        raise NotFound(
            _(
                "This unsubscribe link comes from an alert sent before the alerts were turned "
                "on again, so it no longer stops them. Log in to turn them off under Saved "
                "searches."
            )
        )
    return search


@transactional
def unsubscribe(search_id: int | None, token: str) -> SavedSearch:
    """Turn off the alerts of one saved search, for whoever holds its signed link."""
    search = search_of_link(search_id, token)
    if search.frequency != AlertFrequency.OFF:
        audit.record(
            None,
            "saved_search.unsubscribe",
            "saved_search",
            search.id,
            before={"frequency": str(search.frequency)},
            after={"frequency": "off"},
        )
        search.frequency = AlertFrequency.OFF
    return search


def window_start(search: SavedSearch) -> datetime:
    return search.last_sent_at or search.alerts_since or search.created_at


def is_due(search: SavedSearch, now: datetime) -> bool:
    period = PERIODS.get(search.frequency)
    return period is not None and now - window_start(search) >= period - SLACK


@dataclass
class AlertReport:
    sent: int = 0
    failed: int = 0
    nothing_new: int = 0


def _claim(search: SavedSearch, now: datetime) -> bool:
    """Mark the search as alerted at `now` unless another run got there first."""
    previous = search.last_sent_at
    result = db.session.execute(
        sa.update(SavedSearch)
        .where(
            SavedSearch.id == search.id,
            SavedSearch.frequency != AlertFrequency.OFF,
            SavedSearch.deleted_at.is_(None),
            SavedSearch.last_sent_at.is_(None)
            if previous is None
            else SavedSearch.last_sent_at == previous,
        )
        .values(last_sent_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def send_due_alerts(now: datetime | None = None) -> AlertReport:
    now = now or utcnow()
    report = AlertReport()
    # The claims and deliveries are committed before any mail leaves, so a second run
    # never sends the same window again; the outcome of each delivery is a second unit.
    with unit_of_work():
        searches = db.session.scalars(
            sa.select(SavedSearch)
            .where(SavedSearch.frequency != AlertFrequency.OFF, SavedSearch.deleted_at.is_(None))
            .options(selectinload(SavedSearch.owner))
            .order_by(SavedSearch.id)
        ).all()
        outgoing = []
        for search in searches:
            if not is_due(search, now) or not can(search.owner, "investor.alerts"):
                continue
            start = window_start(search)
            filters = Discovery.from_args(MultiDict(search.args)).filters
            firms = firms_changed_between(filters, start, now)
            if not firms:
                report.nothing_new += 1
                continue
            if not _claim(search, now):
                continue
            delivery = AlertDelivery(
                saved_search_id=search.id,
                window_start=start,
                window_end=now,
                firm_ids=[f.id for f in firms],
                recipient=search.owner.email,
            )
            db.session.add(delivery)
            try:
                message = render_message(
                    search.owner.email,
                    "investor_alert",
                    search.owner.preferred_language,
                    search=search,
                    firms=firms[:FIRMS_PER_ALERT],
                    more=max(0, len(firms) - FIRMS_PER_ALERT),
                    since=start,
                    search_url=public_url("investors.discover", **search.args),
                    unsubscribe_url=unsubscribe_url(search),
                )
            except ValueError as error:  # e.g. an address that cannot be a mail header
                log.error("alert for saved search %s not built: %s", search.id, error)
                delivery.status, delivery.error = "failed", str(error)[:500]
                report.failed += 1
                continue
            message["List-Unsubscribe"] = f"<{unsubscribe_url(search)}>"
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
            outgoing.append((delivery, message))

    with unit_of_work():
        for delivery, message in outgoing:
            try:
                deliver_now(message)
            except Exception as error:
                log.exception("alert for saved search %s not delivered", delivery.saved_search_id)
                delivery.status, delivery.error = "failed", str(error)[:500]
                report.failed += 1
            else:
                delivery.status = "sent"
                report.sent += 1
    return report
