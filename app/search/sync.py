"""The search index as derived data: draining the outbox, rebuilding, checking.

Two processes must never apply documents built from different database states out of order (an
older read overwriting a newer one). With Whoosh, draining holds a lock file beside the index for
the whole read-build-apply-delete cycle; if it (or Whoosh's writer lock) is busy, the rows simply
wait for the next drain. With the index in PostgreSQL, shared by several hosts, drainers work side
by side: each claims outbox rows with `SELECT … FOR UPDATE SKIP LOCKED` (never the same rows,
never waiting), then a transaction-scoped advisory lock per document (a document another drainer
is applying waits for the next drain), and only then reads the documents: whoever applies a
document later also read it later. A rebuild takes an advisory lock that drainers share.
"""

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from app.catalogue.service import CatalogueTree
from app.extensions import db
from app.models import SearchOutbox
from app.search.engine import search_backend, uses_database_index
from app.search.registry import SOURCES, all_documents, public_keys
from search_index import IndexLocked, SearchBackend, document_digest, document_key
from search_index.locking import exclusive

log = logging.getLogger(__name__)


class DrainBusy(Exception):
    """Another process is draining the outbox right now."""


@dataclass
class DrainReport:
    upserted: int = 0
    deleted: int = 0
    remaining: int = 0


