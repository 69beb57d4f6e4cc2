"""The audit history of a firm, programme or zone, for those who curate it."""

from app import audit
from app.authorization import authorize
from app.errors import NotFound
from app.extensions import db
from app.models import (
    Firm,
    Programme,
    User,
    Zone,
)

HISTORY_KINDS = {"firm": Firm, "programme": Programme, "zone": Zone}


def record_history(actor: User, entity_kind: str, entity_id: int):
    """(the record, its audit events newest first) for those who may curate the record."""
    model = HISTORY_KINDS.get(entity_kind)
    if model is None:
        raise NotFound()
    record = db.session.get(model, entity_id)
    if record is None:
        raise NotFound()
    if entity_kind == "firm":
        authorize(actor, "firm.review")
    else:
        authorize(actor, f"{entity_kind}.manage", record)
    events = audit.events_of(entity_kind, entity_id)
    return record, events
