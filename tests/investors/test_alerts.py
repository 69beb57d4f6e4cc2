"""Saved searches and their e-mail alerts: due or not, only new or changed firms, nothing sent
twice, one-click unsubscribe that cannot be forged, and a bad address does not stop the rest."""

import logging
import re
from datetime import timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

import sqlalchemy as sa
from itsdangerous import TimestampSigner, URLSafeSerializer, URLSafeTimedSerializer

from app.extensions import db
from app.investors import alerts, service
from app.investors.service import MAX_SAVED_SEARCHES
from app.models import AlertDelivery, AlertFrequency, Firm, FirmStatus, Role, SavedSearch
from app.models.base import utcnow
from tests.conftest import csrf_token, login_as, make_user
from tests.investors.conftest import published_firms

BASE = "http://cnmt.test"
DAY = timedelta(days=1)


def mails(app) -> list:
    parser = BytesParser(policy=policy.default)
    folder = Path(app.config["MAIL_FILE_DIR"])
    return [parser.parsebytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]


def saved(owner, frequency="daily", args=None, days_ago=2) -> SavedSearch:
    search = SavedSearch(
        owner_id=owner.id,
        name=f"search {frequency} {owner.id}",
        args=args or {"seeking": ["1"]},
        frequency=AlertFrequency(frequency),
        alerts_since=utcnow() - timedelta(days=days_ago),
    )
    db.session.add(search)
    db.session.commit()
    return search


def send(runner):
    result = runner.invoke(args=["alerts", "send", "--base-url", BASE])
    assert result.exit_code == 0, result.output
    return result.output


def test_saving_a_search_keeps_the_query_and_alerts_are_opt_in(client, investor):
    login_as(client, investor)
    page = "/investor/firms?seeking=1&invest_type=loan&view=table"
    token = csrf_token(client, page)
    client.post(
        "/investor/searches?seeking=1&invest_type=loan&page=1",
        data={"csrf_token": token, "name": "Loans", "frequency": "off"},
    )
    search = db.session.scalar(sa.select(SavedSearch))
    assert search.args == {"seeking": ["1"], "invest_type": ["loan"]}
    assert search.frequency == AlertFrequency.OFF
    assert "E-mail alerts are off unless you choose" in client.get(page + "&lang=en").get_data(
        as_text=True
    )


def test_an_investor_keeps_a_bounded_number_of_saved_searches(client, investor):
    login_as(client, investor)
    db.session.add_all(
        SavedSearch(owner_id=investor.id, name=f"Tìm {n}", args={})
        for n in range(MAX_SAVED_SEARCHES)
    )
    db.session.commit()
    token = csrf_token(client, "/investor/firms")

    response = client.post(
        "/investor/searches?seeking=1&lang=en",
        data={"csrf_token": token, "name": "One more", "frequency": "daily"},
        follow_redirects=True,
    )

    assert f"You can keep up to {MAX_SAVED_SEARCHES} saved searches" in response.get_data(
        as_text=True
    )
    count = sa.select(sa.func.count()).where(SavedSearch.owner_id == investor.id)
    assert db.session.scalar(count) == MAX_SAVED_SEARCHES


def test_due_daily_weekly_and_off(seeded_app, investor):
    now = utcnow()
    daily = saved(investor, "daily", days_ago=1)
    weekly_early = saved(investor, "weekly", days_ago=3)
    weekly_due = saved(make_user("w@fund.example", Role.INVESTOR), "weekly", days_ago=7)
    off = saved(make_user("o@fund.example", Role.INVESTOR), "off", days_ago=30)
    assert alerts.is_due(daily, now)
    assert not alerts.is_due(weekly_early, now)
    assert alerts.is_due(weekly_due, now)
    assert not alerts.is_due(off, now)
    daily.last_sent_at = now - timedelta(hours=12)
    assert not alerts.is_due(daily, now)


def test_alert_lists_only_new_or_changed_firms_and_is_sent_once(
    seeded_app, runner, investor, quiet_firms
):
    search = saved(investor)
    output = send(runner)
    assert "Sent 1" in output
    [message] = mails(seeded_app)
    body = message.get_content()
    assert message["To"] == investor.email
    linked = set(re.findall(r"/firms/([\w-]+)", body))
    assert linked == {f.slug for f in quiet_firms}
    assert message["List-Unsubscribe"].startswith(f"<{BASE}/investor/alerts/{search.id}/")

    assert "Sent 0" in send(runner)
    assert len(mails(seeded_app)) == 1
    db.session.expire_all()
    delivery = db.session.scalar(sa.select(AlertDelivery))
    assert delivery.status == "sent"
    assert sorted(delivery.firm_ids) == sorted(f.id for f in quiet_firms)
    assert db.session.get(SavedSearch, search.id).last_sent_at is not None


