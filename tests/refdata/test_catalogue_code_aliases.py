"""A catalogue entry's old codes keep working: the public page at an old code (of a re-coded
entry, or one merged into another) redirects for good to the entry's page today."""

import sqlalchemy as sa

from app.extensions import db
from app.models import CatalogueItem
from app.refdata import catalogue
from tests.curation.helpers import CURATOR, as_user, post_form, refreshed, user


def item(code: str) -> CatalogueItem:
    return db.session.scalar(sa.select(CatalogueItem).where(CatalogueItem.code == code))


def recode(entry: CatalogueItem, code: str) -> None:
    catalogue.recode_catalogue_item(user(CURATOR), entry.id, code, refreshed(entry).version)


def test_the_old_code_of_a_recoded_entry_redirects_permanently(client):
    entry = item("NT.TB.05")
    as_user(client, CURATOR)
    url = f"/curation/refdata/catalogue/{entry.id}"
    post_form(client, url, f"{url}/recode", {"recode-code": "NT.CN.99", "recode-version": "1"})
    assert refreshed(entry).code == "NT.CN.99"

    response = client.get("/catalogue/NT.TB.05")

    assert response.status_code in (301, 308)
    assert response.headers["Location"].endswith("/catalogue/NT.CN.99")
    assert client.get(response.headers["Location"]).status_code == 200


def test_every_code_of_a_chain_of_recodings_leads_to_the_entry_in_one_step(seeded_app, client):
    entry = item("NT.TB.05")
    with seeded_app.test_request_context():
        recode(entry, "NT.X.1")
        recode(entry, "NT.X.2")

    for old in ("NT.TB.05", "NT.X.1"):
        response = client.get(f"/catalogue/{old}")
        assert response.status_code == 301
        assert response.headers["Location"].endswith("/catalogue/NT.X.2")


def test_an_entry_that_takes_an_old_code_wins_over_the_alias(seeded_app, client):
    entry, other = item("NT.TB.05"), item("NT.TB.08")
    with seeded_app.test_request_context():
        recode(entry, "NT.X.1")
        recode(other, "NT.TB.05")

    response = client.get("/catalogue/NT.TB.05")

    assert response.status_code == 200
    assert f"/curation/refdata/catalogue/{other.id}" not in response.get_data(as_text=True)
    assert refreshed(other).name_vi in response.get_data(as_text=True)
    # And when that entry moves on, the code follows it, not the first entry.
    with seeded_app.test_request_context():
        recode(other, "NT.X.2")
    assert client.get("/catalogue/NT.TB.05").headers["Location"].endswith("/catalogue/NT.X.2")


def test_the_code_of_a_merged_entry_and_its_old_codes_lead_to_the_target(seeded_app, client):
    source, target = item("NT.TB.05"), item("NT.TB.08")
    with seeded_app.test_request_context():
        recode(source, "NT.X.1")
        catalogue.merge_catalogue_items(
            user(CURATOR), source.id, target.id, refreshed(source).version
        )

    for old in ("NT.TB.05", "NT.X.1"):
        assert client.get(f"/catalogue/{old}").headers["Location"].endswith("/catalogue/NT.TB.08")


def test_a_deleted_entry_and_an_unknown_code_are_not_found(seeded_app, client):
    entry = item("NT.TB.05")
    with seeded_app.test_request_context():
        recode(entry, "NT.X.1")
        catalogue.delete_catalogue_item(user(CURATOR), entry.id, refreshed(entry).version)

    assert client.get("/catalogue/NT.TB.05").status_code == 404
    assert client.get("/catalogue/NO.SUCH").status_code == 404
