"""The lifecycle of requests and offers: who may write them, the rules every path checks,
review and publication, editing an expired item, stale writes, expiry dates."""

from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from app.errors import Conflict, Forbidden, NotFound, ValidationError
from app.extensions import db
from app.marketplace import renewals, service
from app.models import FirmStatus, MarketListing, MarketStatus, ReviewState
from app.models.base import utcnow
from tests.conftest import make_user
from tests.marketplace.conftest import (
    INVESTOR,
    OTHER_CURATOR,
    actions_of,
    offer_data,
    own_firm,
    published,
    request_data,
    user,
)


def test_a_request_is_published_only_after_review_and_every_step_is_audited(business, curator):
    listing = service.create_listing(business, own_firm(business).id, "request", request_data())
    assert listing.status == MarketStatus.DRAFT and not listing.is_live(utcnow())
    service.submit_listing(business, listing.id, listing.version)
    assert listing.status == MarketStatus.SUBMITTED and not listing.is_live(utcnow())

    service.approve_listing(curator, listing.id, listing.version)

    assert listing.is_live(utcnow())
    assert listing.expires_at - listing.published_at == timedelta(days=365)
    assert actions_of(listing) == [
        "market_listing.create",
        "market_listing.submit",
        "market_listing.approve",
    ]


def test_a_deadline_before_twelve_months_is_when_the_request_expires(business, curator):
    deadline = date.today() + timedelta(days=30)
    listing = published(business, curator, deadline=deadline)
    # The end of the deadline day in Quảng Ngãi (UTC+7), stored as naive UTC: 17:00 the day
    # before in UTC.
    assert listing.expires_at == datetime.combine(deadline, time(17))


def test_editing_an_expired_item_sends_it_back_to_review(business, curator):
    listing = published(business, curator, side="offer")
    service.update_listing(  # a change waiting when the item expired is replaced by the edit
        business, listing.id, offer_data(title="Mô-đun màng UF bản cũ"), listing.version
    )
    waiting = service.pending_revision(listing)
    listing.expires_at = utcnow() - timedelta(minutes=1)
    renewals.expire_listings(utcnow())
    assert listing.status == MarketStatus.EXPIRED

    service.update_listing(
        business, listing.id, offer_data(title="Mô-đun màng UF thế hệ mới"), listing.version
    )

    assert listing.status == MarketStatus.SUBMITTED and listing.title == "Mô-đun màng UF thế hệ mới"
    assert waiting.state == ReviewState.WITHDRAWN
    assert actions_of(listing)[-1] == "market_listing.update"


def test_a_write_from_a_stale_version_is_a_conflict_and_changes_nothing(business, curator):
    listing = service.create_listing(business, own_firm(business).id, "request", request_data())
    seen = listing.version
    service.update_listing(business, listing.id, request_data(title="Tiêu đề mới hơn"), seen)
    with pytest.raises(Conflict):
        service.update_listing(business, listing.id, request_data(title="Tiêu đề cũ"), seen)
    with pytest.raises(Conflict):
        service.submit_listing(business, listing.id, seen)
    db.session.expire_all()
    assert db.session.get(MarketListing, listing.id).title == "Tiêu đề mới hơn"


def test_a_curator_deciding_on_a_stale_version_is_refused(business, curator):
    listing = service.create_listing(business, own_firm(business).id, "request", request_data())
    service.submit_listing(business, listing.id, listing.version)
    seen = listing.version
    service.request_changes(curator, listing.id, seen, "Ghi rõ công suất cần thiết.")
    with pytest.raises(Conflict):
        service.approve_listing(curator, listing.id, seen)
    assert db.session.get(MarketListing, listing.id).status == MarketStatus.CHANGES_REQUESTED


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "patent"}, "kind"),  # an offer's kind on a request
        ({"title": "Mua"}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"description": "ngắn"}, "description"),
        ({"description": "x" * 5001}, "description"),
        ({"budget_min_vnd": 5_000, "budget_max_vnd": 1_000}, "budget_max_vnd"),
        ({"budget_min_vnd": -1}, "budget_min_vnd"),
        ({"deadline": date(2020, 1, 1)}, "deadline"),
        ({"ward_code": 99999999}, "ward_code"),
        ({"item_ids": []}, "item_ids"),
        ({"item_ids": [10**9]}, "item_ids"),
    ],
)
def test_bad_content_is_refused_with_the_field_named(business, changes, field):
    with pytest.raises(ValidationError) as refusal:
        service.create_listing(business, own_firm(business).id, "request", request_data(**changes))
    assert field in refusal.value.errors
    assert db.session.scalar(sa.select(sa.func.count(MarketListing.id))) == 5  # the samples


@pytest.mark.parametrize("trl", [None, 0, 10])
def test_an_offer_needs_a_readiness_level_from_1_to_9(business, trl):
    with pytest.raises(ValidationError) as refusal:
        service.create_listing(business, own_firm(business).id, "offer", offer_data(trl=trl))
    assert "trl" in refusal.value.errors


def test_only_members_of_the_firm_may_post_for_it(seeded_app, business):
    firm_id = own_firm(business).id
    stranger = make_user("nguoi-la@example.vn")
    with pytest.raises(Forbidden):
        service.create_listing(stranger, firm_id, "request", request_data())
    with pytest.raises(Forbidden):
        service.create_listing(user(INVESTOR), firm_id, "request", request_data())
    with pytest.raises(Forbidden):
        service.create_listing(user(OTHER_CURATOR), firm_id, "request", request_data())


def test_a_firm_not_yet_published_cannot_post(business):
    firm = own_firm(business)
    firm.status = FirmStatus.SUBMITTED
    db.session.commit()
    with pytest.raises(ValidationError) as refusal:
        service.create_listing(business, firm.id, "request", request_data())
    assert "firm_id" in refusal.value.errors


def test_only_reviewers_decide(business, curator):
    listing = service.create_listing(business, own_firm(business).id, "request", request_data())
    service.submit_listing(business, listing.id, listing.version)
    for somebody in (business, user(OTHER_CURATOR), user(INVESTOR)):
        with pytest.raises(Forbidden):
            service.approve_listing(somebody, listing.id, listing.version)


def test_drafts_are_not_found_by_others_but_seen_by_their_firm_and_curators(business, curator):
    listing = service.create_listing(business, own_firm(business).id, "request", request_data())
    stranger = make_user("nguoi-la@example.vn")
    with pytest.raises(NotFound):
        service.get_listing(stranger, listing.id)
    assert service.get_listing(business, listing.id) is listing
    assert service.get_listing(curator, listing.id) is listing


def test_renewal_puts_an_expired_item_back_for_twelve_months(business, curator):
    listing = published(business, curator)
    listing.status = MarketStatus.EXPIRED
    db.session.commit()
    now = utcnow()
    service.renew_listing(business, listing.id, listing.version, now=now)
    assert listing.status == MarketStatus.PUBLISHED
    assert listing.expires_at == now + timedelta(days=365)
    assert actions_of(listing)[-1] == "market_listing.renew"
    stranger = make_user("nguoi-la@example.vn")
    with pytest.raises(Forbidden):
        service.renew_listing(stranger, listing.id, listing.version)
