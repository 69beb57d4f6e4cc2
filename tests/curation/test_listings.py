"""Deciding on submitted listings: request changes, approve, reject, bulk approve, verify,
archive, and refusing decisions taken on a stale version."""

import re

import flask_sqlalchemy.session
import sqlalchemy as sa
from flask_babel import force_locale

from app.domain import clock
from app.extensions import db
from app.labels import CHECK_LABELS
from app.models import AuditEvent, FirmStatus
from tests.conftest import csrf_token
from tests.curation.helpers import (
    CURATOR,
    add_owner,
    as_user,
    body,
    confirmed_post,
    firm_named,
    found_firm_ids,
    mails_to,
    post_form,
    published_firm,
    refreshed,
    submitted_firm,
)


def review_url(firm) -> str:
    return f"/curation/firms/{firm.id}"


def test_changes_requested_then_resubmitted_listing_is_published_and_searchable(seeded_app, client):
    firm = submitted_firm()
    owner = add_owner(firm)
    as_user(client, CURATOR)
    url = review_url(firm)
    assert client.get(url).status_code == 200

    response = post_form(
        client,
        url,
        f"{url}/request-changes",
        {
            "version": str(firm.version),
            "reason": "Mô tả quá ngắn, hãy nêu rõ công nghệ xử lý.",
            "checks": ["description", "offerings"],
        },
    )

    assert response.status_code == 302
    firm = refreshed(firm)
    assert firm.status == FirmStatus.CHANGES_REQUESTED
    assert firm.review_reason == "Mô tả quá ngắn, hãy nêu rõ công nghệ xử lý."
    assert firm.review_failed_checks == ["description", "offerings"]
    [message] = mails_to(seeded_app, owner.email)
    assert "Mô tả quá ngắn, hãy nêu rõ công nghệ xử lý." in body(message)
    with force_locale("vi"):  # the owner reads Vietnamese
        assert str(CHECK_LABELS["offerings"]) in body(message)
    assert client.get(f"/firms/{firm.slug}").status_code == 404

    firm.status = FirmStatus.SUBMITTED  # the business fixes the listing and submits it again
    db.session.commit()
    response = post_form(client, url, f"{url}/approve", {"version": str(firm.version)})

    assert response.status_code == 302
    firm = refreshed(firm)
    assert firm.status == FirmStatus.PUBLISHED
    assert firm.published_at is not None
    assert firm.review_reason is None and firm.review_failed_checks == []
    assert client.get(f"/firms/{firm.slug}").status_code == 200
    assert firm.id in found_firm_ids(seeded_app, firm.legal_name)
    assert len(mails_to(seeded_app, owner.email)) == 2


def test_failed_checks_are_preticked_on_the_review_page(client):
    firm = submitted_firm()
    firm.description_vi = None
    firm.description_en = None
    db.session.commit()
    as_user(client, CURATOR)

    html = client.get(review_url(firm)).get_data(as_text=True)

    assert 'data-check="description" data-passed="no"' in html
    assert re.search(r'<input checked[^>]*name="checks"[^>]*value="description"', html)
    assert 'data-check="offerings" data-passed="yes"' in html
    assert not re.search(r'<input checked[^>]*name="checks"[^>]*value="offerings"', html)


def test_what_to_fix_offers_only_the_failed_checks(client):
    firm = submitted_firm()
    firm.description_vi = None
    firm.description_en = None
    db.session.commit()
    as_user(client, CURATOR)

    html = client.get(review_url(firm)).get_data(as_text=True)

    offered = re.findall(r'<input[^>]*name="checks"[^>]*value="(\w+)"', html)
    assert offered == ["description"]


def test_reject_stores_the_reason_and_tells_the_owner(seeded_app, client):
    firm = submitted_firm()
    owner = add_owner(firm, language="en")
    as_user(client, CURATOR)
    url = review_url(firm)

    confirmed_post(
        client, url, f"{url}/reject", {"version": str(firm.version), "reason": "Không thuộc CNMT."}
    )

    firm = refreshed(firm)
    assert firm.status == FirmStatus.REJECTED
    assert firm.review_reason == "Không thuộc CNMT."
    [message] = mails_to(seeded_app, owner.email)
    assert "Không thuộc CNMT." in body(message)


def test_reject_without_a_reason_is_refused_and_changes_nothing(seeded_app, client):
    firm = submitted_firm()
    add_owner(firm)
    version = firm.version
    as_user(client, CURATOR)
    url = review_url(firm)

    response = post_form(client, url, f"{url}/reject", {"version": str(version), "reason": "  "})

    assert response.status_code == 400
    assert "Give a reason." in response.get_data(as_text=True)
    firm = refreshed(firm)
    assert firm.status == FirmStatus.SUBMITTED and firm.version == version
    assert not db.session.scalar(sa.select(AuditEvent.id).where(AuditEvent.entity_kind == "firm"))
    assert mails_to(seeded_app, "owner@example.vn") == []


def test_decision_on_a_stale_version_is_refused_and_keeps_the_reason(client):
    firm = submitted_firm()
    seen = firm.version
    as_user(client, CURATOR)
    url = review_url(firm)
    token_page = client.get(url)
    assert token_page.status_code == 200
    firm.description_vi = "Mô tả mới do doanh nghiệp sửa trong lúc chờ duyệt."
    db.session.commit()

    response = confirmed_post(
        client, url, f"{url}/reject", {"version": str(seen), "reason": "Lý do của cán bộ A"}
    )

    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "changed by someone else" in html
    assert "Lý do của cán bộ A" in html
    assert refreshed(firm).status == FirmStatus.SUBMITTED


