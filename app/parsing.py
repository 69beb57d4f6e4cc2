"""The one place where text people send becomes numbers and clean strings.

Everything a URL, a query string or a form carries is text. Numbers (ids, pages, years, counts,
amounts) are ASCII digits within what the database can store, else None — callers answer 404
or a form error, never an exception: `str.isdigit()` accepts '²', which `int()` refuses, and
`int()` accepts '٣' and numbers no INTEGER column holds. Text loses NUL and the other control
characters (except tab and line breaks) before any view or form sees it: PostgreSQL refuses NUL
in text, and no one types the others.
"""

import math
import re
import unicodedata
from decimal import Decimal

from flask import Flask, Request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import ImmutableMultiDict, iter_multi_items
from werkzeug.routing import IntegerConverter, UnicodeConverter
from wtforms import FieldList as _FieldList
from wtforms import FloatField as _FloatField
from wtforms import HiddenField, StringField
from wtforms import IntegerField as _IntegerField

# Every id column is a PostgreSQL INTEGER.
MAX_ID = 2**31 - 1
# Amounts in đồng: a million tỷ (10^15) is above the yearly revenue of the country's largest
# group, so a larger figure is a typing mistake (and BIGINT columns hold it with room to spare).
MAX_AMOUNT_VND = 10**15
_MAX_TEXT = f"{MAX_AMOUNT_VND:,}".replace(",", ".")
# Areas, percentages and coordinates: finite and far from float's limits.
MAX_DECIMAL = 10**12

_WHOLE = re.compile(r"-?[0-9]{1,19}")
_DIGITS = re.compile(r"-?[0-9]+")
_DECIMAL = re.compile(r"-?[0-9]{1,15}([.,][0-9]{1,15})?")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def parse_int(raw: object, low: int = 0, high: int = MAX_ID) -> int | None:
    """The whole number written in `raw` (ASCII digits, optional minus sign) if it lies in
    [low, high]; else None."""
    if not isinstance(raw, str) or not _WHOLE.fullmatch(text := raw.strip()):
        return None
    value = int(text)
    return value if low <= value <= high else None


def parse_id(raw: object) -> int | None:
    """A record id: a positive INTEGER."""
    return parse_int(raw, low=1)


def parse_decimal(
    raw: object, low: float = -MAX_DECIMAL, high: float = MAX_DECIMAL
) -> float | None:
    """A finite number written with ASCII digits and a '.' or ',' decimal mark, in [low, high]."""
    if not isinstance(raw, str) or not _DECIMAL.fullmatch(text := raw.strip()):
        return None
    value = float(text.replace(",", "."))
    return value if math.isfinite(value) and low <= value <= high else None


def optional_id(value: object) -> int | None:
    """A `coerce` for select fields whose blank choice means None (ValueError: not an id)."""
    if isinstance(value, int):
        return value
    if value is None or value == "":
        return None
    parsed = parse_id(value)
    if parsed is None:
        raise ValueError(value)
    return parsed


def clean_text(value: str) -> str:
    """`value` without NUL and the other control characters; tab and line breaks stay."""
    return _CONTROL.sub("", value)


# Request data ---------------------------------------------------------------------------------


class CleanParameters(ImmutableMultiDict):
    """Query and form parameters (names and values) without control characters; uploaded
    files pass unchanged."""

    def __init__(self, mapping=None):
        super().__init__(
            [
                (clean_text(key), clean_text(value) if isinstance(value, str) else value)
                for key, value in iter_multi_items(mapping or ())
            ]
        )


class CleanRequest(Request):
    """The application's request: `args`, `form` and `files` are CleanParameters."""

    parameter_storage_class = CleanParameters


class TextConverter(UnicodeConverter):
    """The default path converter, refusing control characters (so no query sees them)."""

    def __init__(self, map, minlength=1, maxlength=None, length=None):
        super().__init__(map, minlength, maxlength, length)
        self.regex = self.regex.replace("[^/]", r"[^/\x00-\x1f\x7f-\x9f]", 1)


class IdConverter(IntegerConverter):
    """`<int:…>` in routes: ASCII digits up to MAX_ID (a larger number is simply no match)."""

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits, min, max, signed)


def init_app(app: Flask) -> None:
    """Clean every request's parameters and bound every number in the routes (call before
    any route is added)."""
    app.request_class = CleanRequest
    app.url_map.converters.update(default=TextConverter, string=TextConverter, int=IdConverter)


# Form fields ----------------------------------------------------------------------------------


