"""Expressions of interest: a firm asks a programme, zone or incubator to contact it, and the
owning agency follows it up (new → contacted → supported / not supported)."""

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app import audit
from app.authorization import authorize, can
from app.errors import NotFound, ValidationError
from app.extensions import db
from app.mail import render_message, send_after_commit
from app.matching.permissions import TARGET_MODELS
from app.models import Firm, Interest, InterestStatus, Role, User
from app.models.base import utcnow
from app.transaction import flush, transactional
from app.urls import public_url


def target_of(kind: str, target_id: int):
    model = TARGET_MODELS.get(kind)
    target = db.session.get(model, target_id) if model else None
    if target is None or (hasattr(target, "is_public") and not target.is_public):
        raise NotFound()
    return target


@transactional
def register_interest(actor: User, firm: Firm, kind: str, target_id: int, message: str) -> Interest:
    authorize(actor, "firm.edit", firm)
    target = target_of(kind, target_id)
    interest = Interest(
        firm=firm,
        target_kind=kind,
        target_id=target_id,
        author_id=actor.id,
        message=message.strip()[:2000] or None,
    )
    db.session.add(interest)
    flush(duplicate=ValidationError(_("Your firm has already registered interest here.")))
    audit.record(actor, "interest.create", "firm", firm.id, after={"kind": kind, "id": target_id})
    for curator in _followers(target):
        send_after_commit(
            render_message(
                curator.email,
                "interest_new",
                curator.preferred_language,
                firm=firm,
                target_name=_name(target),
                message=interest.message,
                link=public_url("matching.interests_list"),
            )
        )
    return interest


def _name(target) -> str:
    return getattr(target, "title_vi", None) or target.name_vi


def _followers(target) -> list[User]:
    staff = db.session.scalars(
        sa.select(User)
        .where(User.active.is_(True), User.role.in_([Role.CURATOR, Role.ADMIN]))
        .options(selectinload(User.agency))
    )
    return [user for user in staff if can(user, "interest.follow_up", target)]


def interests_for(actor: User, firm: Firm | None = None) -> list[tuple[Interest, object]]:
    """The interests this curator follows up (of `firm`, or all), newest first, with their
    targets."""
    authorize(actor, "interest.list")
    query = sa.select(Interest).options(selectinload(Interest.firm)).order_by(Interest.id.desc())
    if firm is not None:
        query = query.where(Interest.firm_id == firm.id)
    rows = db.session.scalars(query).all()
    targets = {
        kind: {t.id: t for t in db.session.scalars(sa.select(model))}
        for kind, model in TARGET_MODELS.items()
    }
    visible = []
    for interest in rows:
        target = targets[interest.target_kind].get(interest.target_id)
        if target is not None and can(actor, "interest.follow_up", target):
            visible.append((interest, target))
    return visible


def firm_for_follow_up(actor: User, firm_id: int) -> tuple[Firm, list[tuple[Interest, object]]]:
    """A firm whose interest the curator follows up, and its interests they follow up."""
    firm = db.session.get(Firm, firm_id)
    if firm is None:
        raise NotFound()
    authorize(actor, "firm.follow_up", firm)
    return firm, interests_for(actor, firm)


@transactional
def set_interest_status(actor: User, interest_id: int, status: str) -> None:
    interest = db.session.get(Interest, interest_id)
    if interest is None:
        raise NotFound()
    target = TARGET_MODELS[interest.target_kind]
    target = db.session.get(target, interest.target_id)
    if target is None:
        raise NotFound()
    authorize(actor, "interest.follow_up", target)
    if status not in {s.value for s in InterestStatus}:
        raise ValidationError(_("Unknown status."))
    before = str(interest.status)
    interest.status = InterestStatus(status)
    interest.status_changed_at = utcnow()
    audit.record(
        actor,
        "interest.status",
        "firm",
        interest.firm_id,
        before={"interest": interest.id, "status": before},
        after={"interest": interest.id, "status": status},
    )


def registered_targets(firm: Firm) -> set[tuple[str, int]]:
    return {
        (str(kind), target_id)
        for kind, target_id in db.session.execute(
            sa.select(Interest.target_kind, Interest.target_id).where(Interest.firm_id == firm.id)
        )
    }
