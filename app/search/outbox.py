"""Record every change to a searchable record in the search outbox, in the same transaction.

After each flush, the changed records are mapped to the (kind, id) search documents they affect
by following the dependencies each area's documents.py declares (see `registry.SOURCES`), and
one `search_outbox` row per document is inserted on the flush's own connection — so the row
commits or rolls back with the change itself, and changes flushed before the commit are not
missed. After the commit, the outbox is drained (see `sync.py`).
"""

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from app.models import OutboxOperation, SearchOutbox
from app.models.base import utcnow
from app.search.registry import dependents
from app.search_dependencies import Flush
from app.transaction import after_commit


def affected_documents(session: Session) -> set[tuple[str, int]]:
    """The (kind, id) documents whose content this flush's changes may alter: for each changed
    record, the documents that read a field it changed (any field, if inserted or deleted)."""
    flush = Flush(session)
    keys: set[tuple[str, int]] = set()
    for record, changed in flush.changes():
        for kind, dependency in dependents(type(record)):
            if changed is None or not changed.isdisjoint(dependency.fields):
                keys.update(
                    (kind, entity_id)
                    for entity_id in dependency.affected(flush, record)
                    if entity_id is not None
                )
    return keys


def _after_flush(session: Session, flush_context) -> None:
    keys = affected_documents(session)
    if not keys:
        return
    now = utcnow()
    session.connection().execute(
        sa.insert(SearchOutbox),
        [
            {
                "entity_kind": kind,
                "entity_id": entity_id,
                "operation": OutboxOperation.UPSERT,
                "created_at": now,
            }
            for kind, entity_id in sorted(keys)
        ],
    )
    after_commit(_drain_if_inline, key="search-outbox-drain", session=session)


def _drain_if_inline() -> None:
    if has_app_context() and current_app.config.get("SEARCH_SYNC", "inline") == "inline":
        from app.search.sync import drain_outbox_quietly

        drain_outbox_quietly(current_app._get_current_object())


def register_outbox_events(session_class: type[Session]) -> None:
    """Listen on the app's session class (idempotent: many apps share the class in tests)."""
    if not sa.event.contains(session_class, "after_flush", _after_flush):
        sa.event.listen(session_class, "after_flush", _after_flush)
