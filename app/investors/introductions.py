"""Introduction requests: an investor asks a published firm for an introduction; the firm's
members accept or decline; on acceptance each side sees the other's contact details.

An investor may ask at most `INTRODUCTIONS_PER_DAY` (default 5) times in any 24 hours; the
service counts the requests itself, so the limit holds on every path.
"""

from collections import defaultdict
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app import audit
from app.authorization import authorize
from app.catalogue.service import catalogue_tree
from app.errors import NotFound, ValidationError
from app.extensions import db
from app.firms.service import PUBLISHED
from app.mail import render_message, send_after_commit
from app.models import (
    Firm,
    FirmCatalogueLink,
    FirmMember,
    IntroductionRequest,
    IntroductionState,
    InvestorProfile,
    LinkRelation,
    Role,
    User,
)
from app.models.base import utcnow
from app.transaction import transactional
from app.urls import public_url

DEFAULT_PER_DAY = 5
WINDOW = timedelta(hours=24)


def per_day_limit() -> int:
    return int(current_app.config.get("INTRODUCTIONS_PER_DAY", DEFAULT_PER_DAY))


def _check_rate(actor: User, now) -> None:
    # Lock the investor's row (PostgreSQL) so that parallel requests are counted one at a time.
    db.session.execute(sa.select(User.id).where(User.id == actor.id).with_for_update())
    recent = db.session.scalars(
        sa.select(IntroductionRequest.created_at)
        .where(
            IntroductionRequest.investor_id == actor.id,
            IntroductionRequest.created_at > now - WINDOW,
        )
        .order_by(IntroductionRequest.created_at)
    ).all()
    limit = per_day_limit()
    if len(recent) >= limit:
        again = recent[len(recent) - limit] + WINDOW
        raise ValidationError(
            _(
                "You can ask for %(limit)s introductions in 24 hours, so that firms are not "
                "flooded with requests. You can ask again from %(time)s.",
                limit=limit,
                time=format_datetime(again, "HH:mm dd/MM/yyyy"),
            )
        )


@transactional
def request_introduction(actor: User, firm_id: int, message: str) -> IntroductionRequest:
    authorize(actor, "introduction.request")
    firm = db.session.scalar(
        sa.select(Firm)
        .where(Firm.id == firm_id, PUBLISHED)
        .options(selectinload(Firm.members).selectinload(FirmMember.user))
    )
    if firm is None:
        raise NotFound()
    message = (message or "").strip()[:2000]
    if len(message) < 10:
        text = _("Tell the firm in a few words who you are and what you would like to discuss.")
        raise ValidationError(text, {"message": text})
    # One request per investor and firm: a declined request is the firm's answer.
    previous = latest_introduction(actor, firm)
    if previous is not None and previous.state == IntroductionState.DECLINED:
        raise ValidationError(_("This firm declined your earlier request."))
    if previous is not None:
        raise ValidationError(_("You have already asked this firm for an introduction."))
    now = utcnow()
    _check_rate(actor, now)
    introduction = IntroductionRequest(
        investor_id=actor.id, firm_id=firm.id, message=message, created_at=now
    )
    db.session.add(introduction)
    db.session.flush()
    audit.record(
        actor, "introduction.request", "firm", firm.id, after={"introduction": introduction.id}
    )
    profile = db.session.scalar(
        sa.select(InvestorProfile).where(InvestorProfile.user_id == actor.id)
    )
    for member in firm.members:
        if member.user.active:
            send_after_commit(
                render_message(
                    member.user.email,
                    "investor_introduction_request",
                    member.user.preferred_language,
                    firm=firm,
                    profile=profile,
                    message=message,
                    link=public_url("investors.firm_introductions"),
                )
            )
    return introduction


@transactional
def answer_introduction(actor: User, introduction_id: int, accept: bool) -> IntroductionRequest:
    introduction = db.session.scalar(
        sa.select(IntroductionRequest)
        .where(IntroductionRequest.id == introduction_id)
        .options(
            selectinload(IntroductionRequest.firm).selectinload(Firm.members),
            selectinload(IntroductionRequest.investor),
        )
    )
    if introduction is None:
        raise NotFound()
    authorize(actor, "introduction.answer", introduction.firm)
    if introduction.state != IntroductionState.PENDING:
        raise ValidationError(_("This request has already been answered."))
    introduction.state = IntroductionState.ACCEPTED if accept else IntroductionState.DECLINED
    introduction.decided_at = utcnow()
    introduction.decided_by_id = actor.id
    audit.record(
        actor,
        "introduction.answer",
        "firm",
        introduction.firm_id,
        before={"introduction": introduction.id, "state": "pending"},
        after={"introduction": introduction.id, "state": str(introduction.state)},
    )
    investor = introduction.investor
    send_after_commit(
        render_message(
            investor.email,
            "investor_introduction_accepted" if accept else "investor_introduction_declined",
            investor.preferred_language,
            firm=introduction.firm,
            link=public_url("investors.introductions_list"),
        )
    )
    return introduction


