"""The data generation: a counter that every transaction changing directory data (firms and
their links, the catalogue, VSIC codes, programmes, zones, incubators, agencies, events and
their registrations, news articles, products and their labels) moves by one, so that anything
built from that data — export files, kept pages — knows when it is stale.

The counter is bumped by the last statement before COMMIT, in the transaction of the change.
Read it *before* the data: a file built after reading generation N holds at least every change
committed up to N. One updated row also orders concurrent writers, which a timestamp such as
max(updated_at) would not: a transaction that flushed earlier may commit later, after a reader
has taken the newer stamp, and its change would then never invalidate anything.
"""

import sqlalchemy as sa
from sqlalchemy.orm import ORMExecuteState, Session

from app import models
from app.domain import clock
from app.extensions import db
from app.models import DataGeneration

DIRECTORY_MODELS = (
    models.Agency,
    models.Article,
    models.ArticleImage,
    models.CatalogueItem,
    models.Event,
    models.EventRegistration,
    models.EcoLabel,
    models.Firm,
    models.FirmCatalogueLink,
    models.FirmCertification,
    models.FirmIndustryCode,
    models.Incubator,
    models.IndustryCode,
    models.MarketListing,
    models.Product,
    models.ProductCertificate,
    models.ProductPhoto,
    models.Programme,
    models.Zone,
)
CHANGED = "directory_data_changed"


def current_generation() -> int:
    return db.session.scalar(sa.select(DataGeneration.value).where(DataGeneration.id == 1)) or 0


def daily_generation() -> str:
    """The generation and the day, for files built from directory data: a programme's status
    follows the date, so a file of programmes is stale the next day even if nothing changed.
    Read it before the data, like `current_generation`."""
    return f"{current_generation()}-{clock.today().isoformat()}"


def _after_flush(session: Session, flush_context) -> None:
    new, deleted = set(session.new), set(session.deleted)
    for obj in new | deleted | set(session.dirty):
        if isinstance(obj, DIRECTORY_MODELS) and (
            obj in new or obj in deleted or session.is_modified(obj)
        ):
            session.info[CHANGED] = True
            return


def _after_bulk_statement(state: ORMExecuteState) -> None:
    """`session.execute(sa.update(Firm)…)` changes rows without a flush."""
    writes = state.is_update or state.is_delete
    mapper = state.bind_mapper
    if writes and mapper is not None and issubclass(mapper.class_, DIRECTORY_MODELS):
        state.session.info[CHANGED] = True


def _before_commit(session: Session) -> None:
    # The commit would flush after this hook; flush first so the bump sees every change.
    session.flush()
    if session.info.pop(CHANGED, False):
        session.connection().execute(
            sa.update(DataGeneration)
            .where(DataGeneration.id == 1)
            .values(value=DataGeneration.value + 1)
        )


def _forget(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:  # a failed savepoint leaves the rest of the unit's mark
        session.info.pop(CHANGED, None)


def register_generation_events(session_class: type[Session]) -> None:
    """Listen on the app's session class (idempotent: many apps share the class in tests)."""
    for name, listener in (
        ("after_flush", _after_flush),
        ("do_orm_execute", _after_bulk_statement),
        ("before_commit", _before_commit),
        ("after_soft_rollback", _forget),
    ):
        if not sa.event.contains(session_class, name, listener):
            sa.event.listen(session_class, name, listener)
