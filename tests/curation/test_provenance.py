"""Provenance of figures on the curators' side: a source is typed, a verification is an action
that records the curator's agency and the day, only the owning agency's curators may take it,
and changing a verified figure makes it unverified again."""

from datetime import date

import pytest
import sqlalchemy as sa

from app.curation import agency_data
from app.domain import clock
from app.errors import Forbidden
from app.extensions import db
from app.models import Agency, AuditEvent, Incubator, Programme, Role, Zone
from app.refdata import incubators
from tests.conftest import make_user
from tests.curation.helpers import (
    BUSINESS,
    CURATOR,
    CURATOR_KHCN,
    as_user,
    post_form,
    refreshed,
    user,
)
from tests.curation.test_agency_data import (
    create_programme,
    edit_form_data,
    hidden_version,
    programme_data,
)

SOURCE = {
    "provenance": "public_source",
    "source_document": "Quyết định 22/QĐ-BKHCN",
    "source_date": "2024-01-11",
    "source_url": "https://most.gov.vn/vb/22",
}


def verify(client, edit_url: str, action_url: str):
    version = hidden_version(client.get(edit_url).get_data(as_text=True))
    return post_form(client, edit_url, action_url, {"version": version})


def verified_programme(client) -> Programme:
    programme = create_programme(client, **SOURCE)
    edit_url = f"/curation/programmes/{programme.id}/edit"
    response = verify(client, edit_url, f"/curation/programmes/{programme.id}/verify")
    assert response.status_code == 302
    return refreshed(programme)


def test_a_curator_records_the_source_of_a_programmes_figures(client):
    as_user(client, CURATOR_KHCN)

    programme = create_programme(client, **SOURCE)

    assert programme.provenance == "public_source"
    assert (programme.source_document, programme.source_date) == (
        "Quyết định 22/QĐ-BKHCN",
        date(2024, 1, 11),
    )
    assert programme.source_url == "https://most.gov.vn/vb/22"


def test_a_public_source_needs_its_document_and_date_and_a_web_address(client):
    as_user(client, CURATOR_KHCN)

    response = post_form(
        client,
        "/curation/programmes/new",
        "/curation/programmes/new",
        programme_data(provenance="public_source", source_url="javascript:x"),
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter the number and symbol of the document." in html
    assert "Enter the date of the document." in html
    assert "Enter a web address starting with https://." in html


def test_new_records_are_sample_data_until_a_source_is_given(client):
    as_user(client, CURATOR_KHCN)

    assert create_programme(client).provenance == "sample"


def test_verified_cannot_be_typed_into_the_form(client):
    as_user(client, CURATOR_KHCN)

    response = post_form(
        client,
        "/curation/programmes/new",
        "/curation/programmes/new",
        programme_data(**{**SOURCE, "provenance": "verified"}),
    )

    assert response.status_code == 400
    assert db.session.scalar(sa.select(Programme).where(Programme.provenance == "verified")) is None


def test_mark_verified_records_the_curators_agency_and_today(client):
    curator = as_user(client, CURATOR_KHCN)
    before = clock.today()

    programme = verified_programme(client)

    assert programme.provenance == "verified"
    assert programme.verified_by_agency_id == curator.agency_id
    assert before <= programme.verified_on <= clock.today()
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "programme.verify"))
    assert event.actor_id == curator.id
    assert event.after["verified_by_agency_id"] == curator.agency_id


def test_sample_data_cannot_be_marked_verified(client):
    as_user(client, CURATOR_KHCN)
    programme = create_programme(client)
    edit_url = f"/curation/programmes/{programme.id}/edit"

    verify(client, edit_url, f"/curation/programmes/{programme.id}/verify")

    assert refreshed(programme).provenance == "sample"
    assert "Sample data cannot be verified" in client.get(edit_url).get_data(as_text=True)


