"""Changes to published listings (revisions) and ownership claims."""

import re
import threading
import time

import pytest
import sqlalchemy as sa

from app.errors import Conflict
from app.extensions import db
from app.firms.data import snapshot
from app.firms.self_service import current_content, update_firm
from app.models import (
    AuditEvent,
    CatalogueItem,
    CatalogueLevel,
    Firm,
    FirmClaim,
    FirmMember,
    FirmRevision,
    FirmStatus,
    MemberRole,
    ReviewState,
    User,
)
from tests.conftest import ON_POSTGRES, make_user
from tests.curation.helpers import (
    CURATOR,
    add_owner,
    as_user,
    body,
    confirmed_post,
    mails_to,
    post_form,
    refreshed,
)

NEW_DESCRIPTION = "Chúng tôi vận hành hệ thống xử lý nước thải sinh học màng MBR."


def unowned_published_firm() -> Firm:
    return db.session.scalar(
        sa.select(Firm)
        .where(Firm.status == FirmStatus.PUBLISHED, ~Firm.members.any())
        .order_by(Firm.id)
    )


def propose_change(firm: Firm, author: User) -> tuple[FirmRevision, CatalogueItem]:
    data = snapshot(firm)
    data["description_vi"] = NEW_DESCRIPTION
    offered = {entry["item_id"] for entry in data["offers"]}
    new_item = db.session.scalar(
        sa.select(CatalogueItem)
        .where(CatalogueItem.level == CatalogueLevel.ITEM, CatalogueItem.id.not_in(offered))
        .order_by(CatalogueItem.id)
    )
    data["offers"] = sorted(
        [*data["offers"], {"item_id": new_item.id, "note": "Lắp đặt trọn gói"}],
        key=lambda entry: entry["item_id"],
    )
    revision = FirmRevision(firm=firm, author=author, data=data, base_version=firm.version)
    db.session.add(revision)
    db.session.commit()
    return revision, new_item


def test_revision_page_shows_the_differences_with_item_names(client):
    firm = unowned_published_firm()
    owner = add_owner(firm)
    revision, new_item = propose_change(firm, owner)
    as_user(client, CURATOR)

    html = client.get(f"/curation/revisions/{revision.id}").get_data(as_text=True)

    assert 'data-field="description_vi"' in html and 'data-field="offers"' in html
    assert 'data-field="legal_name"' not in html
    assert NEW_DESCRIPTION in html
    assert (new_item.name_en or new_item.name_vi) in html and "Lắp đặt trọn gói" in html
    assert 'id="stale-warning"' not in html


def test_approved_revision_changes_the_public_page_only_after_approval(seeded_app, client):
    firm = unowned_published_firm()
    owner = add_owner(firm)
    revision, new_item = propose_change(firm, owner)
    as_user(client, CURATOR)
    assert NEW_DESCRIPTION not in client.get(f"/firms/{firm.slug}?lang=vi").get_data(as_text=True)
    url = f"/curation/revisions/{revision.id}"

    response = post_form(client, url, f"{url}/approve", {"version": str(firm.version)})

    assert response.status_code == 302
    revision, firm = refreshed(revision), refreshed(firm)
    assert revision.state == ReviewState.APPROVED and revision.decided_by.email == CURATOR
    assert firm.status == FirmStatus.PUBLISHED
    assert firm.description_vi == NEW_DESCRIPTION
    assert new_item.id in {link.item_id for link in firm.offerings}
    public = client.get(f"/firms/{firm.slug}?lang=vi").get_data(as_text=True)
    assert NEW_DESCRIPTION in public and new_item.name_vi in public
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "revision.approve"))
    assert event.after["description_vi"] == NEW_DESCRIPTION
    assert event.before["description_vi"] != NEW_DESCRIPTION
    assert len(mails_to(seeded_app, owner.email)) == 1