def my_introductions(actor: User) -> list[IntroductionRequest]:
    """The investor's requests, newest first."""
    authorize(actor, "investor.workspace")
    return list(
        db.session.scalars(
            sa.select(IntroductionRequest)
            .where(IntroductionRequest.investor_id == actor.id)
            .options(selectinload(IntroductionRequest.firm))
            .order_by(IntroductionRequest.created_at.desc(), IntroductionRequest.id.desc())
        )
    )


def latest_introduction(actor: User, firm: Firm) -> IntroductionRequest | None:
    return db.session.scalar(
        sa.select(IntroductionRequest)
        .where(IntroductionRequest.investor_id == actor.id, IntroductionRequest.firm_id == firm.id)
        .order_by(IntroductionRequest.created_at.desc(), IntroductionRequest.id.desc())
        .limit(1)
    )


def introductions_for_my_firms(
    actor: User,
) -> tuple[list[IntroductionRequest], dict[int, InvestorProfile]]:
    """Requests made to firms the actor manages, newest first, with the investors' profiles."""
    authorize(actor, "introduction.list_received")
    firm_ids = sa.select(FirmMember.firm_id).where(FirmMember.user_id == actor.id)
    requests = list(
        db.session.scalars(
            sa.select(IntroductionRequest)
            .where(IntroductionRequest.firm_id.in_(firm_ids))
            .options(
                selectinload(IntroductionRequest.firm), selectinload(IntroductionRequest.investor)
            )
            .order_by(IntroductionRequest.created_at.desc(), IntroductionRequest.id.desc())
        )
    )
    investor_ids = {r.investor_id for r in requests}
    profiles = {
        p.user_id: p
        for p in db.session.scalars(
            sa.select(InvestorProfile).where(InvestorProfile.user_id.in_(investor_ids))
        )
    }
    return requests, profiles


def pending_introductions(user: User) -> int:
    """Requests waiting for a firm's answer: those an investor sent, or those made to the
    firms a business manages (one query, for the menu)."""
    if user.role == Role.INVESTOR:
        whose = IntroductionRequest.investor_id == user.id
    else:
        firm_ids = sa.select(FirmMember.firm_id).where(FirmMember.user_id == user.id)
        whose = IntroductionRequest.firm_id.in_(firm_ids)
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(IntroductionRequest)
        .where(whose, IntroductionRequest.state == IntroductionState.PENDING)
    )


def _counts() -> dict[str, int]:
    return {"requested": 0, "accepted": 0, "declined": 0}


def introduction_funnel(actor: User) -> tuple[dict[str, dict], dict[str | None, dict]]:
    """Requested / accepted / declined counts per month (YYYY-MM, UTC) and per catalogue group
    of the firm asked. A firm in several groups counts in each; no group counts under None."""
    authorize(actor, "introduction.see_funnel")
    rows = db.session.execute(
        sa.select(
            IntroductionRequest.created_at, IntroductionRequest.state, IntroductionRequest.firm_id
        )
    ).all()
    firm_groups: dict[int, set[str]] = defaultdict(set)
    tree = catalogue_tree()
    links = db.session.execute(
        sa.select(FirmCatalogueLink.firm_id, FirmCatalogueLink.item_id).where(
            FirmCatalogueLink.relation == LinkRelation.OFFERS,
            FirmCatalogueLink.firm_id.in_({r.firm_id for r in rows}),
        )
    )
    for firm_id, item_id in links:
        group = tree.group_of(item_id)
        if group is not None:
            firm_groups[firm_id].add(group.code)
    by_month: dict[str, dict] = defaultdict(_counts)
    by_group: dict[str | None, dict] = defaultdict(_counts)
    for created_at, state, firm_id in rows:
        buckets = [by_month[created_at.strftime("%Y-%m")]]
        buckets += [by_group[code] for code in firm_groups.get(firm_id) or [None]]
        for counts in buckets:
            counts["requested"] += 1
            if state == IntroductionState.ACCEPTED:
                counts["accepted"] += 1
            elif state == IntroductionState.DECLINED:
                counts["declined"] += 1
    order = {g.code: n for n, g in enumerate(tree.groups)}
    return (
        dict(sorted(by_month.items(), reverse=True)),
        dict(sorted(by_group.items(), key=lambda kv: order.get(kv[0], len(order)))),
    )
