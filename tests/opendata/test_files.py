"""The open-data files hold public records and public fields only, read back as the database
has them, with exactly the columns their data dictionary lists."""

import csv
import io
import json
import re
from html import unescape

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import CatalogueItem, Firm, FirmStatus, Incubator, Programme, Zone
from app.opendata.datasets import DATASETS, csv_cell
from app.tabular import safe_cell
from tests.conftest import make_app

SITE_URL = "http://cnmt.test"


def as_csv(value) -> str:
    """A JSON value as the CSV file writes it."""
    cell = csv_cell(value)
    return "" if cell is None else str(safe_cell(cell))


def read_csv(client, slug: str) -> list[dict]:
    response = client.get(f"/open-data/{slug}.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith("\ufeff".encode())  # UTF-8 with a byte-order mark
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def read_json(client, slug: str) -> dict:
    response = client.get(f"/open-data/{slug}.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return json.loads(response.get_data())


def hide_records() -> dict[str, str]:
    """A draft firm, an unpublished and an archived programme, an unpublished zone: their slugs."""
    draft = db.session.scalar(sa.select(Firm).where(Firm.status != FirmStatus.PUBLISHED))
    unpublished, archived = db.session.scalars(
        sa.select(Programme).where(Programme.public()).order_by(Programme.id).limit(2)
    ).all()
    unpublished.published_at = None
    archived.archived = True
    # A zone some firm is in, so that the firm's file would name it.
    zone = db.session.scalar(
        sa.select(Zone)
        .where(
            Zone.public(), Zone.id.in_(sa.select(Firm.zone_id).where(Firm.status == "published"))
        )
        .order_by(Zone.id)
    )
    zone.published_at = None
    db.session.commit()
    return {
        "firm": draft.slug,
        "unpublished_programme": unpublished.slug,
        "archived_programme": archived.slug,
        "zone": zone.slug,
    }


def test_drafts_and_unpublished_records_are_in_no_file(client):
    hidden = hide_records()

    bodies = [
        client.get(f"/open-data/{slug}.{fmt}").get_data(as_text=True)
        for slug in ("firms", "programmes", "zones")
        for fmt in ("csv", "json")
    ]

    for slug in hidden.values():
        assert all(slug not in body for body in bodies), slug


def test_firm_files_hold_the_published_firms_and_hide_contacts_they_keep_private(client):
    shown, private = db.session.scalars(
        sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED).order_by(Firm.id).limit(2)
    ).all()
    shown.show_contact, shown.email = True, "shown@example.vn"
    private.show_contact, private.email, private.phone = False, "kept@example.vn", "0255 999 999"
    db.session.commit()
    published = {
        firm.slug: firm
        for firm in db.session.scalars(sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED))
    }

    rows = {row["slug"]: row for row in read_csv(client, "firms")}
    records = {record["slug"]: record for record in read_json(client, "firms")["records"]}

    assert rows.keys() == records.keys() == published.keys()
    for slug, firm in published.items():
        assert rows[slug]["legal_name"] == safe_cell(firm.legal_name)
        assert records[slug]["tax_code"] == firm.tax_code_display
        assert records[slug]["ward_code"] == firm.ward_code
    assert records[shown.slug]["email"] == rows[shown.slug]["email"] == "shown@example.vn"
    assert records[private.slug]["email"] is None and rows[private.slug]["email"] == ""
    assert records[private.slug]["phone"] is None
    body = client.get("/open-data/firms.json").get_data(as_text=True)
    assert "kept@example.vn" not in body and "0255 999 999" not in body


@pytest.mark.parametrize(
    ("slug", "model", "key", "public"),
    [
        ("catalogue", CatalogueItem, "code", None),
        ("programmes", Programme, "slug", Programme.public),
        ("zones", Zone, "slug", Zone.public),
        ("incubators", Incubator, "slug", None),
    ],
)
def test_csv_and_json_hold_the_same_records_as_the_database(client, slug, model, key, public):
    query = sa.select(getattr(model, key), model.updated_at)
    if public is not None:
        query = query.where(public())
    expected = {value: changed for value, changed in db.session.execute(query)}

    rows = read_csv(client, slug)
    document = read_json(client, slug)

    records = document["records"]
    assert {row[key] for row in rows} == {record[key] for record in records} == expected.keys()
    by_key = {record[key]: record for record in records}
    for row in rows:
        record = by_key[row[key]]
        assert row == {name: as_csv(value) for name, value in record.items()}
        assert record["updated_at"] == expected[row[key]].strftime("%Y-%m-%dT%H:%M:%SZ")
    assert document["modified"] == max(expected.values()).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert document["licence"]["url"] == "https://creativecommons.org/licenses/by/4.0/"


def _dictionary(html: str, slug: str) -> list[str]:
    section = re.search(rf'<section class="dataset" id="{slug}".*?</section>', html, re.S)
    return [
        unescape(name)
        for name in re.findall(r"<th scope=\"row\"[^>]*><code>([^<]+)</code>", section.group(0))
    ]


def test_the_data_dictionary_lists_exactly_the_columns_of_each_file(client):
    html = client.get("/open-data").get_data(as_text=True)

    for slug in ("firms", "catalogue", "programmes", "zones", "incubators"):
        headings = list(read_csv(client, slug)[0].keys())
        keys = list(read_json(client, slug)["records"][0].keys())
        assert _dictionary(html, slug) == headings == keys == DATASETS[slug].names


def test_the_page_explains_each_dataset_in_the_visitors_language(client):
    vietnamese = client.get("/open-data").get_data(as_text=True)
    english = client.get("/open-data?lang=en").get_data(as_text=True)

    assert "Từ điển dữ liệu" in vietnamese and "Data dictionary" in english
    assert "Mã số thuế" in vietnamese and "Tax code" in english
    for html in (vietnamese, english):
        assert 'href="https://creativecommons.org/licenses/by/4.0/"' in html
        assert html.count('href="/open-data/') >= 2 * len(DATASETS)


def test_the_licence_is_a_setting(tmp_path, new_database, seeded_database):
    app = make_app(
        tmp_path,
        new_database(seeded_database.database),
        OPEN_DATA_LICENCE_NAME="ODC-BY 1.0",
        OPEN_DATA_LICENCE_URL="https://opendatacommons.org/licenses/by/1-0/",
    )
    client = app.test_client()
    html = client.get("/open-data").get_data(as_text=True)
    document = read_json(client, "zones")

    assert "ODC-BY 1.0" in html and "creativecommons" not in html
    assert document["licence"] == {
        "name": "ODC-BY 1.0",
        "url": "https://opendatacommons.org/licenses/by/1-0/",
    }


def test_downloads_and_the_catalogue_may_be_kept_by_caches(client):
    for path in ("/open-data/zones.csv", "/open-data/catalog.jsonld", "/open-data/catalog.jsonld"):
        response = client.get(path)
        assert response.status_code == 200
        assert re.fullmatch(r"public, max-age=\d+", response.headers["Cache-Control"])


@pytest.mark.parametrize(
    "path",
    [
        "/open-data/nothing.csv",
        "/open-data/firms.xlsx",
        "/open-data/firms.csv.exe",
        "/open-data/..%2Fsecret_key.csv",
        "/open-data/firms.csv?lang=%00&x=%ff%fe",
        "/open-data?lang=<script>&x=" + "a" * 5000,
        "/open-data/catalog.jsonld?%00=%00",
    ],
)
def test_hostile_addresses_answer_without_a_server_error(client, path):
    response = client.get(path)

    assert response.status_code < 500
    if "nothing" in path or "xlsx" in path or ".exe" in path or "secret" in path:
        assert response.status_code == 404
