"""Telling opted-in suppliers of a new request: one digest per person, nothing twice (also when
run again), nothing to firms that did not opt in, an unsubscribe link on SITE_URL."""

import re

from app.extensions import db
from app.marketplace import alerts, service
from app.models import MarketMailing
from tests.conftest import csrf_token, login_as
from tests.marketplace.conftest import clear_mail, mails, own_firm, published, request_data


def test_an_opted_in_supplier_is_told_once_with_the_reasons(
    seeded_app, business, curator, supplier
):
    alerts.set_alerts(supplier, own_firm(supplier).id, True)
    clear_mail()
    request_ = published(business, curator)

    counts = alerts.send_request_alerts()

    assert (counts.requests, counts.firms, counts.sent) == (1, 1, 1)
    [message] = [m for m in mails() if m["To"] == supplier.email]
    body = message.get_content()
    assert request_.title in body
    assert f"http://cnmt.test/marketplace/{request_.id}" in body
    assert "Mô-đun màng lọc siêu lọc" in body  # the reason: the item it supplies
    assert re.search(r"http://cnmt\.test/marketplace/alerts/\d+/unsubscribe/\S+", body)

    clear_mail()
    assert alerts.send_request_alerts().sent == 0
    assert mails() == []
    assert db.session.query(MarketMailing).filter_by(kind="match").count() == 1


def test_a_supplier_that_did_not_opt_in_hears_nothing(seeded_app, business, curator, supplier):
    clear_mail()
    published(business, curator)
    assert alerts.send_request_alerts().sent == 0
    assert [m for m in mails() if m["To"] == supplier.email] == []


def test_publishing_from_the_curators_page_tells_suppliers_at_once(
    client, business, curator, supplier
):
    alerts.set_alerts(supplier, own_firm(supplier).id, True)
    listing = service.create_listing(business, own_firm(business).id, "request", request_data())
    service.submit_listing(business, listing.id, listing.version)
    clear_mail()
    login_as(client, curator)
    page = f"/marketplace/{listing.id}"
    data = {"csrf_token": csrf_token(client, page), "version": str(listing.version)}
    client.post(f"/curation/marketplace/{listing.id}/approve", data=data)
    assert [m["To"] for m in mails() if m["To"] == supplier.email] == [supplier.email]


def test_the_unsubscribe_link_turns_the_emails_off(client, business, curator, supplier):
    subscription = alerts.set_alerts(supplier, own_firm(supplier).id, True)
    link = alerts.unsubscribe_url(subscription).removeprefix("http://cnmt.test")
    assert client.get(link).status_code == 200
    assert subscription.active
    assert client.post(link).status_code == 200
    db.session.refresh(subscription)
    assert not subscription.active


def test_an_altered_or_old_unsubscribe_link_is_refused(client, supplier):
    subscription = alerts.set_alerts(supplier, own_firm(supplier).id, True)
    link = alerts.unsubscribe_url(subscription).removeprefix("http://cnmt.test")
    assert client.post(link[:-3] + "abc").status_code == 404
    alerts.set_alerts(supplier, subscription.firm_id, False)
    alerts.set_alerts(supplier, subscription.firm_id, True)  # a new opt-in: old links stop
    assert client.post(link).status_code == 404
