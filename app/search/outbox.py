"""Record every change to a searchable record in the search outbox, in the same transaction.

After each flush, the changed objects are mapped to the (kind, id) search documents they affect
and one `search_outbox` row per document is inserted on the flush's own connection — so the row
commits or rolls back with the change itself, and changes flushed before the commit are not
missed. After the commit, the outbox is drained (see `sync.py`).
"""

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from app.models import (
    Agency,
    CatalogueItem,
    Firm,
    FirmCatalogueLink,
    FirmCertification,
    FirmIndustryCode,
    Incubator,
    OutboxOperation,
    Programme,
    SearchOutbox,
    Zone,
)
from app.models.base import utcnow
from app.models.place import incubator_catalogue_item, zone_catalogue_item
from app.models.programme import programme_catalogue_item
from app.transaction import after_commit


def affected_documents(session: Session) -> set[tuple[str, int]]:
    """The (kind, id) documents that this flush's changes make stale."""
    keys: set[tuple[str, int]] = set()
    connection = session.connection()
    new, deleted = set(session.new), set(session.deleted)
    for obj in new | set(session.dirty) | deleted:
        if obj not in deleted and obj not in new and not session.is_modified(obj):
            continue
        if isinstance(obj, Firm):
            keys.add(("firm", obj.id))
        elif isinstance(obj, FirmCatalogueLink | FirmIndustryCode | FirmCertification):
            keys.add(("firm", obj.firm_id))
        elif isinstance(obj, CatalogueItem):
            keys.add(("catalogue", obj.id))
            # Names and codes of items appear in the documents of firms, programmes, zones and
            # incubators that point at them.
            keys |= _rows(
                connection,
                "firm",
                sa.select(FirmCatalogueLink.firm_id).where(FirmCatalogueLink.item_id == obj.id),
            )
            keys |= _rows(
                connection,
                "programme",
                sa.select(programme_catalogue_item.c.programme_id).where(
                    programme_catalogue_item.c.item_id == obj.id
                ),
            )
            for kind, table, owner in (
                ("zone", zone_catalogue_item, "zone_id"),
                ("incubator", incubator_catalogue_item, "incubator_id"),
            ):
                keys |= _rows(
                    connection, kind, sa.select(table.c[owner]).where(table.c.item_id == obj.id)
                )
            keys |= _rows(
                connection,
                "catalogue",
                sa.select(CatalogueItem.id).where(CatalogueItem.parent_id == obj.id),
            )
        elif isinstance(obj, Programme):
            keys.add(("programme", obj.id))
        elif isinstance(obj, Zone):
            keys.add(("zone", obj.id))
            keys |= _rows(connection, "firm", sa.select(Firm.id).where(Firm.zone_id == obj.id))
        elif isinstance(obj, Incubator):
            keys.add(("incubator", obj.id))
        elif isinstance(obj, Agency):
            keys |= _rows(
                connection,
                "programme",
                sa.select(Programme.id).where(Programme.agency_id == obj.id),
            )
    return {(kind, entity_id) for kind, entity_id in keys if entity_id is not None}


def _rows(connection, kind: str, query) -> set[tuple[str, int]]:
    return {(kind, entity_id) for entity_id in connection.execute(query).scalars()}


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
