"""List exports: the directory's filters apply, the public gets public fields only, curators
get more, both formats open, and formula-like text is neutralised."""

import csv
import io

import sqlalchemy as sa
from openpyxl import load_workbook

from app.catalogue.service import CatalogueTree
from app.extensions import db
from app.models import Firm, FirmStatus, Programme, Zone
from tests.curation.helpers import BUSINESS, CURATOR, as_user


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def published_firms_in_group(code: str) -> set[str]:
    tree = CatalogueTree.load()
    inside = tree.subtree_ids(tree.by_code[code])
    firms = db.session.scalars(sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED)).all()
    return {
        f.tax_code_display for f in firms if any(link.item_id in inside for link in f.offerings)
    }


def test_firm_export_applies_the_directory_filters(client):
    rows = read_csv(client.get("/exports/firms.csv?group=NT&lang=en"))
    assert rows[0][0] == "Tax code"
    assert {row[0] for row in rows[1:]} == published_firms_in_group("NT")
    assert len(rows) - 1 < db.session.scalar(
        sa.select(sa.func.count()).select_from(Firm).where(Firm.status == FirmStatus.PUBLISHED)
    )


def test_firm_export_by_size_lists_only_that_size(client):
    rows = read_csv(client.get("/exports/firms.csv?size=small&lang=en"))
    expected = set(
        db.session.scalars(
            sa.select(Firm.legal_name).where(
                Firm.status == FirmStatus.PUBLISHED, Firm.size_class == "small"
            )
        )
    )
    assert {row[1] for row in rows[1:]} == expected


def test_public_export_has_no_private_fields_but_curators_get_them(client):
    public = read_csv(client.get("/exports/firms.csv?lang=en"))
    assert "Insured employees" not in public[0]
    hidden = db.session.scalars(
        sa.select(Firm).where(
            Firm.status == FirmStatus.PUBLISHED,
            Firm.show_contact.is_(False),
            Firm.email.is_not(None),
        )
    ).first()
    if hidden is not None:
        row = next(r for r in public[1:] if r[0] == hidden.tax_code_display)
        assert hidden.email not in row
    as_user(client, BUSINESS)
    assert "Insured employees" not in read_csv(client.get("/exports/firms.csv"))[0]
    as_user(client, CURATOR)
    private = read_csv(client.get("/exports/firms.csv"))
    assert "Insured employees" in private[0]
    if hidden is not None:
        assert hidden.email in next(r for r in private[1:] if r[0] == hidden.tax_code_display)


def test_every_list_exports_as_csv_and_xlsx(client):
    counts = {
        "programmes": db.session.scalar(
            sa.select(sa.func.count()).select_from(Programme).where(Programme.public())
        ),
        "zones": db.session.scalar(
            sa.select(sa.func.count()).select_from(Zone).where(Zone.public())
        ),
    }
    for kind in ("firms", "programmes", "zones", "incubators", "catalogue"):
        rows = read_csv(client.get(f"/exports/{kind}.csv"))
        response = client.get(f"/exports/{kind}.xlsx")
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.data)).active
        assert sheet.max_row == len(rows)
        if kind in counts:
            assert len(rows) - 1 == counts[kind]


def test_catalogue_export_filters_by_group_and_kind(client):
    rows = read_csv(client.get("/exports/catalogue.csv?group=KT&kind=equipment&lang=en"))
    assert rows[1:]
    assert all(row[3] == "KT" and row[2] == "Equipment" for row in rows[1:])


def test_programme_export_filters_by_support_type(client):
    rows = read_csv(client.get("/exports/programmes.csv?support=preferential_loan&lang=en"))
    assert rows[1:]
    assert all("Preferential loan" in row[4] for row in rows[1:])


def test_unknown_export_is_404(client):
    assert client.get("/exports/users.csv").status_code == 404
    assert client.get("/exports/firms.pdf").status_code == 404


def test_formula_like_text_is_neutralised(app):
    from app.backoffice.tabular import Table, csv_bytes

    data = csv_bytes(Table("t", ["name"], [['=HYPERLINK("x")'], ["-5"], [-5]]))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[1:] == [['\'=HYPERLINK("x")'], ["'-5"], ["-5"]]
