"""The one commit of a user's action (and the flushes before it), with races turned into domain
errors; and side effects that may happen only once that commit is done (mail, indexing).

A service registers a callback; it runs after the commit, and is dropped on rollback, so a
failed action never sends mail or indexes data that was not saved.
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.errors import Conflict, ValidationError
from app.extensions import db

log = logging.getLogger(__name__)
CALLBACKS = "after_commit_callbacks"


def commit() -> None:
    """Commit the one transaction of a user's action, turning races into domain errors: a
    concurrent edit (version check) into Conflict, a duplicate (unique constraint) into
    ValidationError. Nothing is saved in either case."""
    with _races_as_domain_errors():
        db.session.commit()


def flush() -> None:
    """Flush inside an action (to claim a version early, or to get ids) with the same mapping
    as commit(): a race found at a flush is the same Conflict as one found at the commit."""
    with _races_as_domain_errors():
        db.session.flush()


@contextmanager
def _races_as_domain_errors() -> Iterator[None]:
    try:
        yield
    except StaleDataError as error:
        db.session.rollback()
        raise Conflict(
            _("Someone else changed this record at the same time. Nothing was saved.")
        ) from error
    except IntegrityError as error:
        db.session.rollback()
        raise ValidationError(
            _("This change conflicts with data already saved (for example a duplicate).")
        ) from error


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
