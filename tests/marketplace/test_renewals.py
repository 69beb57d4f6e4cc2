"""Expiry and reminders (`flask listings remind`): reminders 14 days and 1 day before expiry,
each once however often the command runs; expired items leave the public pages and search but
keep their page for their firm; one click renews them."""

from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.marketplace.renewals import send_reminders
from app.models import MarketListing, MarketStatus
from app.models.base import utcnow
from app.search.engine import search_backend
from tests.conftest import csrf_token, login_as
from tests.marketplace.conftest import clear_mail, mails, published


def expiring_in(listing, delta) -> None:
    listing.expires_at = utcnow() + delta
    db.session.commit()


def reminders_to(email: str) -> list:
    return [m for m in mails() if m["To"] == email]


def test_reminders_go_14_days_and_1_day_before_each_once(seeded_app, business, curator):
    listing = published(business, curator)
    clear_mail()
    expiring_in(listing, timedelta(days=20))
    assert send_reminders().reminded == 0

    expiring_in(listing, timedelta(days=13))
    assert send_reminders().reminded == 1
    [message] = reminders_to(business.email)
    assert f"http://cnmt.test/marketplace/{listing.id}" in message.get_content()
    assert send_reminders().reminded == 0  # a second run sends nothing

    expiring_in(listing, timedelta(hours=20))
    assert send_reminders().reminded == 1
    assert send_reminders().reminded == 0
    assert len(reminders_to(business.email)) == 2


def test_a_renewed_item_is_reminded_again_before_its_new_expiry(seeded_app, business, curator):
    listing = published(business, curator)
    expiring_in(listing, timedelta(days=10))
    send_reminders()
    listing.expires_at = listing.expires_at + timedelta(days=365)  # as a renewal moves it
    db.session.commit()
    expiring_in(listing, timedelta(days=12))
    assert send_reminders().reminded == 1


def test_the_command_expires_items_which_leave_search_and_the_public_pages(
    client, runner, business, curator
):
    listing = published(business, curator)
    backend = search_backend(client.application)
    assert f"tech_request:{listing.id}" in {
        f"{h.kind}:{h.id}" for h in backend.search("màng lọc", kinds=["tech_request"]).hits
    }
    listing.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    result = runner.invoke(args=["listings", "remind"])

    assert result.exit_code == 0 and "expired 1" in result.output
    assert db.session.get(MarketListing, listing.id).status == MarketStatus.EXPIRED
    found = backend.search("màng lọc", kinds=["tech_request"]).hits
    assert listing.id not in {h.id for h in found}
    assert client.get(f"/marketplace/{listing.id}").status_code == 404
    assert listing.title not in client.get("/marketplace").get_data(as_text=True)
    login_as(client, business)
    html = client.get(f"/marketplace/{listing.id}?lang=en").get_data(as_text=True)
    assert "This item has expired" in html and "Approved and published" in html  # its history
    assert "expired 0" in runner.invoke(args=["listings", "remind"]).output


def test_one_click_renews_an_expired_item(client, business, curator):
    listing = published(business, curator)
    listing.status = MarketStatus.EXPIRED
    db.session.commit()
    login_as(client, business)
    page = f"/marketplace/{listing.id}"
    data = {"csrf_token": csrf_token(client, page), "version": str(listing.version)}
    assert client.post(f"/marketplace/{listing.id}/renew", data=data).status_code == 302
    renewed = db.session.scalar(sa.select(MarketListing).where(MarketListing.id == listing.id))
    db.session.refresh(renewed)
    assert renewed.status == MarketStatus.PUBLISHED
    assert renewed.expires_at > utcnow() + timedelta(days=364)
    expires = renewed.expires_at
    replay = client.post(f"/marketplace/{listing.id}/renew?lang=en", data=data)  # stale version
    assert "changed by someone else" in client.get(replay.headers["Location"] + "?lang=en").text
    db.session.refresh(renewed)
    assert renewed.expires_at == expires
    login_as(client, curator)  # renewing is the firm's decision
    assert client.post(f"/marketplace/{listing.id}/renew", data=data).status_code == 403
