"""Requests and offers in search (published and unexpired only, with and without diacritics,
with their facets) and matched both ways with reasons."""

import pytest

from app.marketplace import matching, service
from app.search.engine import search_backend
from tests.conftest import login_as
from tests.marketplace.conftest import own_firm, published, request_data


def found(app, query: str, kind: str, **filters) -> set[int]:
    result = search_backend(app).search(query, kinds=[kind], filters=filters, per_page=100)
    return {hit.id for hit in result.hits}


@pytest.mark.parametrize("query", ["mô-đun màng lọc", "mo dun mang loc", "UF/RO"])
def test_a_published_request_is_found_with_and_without_diacritics(
    seeded_app, business, curator, query
):
    listing = published(business, curator)
    assert listing.id in found(seeded_app, query, "tech_request")


def test_drafts_and_submitted_items_are_never_in_search(seeded_app, business):
    listing = service.create_listing(business, own_firm(business).id, "request", request_data())
    assert listing.id not in found(seeded_app, "màng lọc", "tech_request")
    service.submit_listing(business, listing.id, listing.version)
    assert listing.id not in found(seeded_app, "màng lọc", "tech_request")


def test_facets_narrow_requests_by_kind_group_and_ward(seeded_app, business, curator):
    listing = published(business, curator)
    assert listing.id in found(seeded_app, "", "tech_request", market_kind=["buy_equipment"])
    assert listing.id in found(seeded_app, "", "tech_request", group=["NT"], ward=["21025"])
    assert listing.id not in found(seeded_app, "", "tech_request", market_kind=["joint_rnd"])


def test_the_search_page_has_a_tab_for_requests(client, business, curator):
    listing = published(business, curator)
    html = client.get("/search?q=mang+loc&kind=tech_request&lang=en").get_data(as_text=True)
    assert "Technology requests" in html and f"/marketplace/{listing.id}" in html


def test_a_request_is_shown_the_suppliers_of_its_items_with_reasons(
    seeded_app, business, curator, supplier
):
    listing = published(business, curator)
    suppliers = matching.for_request(listing)["supplier"]
    mine = next(m for m in suppliers if m.id == own_firm(supplier).id)
    assert [r.code for r in mine.reasons][0] == "supplies"
    assert own_firm(business).id not in {m.id for m in suppliers}


def test_offers_and_requests_find_each_other(seeded_app, business, curator, supplier):
    request_ = published(business, curator)
    offer = published(supplier, curator, side="offer")
    assert offer.id in {m.id for m in matching.for_request(request_)["offer"]}
    answerable = matching.for_offer(offer)
    assert request_.id in {m.id for m in answerable}
    assert next(m for m in answerable if m.id == request_.id).reasons[0].code == "supplies"


def test_the_request_page_lists_suppliers_with_reasons(client, business, curator, supplier):
    listing = published(business, curator)
    login_as(client, supplier)
    html = client.get(f"/marketplace/{listing.id}?lang=en").get_data(as_text=True)
    assert own_firm(supplier).display_name in html
    assert "Supplies what is needed" in html
    assert "Answer this request" in html
