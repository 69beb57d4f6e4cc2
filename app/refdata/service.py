"""Managing reference data, what its actions share: who may do it, finding a record to manage,
and the history of each record. The actions live by aggregate: `catalogue.py` (the catalogue
tree), `incubators.py`, `agencies.py` and `industry_codes.py`; each checks the permission, then
the data (`check`, every rule once), then writes it (`apply`) and audits, in one unit of work.

Edits carry the version of the record the curator saw; a stale one is a Conflict
(`app.transaction.claim`).
"""

from app import audit
from app.authorization import authorize
from app.errors import NotFound
from app.extensions import db
from app.models import Agency, CatalogueItem, Incubator, IndustryCode, User

HISTORY_KINDS = {
    "catalogue_item": CatalogueItem,
    "incubator": Incubator,
    "agency": Agency,
    "industry_code": IndustryCode,
}


def get_managed(model, actor: User | None, record_id: int):
    authorize(actor, "refdata.manage")
    record = db.session.get(model, record_id)
    if record is None:
        raise NotFound()
    return record


def record_history(actor: User | None, entity_kind: str, entity_id: int):
    """(the record or None if it was deleted, its audit events newest first)."""
    authorize(actor, "refdata.manage")
    model = HISTORY_KINDS.get(entity_kind)
    if model is None:
        raise NotFound()
    record = db.session.get(model, entity_id)
    events = audit.events_of(entity_kind, entity_id)
    if record is None and not events:
        raise NotFound()
    return record, events
