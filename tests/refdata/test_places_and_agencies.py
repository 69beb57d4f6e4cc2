"""Incubators and agencies: create and edit with audit, concurrent edits, who may do it."""

from datetime import date

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Agency, AuditEvent, CatalogueItem, Incubator
from tests.conftest import csrf_token
from tests.curation.helpers import (
    ADMIN,
    BUSINESS,
    CURATOR,
    CURATOR_KHCN,
    INVESTOR,
    anonymous_token,
    as_user,
    post_form,
    refreshed,
)
from tests.refdata.test_catalogue import XSS

PAGES = [
    "/curation/refdata/catalogue",
    "/curation/refdata/catalogue/new",
    "/curation/refdata/incubators",
    "/curation/refdata/incubators/new",
    "/curation/refdata/agencies",
    "/curation/refdata/agencies/new",
]


def events(action: str) -> list[AuditEvent]:
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


def test_curator_creates_and_edits_an_incubator_with_focus_groups_and_audit(client):
    group = db.session.scalar(sa.select(CatalogueItem).where(CatalogueItem.code == "KT"))
    curator = as_user(client, CURATOR)
    url = "/curation/refdata/incubators/new"

    created = post_form(
        client,
        url,
        url,
        {
            "name_vi": XSS,
            "host_organisation": "Trường Đại học Phạm Văn Đồng",
            "capacity": "8",
            "website": "https://example.vn",
            "focus_item_ids": [str(group.id)],
            "provenance": "public_source",
            "source_document": "Quyết định 36/QĐ-UBND",
            "source_date": "2020-01-07",
        },
    )

    assert created.status_code == 302
    incubator = db.session.scalar(sa.select(Incubator).where(Incubator.name_vi == XSS))
    assert [item.code for item in incubator.focus_items] == ["KT"]
    assert (incubator.provenance, incubator.source_date) == ("public_source", date(2020, 1, 7))
    edit_url = f"/curation/refdata/incubators/{incubator.id}"
    edited = post_form(
        client,
        edit_url,
        edit_url,
        {
            "name_vi": "Vườn ươm mới",
            "host_organisation": "Trường Đại học Phạm Văn Đồng",
            "capacity": "10",
            "provenance": "sample",
            "version": incubator.version,
        },
    )
    assert edited.status_code == 302
    incubator = refreshed(incubator)
    assert incubator.capacity == 10 and incubator.focus_items == []
    assert incubator.provenance == "sample"
    [update] = events("incubator.update")
    assert update.actor_id == curator.id and update.after["capacity"] == 10
    assert len(events("incubator.create")) == 1
    history = client.get(f"/curation/refdata/history/incubator/{incubator.id}")
    assert 'data-action="incubator.update"' in history.get_data(as_text=True)
    listing = client.get("/curation/refdata/incubators").get_data(as_text=True)
    assert XSS not in listing


def test_invalid_incubator_is_refused_with_errors_and_keeps_the_input(client):
    as_user(client, CURATOR)
    url = "/curation/refdata/incubators/new"

    response = post_form(
        client, url, url, {"name_vi": "Vườn ươm thử", "host_organisation": "", "capacity": "-1"}
    )

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'value="Vườn ươm thử"' in html and "This field is required." in html


def test_agency_create_and_edit_are_audited_and_duplicate_codes_refused(client):
    as_user(client, ADMIN)
    url = "/curation/refdata/agencies/new"

    created = post_form(client, url, url, {"code": "sxd", "name_vi": "Sở Xây dựng"})
    duplicate = post_form(client, url, url, {"code": "SXD", "name_vi": "Bản sao"})

    assert created.status_code == 302
    assert duplicate.status_code == 400
    assert "Another agency already has this code." in duplicate.get_data(as_text=True)
    agency = db.session.scalar(sa.select(Agency).where(Agency.code == "SXD"))
    edit_url = f"/curation/refdata/agencies/{agency.id}"
    token = (
        client.get(edit_url).get_data(as_text=True).split('name="version" type="hidden" value="')
    )
    version = token[1].split('"')[0]
    edited = post_form(
        client,
        edit_url,
        edit_url,
        {"code": "SXD", "name_vi": "Sở Xây dựng", "email": "sxd@example.vn", "version": version},
    )
    assert edited.status_code == 302
    assert refreshed(agency).email == "sxd@example.vn"
    [update] = events("agency.update")
    assert update.before == {"email": None} and update.after == {"email": "sxd@example.vn"}