def test_next_alert_reports_only_what_changed_after_the_previous_one(
    seeded_app, investor, quiet_firms
):
    search = saved(investor)
    first_run = utcnow()
    later = [f for f in published_firms() if f.seeking_investment][2]
    with seeded_app.test_request_context(base_url=BASE):
        assert alerts.send_due_alerts(first_run).sent == 1
        db.session.execute(
            sa.update(Firm)
            .where(Firm.id == later.id)
            .values(updated_at=first_run + timedelta(hours=5))
        )
        db.session.commit()
        assert alerts.send_due_alerts(first_run + timedelta(hours=6)).sent == 0  # not due yet
        report = alerts.send_due_alerts(first_run + timedelta(days=1))
    assert report.sent == 1
    latest = db.session.scalars(sa.select(AlertDelivery).order_by(AlertDelivery.id)).all()[-1]
    assert latest.firm_ids == [later.id]
    assert latest.saved_search_id == search.id


def test_nothing_new_sends_nothing(seeded_app, runner, investor, quiet_firms):
    saved(investor, args={"seeking": ["1"], "size": ["large"], "q": ["zzzz không có"]})
    assert "Sent 0" in send(runner)
    assert mails(seeded_app) == []


def frequency_of(search: SavedSearch) -> AlertFrequency:
    db.session.expire_all()
    return db.session.get(SavedSearch, search.id).frequency


def test_unsubscribe_link_asks_first_and_stops_alerts_on_post_without_login(
    seeded_app, client, runner, investor, quiet_firms
):
    search = saved(investor)
    send(runner)
    body = mails(seeded_app)[0].get_content()
    link = re.search(rf"{BASE}(/investor/alerts/\S+)", body).group(1)

    page = client.get(link + "?lang=en")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Stop alerts" in html and 'method="post"' in html and search.name in html
    assert frequency_of(search) == AlertFrequency.DAILY  # a mail scanner opening it changes nothing
    stopped = client.post(link + "?lang=en")
    assert stopped.status_code == 200
    assert "Alerts stopped" in stopped.get_data(as_text=True)
    assert frequency_of(search) == AlertFrequency.OFF


