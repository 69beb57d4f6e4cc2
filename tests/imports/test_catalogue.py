"""Loading the official Decision 980 appendix: official numbers mark items verified, parents
come from the database or earlier rows, and CSV and XLSX give the same result."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import CatalogueItem, CatalogueLevel
from tests.imports.helpers import audit_count, count, csv_file, login_curator, upload, xlsx_file

HEADERS = [
    "code",
    "parent_code",
    "level",
    "kind",
    "name_vi",
    "name_en",
    "description_vi",
    "description_en",
    "official_number",
    "verified",
    "source_document",
]
SOURCE = "Quyết định 980/QĐ-TTg, Phụ lục"
ROWS = [
    ["XL", "", "group", "", "Nhóm thử", "Test group", "", "", "", "no", SOURCE],
    ["XL.CN", "XL", "kind", "technology", "Nhóm thử — Công nghệ", "", "", "", "", "", SOURCE],
    [
        "XL.CN.01",
        "XL.CN",
        "item",
        "technology",
        "Công nghệ một",
        "Technology one",
        "",
        "",
        "I.1",
        "yes",
        SOURCE,
    ],
    ["XL.CN.02", "XL.CN", "item", "technology", "Công nghệ hai", "", "", "", "I.2", "", SOURCE],
    [
        "NT.CN.01",
        "NT.CN",
        "item",
        "technology",
        "Công nghệ AO/A2O",
        "AO/A2O",
        "",
        "",
        "II.3",
        "yes",
        SOURCE,
    ],
]


def item(code: str) -> CatalogueItem:
    db.session.expire_all()
    return db.session.scalar(sa.select(CatalogueItem).where(CatalogueItem.code == code))


@pytest.mark.parametrize("build, filename", [(csv_file, "980.csv"), (xlsx_file, "980.xlsx")])
def test_official_numbers_mark_items_verified(client, build, filename):
    login_curator(client)
    items = count(CatalogueItem)

    response = upload(client, "catalogue", build(HEADERS, ROWS), filename=filename, apply=True)

    assert response.status_code == 302
    assert count(CatalogueItem) == items + 4
    one, two, existing = item("XL.CN.01"), item("XL.CN.02"), item("NT.CN.01")
    assert (one.official_number, one.verified) == ("I.1", True)
    assert (two.official_number, two.verified) == ("I.2", True)
    assert (existing.official_number, existing.verified) == ("II.3", True)
    assert one.parent.code == "XL.CN" and one.parent.parent.code == "XL"
    assert item("XL").level == CatalogueLevel.GROUP and item("XL").verified is False
    assert audit_count("import.catalogue") == 5


def test_reimporting_the_appendix_is_a_no_op(client):
    login_curator(client)
    upload(client, "catalogue", csv_file(HEADERS, ROWS), apply=True)
    events = audit_count("import.catalogue")

    response = upload(client, "catalogue", xlsx_file(HEADERS, ROWS), "980.xlsx", apply=True)

    assert "Imported: 0 created, 0 updated, 5 unchanged." in client.get(response.location).get_data(
        as_text=True
    )
    assert audit_count("import.catalogue") == events


def test_parents_must_exist_or_come_earlier_and_match_the_tree(client):
    login_curator(client)
    rows = [
        ["YY.CN.01", "YY.CN", "item", "technology", "Mục", "", "", "", "", "", ""],
        ["YY.CN", "YY", "kind", "technology", "Loại", "", "", "", "", "", ""],
        ["ZZ.01", "NT", "item", "equipment", "Mục sai cấp", "", "", "", "", "", ""],
        ["NT", "", "kind", "technology", "Nhóm đổi cấp", "", "", "", "", "", ""],
    ]
    items = count(CatalogueItem)

    html = upload(client, "catalogue", csv_file(HEADERS, rows)).get_data(as_text=True)

    assert "YY.CN is defined on a later row" in html
    assert "Unknown catalogue code: YY." in html
    assert "The parent of an item must be a kind." in html
    assert "This code already exists as a domain group." in html
    assert count(CatalogueItem) == items
