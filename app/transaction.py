"""The unit of work: the one transaction of a user's action, the one place where it commits or
rolls back, with races turned into domain errors; and side effects that may happen only once
that commit is done (mail, indexing).

Service actions run inside `unit_of_work()` (or are decorated with `@transactional`): their
steps only flush; the unit commits when the outermost action returns and rolls back when it
raises. A unit opened while another is active joins it, so actions compose — a bulk decision or
an import file is one transaction and one index drain — and a part that may fail on its own
runs in `uow.savepoint()`. Views, imports, the CLI and the seed loader never commit or roll back
the session themselves.

A service registers a callback with `after_commit`; it runs after the commit and is dropped on
rollback, so a failed action never sends mail or indexes data that was not saved.

An edit of an editable aggregate first `claim`s the record at the version the editor saw, so a
stale edit is a Conflict and never a silent overwrite.
"""

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.errors import Conflict, ValidationError
from app.extensions import db

log = logging.getLogger(__name__)
CALLBACKS = "after_commit_callbacks"
ACTIVE = "unit_of_work"


class UnitOfWork:
    """The transaction of one action on the app's session (see the module docstring)."""

    def __init__(self, session: Session):
        self.session = session
        self.discarded = False

    def discard(self) -> None:
        """Roll back instead of committing when the unit ends (a dry run, a refused file)."""
        self.discarded = True

    def commit(self) -> None:
        """Commit what is done so far — for the rare action whose first part must stay even if
        the rest is refused (a failed login attempt is counted, then refused). Races become
        Conflict (stale version) or ValidationError (duplicate); nothing is saved then."""
        with races_as_domain_errors():
            self.session.commit()

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A part of the unit that may fail on its own: if it raises, its writes (and the
        after-commit work it registered) are undone and the error propagates; the rest of the
        unit carries on and commits."""
        callbacks = dict(self.session.info.get(CALLBACKS, {}))
        _begin_in_database(self.session)
        nested = self.session.begin_nested()
        try:
            with races_as_domain_errors():
                yield
                self.session.flush()
        except BaseException:
            if nested.is_active:
                nested.rollback()
            self.session.info[CALLBACKS] = callbacks
            raise
        nested.commit()


def _begin_in_database(session: Session) -> None:
    """SQLite's Python driver opens a transaction only before the first INSERT, UPDATE or
    DELETE; a SAVEPOINT before that starts a transaction of its own, which its RELEASE commits
    — out of the unit of work. Open the unit's transaction first."""
    driver_connection = session.connection().connection.dbapi_connection
    if isinstance(driver_connection, sqlite3.Connection) and not driver_connection.in_transaction:
        driver_connection.execute("BEGIN")


@contextmanager
def unit_of_work() -> Iterator[UnitOfWork]:
    """Run an action in the session's unit of work: a new one that commits on success and
    rolls back on any error, or the active one when called from inside another action."""
    session = db.session()
    active = session.info.get(ACTIVE)
    if active is not None:
        yield active
        return
    uow = session.info[ACTIVE] = UnitOfWork(session)
    try:
        with races_as_domain_errors():  # also at any flush inside, autoflushes included
            yield uow
        if uow.discarded:
            session.rollback()
        else:
            uow.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info.pop(ACTIVE, None)


def transactional(action: Callable) -> Callable:
    """Run a service action in a unit of work (see `unit_of_work`)."""

    @wraps(action)
    def run(*args, **kwargs):
        with unit_of_work():
            return action(*args, **kwargs)

    return run


def flush(duplicate: ValidationError | None = None, stale: Conflict | None = None) -> None:
    """Flush inside an action (to claim a version early, or to get ids) with the same mapping
    as the commit: a race found at a flush is the same Conflict as one found at the commit
    (or `stale`), and a duplicate is `duplicate` when the caller can say which field it
    concerns. The unit of work rolls back."""
    with races_as_domain_errors(duplicate, stale):
        db.session.flush()


