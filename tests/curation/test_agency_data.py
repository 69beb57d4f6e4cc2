"""Agencies manage their own programmes and zones: create, edit, publish, archive; validation
keeps the input; concurrent edits are refused; user text is always escaped."""

import re

import sqlalchemy as sa

from app.extensions import db
from app.models import Agency, AuditEvent, Programme, Role, Zone
from tests.conftest import make_user
from tests.curation.helpers import (
    ADMIN,
    CURATOR_KHCN,
    as_user,
    confirmed_post,
    post_form,
    programme_of,
    refreshed,
    user,
)

XSS = "<script>alert(1)</script>"


def programme_data(**changes) -> dict:
    data = {
        "title_vi": "Hỗ trợ đổi mới công nghệ xử lý chất thải rắn",
        "title_en": "Support for solid-waste technology innovation",
        "basis_document": "Quyết định 123/QĐ-UBND",
        "basis_date": "2026-02-01",
        "summary_vi": "Hỗ trợ một phần chi phí chuyển giao công nghệ.",
        "support_types": ["grant", "technology_transfer"],
        "eligible_size_classes": ["micro", "small"],
        "geographic_scope": "province",
        "min_firm_age_years": "1",
        "max_firm_age_years": "10",
        "max_amount_vnd": "500000000",
        "cofinancing_pct": "30",
        "opens_on": "2026-03-01",
        "closes_on": "2026-09-30",
        "contact": "Phòng Quản lý công nghệ",
        "official_url": "https://skhcn.quangngai.gov.vn",
    }
    data.update(changes)
    return data


def hidden_version(html: str) -> str:
    return re.search(r'name="version" type="hidden" value="([^"]*)"', html).group(1)


def create_programme(client, **changes) -> Programme:
    response = post_form(
        client, "/curation/programmes/new", "/curation/programmes/new", programme_data(**changes)
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalar(sa.select(Programme).order_by(Programme.id.desc()))


def edit_form_data(client, programme: Programme, **changes) -> dict:
    html = client.get(f"/curation/programmes/{programme.id}/edit").get_data(as_text=True)
    return programme_data(
        **{"version": hidden_version(html), "title_vi": programme.title_vi, **changes}
    )


def test_curator_creates_a_draft_programme_for_their_agency_and_publishes_it(seeded_app, client):
    curator = as_user(client, CURATOR_KHCN)

    programme = create_programme(client)

    assert programme.agency_id == curator.agency_id
    assert programme.slug == "ho-tro-doi-moi-cong-nghe-xu-ly-chat-thai-ran"
    assert programme.support_types == ["grant", "technology_transfer"]
    assert programme.cofinancing_pct == 30 and programme.published_at is None
    assert client.get(f"/programmes/{programme.slug}").status_code == 404
    edit_url = f"/curation/programmes/{programme.id}/edit"

    post_form(
        client,
        edit_url,
        f"/curation/programmes/{programme.id}/publish",
        {"version": hidden_version(client.get(edit_url).get_data(as_text=True))},
    )

    assert refreshed(programme).is_public
    assert client.get(f"/programmes/{programme.slug}").status_code == 200
    actions = db.session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.entity_kind == "programme", AuditEvent.entity_id == programme.id)
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["programme.create", "programme.publish"]


def test_same_title_gets_a_unique_slug(client):
    as_user(client, CURATOR_KHCN)

    first = create_programme(client)
    second = create_programme(client)

    assert second.slug == f"{first.slug}-2"


def test_invalid_programme_is_refused_with_errors_and_keeps_the_input(client):
    as_user(client, CURATOR_KHCN)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Programme))

    response = post_form(
        client,
        "/curation/programmes/new",
        "/curation/programmes/new",
        programme_data(closes_on="2026-01-01", cofinancing_pct="150", geographic_scope="wards"),
    )

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The closing date must not be before the opening date." in html
    assert "Enter a percentage between 0 and 100." in html
    assert "Choose at least one ward or commune." in html
    assert 'value="Hỗ trợ đổi mới công nghệ xử lý chất thải rắn"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Programme)) == count