def test_mail_programs_unsubscribe_in_one_click(seeded_app, client, investor):
    search = saved(investor)
    with seeded_app.test_request_context():
        url = alerts.unsubscribe_url(search)
    response = client.post(url, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert frequency_of(search) == AlertFrequency.OFF


def test_forged_or_borrowed_unsubscribe_links_get_a_clear_refusal(seeded_app, client, investor):
    mine = saved(investor)
    other = saved(make_user("x@fund.example", Role.INVESTOR))
    with seeded_app.test_request_context():
        token = alerts.unsubscribe_token(mine)
    foreign = URLSafeSerializer("test-secret", salt="another-purpose").dumps(
        {"search": mine.id, "owner": investor.id}
    )
    forged = token.split(".")[0] + ".AAAAAAAAAAAAAAAAAAAAAAAAAAA"
    links = [
        f"{other.id}/unsubscribe/{token}",  # a real link, for another search
        f"{mine.id}/unsubscribe/{token}x",
        f"{mine.id}/unsubscribe/{forged}",
        f"{mine.id}/unsubscribe/{foreign}",
        f"{mine.id}/unsubscribe/not-a-token",
        f"{2**64}/unsubscribe/{token}",
    ]
    for link in links:
        for method in (client.get, client.post):
            response = method(f"/investor/alerts/{link}?lang=en")
            assert response.status_code == 404, link
            assert "This unsubscribe link is not valid" in response.get_data(as_text=True)
    assert frequency_of(other) == AlertFrequency.DAILY
    assert frequency_of(mine) == AlertFrequency.DAILY


class SignedLongAgo(TimestampSigner):
    def get_timestamp(self) -> int:
        return super().get_timestamp() - int((alerts.UNSUBSCRIBE_LINK_AGE + DAY).total_seconds())


def test_an_expired_unsubscribe_link_changes_nothing_and_says_so(seeded_app, client, investor):
    search = saved(investor)
    with seeded_app.test_request_context():
        payload = alerts._serializer().loads(alerts.unsubscribe_token(search))
    old = URLSafeTimedSerializer(
        seeded_app.config["SECRET_KEY"], salt="saved-search-unsubscribe", signer=SignedLongAgo
    ).dumps(payload)

    for method in (client.get, client.post):
        response = method(f"/investor/alerts/{search.id}/unsubscribe/{old}?lang=en")
        assert response.status_code == 404
        assert "This unsubscribe link has expired" in response.get_data(as_text=True)
    assert frequency_of(search) == AlertFrequency.DAILY


def test_a_link_from_before_alerts_were_turned_on_again_does_not_stop_them(
    seeded_app, client, investor
):
    search = saved(investor)
    with seeded_app.test_request_context():
        old_link = alerts.unsubscribe_url(search)
    client.post(old_link)
    db.session.expire_all()
    service.set_alert_frequency(investor, search.id, "weekly")  # the owner wants them back

    response = client.post(old_link + "?lang=en")  # replayed, e.g. from a forwarded mail

    assert response.status_code == 404
    assert "turned on again" in response.get_data(as_text=True)
    assert frequency_of(search) == AlertFrequency.WEEKLY


def test_a_bad_address_is_logged_and_the_others_are_still_sent(
    seeded_app, runner, investor, quiet_firms, caplog
):
    broken = make_user("broken@fund.example", Role.INVESTOR)
    # An address with a line break cannot be a mail header: building the message fails.
    db.session.execute(
        sa.update(type(broken)).where(type(broken).id == broken.id).values(email="bro\nken@x.vn")
    )
    db.session.commit()
    saved(broken)
    saved(investor)
    with caplog.at_level(logging.ERROR, logger="app.investors.alerts"):
        output = send(runner)
    assert "Sent 1, failed 1" in output
    assert [m["To"] for m in mails(seeded_app)] == [investor.email]
    assert any("not built" in record.getMessage() for record in caplog.records)
    statuses = db.session.scalars(sa.select(AlertDelivery.status).order_by(AlertDelivery.id))
    assert sorted(statuses) == ["failed", "sent"]
    assert "Sent 0, failed 0" in send(runner)


def test_unpublished_firms_never_appear_in_alerts(seeded_app, investor, quiet_firms):
    saved(investor)
    hidden = quiet_firms[0]
    db.session.execute(
        sa.update(Firm).where(Firm.id == hidden.id).values(status=FirmStatus.ARCHIVED)
    )
    db.session.commit()
    with seeded_app.test_request_context(base_url=BASE):
        alerts.send_due_alerts()
    delivery = db.session.scalar(sa.select(AlertDelivery))
    assert delivery.firm_ids == [quiet_firms[1].id]


def test_a_base_url_that_is_not_an_absolute_address_is_refused(runner):
    result = runner.invoke(args=["alerts", "send", "--base-url", "cnmt.example.vn"])

    assert result.exit_code == 2
    assert "--base-url" in result.output


def test_an_unconfirmed_investor_saves_searches_but_cannot_turn_on_alert_mail(client):
    login_as(client, make_user("ai-do@fund.example", Role.INVESTOR, verified=False))
    token = csrf_token(client, "/investor/firms?seeking=1")

    daily = client.post(
        "/investor/searches?seeking=1&lang=en",
        data={"csrf_token": token, "name": "Daily", "frequency": "daily"},
    )
    quiet = client.post(
        "/investor/searches?seeking=1",
        data={"csrf_token": token, "name": "Quiet", "frequency": "off"},
    )
    [search] = db.session.scalars(sa.select(SavedSearch)).all()
    later = client.post(
        f"/investor/searches/{search.id}/alerts",
        data={"csrf_token": token, "frequency": "weekly"},
    )

    assert daily.status_code == 403
    assert "Please confirm your e-mail address first" in daily.get_data(as_text=True)
    assert quiet.status_code == 302 and search.name == "Quiet"
    assert later.status_code == 403
    db.session.refresh(search)
    assert search.frequency == AlertFrequency.OFF


def test_alerts_are_never_mailed_to_an_unconfirmed_address(seeded_app, runner, quiet_firms):
    saved(make_user("nan-nhan@example.vn", Role.INVESTOR, verified=False))

    output = send(runner)

    assert "Sent 0" in output
    assert mails(seeded_app) == []