def _drain_lock(app: Flask, timeout: float):
    path = Path(app.config["SEARCH_INDEX_DIR"]).with_suffix(".drain.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    return exclusive(path, timeout, DrainBusy, poll=0.02)


def drain_outbox(app: Flask, batch: int = 1000, lock_timeout: float = 5.0) -> DrainReport:
    """Apply pending outbox rows to the index, oldest first; raise DrainBusy/IndexLocked if busy."""
    backend = search_backend(app)
    if uses_database_index(app):
        with Session(db.engine) as session:
            return _drain_claimed(session, backend, batch, lock_timeout)
    with _drain_lock(app, lock_timeout), Session(db.engine) as session:
        return _drain(session, backend, batch, lock_timeout)


def _documents(
    session: Session, wanted: dict[str, set[int]]
) -> tuple[list[dict], list[tuple[str, int]]]:
    """(documents to upsert, keys to delete) for the `wanted` ids of each kind, as the database
    has them now."""
    tree = CatalogueTree.load(session)
    upserts, deletes = [], []
    for kind, ids in wanted.items():
        source = SOURCES.get(kind)
        found = source.documents(session, ids, tree) if source else {}
        upserts.extend(found.values())
        deletes.extend((kind, entity_id) for entity_id in ids - found.keys())
    return upserts, deletes


def _wanted(rows) -> dict[str, set[int]]:
    wanted: dict[str, set[int]] = defaultdict(set)
    for _, kind, entity_id in rows:
        wanted[kind].add(entity_id)
    return wanted


def _apply_rows(
    session: Session, backend: SearchBackend, rows, lock_timeout: float, report: DrainReport
) -> None:
    """Read the documents of outbox `rows` as the database has them now, apply them, delete the
    rows and commit."""
    upserts, deletes = _documents(session, _wanted(rows))
    backend.apply(upserts, deletes, lock_timeout=lock_timeout)
    session.execute(sa.delete(SearchOutbox).where(SearchOutbox.id.in_([r[0] for r in rows])))
    session.commit()
    session.expunge_all()
    report.upserted += len(upserts)
    report.deleted += len(deletes)


def _drain(
    session: Session, backend: SearchBackend, batch: int, lock_timeout: float
) -> DrainReport:
    """Drain with the drain lock already held."""
    report = DrainReport()
    while True:
        rows = session.execute(
            sa.select(SearchOutbox.id, SearchOutbox.entity_kind, SearchOutbox.entity_id)
            .order_by(SearchOutbox.id)
            .limit(batch)
        ).all()
        if not rows:
            break
        _apply_rows(session, backend, rows, lock_timeout, report)
    report.remaining = session.scalar(sa.select(sa.func.count()).select_from(SearchOutbox))
    return report


# PostgreSQL advisory lock keys: the rebuild's (drainers take it shared), and the space of the
# per-document ones (hashtext of the "kind:id" key; a collision only delays a row).
REBUILD_LOCK = 0x5EA2C5
DOCUMENT_LOCKS = 0x5EA2C6


def _drain_claimed(
    session: Session, backend: SearchBackend, batch: int, lock_timeout: float
) -> DrainReport:
    """Drain alongside other drainers (PostgreSQL): each batch is one transaction that claims
    rows nobody else holds, then their documents, reads them, applies them and deletes the rows.
    Stops when no row is left that it could claim."""
    report = DrainReport()
    while True:
        if not session.scalar(sa.select(sa.func.pg_try_advisory_xact_lock_shared(REBUILD_LOCK))):
            session.rollback()
            raise DrainBusy()
        rows = session.execute(
            sa.select(SearchOutbox.id, SearchOutbox.entity_kind, SearchOutbox.entity_id)
            .order_by(SearchOutbox.id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        ).all()
        keys = sorted({document_key(kind, entity_id) for _, kind, entity_id in rows})
        claimed = set(
            session.scalars(
                sa.text(
                    "SELECT key FROM unnest(CAST(:keys AS text[])) AS key"
                    " WHERE pg_try_advisory_xact_lock(:space, hashtext(key))"
                ),
                {"keys": keys, "space": DOCUMENT_LOCKS},
            )
        )
        mine = [row for row in rows if document_key(row[1], row[2]) in claimed]
        if not mine:
            session.rollback()
            break
        # Read only now: a drainer that applied these documents before us has committed.
        _apply_rows(session, backend, mine, lock_timeout, report)
    report.remaining = session.scalar(sa.select(sa.func.count()).select_from(SearchOutbox))
    return report


@contextmanager
def _rebuild_lock(app: Flask, timeout: float) -> Iterator[None]:
    """Keep drainers away while a rebuild reads the database and swaps the index in."""
    if not uses_database_index(app):
        with _drain_lock(app, timeout):
            yield
        return
    with db.engine.connect() as connection:
        deadline = time.monotonic() + timeout
        while not connection.scalar(sa.select(sa.func.pg_try_advisory_lock(REBUILD_LOCK))):
            connection.rollback()
            if time.monotonic() >= deadline:
                raise DrainBusy()
            time.sleep(0.05)
        connection.commit()
        try:
            yield
        finally:
            connection.execute(sa.select(sa.func.pg_advisory_unlock(REBUILD_LOCK)))
            connection.commit()


def drain_outbox_quietly(app: Flask) -> None:
    """Drain after a commit without ever failing the user's action (rows wait if busy)."""
    try:
        drain_outbox(app, lock_timeout=1.0)
    except (DrainBusy, IndexLocked):
        log.info("search index busy; outbox rows wait for the next drain")
    except Exception:
        log.exception("search outbox drain failed; rows kept for `flask search sync`")


def rebuild_index(app: Flask, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the whole index from the database, swap it in, then apply what changed meanwhile.

    Which outbox rows does a rebuild make moot? Exactly those whose transaction had committed
    before the rebuild read its first document, because every later read sees their changes
    (each statement reads what is committed: READ COMMITTED on PostgreSQL, autocommit reads on
    SQLite). So, on its own session and before reading any document, the rebuild lists the ids
    of the rows it can see (committed ones only), and after the swap it deletes those ids and
    no others. No single snapshot over the whole rebuild is needed for this (on SQLite without
    WAL, a read transaction held that long would block every writer's commit).

    A high-water mark (delete `id <= max(id)`) is not enough: ids are handed out at insert, not
    at commit. On PostgreSQL a slow edit can hold id 20 while id 30 commits; the mark reads 30,
    the rebuild reads the edit's record as it was, the edit commits, and deleting `id <= 30`
    would discard row 20 and leave the document stale until the next rebuild. A row the rebuild
    did not see is kept whatever its id, so no time margin is needed either.

    The rows kept (edits that committed during the rebuild, whose own after-commit drains gave
    up because the rebuild held the drain lock) are drained right after the swap: still under
    the lock with Whoosh, just after releasing it with PostgreSQL (drainers need it shared).
    """
    backend = search_backend(app)
    with _rebuild_lock(app, timeout=60.0), Session(db.engine) as session:
        covered = _outbox_ids(session)
        count = backend.rebuild(all_documents(session), progress=progress)
        _delete_outbox_rows(session, covered)
        session.commit()
        if not uses_database_index(app):
            try:
                _drain(session, backend, batch=1000, lock_timeout=5.0)
            except IndexLocked:
                log.info("search index busy after rebuild; outbox rows wait for the next drain")
    if uses_database_index(app):
        try:
            drain_outbox(app)
        except (DrainBusy, IndexLocked):
            log.info("search index busy after rebuild; outbox rows wait for the next drain")
    return count


def _outbox_ids(session: Session) -> set[int]:
    return set(session.scalars(sa.select(SearchOutbox.id)))


def _delete_outbox_rows(session: Session, ids: set[int], chunk: int = 500) -> None:
    ordered = sorted(ids)
    for start in range(0, len(ordered), chunk):
        part = ordered[start : start + chunk]
        session.execute(sa.delete(SearchOutbox).where(SearchOutbox.id.in_(part)))


def index_differences(app: Flask) -> tuple[set[str], set[str]]:
    """(missing from the index, extra in the index) compared with the public records."""
    with Session(db.engine) as session:
        expected = public_keys(session)
    indexed = search_backend(app).doc_ids()
    return expected - indexed, indexed - expected


def stale_documents(app: Flask, progress: Callable[[int], None] | None = None) -> set[str]:
    """Indexed documents whose content differs from the document the database gives now.

    Compares the digest the index recorded when it wrote each document with the digest of the
    document built afresh; one indexed without a digest counts as stale. Keys on one side only
    are `index_differences`' business. A record edited while the check runs may show as stale
    until its outbox row is drained.
    """
    indexed = search_backend(app).digests()
    stale: set[str] = set()
    count = 0
    with Session(db.engine) as session:
        for count, doc in enumerate(all_documents(session), 1):
            key = document_key(doc["kind"], doc["id"])
            if key in indexed and indexed[key] != document_digest(doc):
                stale.add(key)
            if progress and count % 100 == 0:
                progress(count)
    if progress:
        progress(count)
    return stale


def pending_changes() -> int:
    """Outbox rows not yet applied to the index."""
    with Session(db.engine) as session:
        return session.scalar(sa.select(sa.func.count()).select_from(SearchOutbox))