def test_second_of_two_concurrent_edits_is_refused_and_keeps_its_input(seeded_app):
    programme = programme_of("SKHCN")
    colleague = make_user(
        "curator2-khcn@example.vn",
        Role.CURATOR,
        name="Cán bộ thứ hai",
        agency_id=user(CURATOR_KHCN).agency_id,
    )
    first, second = seeded_app.test_client(), seeded_app.test_client()
    as_user(first, CURATOR_KHCN)
    as_user(second, colleague.email)
    url = f"/curation/programmes/{programme.id}/edit"
    first_data = edit_form_data(first, programme, title_vi="Tiêu đề của cán bộ thứ nhất")
    second_data = edit_form_data(second, programme, title_vi="Tiêu đề của cán bộ thứ hai")

    assert post_form(first, url, url, first_data).status_code == 302
    response = post_form(second, url, url, second_data)

    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else saved this record after you opened it." in html
    assert 'value="Tiêu đề của cán bộ thứ hai"' in html
    assert refreshed(programme).title_vi == "Tiêu đề của cán bộ thứ nhất"
    updates = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "programme.update")
    ).all()
    assert len(updates) == 1 and updates[0].actor_id == user(CURATOR_KHCN).id


def test_programme_title_is_escaped_on_curation_and_public_pages(client):
    as_user(client, CURATOR_KHCN)
    programme = create_programme(client, title_vi=XSS, title_en=XSS)
    edit_url = f"/curation/programmes/{programme.id}/edit"
    post_form(
        client,
        edit_url,
        f"/curation/programmes/{programme.id}/publish",
        {"version": hidden_version(client.get(edit_url).get_data(as_text=True))},
    )

    for url in (edit_url, "/curation/programmes", f"/programmes/{programme.slug}"):
        html = client.get(url).get_data(as_text=True)
        assert XSS not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url


def test_archive_needs_a_reason_and_takes_the_programme_off_the_public_site(client):
    as_user(client, CURATOR_KHCN)
    programme = programme_of("SKHCN")
    edit_url = f"/curation/programmes/{programme.id}/edit"
    archive_url = f"/curation/programmes/{programme.id}/archive"
    assert client.get(f"/programmes/{programme.slug}").status_code == 200

    version = hidden_version(client.get(edit_url).get_data(as_text=True))
    post_form(client, edit_url, archive_url, {"version": version})
    assert not refreshed(programme).archived

    confirmed_post(client, edit_url, archive_url, {"version": version, "reason": "Đã hết kinh phí"})

    assert refreshed(programme).archived
    assert client.get(f"/programmes/{programme.slug}").status_code == 404
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "programme.archive"))
    assert event.reason == "Đã hết kinh phí"
    assert event.before == {"archived": False} and event.after == {"archived": True}


def test_zone_curator_edits_their_zone_and_admin_chooses_the_agency(client):
    board = db.session.scalar(sa.select(Agency).where(Agency.code == "BQLKKT"))
    zone = db.session.scalar(
        sa.select(Zone).where(Zone.managing_agency_id == board.id).order_by(Zone.id)
    )
    as_user(client, ADMIN)
    url = f"/curation/zones/{zone.id}/edit"
    html = client.get(url).get_data(as_text=True)

    response = post_form(
        client,
        url,
        url,
        {
            "version": hidden_version(html),
            "agency_id": str(board.id),
            "name_vi": zone.name_vi,
            "kind": str(zone.kind),
            "status": str(zone.status),
            "occupancy_pct": "72.5",
            "ward_code": str(zone.ward_code or ""),
        },
    )

    assert response.status_code == 302, response.get_data(as_text=True)
    assert refreshed(zone).occupancy_pct == 72.5
    assert client.get(f"/zones/{zone.slug}").status_code == 200


def test_zone_occupancy_over_100_is_refused(client):
    as_user(client, ADMIN)
    board = db.session.scalar(sa.select(Agency).where(Agency.code == "BQLKKT"))

    response = post_form(
        client,
        "/curation/zones/new",
        "/curation/zones/new",
        {
            "agency_id": str(board.id),
            "name_vi": "Cụm công nghiệp Thử nghiệm",
            "kind": "industrial_cluster",
            "status": "planned",
            "occupancy_pct": "120",
        },
    )

    assert response.status_code == 400
    assert "Enter a percentage between 0 and 100." in response.get_data(as_text=True)
