"""Side effects that may happen only once the current transaction has committed (mail, indexing).

A service registers a callback; it runs after the commit, and is dropped on rollback, so a
failed action never sends mail or indexes data that was not saved.
"""

import logging
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.extensions import db

log = logging.getLogger(__name__)
CALLBACKS = "after_commit_callbacks"


def after_commit(callback: Callable[[], None], key: str | None = None, session=None) -> None:
    """Run `callback` after the session commits; the same `key` registers only once."""
    callbacks = (session or db.session()).info.setdefault(CALLBACKS, {})
    callbacks[key or f"callback-{len(callbacks)}-{id(callback)}"] = callback


def _run_callbacks(session: Session) -> None:
    for callback in session.info.pop(CALLBACKS, {}).values():
        try:
            callback()
        except Exception:
            log.exception("after-commit side effect failed")


def _discard_callbacks(session: Session, previous_transaction) -> None:
    session.info.pop(CALLBACKS, None)


def register_transaction_events(session_class: type[Session]) -> None:
    """Listen on the app's session class (idempotent: many apps share the class in tests)."""
    for name, listener in (
        ("after_commit", _run_callbacks),
        ("after_soft_rollback", _discard_callbacks),
    ):
        if not sa.event.contains(session_class, name, listener):
            sa.event.listen(session_class, name, listener)