def test_reviewing_agency_code_cannot_change(client):
    as_user(client, ADMIN)
    sct = db.session.scalar(sa.select(Agency).where(Agency.code == "SCT"))
    edit_url = f"/curation/refdata/agencies/{sct.id}"
    html = client.get(edit_url).get_data(as_text=True)
    version = html.split('name="version" type="hidden" value="')[1].split('"')[0]

    response = post_form(
        client, edit_url, edit_url, {"code": "SCT2", "name_vi": sct.name_vi, "version": version}
    )

    assert response.status_code == 400
    assert refreshed(sct).code == "SCT"


def test_second_of_two_concurrent_agency_edits_is_refused_and_keeps_its_input(seeded_app):
    agency = db.session.scalar(sa.select(Agency).where(Agency.code == "STC"))
    first, second = seeded_app.test_client(), seeded_app.test_client()
    as_user(first, ADMIN)
    as_user(second, CURATOR)
    url = f"/curation/refdata/agencies/{agency.id}"
    html = first.get(url).get_data(as_text=True)
    version = html.split('name="version" type="hidden" value="')[1].split('"')[0]

    saved = post_form(
        first, url, url, {"code": "STC", "name_vi": "Tên thứ nhất", "version": version}
    )
    refused = post_form(
        second, url, url, {"code": "STC", "name_vi": "Tên thứ hai", "version": version}
    )

    assert saved.status_code == 302
    assert refused.status_code == 409
    assert 'value="Tên thứ hai"' in refused.get_data(as_text=True)
    assert refreshed(agency).name_vi == "Tên thứ nhất"


@pytest.mark.parametrize("email", [BUSINESS, INVESTOR, CURATOR_KHCN])
def test_users_who_do_not_review_firms_are_refused(client, email):
    as_user(client, email)

    for url in PAGES:
        assert client.get(url).status_code == 403, url


def test_forbidden_users_cannot_post_either(client):
    as_user(client, CURATOR_KHCN)
    item = db.session.scalar(sa.select(CatalogueItem).where(CatalogueItem.code == "NT.TB.05"))
    token = csrf_token(client, "/curation/programmes/new")  # tokens belong to the session

    response = client.post(
        f"/curation/refdata/catalogue/{item.id}/recode",
        data={"csrf_token": token, "recode-code": "X.1"},
    )

    assert response.status_code == 403
    assert refreshed(item).code == "NT.TB.05"


def test_anonymous_visitors_are_sent_to_log_in(client):
    token = anonymous_token(client)

    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    posted = client.post("/curation/refdata/agencies/new", data={"csrf_token": token})
    assert posted.status_code == 302 and "/login" in posted.headers["Location"]


def test_reviewers_see_the_reference_data_links(client):
    as_user(client, CURATOR)

    html = client.get("/curation/refdata/catalogue").get_data(as_text=True)

    for url in PAGES[::2]:
        assert f'href="{url}"' in html


def test_curator_sets_the_letterhead_the_yearly_report_prints(client):
    as_user(client, CURATOR)
    sct = db.session.scalar(sa.select(Agency).where(Agency.code == "SCT"))
    edit_url = f"/curation/refdata/agencies/{sct.id}"
    html = client.get(edit_url).get_data(as_text=True)
    version = html.split('name="version" type="hidden" value="')[1].split('"')[0]
    letterhead = {
        "superior_name": "UBND TỈNH QUẢNG NGÃI",
        "abbreviation": "SCT",
        "place_name": "Quảng Ngãi",
        "signer_position": "KT. GIÁM ĐỐC\r\nPHÓ GIÁM ĐỐC",
        "signer_name": "Trần Văn Ký",
        "recipients": "UBND tỉnh;\r\nLưu: VT.",
    }

    response = post_form(
        client,
        edit_url,
        edit_url,
        {"code": "SCT", "name_vi": sct.name_vi, "version": version, **letterhead},
    )

    assert response.status_code == 302
    assert refreshed(sct).signer_name == "Trần Văn Ký"
    [update] = events("agency.update")
    assert update.after["signer_name"] == "Trần Văn Ký"


def test_too_long_letterhead_is_refused_and_keeps_the_input(client):
    as_user(client, ADMIN)
    sct = db.session.scalar(sa.select(Agency).where(Agency.code == "SCT"))
    edit_url = f"/curation/refdata/agencies/{sct.id}"
    html = client.get(edit_url).get_data(as_text=True)
    version = html.split('name="version" type="hidden" value="')[1].split('"')[0]

    response = post_form(
        client,
        edit_url,
        edit_url,
        {"code": "SCT", "name_vi": sct.name_vi, "version": version, "abbreviation": "X" * 21},
    )

    assert response.status_code == 400
    assert "X" * 21 in response.get_data(as_text=True)
    assert refreshed(sct).abbreviation == "SCT"
