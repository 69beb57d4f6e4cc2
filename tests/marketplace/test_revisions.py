"""Changes to published requests and offers wait for review as revisions: the public (pages and
search) keeps the published text until a curator approves; a refused change says why; stale,
replayed and forged decisions are refused; the edit form shows the waiting change."""

from datetime import timedelta

import pytest

from app.domain import clock
from app.errors import Conflict, ValidationError
from app.extensions import db
from app.marketplace import revisions, service
from app.models import MarketListing, MarketRevision, MarketStatus, ReviewState
from app.models.base import utcnow
from app.search.engine import search_backend
from tests.conftest import csrf_token, login_as, make_user
from tests.marketplace.conftest import (
    actions_of,
    clear_mail,
    mails,
    offer_data,
    published,
    request_data,
)

NEW_TITLE = "Dây chuyền xử lý nước thải chế biến thủy sản 200 m³/ngày"


def found(app, query: str) -> set[int]:
    result = search_backend(app).search(query, kinds=["tech_request"], per_page=100)
    return {hit.id for hit in result.hits}


def propose(owner, listing, **changes) -> MarketRevision:
    service.update_listing(owner, listing.id, request_data(**changes), listing.version)
    return service.pending_revision(listing)


def test_a_change_to_a_published_request_waits_while_the_public_keeps_the_published_text(
    seeded_app, business, curator
):
    listing = published(business, curator)
    old_title = listing.title
    revision = propose(business, listing, title=NEW_TITLE)

    db.session.expire_all()
    listing = db.session.get(MarketListing, listing.id)
    assert listing.status == MarketStatus.PUBLISHED and listing.is_live(utcnow())
    assert listing.title == old_title
    assert revision.data["title"] == NEW_TITLE
    assert listing.id in found(seeded_app, "mô-đun màng lọc")
    assert listing.id not in found(seeded_app, "chế biến thủy sản")
    assert actions_of(listing)[-1] == "market_listing.propose"
    assert [c.name for c in revisions.changes(listing, revision)] == ["title"]

    clear_mail()
    revisions.approve_change(curator, revision.id, listing.version)

    db.session.expire_all()
    listing = db.session.get(MarketListing, listing.id)
    assert listing.title == NEW_TITLE and listing.is_live(utcnow())
    assert listing.id in found(seeded_app, "che bien thuy san")
    assert db.session.get(MarketRevision, revision.id).state == ReviewState.APPROVED
    assert actions_of(listing)[-1] == "market_listing.approve_change"
    assert any(NEW_TITLE in str(m["Subject"]) for m in mails())


def test_a_refused_change_leaves_the_published_text_and_tells_the_firm_why(
    seeded_app, business, curator
):
    listing = published(business, curator)
    revision = propose(business, listing, title=NEW_TITLE)
    with pytest.raises(ValidationError):
        revisions.reject_change(curator, revision.id, listing.version, "  ")
    clear_mail()

    revisions.reject_change(curator, revision.id, listing.version, "Tiêu đề phải nêu công suất.")

    db.session.expire_all()
    listing = db.session.get(MarketListing, listing.id)
    assert listing.title != NEW_TITLE and listing.is_live(utcnow())
    latest = service.latest_revision(listing)
    assert latest.state == ReviewState.REJECTED and latest.reason == "Tiêu đề phải nêu công suất."
    assert service.pending_revision(listing) is None
    body = mails()[0].get_body().get_content()
    assert "Tiêu đề phải nêu công suất." in body


def test_a_newer_edit_replaces_the_waiting_change_and_the_form_shows_it(client, business, curator):
    listing = published(business, curator)
    first = propose(business, listing, title=NEW_TITLE)
    second = propose(business, listing, title=NEW_TITLE + " (bản sửa)")
    assert db.session.get(MarketRevision, first.id).state == ReviewState.WITHDRAWN
    assert service.pending_revision(listing).id == second.id

    login_as(client, business)
    html = client.get(f"/marketplace/{listing.id}/edit?lang=en").get_data(as_text=True)
    assert NEW_TITLE + " (bản sửa)" in html


def test_saving_the_published_text_again_withdraws_the_waiting_change(business, curator):
    listing = published(business, curator)
    revision = propose(business, listing, title=NEW_TITLE)
    published_text = service.as_input(service.snapshot(listing))
    service.update_listing(business, listing.id, published_text, listing.version)
    assert db.session.get(MarketRevision, revision.id).state == ReviewState.WITHDRAWN
    assert service.pending_revision(listing) is None


