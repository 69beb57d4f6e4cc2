"""How each area's documents.py declares what its search documents read (`Dependency`), and
the view of one flush's changes (`Flush`) that the search outbox and the declared finders share.
"""

from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

T = TypeVar("T")

# A value from before the flush that the session never loaded (the attribute was expired, then
# assigned without being read): equal to nothing, so whatever depends on it counts as changed.
UNKNOWN = object()


@dataclass(frozen=True)
class Dependency:
    """Documents of one kind read `fields` of `model` (attribute names, relationships included);
    `affected(flush, record)` gives the ids of the documents that show `record`.

    The outbox calls `affected` for a record inserted or deleted by the flush, or one whose
    changed fields meet `fields`. A change to any column also changes the columns that update
    themselves (`updated_at`), so a document that shows `updated_at` follows every column.
    """

    model: type
    fields: tuple[str, ...]
    affected: Callable[["Flush", Any], Iterable[int | None]]


class Flush:
    """One flush's changes, read in `after_flush`: the session still lists what was new, dirty
    and deleted, and attribute history still holds the values from before the flush."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.connection = session.connection()
        self._memo: dict[Hashable, Any] = {}

    def changes(self, model: type | None = None) -> Iterator[tuple[Any, frozenset[str] | None]]:
        """Each record the flush wrote (of `model`, if given) with the fields it changed; None
        for a record inserted or deleted, whose every field counts as changed."""
        for record in (*self.session.new, *self.session.deleted):
            if model is None or isinstance(record, model):
                yield record, None
        for record in self.session.dirty:
            if model is None or isinstance(record, model):
                fields = changed_fields(record)
                if fields:
                    yield record, fields

    def is_new(self, record) -> bool:
        return record in self.session.new

    def previous(self, record, name: str) -> Any:
        """The value of `record.name` before this flush (UNKNOWN if it was never loaded)."""
        history = sa.inspect(record).attrs[name].history
        if history.deleted:
            return history.deleted[0]
        if history.unchanged:
            return history.unchanged[0]
        if history.added:
            return None if self.is_new(record) else UNKNOWN
        return getattr(record, name)

    def values(self, record, name: str) -> set[Any]:
        """The values of `record.name` before and after this flush (None left out)."""
        history = sa.inspect(record).attrs[name].history
        found = {*history.added, *history.unchanged, *history.deleted}
        if not found:
            found = {getattr(record, name)}
        return found - {None}

    def ids(self, query: sa.Select) -> set[int]:
        """The ids a one-column query gives, read on the flush's own connection."""
        return set(self.connection.execute(query).scalars()) - {None}

    def once(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()`, worked out once per flush whichever finder asks first."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]


def changed_fields(record) -> frozenset[str]:
    """The attributes of a persistent record whose value this flush changes."""
    state = sa.inspect(record)
    changed = {attribute.key for attribute in state.attrs if attribute.history.has_changes()}
    mapper = state.mapper
    if changed & set(mapper.column_attrs.keys()):
        changed |= {
            mapper.get_property_by_column(column).key
            for column in mapper.columns
            if column.onupdate is not None
        }
    return frozenset(changed)
