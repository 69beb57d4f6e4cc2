"""Writing the audit trail: who did what to which record, when, from where, and why."""

from datetime import date

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import AuditEvent, User


def record(
    actor: User | None,
    action: str,
    entity_kind: str,
    entity_id: int,
    before: dict | None = None,
    after: dict | None = None,
    reason: str | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction (it commits with the change itself)."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None and actor.is_authenticated else None,
        action=action,
        entity_kind=entity_kind,
        entity_id=entity_id,
        before=before,
        after=after,
        reason=reason,
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event


def changed_fields(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the keys whose values differ, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def plain(value):
    """A field's value as audit events (and import comparisons) keep it: JSON-able, with dates
    as ISO text and enum members as their value."""
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "_value_"):
        return str(value)
    return value


def events_of(entity_kind: str, entity_id: int) -> list[AuditEvent]:
    """The audit events of one record, newest first, with who did each."""
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.entity_kind == entity_kind, AuditEvent.entity_id == entity_id)
            .options(selectinload(AuditEvent.actor))
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        )
    )
