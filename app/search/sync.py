"""The search index as derived data: draining the outbox, rebuilding, checking.

Draining holds a lock file beside the index for the whole read-build-apply-delete cycle, so two
processes never apply documents built from different database states out of order. If the lock
(or Whoosh's writer lock) is busy, the rows simply wait for the next drain.
"""

import fcntl
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
from app.search.engine import search_backend
from app.search.registry import SOURCES, all_documents, public_keys
from search_index import IndexLocked

log = logging.getLogger(__name__)


class DrainBusy(Exception):
    """Another process is draining the outbox right now."""


@dataclass
class DrainReport:
    upserted: int = 0
    deleted: int = 0
    remaining: int = 0


@contextmanager
def _drain_lock(app: Flask, timeout: float) -> Iterator[None]:
    path = Path(app.config["SEARCH_INDEX_DIR"]).with_suffix(".drain.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise DrainBusy() from None
                time.sleep(0.02)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def drain_outbox(app: Flask, batch: int = 1000, lock_timeout: float = 5.0) -> DrainReport:
    """Apply pending outbox rows to the index, oldest first; raise DrainBusy/IndexLocked if busy."""
    report = DrainReport()
    backend = search_backend(app)
    with _drain_lock(app, lock_timeout), Session(db.engine) as session:
        while True:
            rows = session.execute(
                sa.select(SearchOutbox.id, SearchOutbox.entity_kind, SearchOutbox.entity_id)
                .order_by(SearchOutbox.id)
                .limit(batch)
            ).all()
            if not rows:
                break
            wanted: dict[str, set[int]] = defaultdict(set)
            for _, kind, entity_id in rows:
                wanted[kind].add(entity_id)
            tree = CatalogueTree.load(session)
            upserts, deletes = [], []
            for kind, ids in wanted.items():
                source = SOURCES.get(kind)
                found = source.documents(session, ids, tree) if source else {}
                upserts.extend(found.values())
                deletes.extend((kind, entity_id) for entity_id in ids - found.keys())
            backend.apply(upserts, deletes, lock_timeout=lock_timeout)
            session.execute(
                sa.delete(SearchOutbox).where(SearchOutbox.id.in_([r[0] for r in rows]))
            )
            session.commit()
            session.expunge_all()
            report.upserted += len(upserts)
            report.deleted += len(deletes)
        report.remaining = session.scalar(sa.select(sa.func.count()).select_from(SearchOutbox))
    return report


def drain_outbox_quietly(app: Flask) -> None:
    """Drain after a commit without ever failing the user's action (rows wait if busy)."""
    try:
        drain_outbox(app, lock_timeout=1.0)
    except (DrainBusy, IndexLocked):
        log.info("search index busy; outbox rows wait for the next drain")
    except Exception:
        log.exception("search outbox drain failed; rows kept for `flask search sync`")


def rebuild_index(app: Flask, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the whole index from the database and swap it in; pending rows become moot."""
    backend = search_backend(app)
    with _drain_lock(app, timeout=60.0), Session(db.engine) as session:
        newest = session.scalar(sa.select(sa.func.max(SearchOutbox.id)))
        count = backend.rebuild(all_documents(session), progress=progress)
        if newest is not None:
            session.execute(sa.delete(SearchOutbox).where(SearchOutbox.id <= newest))
            session.commit()
    return count


def index_differences(app: Flask) -> tuple[set[str], set[str]]:
    """(missing from the index, extra in the index) compared with the public records."""
    with Session(db.engine) as session:
        expected = public_keys(session)
    indexed = search_backend(app).doc_ids()
    return expected - indexed, indexed - expected
