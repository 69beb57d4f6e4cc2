"""The marketplace pages: who sees what, forms that keep input and show errors, forged and
replayed posts, stale edits, huge input, and the curator's decisions."""

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.marketplace import service
from app.models import MarketListing, MarketStatus
from tests.conftest import csrf_token, login_as, make_user
from tests.marketplace.conftest import INVESTOR, item_id, own_firm, published, request_data, user


@pytest.fixture
def draft(business):
    return service.create_listing(business, own_firm(business).id, "request", request_data())


def form_data(client, url, **changes):
    data = {
        "csrf_token": csrf_token(client, url),
        "kind": "buy_equipment",
        "title": "Mua máy ép bùn băng tải cho trạm xử lý",
        "description": "Cần máy ép bùn băng tải 10 m³/giờ kèm lắp đặt và chạy thử.",
        "ward_code": "21025",
        "item_ids": [str(item_id("NT.TB.04"))],
        "budget_min_vnd": "500 triệu",
        "budget_max_vnd": "1,5 tỷ",
    }
    return {**data, **changes}


def test_the_list_and_a_live_item_are_public(client, business, curator):
    listing = published(business, curator)
    html = client.get("/marketplace?lang=en").get_data(as_text=True)
    assert listing.title in html
    page = client.get(f"/marketplace/{listing.id}?lang=en")
    assert page.status_code == 200
    assert "Answer this request" not in page.get_data(as_text=True)  # visitors log in first


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 404), ("stranger", 404), ("investor", 404), ("owner", 200), ("curator", 200)],
)
def test_a_draft_is_seen_only_by_its_firm_and_curators(client, draft, curator, who, status):
    accounts = {
        "stranger": lambda: make_user("nguoi-la@example.vn"),
        "investor": lambda: user(INVESTOR),
        "owner": lambda: draft.firm.members[0].user,
        "curator": lambda: curator,
    }
    if who in accounts:
        login_as(client, accounts[who]())
    assert client.get(f"/marketplace/{draft.id}").status_code == status


def test_the_form_creates_a_draft_and_reads_amounts_as_people_write_them(client, business):
    login_as(client, business)
    url = "/marketplace/new?side=request&lang=en"
    response = client.post(url, data=form_data(client, url, firm_id=str(own_firm(business).id)))
    assert response.status_code == 302
    listing = db.session.scalar(sa.select(MarketListing).order_by(MarketListing.id.desc()))
    assert listing.status == MarketStatus.DRAFT
    assert (listing.budget_min_vnd, listing.budget_max_vnd) == (500_000_000, 1_500_000_000)


def test_a_refused_form_keeps_what_was_typed_and_says_why(client, business):
    login_as(client, business)
    url = "/marketplace/new?side=request&lang=en"
    data = form_data(client, url, firm_id=str(own_firm(business).id), title="Mua")
    response = client.post(url, data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Give a title of at least 5 characters." in html
    assert "Cần máy ép bùn băng tải 10 m³/giờ" in html
    assert re.search(rf'value="{item_id("NT.TB.04")}" checked', html)


@pytest.mark.parametrize("field", ["title", "description", "licensing_terms", "budget_min_vnd"])
def test_huge_input_is_refused_without_a_server_error(client, business, field):
    login_as(client, business)
    url = "/marketplace/new?side=request"
    data = form_data(client, url, firm_id=str(own_firm(business).id), **{field: "9" * 200_000})
    response = client.post(url, data=data)
    assert response.status_code in (400, 413)


def test_garbage_in_choices_is_a_form_error(client, business):
    login_as(client, business)
    url = "/marketplace/new?side=request"
    data = form_data(client, url, firm_id="abc", ward_code="x", item_ids=["1e9", "-3"])
    assert client.post(url, data=data).status_code == 400


def test_a_post_without_its_csrf_token_is_refused(client, draft):
    login_as(client, draft.firm.members[0].user)
    response = client.post(f"/marketplace/{draft.id}/submit", data={"version": draft.version})
    assert response.status_code == 400
    assert db.session.get(MarketListing, draft.id).status == MarketStatus.DRAFT


def test_a_replayed_decision_is_refused_as_stale(client, draft, curator):
    service.submit_listing(draft.firm.members[0].user, draft.id, draft.version)
    login_as(client, curator)
    page = f"/marketplace/{draft.id}?lang=en"
    data = {"csrf_token": csrf_token(client, page), "version": str(draft.version)}
    first = client.post(f"/curation/marketplace/{draft.id}/approve", data=data)
    assert first.status_code == 302
    again = client.post(f"/curation/marketplace/{draft.id}/approve", data=data)
    assert again.status_code == 302
    follow = client.get(again.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "changed by someone else" in follow


def test_a_stale_edit_keeps_the_input_and_says_so(client, draft):
    owner = draft.firm.members[0].user
    login_as(client, owner)
    url = f"/marketplace/{draft.id}/edit?lang=en"
    data = form_data(client, url, version=str(draft.version), title="Tiêu đề của tôi đây")
    service.update_listing(
        owner, draft.id, request_data(title="Người khác sửa trước"), draft.version
    )
    response = client.post(url, data=data)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "changed by someone else" in html and "Tiêu đề của tôi đây" in html


@pytest.mark.parametrize("who", ["owner", "stranger", "investor"])
def test_only_curators_may_post_decisions(client, draft, who):
    service.submit_listing(draft.firm.members[0].user, draft.id, draft.version)
    account = {
        "owner": draft.firm.members[0].user,
        "stranger": make_user("nguoi-la@example.vn"),
        "investor": user(INVESTOR),
    }[who]
    login_as(client, account)
    token = csrf_token(client, "/marketplace")
    response = client.post(
        f"/curation/marketplace/{draft.id}/approve",
        data={"csrf_token": token, "version": str(draft.version)},
    )
    assert response.status_code == 403
    assert db.session.get(MarketListing, draft.id).status == MarketStatus.SUBMITTED


def test_the_review_queue_lists_submitted_items_for_curators(client, draft, curator):
    service.submit_listing(draft.firm.members[0].user, draft.id, draft.version)
    login_as(client, curator)
    assert draft.title in client.get("/curation/marketplace").get_data(as_text=True)
    login_as(client, draft.firm.members[0].user)
    assert client.get("/curation/marketplace").status_code == 403


def test_my_page_lists_the_firms_items_with_their_state(client, draft):
    login_as(client, draft.firm.members[0].user)
    html = client.get("/my/marketplace?lang=en").get_data(as_text=True)
    assert draft.title in html and "Draft" in html
