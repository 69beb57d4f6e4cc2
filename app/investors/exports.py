"""A shortlist as CSV or XLSX: the public facts of each listed firm, and the investor's note.

Firms no longer published are left out (their facts are no longer public). Text that a
spreadsheet would run as a formula (=, +, -, @ first) is prefixed with an apostrophe.
"""

import csv
import io

from flask import url_for
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.domain.places import province_name_of_ward, ward_name
from app.firms.service import firm_groups
from app.i18n import localized
from app.labels import label
from app.models import Shortlist

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def headers() -> list[str]:
    return [
        _("Name"),
        _("Tax code"),
        _("Size"),
        _("Ward or commune"),
        _("Province"),
        _("Catalogue groups"),
        _("Seeking investment"),
        _("Kind of investment"),
        _("Amount from (VND)"),
        _("Amount up to (VND)"),
        _("Website"),
        _("Public page"),
        _("Your note"),
    ]


def rows(shortlist: Shortlist) -> list[list]:
    result = []
    for entry in shortlist.entries:
        firm = entry.firm
        if not firm.is_public:
            continue
        result.append(
            [
                firm.display_name,
                firm.tax_code_display,
                label(firm.size_class),
                ward_name(firm.ward_code),
                province_name_of_ward(firm.ward_code) if firm.ward_code else "",
                "; ".join(localized(g, "name") for g in firm_groups(firm)),
                _("Yes") if firm.seeking_investment else _("No"),
                "; ".join(label(t) for t in firm.investment_types or []),
                firm.investment_min_vnd,
                firm.investment_max_vnd,
                firm.website or "",
                url_for("firms.detail", slug=firm.slug, _external=True),
                entry.note or "",
            ]
        )
    return result


def as_csv(shortlist: Shortlist) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers())
    for row in rows(shortlist):
        writer.writerow(["" if v is None else _safe(v) for v in row])
    # A byte-order mark so that spreadsheet programs read the Vietnamese text as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(shortlist: Shortlist) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = shortlist.name[:31].translate(str.maketrans("[]:*?/\\", "()-----")) or "Shortlist"
    sheet.append(headers())
    for row in rows(shortlist):
        sheet.append([_safe(v) for v in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in (9, 10):
        for cell in sheet[get_column_letter(column)][1:]:
            cell.number_format = "#,##0"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