@pytest.mark.parametrize("email", [CURATOR, BUSINESS])
def test_mark_verified_is_refused_to_another_agency_and_to_a_business(client, email):
    as_user(client, CURATOR_KHCN)
    programme = create_programme(client, **SOURCE)
    programme.published_at = date(2026, 1, 1)  # public, so that the refusal is a Forbidden
    db.session.commit()
    as_user(client, email)

    response = post_form(
        client, "/", f"/curation/programmes/{programme.id}/verify", {"version": "1"}
    )

    assert response.status_code == 403
    assert refreshed(programme).provenance == "public_source"
    with pytest.raises(Forbidden):
        agency_data.verify_programme(user(email), programme.id, programme.version)


def test_editing_a_figure_of_a_verified_programme_makes_it_public_source_again(client):
    as_user(client, CURATOR_KHCN)
    programme = verified_programme(client)
    edit_url = f"/curation/programmes/{programme.id}/edit"

    response = post_form(
        client,
        edit_url,
        edit_url,
        edit_form_data(client, programme, **SOURCE, max_amount_vnd="900000000"),
    )

    assert response.status_code == 302
    programme = refreshed(programme)
    assert programme.max_amount_vnd == 900_000_000
    assert programme.provenance == "public_source"
    assert (programme.verified_by_agency_id, programme.verified_on) == (None, None)


def test_editing_a_text_of_a_verified_programme_keeps_it_verified(client):
    as_user(client, CURATOR_KHCN)
    programme = verified_programme(client)
    edit_url = f"/curation/programmes/{programme.id}/edit"
    data = edit_form_data(client, programme, **{**SOURCE, "provenance": "verified"})

    post_form(client, edit_url, edit_url, {**data, "summary_vi": "Tóm tắt mới."})

    assert refreshed(programme).provenance == "verified"


@pytest.fixture
def in_request(seeded_app):
    """Services called directly word their refusals in the request's language."""
    with seeded_app.test_request_context():
        yield


def _zone_curator_and_zone() -> tuple:
    board = db.session.scalar(sa.select(Agency).where(Agency.code == "BQLKKT"))
    curator = make_user("bql@example.vn", Role.CURATOR, agency=board)
    zone = db.session.scalar(sa.select(Zone).where(Zone.managing_agency_id == board.id))
    zone.provenance, zone.source_document = "public_source", "Quyết định 1/QĐ-BQL"
    zone.source_date = date(2025, 1, 2)
    db.session.commit()
    return curator, zone


def test_a_zone_is_verified_by_its_managing_agency_and_a_new_area_unverifies_it(in_request):
    curator, zone = _zone_curator_and_zone()

    agency_data.verify_zone(curator, zone.id, zone.version)
    assert (zone.provenance, zone.verified_by_agency_id) == ("verified", curator.agency_id)
    agency_data.update_zone(curator, zone.id, {"area_ha": 123.0}, zone.version)

    assert refreshed(zone).provenance == "public_source"
    with pytest.raises(Forbidden):
        agency_data.verify_zone(user(CURATOR_KHCN), zone.id, refreshed(zone).version)


def test_an_incubator_is_verified_by_sct_and_a_new_capacity_unverifies_it(in_request):
    incubator = db.session.scalar(sa.select(Incubator).order_by(Incubator.id))
    incubator.provenance, incubator.source_document = "public_source", "QĐ 36/QĐ-UBND"
    incubator.source_date = date(2020, 1, 7)
    db.session.commit()
    curator = user(CURATOR)

    incubators.verify_incubator(curator, incubator.id, incubator.version)
    assert incubator.provenance == "verified"
    assert incubator.verified_by_agency_id == curator.agency_id
    incubators.update_incubator(curator, incubator.id, {"capacity": 99}, incubator.version)

    assert refreshed(incubator).provenance == "public_source"
    with pytest.raises(Forbidden):
        incubators.verify_incubator(user(CURATOR_KHCN), incubator.id, incubator.version)