def test_only_submitted_listings_can_be_decided(client):
    firm = published_firm()
    as_user(client, CURATOR)
    url = review_url(firm)

    response = post_form(client, url, f"{url}/approve", {"version": str(firm.version)})

    assert response.status_code == 409
    assert "not possible while the listing is" in response.get_data(as_text=True)


def test_bulk_approve_publishes_each_selected_listing(seeded_app, client):
    first, second = firm_named("Bản Nháp Số Một"), firm_named("Bản Nháp Số Hai")
    for firm in (first, second):
        firm.status = FirmStatus.SUBMITTED
    db.session.commit()
    as_user(client, CURATOR)
    queue = client.get("/curation/").get_data(as_text=True)
    assert f'value="{first.id}:{first.version}"' in queue

    response = post_form(
        client,
        "/curation/",
        "/curation/bulk-approve",
        {"selected": [f"{first.id}:{first.version}", f"{second.id}:{second.version}"]},
    )

    assert response.status_code == 302
    assert "2 listing(s) approved." in client.get("/curation/").get_data(as_text=True)
    for firm in (first, second):
        assert refreshed(firm).status == FirmStatus.PUBLISHED
        assert firm.id in found_firm_ids(seeded_app, firm.legal_name)
    # (the sample products' labels were verified by the seed, through the same actions)
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.entity_kind == "firm")
    ).all()
    assert actions == ["firm.approve", "firm.approve"]


def test_bulk_approve_reports_the_listings_it_could_not_approve(client):
    first, second = firm_named("Bản Nháp Số Một"), firm_named("Bản Nháp Số Hai")
    first.status = FirmStatus.SUBMITTED
    second.status = FirmStatus.SUBMITTED
    second.ward_code = None
    db.session.commit()
    as_user(client, CURATOR)

    post_form(
        client,
        "/curation/",
        "/curation/bulk-approve",
        {"selected": [f"{first.id}:{first.version}", f"{second.id}:{second.version + 5}"]},
    )

    html = client.get("/curation/").get_data(as_text=True)
    assert "1 listing(s) approved." in html
    assert "Not approved: " in html and second.legal_name in html
    assert refreshed(first).status == FirmStatus.PUBLISHED
    assert refreshed(second).status == FirmStatus.SUBMITTED


def test_bulk_approve_is_one_transaction_where_a_refused_listing_leaves_no_trace(
    seeded_app, client
):
    first, second = firm_named("Bản Nháp Số Một"), firm_named("Bản Nháp Số Hai")
    for firm in (first, second):
        firm.status = FirmStatus.SUBMITTED
    db.session.commit()
    as_user(client, CURATOR)
    token = csrf_token(client, "/curation/")
    commits = []
    count_commits = lambda session: commits.append(session.in_nested_transaction())  # noqa: E731
    sa.event.listen(flask_sqlalchemy.session.Session, "after_commit", count_commits)
    try:
        # The second decision was taken on an older version: it passes the automatic checks
        # and is refused while being applied, inside the same transaction as the first.
        client.post(
            "/curation/bulk-approve",
            data={
                "csrf_token": token,
                "selected": [f"{first.id}:{first.version}", f"{second.id}:{second.version + 5}"],
            },
        )
    finally:
        sa.event.remove(flask_sqlalchemy.session.Session, "after_commit", count_commits)

    assert commits.count(False) == 1  # savepoints aside, one commit
    html = client.get("/curation/").get_data(as_text=True)
    assert "1 listing(s) approved." in html and second.legal_name in html
    assert refreshed(first).status == FirmStatus.PUBLISHED
    assert refreshed(second).status == FirmStatus.SUBMITTED
    events = db.session.execute(
        sa.select(AuditEvent.action, AuditEvent.entity_id).where(AuditEvent.entity_kind == "firm")
    ).all()
    assert events == [("firm.approve", first.id)]
    assert first.id in found_firm_ids(seeded_app, first.legal_name)
    assert second.id not in found_firm_ids(seeded_app, second.legal_name)


def test_verify_shows_the_date_and_archive_removes_the_listing_everywhere(seeded_app, client):
    firm = published_firm()
    firm.verified_at = None
    db.session.commit()
    as_user(client, CURATOR)
    url = review_url(firm)
    assert firm.id in found_firm_ids(seeded_app, firm.legal_name)
    directory = {"q": firm.legal_name}
    assert f"/firms/{firm.slug}" in client.get("/firms", query_string=directory).get_data(
        as_text=True
    )

    post_form(client, url, f"{url}/verify", {"version": str(firm.version)})
    firm = refreshed(firm)
    assert firm.verified_at is not None
    public = client.get(f"/firms/{firm.slug}?lang=en").get_data(as_text=True)
    assert f"Verified on {clock.local(firm.verified_at):%d/%m/%Y}" in public

    response = post_form(client, url, f"{url}/archive", {"version": str(firm.version)})
    assert response.status_code == 400
    assert refreshed(firm).status == FirmStatus.PUBLISHED

    confirmed_post(
        client, url, f"{url}/archive", {"version": str(firm.version), "reason": "Ngừng hoạt động"}
    )

    firm = refreshed(firm)
    assert firm.status == FirmStatus.ARCHIVED
    assert client.get(f"/firms/{firm.slug}").status_code == 404
    assert f"/firms/{firm.slug}" not in client.get("/firms", query_string=directory).get_data(
        as_text=True
    )
    assert firm.id not in found_firm_ids(seeded_app, firm.legal_name)


def test_queue_lists_oldest_first_and_filters_by_kind(client):
    as_user(client, CURATOR)
    firm = submitted_firm()

    listed = client.get("/curation/?kind=listing").get_data(as_text=True)
    claims_only = client.get("/curation/?kind=claim").get_data(as_text=True)

    assert firm.display_name in listed
    assert firm.display_name not in claims_only