def test_revision_written_on_an_older_version_warns_but_can_be_approved(client):
    firm = unowned_published_firm()
    owner = add_owner(firm)
    revision, _item = propose_change(firm, owner)
    firm.phone = "0255 3 000 000"  # another change lands after the revision was written
    db.session.commit()
    as_user(client, CURATOR)
    url = f"/curation/revisions/{revision.id}"

    assert 'id="stale-warning"' in client.get(url).get_data(as_text=True)
    post_form(client, url, f"{url}/approve", {"version": str(refreshed(firm).version)})

    assert refreshed(revision).state == ReviewState.APPROVED
    assert refreshed(firm).description_vi == NEW_DESCRIPTION


def test_rejected_revision_leaves_the_public_page_as_it_was(seeded_app, client):
    firm = unowned_published_firm()
    owner = add_owner(firm)
    before = snapshot(firm)
    revision, _item = propose_change(firm, owner)
    as_user(client, CURATOR)
    url = f"/curation/revisions/{revision.id}"

    confirmed_post(
        client,
        url,
        f"{url}/reject",
        {"version": str(firm.version), "reason": "Thông tin công nghệ chưa được chứng minh."},
    )

    revision, firm = refreshed(revision), refreshed(firm)
    assert revision.state == ReviewState.REJECTED
    assert revision.reason == "Thông tin công nghệ chưa được chứng minh."
    assert snapshot(firm) == before
    assert NEW_DESCRIPTION not in client.get(f"/firms/{firm.slug}?lang=vi").get_data(as_text=True)
    [message] = mails_to(seeded_app, owner.email)
    assert "Thông tin công nghệ chưa được chứng minh." in body(message)


def business_proposes(firm: Firm, owner: User, description: str) -> FirmRevision:
    """What the owner's edit form does: the content and version it showed, one field changed."""
    data = {**current_content(firm), "description_vi": description}
    return update_firm(owner, firm, data, firm.version)


def test_approving_a_revision_never_approves_a_later_change(client):
    firm = unowned_published_firm()
    owner = add_owner(firm)
    public_date = firm.updated_at
    first = business_proposes(firm, owner, "Bản đề xuất thứ nhất")
    as_user(client, CURATOR)
    url = f"/curation/revisions/{first.id}"
    page = client.get(url).get_data(as_text=True)
    seen = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    later = business_proposes(refreshed(firm), owner, "Bản đề xuất thứ hai")

    response = post_form(client, url, f"{url}/approve", {"version": seen})

    assert 'id="stale-warning"' not in page
    assert refreshed(firm).updated_at == public_date  # nothing public changed yet
    assert response.status_code == 409
    assert refreshed(first).state == ReviewState.WITHDRAWN
    assert refreshed(later).state == ReviewState.PENDING
    assert refreshed(firm).description_vi not in {"Bản đề xuất thứ nhất", "Bản đề xuất thứ hai"}


def test_a_form_opened_before_a_rejection_cannot_save_over_it(seeded_app, client):
    firm = unowned_published_firm()
    owner = add_owner(firm)
    revision = business_proposes(firm, owner, "Bản bị từ chối")
    opened = {**current_content(refreshed(firm)), "description_vi": "Bản bị từ chối, sửa thêm"}
    opened_version = refreshed(firm).version
    as_user(client, CURATOR)
    url = f"/curation/revisions/{revision.id}"
    reason = {"version": str(opened_version), "reason": "Chưa có chứng nhận."}
    assert confirmed_post(client, url, f"{url}/reject", reason).status_code == 302

    with seeded_app.test_request_context(), pytest.raises(Conflict):
        update_firm(owner, refreshed(firm), opened, opened_version)

    assert refreshed(revision).state == ReviewState.REJECTED
    pending = db.session.scalars(
        sa.select(FirmRevision).where(FirmRevision.state == ReviewState.PENDING)
    )
    assert revision.firm_id not in {r.firm_id for r in pending}


def make_claim(firm: Firm) -> FirmClaim:
    claimant = make_user("giamdoc@example.vn", name="Lê Văn Giám")
    claim = FirmClaim(firm=firm, user=claimant, evidence="Giấy đăng ký kinh doanh bản sao số 12")
    db.session.add(claim)
    db.session.commit()
    return claim