class IntegerField(_IntegerField):
    """A whole number in ASCII digits within [minimum, maximum] (by default what an INTEGER
    column holds); anything else is a form error."""

    def __init__(self, label=None, validators=None, minimum=-MAX_ID, maximum=MAX_ID, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.minimum, self.maximum = minimum, maximum

    def process_formdata(self, valuelist):
        raw = str(valuelist[0]).strip() if valuelist else ""
        self.data = parse_int(raw, self.minimum, self.maximum)
        if not raw or self.data is not None:
            return
        if not _DIGITS.fullmatch(raw):
            raise ValueError(self.gettext("Not a valid integer value."))
        raise ValueError(
            self.gettext("Number must be between %(min)s and %(max)s.")
            % {"min": self.minimum, "max": self.maximum}
        )


class FloatField(_FloatField):
    """A finite number (ASCII digits, '.' or ',' as decimal mark) within ±MAX_DECIMAL."""

    def process_formdata(self, valuelist):
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        self.data = parse_decimal(valuelist[0])
        if self.data is None:
            raise ValueError(self.gettext("Not a valid float value."))


class HiddenIntegerField(HiddenField):
    """A hidden number (a version, a record id): an int, or None when absent or not a number."""

    def process_formdata(self, valuelist):
        self.data = parse_int(valuelist[0]) if valuelist else None
        if valuelist and valuelist[0] and self.data is None:
            raise ValueError(self.gettext("Not a valid integer value."))


class FieldList(_FieldList):
    """Repeated rows (`rows-0-name`): a row whose index is not ASCII digits is ignored (WTForms
    checks with str.isdigit, so `rows-²-name` reached int())."""

    def _extract_indices(self, prefix, formdata):
        offset = len(prefix) + 1
        for key in formdata:
            if key.startswith(prefix):
                index = parse_int(key[offset:].split(self._field_separator, 1)[0])
                if index is not None:
                    yield index


# A sum in đồng: digits, grouped in threes by dots, commas or (non-breaking) spaces or not at
# all (1.500.000.000 · 1,500,000,000 · 1500000000), or a number of tỷ (10^9) or triệu (10^6) with
# a decimal comma, the way Vietnamese write them (38 tỷ · 38,5 tỷ · 500 triệu · 500tr); then
# optionally the currency (₫, đ, đồng, VND).
_AMOUNT = re.compile(r"[0-9]{1,3}([.,\s\u00a0][0-9]{3})+|[0-9]+")
_AMOUNT_IN_UNITS = re.compile(
    r"(?P<whole>[0-9]{1,3}(?:[.\s\u00a0][0-9]{3})+|[0-9]+)(?:,(?P<fraction>[0-9]+))?"
    r"\s*(?P<unit>tỷ|tỉ|ty|triệu|trieu|tr)"
)
_UNITS = {"tỷ": 10**9, "tỉ": 10**9, "ty": 10**9, "triệu": 10**6, "trieu": 10**6, "tr": 10**6}
_CURRENCY = re.compile(r"\s*(₫|đồng|dong|đ|vnđ|vnd)$")


def parse_amount(raw: str) -> int | None:
    """The sum in đồng typed in `raw` (None when it is empty); raises ValueError with a message
    for the user when it is not an amount, is negative or exceeds MAX_AMOUNT_VND. Forms,
    imports, filters and the size preview all read amounts through this one rule."""
    text = _CURRENCY.sub("", unicodedata.normalize("NFC", raw or "").strip().casefold()).strip()
    if not text:
        return None
    negative = text.startswith("-")
    text = text.removeprefix("-").lstrip()
    if _AMOUNT.fullmatch(text):
        amount = int(re.sub(r"[^0-9]", "", text))
    elif match := _AMOUNT_IN_UNITS.fullmatch(text):
        number = re.sub(r"[^0-9]", "", match["whole"]) + "." + (match["fraction"] or "0")
        exact = Decimal(number) * _UNITS[match["unit"]]
        if exact != exact.to_integral_value():
            raise ValueError(_l("The amount has a fraction of a đồng: check the decimals."))
        amount = int(exact)
    else:
        raise ValueError(_l("Enter an amount in đồng, e.g. 1.500.000.000 or 1,5 tỷ."))
    if negative and amount:
        raise ValueError(_l("The amount cannot be negative."))
    if amount > MAX_AMOUNT_VND:
        raise ValueError(
            _l("The amount is more than %(max)s đồng: check the number of digits.", max=_MAX_TEXT)
        )
    return amount


def lenient_amount(raw: str) -> int | None:
    """An amount from a link's parameters: what cannot be read is simply not a filter."""
    try:
        return parse_amount(raw)
    except ValueError:
        return None


class MoneyField(StringField):
    """An amount in đồng, read by parse_amount (1.500.000.000 · 38,5 tỷ · 500tr)."""

    def process_formdata(self, valuelist):
        self.raw = (valuelist[0] if valuelist else "").strip()
        self.data = None
        self.data = parse_amount(self.raw)

    def _value(self):
        if getattr(self, "raw", None) is not None:
            return self.raw
        return f"{self.data:,}".replace(",", ".") if self.data is not None else ""