def claim(record, seen_version: int | None, stale: Conflict | None = None) -> None:
    """Take `record` for this write if the form was filled in from its current version.

    Every editable aggregate has an integer version column (SQLAlchemy's `version_id_col`).
    The version the editor saw is compared with the record's, then the version goes up at once
    with `UPDATE … WHERE version = <seen>`, before anything else of the record is written: of
    two edits made from the same version the second is refused, whether it read the record
    before or after the first one saved. The version goes up even when an edit changes only
    the record's links, which alone would not touch its row. `stale` is the refusal, when the
    action can say more than the general one.
    """
    stale = stale or _stale_edit()
    if seen_version is None or version_of(record) != seen_version:
        raise stale
    setattr(record, _version_key(record), seen_version + 1)
    flush(stale=stale)


def insert_once(model, **values) -> bool:
    """Insert a row of `model` unless a row with the same unique key exists or is being
    inserted by a concurrent transaction that commits (INSERT … ON CONFLICT DO NOTHING, which
    waits for that transaction): True if this one inserted it. The claim of a message before it
    is sent: of two runs at the same moment, one claims it, the other learns it has nothing to
    do, and neither fails."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model).values(**values).on_conflict_do_nothing()
    # RETURNING tells whether a row went in, where rowcount does not (psycopg answers -1).
    inserted = statement.returning(*sa.inspect(model).primary_key)
    return db.session.execute(inserted).first() is not None


def version_of(record) -> int:
    """The record's integer version (its mapper's `version_id_col`: `version` on most
    aggregates, `row_version` where `version` means something else)."""
    return getattr(record, _version_key(record))


def _version_key(record) -> str:
    mapper = sa.inspect(record).mapper
    return mapper.get_property_by_column(mapper.version_id_col).key


def _stale_edit() -> Conflict:
    return Conflict(
        _(
            "Someone else saved this record after you opened it. Your changes were not saved; "
            "they are still in the form below. Open the current version to compare, then save "
            "again to replace it."
        )
    )


@contextmanager
def races_as_domain_errors(
    duplicate: ValidationError | None = None, stale: Conflict | None = None
) -> Iterator[None]:
    try:
        yield
    except StaleDataError as error:
        raise stale or Conflict(
            _("Someone else changed this record at the same time. Nothing was saved.")
        ) from error
    except IntegrityError as error:
        raise duplicate or ValidationError(
            _("This change conflicts with data already saved (for example a duplicate).")
        ) from error


def after_commit(callback: Callable[[], None], key: str | None = None, session=None) -> None:
    """Run `callback` after the session commits; the same `key` registers only once."""
    callbacks = (session or db.session()).info.setdefault(CALLBACKS, {})
    callbacks[key or f"callback-{len(callbacks)}-{id(callback)}"] = callback


def _run_callbacks(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the work is not committed yet
    for callback in session.info.pop(CALLBACKS, {}).values():
        try:
            callback()
        except Exception:
            log.exception("after-commit side effect failed")


def _discard_callbacks(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:  # a savepoint restores its own (see `savepoint`)
        session.info.pop(CALLBACKS, None)


def _refuse_overlong_text(session: Session, flush_context, instances) -> None:
    """Text longer than its column's length is refused, field by field, before it is written:
    PostgreSQL would fail the statement (a 500), SQLite would keep it whole. Every write path
    (forms, imports, the CLI) goes through a flush, so this one check covers them all."""
    errors: dict[str, list[str]] = {}
    for record in (*session.new, *session.dirty):
        state = sa.inspect(record)
        for attribute in state.mapper.column_attrs:
            limit = getattr(attribute.columns[0].type, "length", None)
            value = state.dict.get(attribute.key)  # what is loaded or set: never a query
            if limit and isinstance(value, str) and len(value) > limit:
                errors.setdefault(attribute.key, []).append(
                    _(
                        "At most %(limit)d characters (this has %(count)d).",
                        limit=limit,
                        count=len(value),
                    )
                )
    if errors:
        raise ValidationError(_("Some text is too long. Nothing was saved."), errors)


def register_transaction_events(session_class: type[Session]) -> None:
    """Listen on the app's session class (idempotent: many apps share the class in tests)."""
    for name, listener in (
        ("before_flush", _refuse_overlong_text),
        ("after_commit", _run_callbacks),
        ("after_soft_rollback", _discard_callbacks),
    ):
        if not sa.event.contains(session_class, name, listener):
            sa.event.listen(session_class, name, listener)
