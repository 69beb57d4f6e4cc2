"""VSIC industry codes: the curators' list with search and version filter, add and edit with
audit, duplicates per version refused, codes firms use never deleted, who may do it."""

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, FirmIndustryCode, IndustryCode
from app.refdata.industry_codes import VERSIONS
from tests.curation.helpers import (
    ADMIN,
    BUSINESS,
    CURATOR,
    CURATOR_KHCN,
    INVESTOR,
    anonymous_token,
    as_user,
    confirmed_post,
    post_form,
    refreshed,
)

LIST = "/curation/refdata/industry-codes"
NEW = "/curation/refdata/industry-codes/new"


def code(number: str, version: str) -> IndustryCode | None:
    return db.session.scalar(
        sa.select(IndustryCode).where(IndustryCode.code == number, IndustryCode.version == version)
    )


def row_version(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    return html.split('name="version" type="hidden" value="')[1].split('"')[0]


def unused_code() -> IndustryCode:
    used = sa.select(FirmIndustryCode.industry_code_id)
    return db.session.scalar(
        sa.select(IndustryCode).where(IndustryCode.id.not_in(used)).order_by(IndustryCode.id)
    )


def test_seed_codes_exist_in_both_versions_and_firms_use_the_2025_ones(seeded_app):
    """DOMAIN.md: the CNMT codes kept their code and name in VSIC 2025; firms record the
    current system's codes."""
    codes = db.session.scalars(sa.select(IndustryCode)).all()
    by_version = {v: {(c.code, c.name_vi) for c in codes if c.version == v} for v in VERSIONS}
    firm_versions = db.session.scalars(
        sa.select(IndustryCode.version).join(FirmIndustryCode).distinct()
    ).all()

    assert by_version["2025"] == by_version["2018"] and len(by_version["2025"]) == 16
    assert firm_versions == ["2025"]


def versions(html: str) -> list[str]:
    """The VSIC version of each row of the list."""
    return re.findall(r'<td data-label="[^"]*">(2018|2025)</td>', html)


def test_list_filters_by_version_and_finds_names_without_diacritics(client):
    as_user(client, CURATOR)

    everything = client.get(LIST).get_data(as_text=True)
    only_2018 = client.get(LIST, query_string={"version": "2018"}).get_data(as_text=True)
    found = client.get(LIST, query_string={"q": "nuoc thai", "version": "2025"})

    assert versions(everything).count("2025") == versions(everything).count("2018") > 0
    assert set(versions(only_2018)) == {"2018"}
    html = found.get_data(as_text=True)
    assert found.status_code == 200 and "3700" in html and "3830" not in html
    assert 'value="nuoc thai"' in html


def test_curator_adds_and_edits_a_code_with_audit(client):
    curator = as_user(client, CURATOR)

    created = post_form(
        client,
        NEW,
        NEW,
        {"code": " 3811 ", "vsic_version": "2018", "name_vi": "X", "name_en": ""},
    )
    # 3811 exists in 2018 already; 4390 does not.
    assert created.status_code == 400
    created = post_form(
        client,
        NEW,
        NEW,
        {"code": "4390", "vsic_version": "2025", "name_vi": "Hoạt động xây dựng chuyên dụng khác"},
    )

    assert created.status_code == 302
    record = code("4390", "2025")
    assert record.name_vi == "Hoạt động xây dựng chuyên dụng khác" and record.name_en is None
    url = f"/curation/refdata/industry-codes/{record.id}"
    edited = post_form(
        client,
        url,
        url,
        {
            "code": "4390",
            "vsic_version": "2025",
            "name_vi": record.name_vi,
            "name_en": "Other specialised construction activities",
            "version": row_version(client, url),
        },
    )
    assert edited.status_code == 302
    assert refreshed(record).name_en == "Other specialised construction activities"
    [update] = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "industry_code.update")
    ).all()
    assert update.actor_id == curator.id
    assert update.after == {"name_en": "Other specialised construction activities"}
    assert "4390" in client.get(LIST).get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"code": "3700", "vsic_version": "2025"}, "VSIC 2025 already has this code."),
        ({"code": "37", "vsic_version": "2025"}, "Enter a level-4 VSIC code: four digits"),
        ({"code": "37A0", "vsic_version": "2025"}, "Enter a level-4 VSIC code: four digits"),
        ({"code": "4390", "vsic_version": "2007"}, "Not a valid choice."),
    ],
)
def test_bad_or_duplicate_codes_are_refused_and_the_form_keeps_the_input(client, data, field_error):
    as_user(client, CURATOR)

    response = post_form(client, NEW, NEW, {**data, "name_vi": "Tên gõ vào"})

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert field_error in html and 'value="Tên gõ vào"' in html
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(IndustryCode)
            .where(IndustryCode.name_vi == "Tên gõ vào")
        )
        == 0
    )


