"""The yearly confirmation of firm listings (the Enterprise Europe Network's rule, issue 17).

A published listing is confirmed by one of its firm's members at least every
`LISTING_CONFIRMATION_DAYS` (365): publication, an approved change and the "Confirm" button on
the business's listing page each count. `flask listings remind` (cron, daily) e-mails the
members 30 and 7 days before the day a confirmation is due, once per round and period (the
`ListingReminder` rows are written in the transaction that queues the mail, and unique), and
lapses the listings whose day has passed: they are archived with `lapsed_at` set, so they leave
the directory, search and matching but keep their data and history. A member renews a lapsed
listing with one click: it is published again as it was approved, with a new period.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app import audit
from app.authorization import authorize
from app.domain import clock
from app.errors import Conflict, ValidationError
from app.extensions import db
from app.firms import data as firm_data
from app.mail import render_message, send_after_commit
from app.models import Firm, FirmMember, FirmStatus, ListingReminder, User
from app.models.base import utcnow
from app.transaction import insert_once, transactional, unit_of_work
from app.urls import public_url

ROUNDS = (30, 7)  # days before the due day; each listing is reminded once per round and period


def period_days() -> int:
    return current_app.config["LISTING_CONFIRMATION_DAYS"]


def due_on(firm: Firm) -> date | None:
    """The local day by which the listing must be confirmed (None: not under the rule)."""
    if firm.status != FirmStatus.PUBLISHED or firm.confirmed_at is None:
        return None
    return clock.local(firm.confirmed_at).date() + timedelta(days=period_days())


def due_soon(firm: Firm) -> bool:
    """Whether the listing's day is within the reminder rounds (its page then says so loudly)."""
    day = due_on(firm)
    return day is not None and (day - clock.today()).days <= max(ROUNDS)


def is_lapsed(firm: Firm) -> bool:
    return firm.status == FirmStatus.ARCHIVED and firm.lapsed_at is not None


def _state(firm: Firm) -> dict:
    return {
        "status": str(firm.status),
        "confirmed_at": audit.plain(firm.confirmed_at),
        "lapsed_at": audit.plain(firm.lapsed_at),
    }


def _record(actor: User | None, action: str, firm: Firm, before: dict) -> None:
    old, new = audit.changed_fields(before, _state(firm))
    audit.record(actor, action, "firm", firm.id, old, new)


def _stale() -> Conflict:
    return Conflict(
        _(
            "This listing was changed after you opened the page. Nothing was saved: check "
            "it below and confirm again."
        )
    )


def start_period(firm: Firm) -> None:
    """A new confirmation period from now (publication and approved changes call this)."""
    firm.confirmed_at = utcnow()


@transactional
def confirm_listing(actor: User, firm: Firm, version: int | None) -> Firm:
    """The member says the published listing is still right; a lapsed one is published again
    as it was approved. Either way a new period starts."""
    authorize(actor, "firm.confirm", firm)
    renewing = is_lapsed(firm)
    # Only a renewal changes what the public sees (and so `updated_at`).
    firm_data.claim(firm, version, _stale(), public=renewing)
    before = _state(firm)
    if renewing:
        firm.status = FirmStatus.PUBLISHED
        firm.lapsed_at = None
    start_period(firm)
    _record(actor, "firm.renew" if renewing else "firm.confirm", firm, before)
    return firm


@dataclass
class RenewalReport:
    reminded: int = 0  # listings reminded
    messages: int = 0
    lapsed: list[Firm] = field(default_factory=list)
    unreachable: list[Firm] = field(default_factory=list)  # no member can read mail
    conflicts: int = 0  # changed by someone during the run: left for the next one


def _mail(firm: Firm, template: str, **context) -> list[User]:
    users = firm.reachable_members
    for user in users:
        send_after_commit(
            render_message(
                user.email,
                template,
                language=user.preferred_language,
                user=user,
                firm=firm,
                link=public_url("firms.manage", firm_id=firm.id),
                **context,
            )
        )
    return users


def _published_confirmed_before(moment: datetime) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(Firm.id)
            .where(
                Firm.status == FirmStatus.PUBLISHED,
                Firm.confirmed_at.is_not(None),
                Firm.confirmed_at < moment,
            )
            .order_by(Firm.id)
        )
    )


def _load(firm_id: int) -> Firm | None:
    return db.session.scalar(
        sa.select(Firm)
        .where(Firm.id == firm_id)
        .options(selectinload(Firm.members).selectinload(FirmMember.user))
    )


def send_reminders(today: date | None = None) -> RenewalReport:
    """Lapse the listings past their day, then remind those whose day is near (see the module
    docstring). Each listing is its own transaction: a member confirming during the run wins,
    and a concurrent run that logged a round first sends it alone."""
    today = today or clock.today()
    report = RenewalReport()
    # Candidates by a coarse bound in SQL (the local day is worked out per listing).
    horizon = datetime.combine(today + timedelta(days=max(ROUNDS) + 1), datetime.min.time())
    for firm_id in _published_confirmed_before(horizon - timedelta(days=period_days())):
        try:
            with unit_of_work():
                firm = _load(firm_id)
                day = due_on(firm) if firm else None
                if day is None:
                    continue
                if day <= today:
                    _lapse(firm, report)
                else:
                    _remind(firm, day, today, report)
        except Conflict:
            report.conflicts += 1
        except ValidationError:
            pass  # another run logged this round first: it sends the reminder
    return report


def _lapse(firm: Firm, report: RenewalReport) -> None:
    firm_data.claim(firm, firm.version, _stale())
    before = _state(firm)
    firm.status = FirmStatus.ARCHIVED
    firm.lapsed_at = utcnow()
    _record(None, "firm.lapse", firm, before)
    _mail(firm, "firm_listing_lapsed")
    report.lapsed.append(firm)


def _remind(firm: Firm, day: date, today: date, report: RenewalReport) -> None:
    days_left = (day - today).days
    round_days = min((r for r in ROUNDS if days_left <= r), default=None)
    if round_days is None:
        return
    if not firm.reachable_members:
        report.unreachable.append(firm)  # tried again on the next run
        return
    if not insert_once(ListingReminder, firm_id=firm.id, due_on=day, round_days=round_days):
        return  # reminded already, or by a concurrent run
    mailed = _mail(firm, "firm_listing_confirm", due=day, days_left=days_left)
    report.reminded += 1
    report.messages += len(mailed)
