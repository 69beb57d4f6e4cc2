"""The programmes' Atom feed and calendars: public programmes only, readable by a feed parser
and a calendar parser, all-day events on the programme's dates with reminders before each
deadline, identifiers that do not change, and links on the site's address."""

from datetime import date, timedelta

import feedparser
import icalendar
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Programme

SITE_URL = "http://cnmt.test"
FOREIGN_HOST = {"Host": "evil.example"}


def public_programmes() -> list[Programme]:
    return list(db.session.scalars(sa.select(Programme).where(Programme.public())))


def hide_two() -> list[Programme]:
    unpublished, archived = public_programmes()[:2]
    unpublished.published_at = None
    archived.archived = True
    db.session.commit()
    return [unpublished, archived]


def events(body: bytes) -> list:
    return list(icalendar.Calendar.from_ical(body).walk("VEVENT"))


def test_the_feed_parses_and_lists_public_programmes_last_changed_first(client):
    hidden = hide_two()
    expected = sorted(public_programmes(), key=lambda p: (p.updated_at, p.id), reverse=True)

    response = client.get("/programmes/feed.atom", headers=FOREIGN_HOST)
    feed = feedparser.parse(response.get_data())

    assert response.mimetype == "application/atom+xml"
    assert not feed.bozo, feed.get("bozo_exception")
    assert [entry.link for entry in feed.entries] == [
        f"{SITE_URL}/programmes/{p.slug}" for p in expected
    ]
    assert [entry.title for entry in feed.entries] == [p.title_vi for p in expected]
    first = feed.entries[0]
    assert first.updated_parsed[:6] == expected[0].updated_at.timetuple()[:6]
    assert all(f"/programmes/{p.slug}" not in response.get_data(as_text=True) for p in hidden)
    assert feed.feed.link == f"{SITE_URL}/programmes"


def test_a_feed_entry_keeps_its_identifier_when_the_programme_changes(client):
    programme = public_programmes()[0]
    before = {
        e.link: e.id for e in feedparser.parse(client.get("/programmes/feed.atom").data).entries
    }

    programme.title_vi = programme.title_vi + " (sửa đổi)"
    db.session.commit()
    feed = feedparser.parse(client.get("/programmes/feed.atom").data)

    address = f"{SITE_URL}/programmes/{programme.slug}"
    assert feed.entries[0].link == address
    assert feed.entries[0].title.endswith("(sửa đổi)")
    assert feed.entries[0].id == before[address]


def test_the_calendar_has_each_public_programmes_dates_as_all_day_events(client):
    hidden = hide_two()
    programmes = public_programmes()

    response = client.get("/programmes/calendar.ics")
    found = {str(event["UID"]): event for event in events(response.get_data())}

    assert response.mimetype == "text/calendar"
    expected = {}
    for p in programmes:
        if p.opens_on:
            expected[f"programme-{p.id}-opens@cnmt.test"] = p.opens_on
        if p.closes_on and not p.rolling:
            expected[f"programme-{p.id}-deadline@cnmt.test"] = p.closes_on
    assert expected
    assert {uid: event.decoded("DTSTART") for uid, event in found.items()} == expected
    for event in found.values():
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert type(start) is date and end == start + timedelta(days=1)
        assert str(event["URL"]).startswith(f"{SITE_URL}/programmes/")
    assert not any(f"programme-{p.id}-" in uid for p in hidden for uid in found)


def test_deadlines_carry_reminders_a_week_and_a_day_before(client):
    found = events(client.get("/programmes/calendar.ics").get_data())

    deadlines = [e for e in found if str(e["UID"]).endswith("-deadline@cnmt.test")]
    assert deadlines
    for event in deadlines:
        triggers = sorted(alarm.decoded("TRIGGER") for alarm in event.walk("VALARM"))
        assert triggers == [timedelta(days=-7), timedelta(days=-1)]
        assert all(str(alarm["ACTION"]) == "DISPLAY" for alarm in event.walk("VALARM"))


def test_a_programmes_calendar_has_its_own_dates_only(client):
    programme = next(p for p in public_programmes() if p.closes_on and not p.rolling)

    response = client.get(f"/programmes/{programme.slug}/calendar.ics")
    found = events(response.get_data())

    assert {str(e["UID"]) for e in found} <= {
        f"programme-{programme.id}-opens@cnmt.test",
        f"programme-{programme.id}-deadline@cnmt.test",
    }
    deadline = next(e for e in found if str(e["UID"]).endswith("-deadline@cnmt.test"))
    assert deadline.decoded("DTSTART") == programme.closes_on
    assert programme.title_vi in str(deadline["SUMMARY"])


def test_a_calendar_is_the_same_every_time_it_is_read(client):
    first = client.get("/programmes/calendar.ics").get_data()

    assert client.get("/programmes/calendar.ics?lang=vi").get_data() == first


@pytest.mark.parametrize("slug", ["no-such-programme", "%00", "a" * 300])
def test_an_unknown_programme_has_no_calendar(client, slug):
    assert client.get(f"/programmes/{slug}/calendar.ics").status_code == 404


def test_an_unpublished_programme_has_no_calendar(client):
    unpublished, archived = hide_two()

    for programme in (unpublished, archived):
        assert client.get(f"/programmes/{programme.slug}/calendar.ics").status_code == 404


def test_programme_pages_offer_the_feed_and_calendars_in_head_and_body(client):
    programme = next(p for p in public_programmes() if p.closes_on and not p.rolling)

    listing = client.get("/programmes").get_data(as_text=True)
    page = client.get(f"/programmes/{programme.slug}").get_data(as_text=True)

    for html in (listing, page):
        head = html[: html.index("</head>")]
        body = html[html.index("<body>") :]
        assert 'rel="alternate" type="application/atom+xml" href="/programmes/feed.atom"' in head
        assert 'href="/programmes/feed.atom"' in body
    assert 'href="/programmes/calendar.ics"' in listing
    calendar = f'href="/programmes/{programme.slug}/calendar.ics"'
    assert calendar in page[: page.index("</head>")] and calendar in page[page.index("<body>") :]


@pytest.mark.parametrize(
    "path", ["/programmes/feed.atom", "/programmes/calendar.ics", "/programmes/feed.atom?lang=en"]
)
def test_feeds_may_be_kept_by_caches(client, path):
    for _ in range(2):  # rendered, then kept
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["Cache-Control"].startswith("public, max-age=")


@pytest.mark.parametrize(
    "path",
    [
        "/programmes/feed.atom?lang=<script>",
        "/programmes/calendar.ics?%ff=%fe",
        "/programmes/feed.atom/../calendar.ics",
        "/programmes/calendar.ics/extra",
    ],
)
def test_hostile_feed_addresses_answer_without_a_server_error(client, path):
    assert client.get(path).status_code < 500
