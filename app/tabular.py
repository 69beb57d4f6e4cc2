"""Tables as downloads: CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the
Vietnamese text) and XLSX (openpyxl). Both are written row by row, in constant memory: a table's
rows may be a generator that reads the database a page at a time. Cells that a spreadsheet would
run as formulas are neutralised, since names and notes come from users."""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_ROWS_PER_CHUNK = 200
# A write-only sheet needs its column widths before its first row: they come from the headings
# and the first rows only.
WIDTH_SAMPLE_ROWS = 500
BOLD = Font(bold=True)


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: Iterable[list] = field(default_factory=list)  # read once
    totals: list | None = None


def safe_cell(value):
    """Text that starts like a formula gets a leading apostrophe (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cells(row: list) -> list:
    return [safe_cell("" if value is None else value) for value in row]


def csv_chunks(table: Table) -> Iterator[bytes]:
    """The CSV in pieces for a streamed response: the headings first, before any row is read,
    then CSV_ROWS_PER_CHUNK rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(_cells(table.headers))
    yield _take(buffer)
    for number, row in enumerate(table.rows, start=1):
        writer.writerow(_cells(row))
        if number % CSV_ROWS_PER_CHUNK == 0:
            yield _take(buffer)
    if table.totals is not None:
        writer.writerow(_cells(table.totals))
    yield _take(buffer)


def _take(buffer: io.StringIO) -> bytes:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text.encode("utf-8")


def csv_bytes(table: Table) -> bytes:
    return b"".join(csv_chunks(table))


def write_csv(table: Table, file: BinaryIO) -> None:
    for chunk in csv_chunks(table):
        file.write(chunk)


def _sheet_title(title: str, taken: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()[:31] or "Sheet"
    candidate, number = clean, 2
    while candidate in taken:
        suffix = f" ({number})"
        candidate, number = clean[: 31 - len(suffix)] + suffix, number + 1
    taken.add(candidate)
    return candidate


def write_xlsx(tables: list[Table], file: BinaryIO) -> None:
    """One sheet per table: bold headings, the rows, then a bold totals row if there is one.
    openpyxl's write-only mode streams each sheet to a temporary file as rows arrive."""
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(table.title, taken))
        rows = iter(table.rows)
        first = list(islice(rows, WIDTH_SAMPLE_ROWS))
        for index, header in enumerate(table.headers, start=1):
            width = max([len(str(header))] + [len(str(r[index - 1] or "")) for r in first])
            sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 10), 60)
        sheet.freeze_panes = "A2"
        sheet.append(_bold(sheet, table.headers))
        for row in chain(first, rows):
            sheet.append(_cells(row))
        if table.totals is not None:
            sheet.append(_bold(sheet, table.totals))
    workbook.save(file)


def _bold(sheet, values: list) -> list[WriteOnlyCell]:
    cells = [WriteOnlyCell(sheet, value) for value in _cells(values)]
    for cell in cells:
        cell.font = BOLD
    return cells


def xlsx_bytes(tables: list[Table]) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(tables, buffer)
    return buffer.getvalue()
