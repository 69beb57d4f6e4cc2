"""An event's calendar file: valid iCalendar with a stable UID, Quảng Ngãi times with their
zone, and the event's page; drafts have none."""

from datetime import datetime
from zoneinfo import ZoneInfo

import icalendar

from app.events import service
from tests.events.helpers import event_data, published_event


def test_the_calendar_file_has_a_stable_uid_and_local_times(app, world):
    event = published_event(
        world["sct"],
        starts_at=datetime(2027, 5, 4, 8, 0),
        ends_at=datetime(2027, 5, 4, 11, 30),
        online_url="https://example.org/tham-du",
    )
    client = app.test_client()
    first = client.get(f"/events/{event.slug}/calendar.ics")
    second = client.get(f"/events/{event.slug}/calendar.ics")
    assert first.status_code == 200 and first.mimetype == "text/calendar"

    calendar = icalendar.Calendar.from_ical(first.data)
    [entry] = calendar.walk("VEVENT")
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    assert entry.decoded("dtstart") == datetime(2027, 5, 4, 8, 0, tzinfo=zone)
    assert entry.decoded("dtend") == datetime(2027, 5, 4, 11, 30, tzinfo=zone)
    assert entry["dtstart"].params["TZID"] == "Asia/Ho_Chi_Minh"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]
    assert str(entry["uid"]) == f"event-{event.id}@cnmt.test"
    assert str(entry["url"]) == f"http://cnmt.test/events/{event.slug}"
    assert "https://example.org/tham-du" in str(entry["description"])
    assert first.data == second.data


def test_a_draft_has_no_calendar_file(app, world):
    draft = service.create_event(world["sct"], event_data())
    assert app.test_client().get(f"/events/{draft.slug}/calendar.ics").status_code == 404
