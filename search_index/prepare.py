"""What every backend takes from a document dict: its key (validated), its text parts, its facet
values and its sort values, all checked before anything is written (ValueError otherwise)."""

import calendar
from datetime import date, datetime
from typing import Any

from .backend import KINDS, document_key

__all__ = [
    "MAX_PART_TOKENS",
    "MISSING_CLOSES",
    "MISSING_UPDATED",
    "STORED_BODY_CHARS",
    "closes_ordinal",
    "facet_pairs",
    "text_field",
    "updated_timestamp",
    "valid_key",
]

# Syllables indexed per text part, and characters of a body kept for highlighting.
MAX_PART_TOKENS = 5000
STORED_BODY_CHARS = 20_000
# Sort values of documents without a date: last whichever way a list is sorted.
MISSING_UPDATED = -(2**62)
MISSING_CLOSES = 2**62


def valid_key(doc: dict) -> str:
    """The "kind:id" key of `doc`, or ValueError for an unknown kind or a non-int id."""
    kind = doc.get("kind")
    if kind not in KINDS:
        raise ValueError(f"document kind must be one of {KINDS}, got {kind!r}")
    entity_id = doc.get("id")
    if not isinstance(entity_id, int) or isinstance(entity_id, bool):
        raise ValueError(f"document id must be an int, got {entity_id!r}")
    return document_key(kind, entity_id)


def text_field(doc: dict, name: str) -> str:
    value = doc.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"document field {name!r} must be a string or None")
    return value


def facet_pairs(doc: dict) -> list[tuple[str, str]]:
    """(facet name, value) for every facet value of `doc`."""
    facets = doc.get("facets") or {}
    if not isinstance(facets, dict):
        raise ValueError("document facets must be a dict of lists of strings")
    return [
        (name, value)
        for name, values in facets.items()
        for value in ([values] if isinstance(values, str) else values or ())
    ]


def updated_timestamp(value: Any) -> int:
    """Seconds since the epoch (naive datetimes are UTC), MISSING_UPDATED for None."""
    if value is None:
        return MISSING_UPDATED
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return calendar.timegm(value.timetuple())
        return int(value.timestamp())
    if isinstance(value, date):
        return calendar.timegm(value.timetuple())
    raise ValueError("sort['updated'] must be a datetime, a date or None")


def closes_ordinal(value: Any) -> int:
    """The date's ordinal, MISSING_CLOSES for None."""
    if value is None:
        return MISSING_CLOSES
    if isinstance(value, (date, datetime)):
        return value.toordinal()
    raise ValueError("sort['closes'] must be a date or None")
