"""The write path of an aggregate (a kind of record with its own rules), and what the
aggregates share on it: input cleaned the same way everywhere, the problems found collected per
field and refused at once as one ValidationError, the rules on fields that several aggregates
have (web addresses, wards, amounts, the provenance of figures), writing checked data into a
record, and the audited create and edit actions."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from app import audit
from app.domain import clock
from app.domain.places import is_ward
from app.domain.text import nfc
from app.errors import ValidationError
from app.extensions import db
from app.models import Provenance, User
from app.transaction import claim, flush


def cleaned_text(data: dict, names) -> dict:
    """The values of `names` in `data`: strings NFC-normalised and stripped, blanks None."""
    cleaned = {}
    for name in names:
        value = data.get(name)
        if isinstance(value, str):
            value = nfc(value).strip() or None
        cleaned[name] = value
    return cleaned


class Problems:
    """The problems found in one record's data, as {field: [messages]}."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def refuse(self) -> None:
        """Raise one ValidationError with every problem found, if any was."""
        if self.errors:
            raise ValidationError(_("Please correct the fields marked below."), errors=self.errors)

    def web_address(self, field: str, url: str | None) -> None:
        if url and not url.startswith(("https://", "http://")):
            self.add(field, _("Enter a web address starting with https://."))

    def ward(self, field: str, code: int | None) -> None:
        if code is not None and not is_ward(code):
            self.add(field, _("Choose a ward or commune from the list."))

    def amount_range(self, low_field: str, low: int | None, high_field: str, high: int | None):
        """A range of amounts in đồng (either end may be open): not negative, low ≤ high."""
        if any(value is not None and value < 0 for value in (low, high)):
            self.add(low_field, _("Amounts cannot be negative."))
        elif low is not None and high is not None and low > high:
            self.add(high_field, _("The upper amount must not be below the lower one."))

    def records(self, field: str, model, ids, message: str) -> list:
        """The `model` records with these ids; a problem (`message`) if any does not exist."""
        wanted = set(ids or [])
        if not wanted:
            return []
        found = list(db.session.scalars(sa.select(model).where(model.id.in_(wanted))))
        if len(found) != len(wanted):
            self.add(field, message)
        return found


PROVENANCE_FIELDS = ("provenance", "source_document", "source_date", "source_url")


def check_provenance(cleaned: dict, record, figures: tuple[str, ...], problems: Problems):
    """Where a record's figures come from (PROVENANCE_FIELDS in `cleaned`, which this completes).

    Curators choose "sample" or "public source" (which names its document and date); only
    `mark_verified` makes a record verified. A verification covers the figures and the source
    the agency saw: when one of `figures` or the source changes, the record is no longer
    verified. It goes back to "public source", not "sample": a verified record always names its
    source (`mark_verified` requires one), and the new figure is the curator's reading of that
    source (which they can correct in the same form) until the agency verifies it again."""
    kind = cleaned["provenance"] or Provenance.SAMPLE
    was_verified = record is not None and record.provenance == Provenance.VERIFIED
    if kind not in {p.value for p in Provenance}:
        problems.add("provenance", _("Choose where the figures come from."))
    elif kind == Provenance.VERIFIED and not was_verified:
        problems.add("provenance", _("Only the “mark verified” action marks figures verified."))
    elif kind != Provenance.SAMPLE:
        if not cleaned["source_document"]:
            problems.add("source_document", _("Enter the number and symbol of the document."))
        if not cleaned["source_date"]:
            problems.add("source_date", _("Enter the date of the document."))
    problems.web_address("source_url", cleaned["source_url"])
    seen = (*figures, "source_document", "source_date", "source_url")
    if kind == Provenance.VERIFIED and any(cleaned[n] != getattr(record, n) for n in seen):
        kind = Provenance.PUBLIC_SOURCE
    cleaned["provenance"] = kind
    if kind != Provenance.VERIFIED:
        cleaned.update(verified_by_agency=None, verified_on=None)


def mark_verified(actor: User, record) -> None:
    """The actor's agency vouches, today, for the record's figures as they stand."""
    if record.provenance == Provenance.SAMPLE:
        message = _("Sample data cannot be verified: record the source document first.")
        raise ValidationError(message, errors={"provenance": [message]})
    record.provenance = Provenance.VERIFIED
    record.verified_by_agency = actor.agency
    record.verified_on = clock.today()
    flush()


def write(record, cleaned: dict, duplicate: ValidationError | None = None):
    """Write checked data into a record, new or saved, field by field, and flush (a duplicate
    the database refuses is `duplicate`, when the caller can say which field it concerns)."""
    for name, value in cleaned.items():
        setattr(record, name, value)
    db.session.add(record)
    flush(duplicate)
    return record


@dataclass(frozen=True)
class Aggregate:
    """One aggregate's write path: `data_of(record)` its data as `check` takes it (and its edit
    form shows it), `check(data, record or None)` every rule once, returning the cleaned data,
    `apply(record, cleaned)` the write (flush only). Its actions are audited as `<name>.<action>`
    with `state(record)`, by default the plain values of its data."""

    name: str
    data_of: Callable[[Any], dict]
    check: Callable[[dict, Any], dict]
    apply: Callable[[Any, dict], Any]
    state: Callable[[Any], dict] | None = None

    def snapshot(self, record) -> dict:
        if self.state is not None:
            return self.state(record)
        return {name: audit.plain(value) for name, value in self.data_of(record).items()}

    def create(self, actor: User | None, data: dict, new: Callable[[dict], Any]):
        """Check `data`, write it into `new(cleaned)` and audit the new record."""
        cleaned = self.check(data, None)
        record = self.apply(new(cleaned), cleaned)
        audit.record(
            actor, f"{self.name}.create", self.name, record.id, None, self.snapshot(record)
        )
        return record

    def edit(self, actor: User | None, record, changes: dict, version: int | None, action="update"):
        """Check the record's data with `changes` put in (fields left out keep their value),
        then write it at the version the editor saw."""
        cleaned = self.check({**self.data_of(record), **changes}, record)
        return self.change(actor, record, version, action, lambda: self.apply(record, cleaned))

    def change(self, actor, record, version, action: str, make: Callable[[], Any], reason=None):
        """Take the record at the version the editor saw (`claim`), `make` the change, and
        audit what it changed."""
        claim(record, version)
        before = self.snapshot(record)
        make()
        old, new = audit.changed_fields(before, self.snapshot(record))
        audit.record(actor, f"{self.name}.{action}", self.name, record.id, old, new, reason)
        return record