def test_approved_claim_makes_the_claimant_an_owner(seeded_app, client):
    firm = unowned_published_firm()
    claim = make_claim(firm)
    as_user(client, CURATOR)
    url = f"/curation/claims/{claim.id}"
    assert "Giấy đăng ký kinh doanh bản sao số 12" in client.get(url).get_data(as_text=True)

    response = post_form(client, url, f"{url}/approve")

    assert response.status_code == 302
    claim = refreshed(claim)
    assert claim.state == ReviewState.APPROVED
    member = db.session.scalar(
        sa.select(FirmMember).where(
            FirmMember.firm_id == firm.id, FirmMember.user_id == claim.user_id
        )
    )
    assert member.role == MemberRole.OWNER
    assert len(mails_to(seeded_app, "giamdoc@example.vn")) == 1


def test_claim_on_a_firm_that_has_an_owner_is_refused(client):
    firm = unowned_published_firm()
    add_owner(firm)
    claim = make_claim(firm)
    as_user(client, CURATOR)
    url = f"/curation/claims/{claim.id}"

    response = post_form(client, url, f"{url}/approve")

    assert response.status_code == 409
    assert "already has an owner" in response.get_data(as_text=True)
    assert refreshed(claim).state == ReviewState.PENDING


def test_rejected_claim_notifies_the_claimant_with_the_reason(seeded_app, client):
    firm = unowned_published_firm()
    claim = make_claim(firm)
    as_user(client, CURATOR)
    url = f"/curation/claims/{claim.id}"

    confirmed_post(client, url, f"{url}/reject", {"reason": "Giấy tờ không khớp tên doanh nghiệp."})

    claim = refreshed(claim)
    assert claim.state == ReviewState.REJECTED
    assert not firm.members
    [message] = mails_to(seeded_app, "giamdoc@example.vn")
    assert "Giấy tờ không khớp tên doanh nghiệp." in body(message)


@pytest.mark.skipif(not ON_POSTGRES, reason="row locks: SQLite has one writer at a time")
def test_two_claims_on_one_firm_approved_at_once_make_one_owner(client):
    firm = unowned_published_firm()
    first, second = make_claim(firm), make_claim_by(firm, "khac@example.vn")
    as_user(client, CURATOR)
    url = f"/curation/claims/{second.id}"
    token_page = client.get(url)
    assert token_page.status_code == 200
    answers = []
    with db.engine.connect() as other_curator:  # mid-way through approving the first claim
        other_curator.execute(sa.select(Firm.id).where(Firm.id == firm.id).with_for_update())
        other_curator.execute(
            sa.insert(FirmMember).values(
                firm_id=firm.id, user_id=first.user_id, role=MemberRole.OWNER
            )
        )
        other_curator.execute(
            sa.update(FirmClaim).where(FirmClaim.id == first.id).values(state=ReviewState.APPROVED)
        )
        approving = threading.Thread(
            target=lambda: answers.append(post_form(client, url, f"{url}/approve"))
        )
        approving.start()
        waited = 0.0
        while approving.is_alive() and not waiting_for_a_lock(other_curator) and waited < 30:
            time.sleep(0.05)
            waited += 0.05
        other_curator.commit()
        approving.join(timeout=60)

    assert answers[0].status_code == 409
    assert "already has an owner" in answers[0].get_data(as_text=True)
    owners = db.session.scalars(
        sa.select(FirmMember.user_id).where(
            FirmMember.firm_id == firm.id, FirmMember.role == MemberRole.OWNER
        )
    )
    assert list(owners) == [first.user_id]
    assert refreshed(second).state == ReviewState.PENDING


def make_claim_by(firm: Firm, email: str) -> FirmClaim:
    claim = FirmClaim(firm=firm, user=make_user(email), evidence="Quyết định bổ nhiệm số 7")
    db.session.add(claim)
    db.session.commit()
    return claim


def waiting_for_a_lock(connection) -> bool:
    """Whether another session of this database is blocked on a row lock."""
    return bool(
        connection.execute(
            sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar()
    )
