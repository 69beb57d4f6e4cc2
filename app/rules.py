"""What the aggregates' `check` and `apply` functions share: input cleaned the same way
everywhere, the problems found collected per field and refused at once as one ValidationError,
the rules on fields that several aggregates have, and writing checked data into a record."""

import sqlalchemy as sa
from flask_babel import gettext as _

from app.domain.places import is_ward
from app.domain.text import nfc
from app.errors import ValidationError
from app.extensions import db
from app.transaction import flush


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
            raise ValidationError(_("Please correct the marked fields."), errors=self.errors)

    def web_address(self, field: str, url: str | None) -> None:
        if url and not url.startswith(("https://", "http://")):
            self.add(field, _("Enter a web address starting with https://."))

    def ward(self, field: str, code: int | None) -> None:
        if code is not None and not is_ward(code):
            self.add(field, _("Choose a ward or commune from the list."))

    def records(self, field: str, model, ids, message: str) -> list:
        """The `model` records with these ids; a problem (`message`) if any does not exist."""
        wanted = set(ids or [])
        if not wanted:
            return []
        found = list(db.session.scalars(sa.select(model).where(model.id.in_(wanted))))
        if len(found) != len(wanted):
            self.add(field, message)
        return found


def write(record, cleaned: dict, duplicate: ValidationError | None = None):
    """Write checked data into a record, new or saved, field by field, and flush (a duplicate
    the database refuses is `duplicate`, when the caller can say which field it concerns)."""
    for name, value in cleaned.items():
        setattr(record, name, value)
    db.session.add(record)
    flush(duplicate)
    return record
