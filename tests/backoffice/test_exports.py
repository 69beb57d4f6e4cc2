"""List exports: the directory's filters apply, the public gets public fields only, curators
get more, both formats open, and formula-like text is neutralised. CSV is streamed; XLSX is
built once per data generation and served from disk; both are rate-limited per client."""

import csv
import fcntl
import io
from pathlib import Path

import sqlalchemy as sa
from openpyxl import load_workbook

from app.backoffice.export_cache import LOCK
from app.catalogue.service import CatalogueTree
from app.extensions import db
from app.models import Firm, FirmStatus, Programme, Zone
from app.transaction import unit_of_work
from tests.curation.helpers import BUSINESS, CURATOR, as_user, published_firm


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


def test_firm_export_says_each_firms_type(client):
    rows = read_csv(client.get("/exports/firms.csv?lang=en"))
    column = rows[0].index("Type of firm")
    types = {row[0]: row[column] for row in rows[1:]}
    assert types["051078004213"] == "Household business"
    assert types["0498751188-001"] == "Branch"


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
    from app.tabular import Table, csv_bytes

    data = csv_bytes(Table("t", ["name"], [['=HYPERLINK("x")'], ["-5"], [-5]]))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[1:] == [['\'=HYPERLINK("x")'], ["'-5"], ["-5"]]


def test_csv_export_is_streamed_in_chunks(client):
    response = client.get("/exports/firms.csv?lang=en")
    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    chunks = [chunk for chunk in response.response if chunk]
    assert len(chunks) > 1
    body = b"".join(chunks)
    assert response.content_length == len(body)
    assert body.decode("utf-8-sig").startswith("Tax code,Legal name")


def test_xlsx_export_is_served_from_disk_until_a_published_firm_changes(client, seeded_app):
    cache = Path(seeded_app.config["EXPORT_CACHE_DIR"])
    first = client.get("/exports/firms.xlsx?lang=en")
    assert first.status_code == 200
    [built] = list(cache.glob("*.xlsx"))
    inode = built.stat().st_ino
    assert client.get("/exports/firms.xlsx?lang=en").data == first.data
    assert built.stat().st_ino == inode

    with unit_of_work():
        published_firm().legal_name = "Công ty TNHH Tên Mới Sau Khi Sửa"
    sheet = load_workbook(io.BytesIO(client.get("/exports/firms.xlsx?lang=en").data)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "Công ty TNHH Tên Mới Sau Khi Sửa" in names
    assert len(names) == len(read_csv(client.get("/exports/firms.csv?lang=en"))) - 1
    [rebuilt] = list(cache.glob("*.xlsx"))  # the file of the old generation is gone
    assert rebuilt != built


def test_xlsx_export_is_cached_per_filters_language_and_audience(client, seeded_app):
    cache = Path(seeded_app.config["EXPORT_CACHE_DIR"])
    client.get("/exports/firms.xlsx?lang=en")
    client.get("/exports/firms.xlsx?lang=vi")
    client.get("/exports/firms.xlsx?lang=en&size=small")
    client.get("/exports/firms.xlsx?lang=en&size=small&unknown=1")
    as_user(client, CURATOR)
    private = load_workbook(io.BytesIO(client.get("/exports/firms.xlsx?lang=en").data)).active
    assert "Insured employees" in [cell.value for cell in private[1]]
    assert len(list(cache.glob("*.xlsx"))) == 4


def test_while_another_list_is_built_a_missing_one_is_refused_with_retry_after(client, seeded_app):
    cache = Path(seeded_app.config["EXPORT_CACHE_DIR"])
    assert client.get("/exports/zones.csv").status_code == 200
    with (cache / LOCK).open("a") as other_worker:
        fcntl.flock(other_worker, fcntl.LOCK_EX)
        refused = client.get("/exports/firms.xlsx?lang=vi")
        assert client.get("/exports/zones.csv").status_code == 200
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "Vui lòng thử lại sau giây lát" in refused.get_data(as_text=True)
    assert client.get("/exports/firms.xlsx?lang=vi").status_code == 200


def test_exports_are_rate_limited_per_client_with_a_translated_page(client):
    statuses = [client.get("/exports/incubators.csv").status_code for _ in range(30)]
    assert statuses[0] == 200
    assert statuses[-1] == 429
    page = client.get("/exports/zones.xlsx?lang=vi")
    assert page.status_code == 429
    assert int(page.headers["Retry-After"]) > 0
    assert "Bạn đã gửi quá nhiều yêu cầu" in page.get_data(as_text=True)