def test_the_owner_withdraws_a_change_and_archiving_withdraws_one_too(business, curator):
    listing = published(business, curator, side="offer")
    service.update_listing(
        business, listing.id, offer_data(title="Mô-đun màng UF thế hệ mới"), listing.version
    )
    service.withdraw_change(business, listing.id, listing.version)
    assert service.pending_revision(listing) is None
    with pytest.raises(Conflict):  # nothing left to withdraw
        service.withdraw_change(business, listing.id, listing.version)

    service.update_listing(
        business, listing.id, offer_data(title="Mô-đun màng UF thế hệ mới"), listing.version
    )
    revision = service.pending_revision(listing)
    service.archive_listing(curator, listing.id, listing.version, "Trùng với tin khác.")
    assert db.session.get(MarketRevision, revision.id).state == ReviewState.WITHDRAWN
    with pytest.raises(Conflict):
        revisions.approve_change(curator, revision.id, listing.version)


def test_a_decision_on_a_stale_version_or_a_decided_change_is_refused(business, curator):
    listing = published(business, curator)
    revision = propose(business, listing, title=NEW_TITLE)
    seen = listing.version
    newer = propose(business, listing, title=NEW_TITLE + " mới")
    with pytest.raises(Conflict):  # the first change was replaced meanwhile
        revisions.approve_change(curator, revision.id, seen)
    with pytest.raises(Conflict):  # the curator saw the item before the newer change
        revisions.approve_change(curator, newer.id, seen)
    revisions.approve_change(curator, newer.id, listing.version)
    with pytest.raises(Conflict):  # replayed
        revisions.reject_change(curator, newer.id, listing.version, "Không rõ.")
    assert db.session.get(MarketListing, listing.id).title == NEW_TITLE + " mới"


def test_a_change_is_checked_again_when_approved(business, curator):
    listing = published(business, curator)
    revision = propose(business, listing, deadline=clock.today() + timedelta(days=3))
    # Time passes: the deadline the change proposed is gone by the time a curator looks.
    revision.data = {**revision.data, "deadline": (clock.today() - timedelta(days=1)).isoformat()}
    db.session.commit()
    with pytest.raises(ValidationError):
        revisions.approve_change(curator, revision.id, listing.version)
    assert service.pending_revision(listing) is not None


def test_a_new_deadline_moves_the_expiry(business, curator):
    listing = published(business, curator)
    deadline = clock.today() + timedelta(days=40)
    revision = propose(business, listing, deadline=deadline)
    revisions.approve_change(curator, revision.id, listing.version)
    assert listing.expires_at == service.expiry(listing.expires_at, deadline)
    assert listing.expires_at.date() <= deadline


def test_the_queue_and_the_item_page_show_the_change_to_curators(client, business, curator):
    listing = published(business, curator)
    revision = propose(business, listing, title=NEW_TITLE)
    login_as(client, curator)
    queue = client.get("/curation/marketplace?lang=en").get_data(as_text=True)
    assert f'data-revision="{revision.id}"' in queue
    page = client.get(f"/marketplace/{listing.id}?lang=en").get_data(as_text=True)
    assert "A change waiting for review" in page and NEW_TITLE in page
    assert 'data-field="title"' in page

    token = csrf_token(client, f"/marketplace/{listing.id}")
    response = client.post(
        f"/curation/marketplace/changes/{revision.id}/approve",
        data={"csrf_token": token, "version": str(listing.version)},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(MarketListing, listing.id).title == NEW_TITLE


def test_a_refusal_without_a_reason_keeps_the_change_and_says_so(client, business, curator):
    listing = published(business, curator)
    revision = propose(business, listing, title=NEW_TITLE)
    login_as(client, curator)
    token = csrf_token(client, f"/marketplace/{listing.id}")
    response = client.post(
        f"/curation/marketplace/changes/{revision.id}/reject?lang=en",
        data={"csrf_token": token, "version": str(listing.version), "reason": ""},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "reason" in response.get_data(as_text=True).lower()
    assert service.pending_revision(listing).id == revision.id


@pytest.mark.parametrize("who", ["owner", "stranger", "anonymous"])
def test_only_curators_may_decide_on_a_change(client, business, curator, who):
    listing = published(business, curator)
    revision = propose(business, listing, title=NEW_TITLE)
    if who == "owner":
        login_as(client, business)
    elif who == "stranger":
        login_as(client, make_user("nguoi-la@example.vn"))
    token = csrf_token(client, "/login" if who == "anonymous" else "/marketplace")
    response = client.post(
        f"/curation/marketplace/changes/{revision.id}/approve",
        data={"csrf_token": token, "version": str(listing.version)},
    )
    if who == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == 403
    assert service.pending_revision(listing).id == revision.id


def test_an_unknown_change_is_not_found(client, curator):
    login_as(client, curator)
    token = csrf_token(client, "/marketplace")
    response = client.post(
        "/curation/marketplace/changes/999999/approve", data={"csrf_token": token, "version": "1"}
    )
    assert response.status_code == 404
