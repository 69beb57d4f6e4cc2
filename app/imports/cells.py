"""Turning one text cell into a typed value, or a message saying why it cannot be."""

from datetime import date, datetime

from flask_babel import gettext as _

from app.domain.places import is_ward
from app.domain.tax_code import normalize_tax_code
from app.domain.text import slugify
from app.parsing import MAX_ID, parse_amount, parse_decimal, parse_int

YES = {"yes", "y", "true", "1", "có", "co", "x"}
NO = {"no", "n", "false", "0", "không", "khong"}


class CellError(ValueError):
    """The cell's text is not a valid value; the message is in the user's language."""


def text(value: str) -> str | None:
    return value or None


def integer(value: str) -> int | None:
    if not value:
        return None
    number = parse_int(value, low=-MAX_ID)
    if number is None:
        raise CellError(_("Enter a whole number."))
    return number


def amount(value: str) -> int | None:
    """A sum in VND, read as every form reads it (1.500.000.000 · 38,5 tỷ · 500 triệu)."""
    try:
        return parse_amount(value)
    except ValueError as error:
        raise CellError(str(error)) from None


def decimal(value: str) -> float | None:
    if not value:
        return None
    number = parse_decimal(value)
    if number is None:
        raise CellError(_("Enter a number, for example 12.5."))
    return number


def date_value(value: str) -> date | None:
    """A date written dd/mm/yyyy (the Vietnamese way) or yyyy-mm-dd (ISO)."""
    if not value:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise CellError(_("Enter a date as dd/mm/yyyy, for example 22/08/2023."))


def yes_no(value: str) -> bool | None:
    if not value:
        return None
    if value.lower() in YES:
        return True
    if value.lower() in NO:
        return False
    raise CellError(_("Enter yes or no."))


def choice(options) -> callable:
    allowed = [str(option) for option in options]

    def parse(value: str) -> str | None:
        if not value:
            return None
        if value.lower() not in allowed:
            raise CellError(_("Enter one of: %(values)s.", values=", ".join(allowed)))
        return value.lower()

    return parse


def choices(options) -> callable:
    one = choice(options)

    def parse(value: str) -> list[str]:
        return sorted({one(part) for part in split(value)})

    return parse


def split(value: str) -> list[str]:
    """A list written in one cell, separated by semicolons."""
    return [part.strip() for part in value.split(";") if part.strip()]


def codes(value: str) -> list[str]:
    return list(dict.fromkeys(split(value)))


def tax_code(value: str) -> str | None:
    if not value:
        return None
    try:
        return normalize_tax_code(value)
    except ValueError as error:
        raise CellError(str(error)) from error


def ward(value: str) -> int | None:
    if not value:
        return None
    code = parse_int(value)
    if not is_ward(code):
        raise CellError(_("%(code)s is not a ward or commune code.", code=value))
    return code


def slug(value: str) -> str | None:
    if not value:
        return None
    if slugify(value) != value or len(value) > 100:
        raise CellError(
            _("Write the short name in lower-case letters, digits and hyphens (khu-a-1).")
        )
    return value