def test_the_same_code_may_exist_in_each_version_once(client):
    as_user(client, CURATOR)
    record = code("3830", "2018")
    url = f"/curation/refdata/industry-codes/{record.id}"

    moved = post_form(
        client,
        url,
        url,
        {
            "code": "3830",
            "vsic_version": "2025",
            "name_vi": record.name_vi,
            "version": row_version(client, url),
        },
    )

    assert moved.status_code == 400
    assert "VSIC 2025 already has this code." in moved.get_data(as_text=True)
    assert refreshed(record).version == "2018"


def test_a_code_firms_use_is_not_deleted_and_says_why(client):
    as_user(client, CURATOR)
    record = code("3700", "2025")
    url = f"/curation/refdata/industry-codes/{record.id}"
    users = db.session.scalar(
        sa.select(sa.func.count()).where(FirmIndustryCode.industry_code_id == record.id)
    )
    assert users > 0

    response = confirmed_post(client, url, f"{url}/delete", {"version": row_version(client, url)})

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f"{users} firms use VSIC 2025 code 3700, so it cannot be deleted." in html
    assert refreshed(record) is not None


def test_a_code_firms_use_keeps_its_code_but_its_name_can_be_corrected(client):
    as_user(client, CURATOR)
    record = code("3700", "2025")
    url = f"/curation/refdata/industry-codes/{record.id}"
    data = {"vsic_version": "2025", "name_vi": "Thoát nước và xử lý nước thải (sửa)"}

    recoded = post_form(
        client, url, url, {**data, "code": "3701", "version": row_version(client, url)}
    )
    renamed = post_form(
        client, url, url, {**data, "code": "3700", "version": row_version(client, url)}
    )

    assert recoded.status_code == 400
    assert "Firms use this code" in recoded.get_data(as_text=True)
    assert renamed.status_code == 302
    assert refreshed(record).name_vi.endswith("(sửa)") and record.code == "3700"


def test_an_unused_code_is_deleted_with_audit(client):
    as_user(client, ADMIN)
    record = unused_code()
    record_id = record.id
    url = f"/curation/refdata/industry-codes/{record_id}"

    response = confirmed_post(client, url, f"{url}/delete", {"version": row_version(client, url)})

    assert response.status_code == 302
    assert db.session.scalar(sa.select(IndustryCode).where(IndustryCode.id == record_id)) is None
    [event] = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "industry_code.delete")
    ).all()
    assert event.entity_id == record_id


def test_second_of_two_concurrent_edits_is_refused_and_keeps_its_input(seeded_app):
    record = unused_code()
    first, second = seeded_app.test_client(), seeded_app.test_client()
    as_user(first, ADMIN)
    as_user(second, CURATOR)
    url = f"/curation/refdata/industry-codes/{record.id}"
    seen = row_version(first, url)
    data = {"code": record.code, "vsic_version": record.version}

    saved = post_form(first, url, url, {**data, "name_vi": "Tên thứ nhất", "version": seen})
    refused = post_form(second, url, url, {**data, "name_vi": "Tên thứ hai", "version": seen})

    assert saved.status_code == 302
    assert refused.status_code == 409
    assert 'value="Tên thứ hai"' in refused.get_data(as_text=True)
    assert refreshed(record).name_vi == "Tên thứ nhất"


@pytest.mark.parametrize("email", [BUSINESS, INVESTOR, CURATOR_KHCN])
def test_users_who_do_not_review_firms_may_neither_see_nor_change_codes(client, email):
    as_user(client, email)
    record = unused_code()
    url = f"/curation/refdata/industry-codes/{record.id}"

    for page in (LIST, NEW, url):
        assert client.get(page).status_code == 403, page
    token_page = "/my/firms" if email == BUSINESS else "/"
    deleted = confirmed_post(client, token_page, f"{url}/delete", {"version": "1"})
    assert deleted.status_code == 403
    assert refreshed(record) is not None


def test_anonymous_visitors_are_sent_to_log_in(client):
    token = anonymous_token(client)

    response = client.post(NEW, data={"csrf_token": token, "code": "4390"})

    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert code("4390", "2025") is None


def test_reviewers_find_the_screen_among_the_reference_data_links(client):
    as_user(client, CURATOR)

    html = client.get("/curation/refdata/catalogue").get_data(as_text=True)

    assert f'href="{LIST}"' in html


@pytest.mark.parametrize("version", ["0", "abc", ""])
def test_a_delete_from_a_stale_page_is_refused_as_a_conflict(client, version):
    as_user(client, CURATOR)
    record = unused_code()
    url = f"/curation/refdata/industry-codes/{record.id}"

    response = confirmed_post(client, url, f"{url}/delete", {"version": version})

    assert response.status_code == 409
    assert "Someone else saved this record after you opened it." in response.get_data(as_text=True)
    assert refreshed(record) is not None
