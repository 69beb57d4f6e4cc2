"""Personal reads and writes through the API: who may do what with which token, and that a write
through the API is the write the page makes (the same revision, audit record and index update)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.api_tokens import create_token
from app.api.account import ListingSchema
from app.extensions import db
from app.firms.data import LIST_FIELDS, SCALAR_FIELDS
from app.firms.forms import FirmForm
from app.firms.self_service import current_content
from app.models import (
    ApiToken,
    AuditEvent,
    Firm,
    FirmRevision,
    FirmStatus,
    Interest,
    Programme,
    ReviewState,
    Role,
)
from app.models.base import utcnow
from tests.conftest import csrf_token, login_as, make_user
from tests.curation.helpers import (
    BUSINESS,
    CURATOR,
    INVESTOR,
    add_owner,
    published_firm,
    submitted_firm,
    user,
)
from tests.imports.helpers import csv_file

PROBLEM = "application/problem+json"


def bearer(account, scope: str = "write") -> dict:
    _token, secret = create_token(account, "tests", scope, 30)
    return {"Authorization": f"Bearer {secret}", "Accept-Language": "en"}


def audit_actions(firm_id: int) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.entity_kind == "firm", AuditEvent.entity_id == firm_id)
            .order_by(AuditEvent.id)
        )
    )


def test_the_listing_schema_has_every_field_of_a_listing():
    assert set(ListingSchema().fields) == set(SCALAR_FIELDS) | set(LIST_FIELDS)


def test_personal_operations_need_a_valid_token(client):
    owner = add_owner(published_firm())
    firm = published_firm()
    good = bearer(owner, "read")
    assert client.get("/api/v1/me", headers=good).get_json()["email"] == owner.email
    for headers in (
        {},
        {"Authorization": "Bearer cnmt_not-a-token"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer "},
    ):
        response = client.get(f"/api/v1/me/firms/{firm.id}", headers=headers)
        assert response.status_code == 401, headers
        assert response.mimetype == PROBLEM
    token = db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == owner.id)).one()
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/me", headers=good).status_code == 401
    revoked = bearer(owner, "read")
    db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == owner.id, ApiToken.expires_at > utcnow())
    ).one().revoked_at = utcnow()
    db.session.commit()
    assert client.get("/api/v1/me", headers=revoked).status_code == 401


def test_a_read_token_cannot_write(client):
    firm = published_firm()
    owner = add_owner(firm)
    response = client.patch(
        f"/api/v1/me/firms/{firm.id}",
        json={"version": firm.version, "phone": "0255 3822 000"},
        headers=bearer(owner, "read"),
    )
    assert response.status_code == 403
    assert "read" in response.get_json()["detail"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FirmRevision)) == 0


@pytest.mark.parametrize("who", ["stranger", "investor", "curator"])
def test_nobody_else_reads_or_edits_a_firm(client, who):
    firm = published_firm()
    add_owner(firm)
    account = {
        "stranger": lambda: make_user("stranger@example.vn"),
        "investor": lambda: user(INVESTOR),
        "curator": lambda: user(CURATOR),
    }[who]()
    headers = bearer(account)
    assert client.get(f"/api/v1/me/firms/{firm.id}", headers=headers).status_code == 404
    response = client.patch(
        f"/api/v1/me/firms/{firm.id}", json={"version": firm.version}, headers=headers
    )
    assert response.status_code == 404
    assert firm.id not in {f["id"] for f in client.get("/api/v1/me/firms", headers=headers).json}


def test_an_edit_through_the_api_is_the_edit_the_page_makes(client):
    """The same change, once through the API and once through the edit page, proposes the same
    revision with the same audit record."""
    firm = published_firm()
    owner = add_owner(firm)
    change = {"description_vi": "Mô tả mới qua API", "phone": "0255 3822 111"}
    response = client.patch(
        f"/api/v1/me/firms/{firm.id}",
        json={"version": firm.version, **change},
        headers=bearer(owner),
    )
    assert response.status_code == 200, response.json
    body = response.get_json()
    assert body["pending_review"] is True and body["status"] == "published"
    assert body["listing"]["description_vi"] == "Mô tả mới qua API"
    through_api = db.session.scalars(
        sa.select(FirmRevision).where(FirmRevision.firm_id == firm.id)
    ).one()

    login_as(client, owner)
    page = f"/my/firms/{firm.id}/edit"
    posted = FirmForm.formdata_of({**current_content(firm), **change})
    posted["version"] = str(db.session.get(Firm, firm.id).version)
    posted["csrf_token"] = csrf_token(client, page)
    assert client.post(page, data=posted).status_code == 302
    db.session.expire_all()
    revisions = db.session.scalars(
        sa.select(FirmRevision).where(FirmRevision.firm_id == firm.id).order_by(FirmRevision.id)
    ).all()
    assert [r.state for r in revisions] == [ReviewState.WITHDRAWN, ReviewState.PENDING]
    assert revisions[1].data == through_api.data
    assert audit_actions(firm.id)[-2:] == ["revision.propose", "revision.propose"]


def test_a_draft_is_saved_at_once_and_a_stale_version_is_a_conflict(client):
    owner = make_user("drafter@example.vn")
    headers = bearer(owner)
    draft = db.session.scalars(sa.select(Firm).where(Firm.status == FirmStatus.DRAFT)).first()
    from app.models import FirmMember, MemberRole

    draft.members.append(FirmMember(user=owner, role=MemberRole.OWNER))
    db.session.commit()
    version = draft.version
    saved = client.patch(
        f"/api/v1/me/firms/{draft.id}",
        json={"version": version, "trade_name": "Tên giao dịch mới"},
        headers=headers,
    )
    assert saved.status_code == 200, saved.json
    assert saved.json["pending_review"] is False and saved.json["version"] > version
    db.session.expire_all()
    assert db.session.get(Firm, draft.id).trade_name == "Tên giao dịch mới"
    assert audit_actions(draft.id)[-1] == "firm.update"
    stale = client.patch(
        f"/api/v1/me/firms/{draft.id}",
        json={"version": version, "trade_name": "Lần sửa thứ hai"},
        headers=headers,
    )
    assert stale.status_code == 409 and stale.mimetype == PROBLEM
    db.session.expire_all()
    assert db.session.get(Firm, draft.id).trade_name == "Tên giao dịch mới"


def test_invalid_content_is_refused_with_the_forms_messages(client):
    firm = published_firm()
    owner = add_owner(firm)
    response = client.patch(
        f"/api/v1/me/firms/{firm.id}",
        json={
            "version": firm.version,
            "email": "not an address",
            "ward_code": 99999999,
            "investment_min_vnd": 5,
            "investment_max_vnd": 1,
            "offers": [{"item_id": 10**9}],
        },
        headers=bearer(owner),
    )
    assert response.status_code == 422 and response.mimetype == PROBLEM
    errors = response.get_json()["errors"]
    assert errors["email"] == ["Invalid email address."]
    assert {"ward_code", "investment_max_vnd", "offers"} <= set(errors)
    unknown = client.patch(
        f"/api/v1/me/firms/{firm.id}",
        json={"version": firm.version, "status": "published"},
        headers=bearer(owner),
    )
    assert unknown.status_code == 422
    assert unknown.get_json()["errors"] == {"status": ["Unknown field."]}
    vietnamese = client.patch(
        f"/api/v1/me/firms/{firm.id}",
        json={"version": firm.version, "status": "published"},
        headers={**bearer(owner), "Accept-Language": "vi"},
    )
    assert vietnamese.get_json()["errors"] == {"status": ["Trường không xác định."]}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FirmRevision)) == 0


def test_matches_come_with_reasons_in_the_language_asked_for(client):
    firm = published_firm()
    owner = add_owner(firm)
    body = client.get(f"/api/v1/me/firms/{firm.id}/matches?limit=3", headers=bearer(owner)).json
    assert set(body) == {"programme", "zone", "incubator", "supplier", "buyer"}
    assert body["programme"] and len(body["programme"]) <= 3
    first = body["programme"][0]
    assert first["reasons"] and all(r["text"] for r in first["reasons"])


def test_interest_is_registered_once_through_the_same_action(client):
    firm = published_firm()
    owner = add_owner(firm)
    programme = db.session.scalars(sa.select(Programme).where(Programme.public())).first()
    url = f"/api/v1/me/firms/{firm.id}/interests"
    data = {"kind": "programme", "target_id": programme.id, "message": "Xin liên hệ"}
    created = client.post(url, json=data, headers=bearer(owner))
    assert created.status_code == 201, created.json
    assert created.json["kind"] == "programme" and created.json["status"] == "new"
    assert audit_actions(firm.id)[-1] == "interest.create"
    again = client.post(url, json=data, headers=bearer(owner))
    assert again.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Interest)) == 1
    missing = client.post(url, json={**data, "target_id": 10**6}, headers=bearer(owner))
    assert missing.status_code == 404


def test_curators_decide_reviews_and_businesses_cannot(client):
    firm = submitted_firm()
    business = bearer(user(BUSINESS))
    url = f"/api/v1/reviews/listings/{firm.id}"
    assert client.get("/api/v1/reviews", headers=business).status_code == 403
    assert (
        client.post(
            url, json={"decision": "approve", "version": firm.version}, headers=business
        ).status_code
        == 403
    )
    curator = bearer(user(CURATOR))
    queue = client.get("/api/v1/reviews?kind=listing", headers=curator).json
    assert firm.id in {entry["firm_id"] for entry in queue["items"]}
    refused = client.post(
        url, json={"decision": "reject", "version": firm.version}, headers=curator
    )
    assert refused.status_code == 422 and "reason" in refused.json["errors"]
    stale = client.post(
        url, json={"decision": "approve", "version": firm.version - 1}, headers=curator
    )
    assert stale.status_code == 409
    approved = client.post(
        url, json={"decision": "approve", "version": firm.version}, headers=curator
    )
    assert approved.status_code == 200 and approved.json["status"] == "published"
    assert audit_actions(firm.id)[-1] == "firm.approve"
    found = client.get(f"/api/v1/firms/{firm.slug}").json
    assert found["id"] == firm.id


def test_an_approved_change_reaches_the_index(client):
    firm = published_firm()
    owner = add_owner(firm)
    word = "Zyxwvutsrq"
    client.patch(
        f"/api/v1/me/firms/{firm.id}",
        json={"version": firm.version, "description_vi": f"Công nghệ {word}"},
        headers=bearer(owner),
    )
    assert client.get(f"/api/v1/search?q={word}").json["total"] == 0  # not approved yet
    revision = db.session.scalars(
        sa.select(FirmRevision).where(FirmRevision.firm_id == firm.id)
    ).one()
    decided = client.post(
        f"/api/v1/reviews/changes/{revision.id}",
        json={"decision": "approve", "version": db.session.get(Firm, firm.id).version},
        headers=bearer(user(CURATOR)),
    )
    assert decided.status_code == 200, decided.json
    hits = client.get(f"/api/v1/search?q={word}").json["items"]
    assert [hit["id"] for hit in hits] == [firm.id]


def test_an_import_is_a_dry_run_unless_applied_with_a_write_token(client):
    headers_csv = ["code", "parent_code", "level", "kind", "name_vi"]
    row = ["NT.CN.99", "NT.CN", "item", "technology", "Công nghệ thử nghiệm qua API"]
    content = csv_file(headers_csv, [row])

    def run(scope: str, query: str = ""):
        return client.post(
            f"/api/v1/imports/catalogue{query}",
            data=content,
            headers={**bearer(user(CURATOR), scope), "Content-Type": "text/csv"},
        )

    from app.models import CatalogueItem

    def items() -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(CatalogueItem))

    before = items()
    checked = run("read")
    assert checked.status_code == 200, checked.json
    assert checked.json["applied"] is False and checked.json["problems"] == []
    assert items() == before
    assert run("read", "?apply=true").status_code == 403
    applied = run("write", "?apply=true")
    assert applied.json["applied"] is True and applied.json["created"] == 1
    assert items() == before + 1
    wrong_type = client.post(
        "/api/v1/imports/catalogue",
        data=b"{}",
        headers={**bearer(user(CURATOR)), "Content-Type": "application/json"},
    )
    assert wrong_type.status_code == 422
    business = client.post(
        "/api/v1/imports/catalogue",
        data=content,
        headers={**bearer(make_user("firm@example.vn", Role.BUSINESS)), "Content-Type": "text/csv"},
    )
    assert business.status_code == 403


def test_each_token_has_its_own_rate_limit(seeded_app, tmp_path):
    from tests.conftest import make_app

    database = seeded_app.config["SQLALCHEMY_DATABASE_URI"]
    limited = make_app(tmp_path / "limited", database, API_RATE_LIMIT="3 per minute")
    client = limited.test_client()
    first, second = bearer(user(BUSINESS), "read"), bearer(user(INVESTOR), "read")
    statuses = [client.get("/api/v1/me", headers=first).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/me", headers=first)
    assert refused.mimetype == PROBLEM and int(refused.headers["Retry-After"]) > 0
    assert client.get("/api/v1/me", headers=second).status_code == 200
    assert client.get("/api/v1/firms").status_code == 200  # anonymous: counted by address


def test_only_the_reviewing_agencys_curators_review_and_import(client):
    from tests.curation.helpers import CURATOR_KHCN

    other_agency = bearer(user(CURATOR_KHCN))
    firm = submitted_firm()
    assert client.get("/api/v1/reviews", headers=other_agency).status_code == 403
    decision = {"decision": "approve", "version": firm.version}
    response = client.post(
        f"/api/v1/reviews/listings/{firm.id}", json=decision, headers=other_agency
    )
    assert response.status_code == 403
    assert db.session.get(Firm, firm.id).status == FirmStatus.SUBMITTED
    upload = client.post(
        "/api/v1/imports/catalogue",
        data=csv_file(["code"], [["X"]]),
        headers={**other_agency, "Content-Type": "text/csv"},
    )
    assert upload.status_code == 403
