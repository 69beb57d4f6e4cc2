"""Reading an uploaded CSV or XLSX file into its headings and rows of text cells.

Every cell becomes a stripped NFC string ("" when empty), so a file gives the same rows whichever
format it came in, and the rows can be signed and carried to the apply step unchanged.
"""

import csv
import io
import warnings
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from openpyxl import load_workbook

from app.domain.text import nfc
from app.errors import ValidationError
from app.parsing import clean_text
from app.tabular import FORMULA_STARTS

MAX_UPLOAD_BYTES = 1024 * 1024
MAX_ROWS = 5000
FORMATS = ("csv", "xlsx")


@dataclass
class Sheet:
    """Column headings (lower-cased) and the data rows as (line number, cells)."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]


def file_format(filename: str | None) -> str:
    extension = (filename or "").rsplit(".", 1)[-1].lower()
    if extension not in FORMATS:
        raise ValidationError(_("Upload a .csv or .xlsx file."))
    return extension


def read_upload(filename: str | None, content: bytes) -> Sheet:
    """The file's table, or a ValidationError saying in the user's language what is wrong."""
    kind = file_format(filename)
    if not content:
        raise ValidationError(_("The file is empty."))
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValidationError(_("The file is larger than 1 MB. Split it into several files."))
    raw_rows = _xlsx_rows(content) if kind == "xlsx" else _csv_rows(content)
    return _sheet(raw_rows)


def _csv_rows(content: bytes) -> list[tuple[int, list]]:
    if content.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ValidationError(_("This file is a spreadsheet, not CSV: save it as .xlsx or CSV."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            _("The CSV file is not UTF-8 text: save it as “CSV UTF-8”.")
        ) from error
    if "\x00" in text:
        raise ValidationError(_("The CSV file is not text."))
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for cells in reader:
            rows.append((reader.line_num, cells))
    except csv.Error as error:
        raise ValidationError(_("The CSV file cannot be read: %(error)s", error=error)) from error
    return rows


def _xlsx_rows(content: bytes) -> list[tuple[int, list]]:
    if not content.startswith(b"PK\x03\x04"):
        raise ValidationError(_("This file is not an XLSX workbook."))
    try:
        with warnings.catch_warnings():
            # Workbooks saved by other programs make openpyxl warn about styles it ignores.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            rows = [
                (number, list(values))
                for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
            ]
            workbook.close()
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError) as error:
        raise ValidationError(_("The XLSX workbook cannot be read.")) from error
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = clean_text(nfc(str(value))).strip()
    # Our own downloads prefix formula-like text with an apostrophe (see tabular.safe_cell).
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        text = text[1:]
    return text


def _sheet(raw_rows: list[tuple[int, list]]) -> Sheet:
    rows = [(number, [_text(v) for v in cells]) for number, cells in raw_rows]
    rows = [(number, cells) for number, cells in rows if any(cells)]
    if not rows:
        raise ValidationError(_("The file has no heading row."))
    (_line, headers), data = rows[0], rows[1:]
    headers = [h.lower().rstrip("*").strip() for h in headers]
    while headers and not headers[-1]:
        headers.pop()
    if not data:
        raise ValidationError(_("The file has headings but no rows."))
    if len(data) > MAX_ROWS:
        raise ValidationError(
            _("The file has more than %(count)s rows. Split it into several files.", count=MAX_ROWS)
        )
    width = len(headers)
    return Sheet(headers, [(n, (cells + [""] * width)[:width]) for n, cells in data])
