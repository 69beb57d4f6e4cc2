"""A shortlist as CSV (streamed) or XLSX: the public facts of each listed firm, and the investor's
note.

Firms no longer published are left out (their facts are no longer public). Writing the files
(and neutralising formula-like text) is `app.tabular`'s job.
"""

from collections.abc import Iterator

from flask_babel import gettext as _

from app.domain.places import province_name_of_ward, ward_name
from app.firms.service import firm_groups
from app.i18n import localized
from app.labels import label
from app.models import Shortlist
from app.tabular import Table, csv_chunks, xlsx_bytes
from app.urls import public_url


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


def rows(shortlist: Shortlist) -> Iterator[list]:
    for entry in shortlist.entries:
        firm = entry.firm
        if not firm.is_public:
            continue
        yield [
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
            public_url("firms.detail", slug=firm.slug),
            entry.note or "",
        ]


def as_table(shortlist: Shortlist) -> Table:
    return Table(title=shortlist.name or "Shortlist", headers=headers(), rows=rows(shortlist))


def as_csv(shortlist: Shortlist) -> Iterator[bytes]:
    return csv_chunks(as_table(shortlist))


def as_xlsx(shortlist: Shortlist) -> bytes:
    return xlsx_bytes([as_table(shortlist)])
