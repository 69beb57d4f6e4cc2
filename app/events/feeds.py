"""An event in people's calendars: an iCalendar file (RFC 5545, icalendar) per public event,
its times in Asia/Ho_Chi_Minh with the zone's definition (VTIMEZONE) included.

Nothing depends on the time of the request: the stamp is the event's last change and the UID is
built from its id and the site's address (SITE_URL), so a calendar that imports the file again
updates the same entry.
"""

from datetime import UTC
from urllib.parse import urlsplit

import icalendar
from flask import current_app

from app.domain import clock
from app.i18n import current_language, localized
from app.models import Event
from app.urls import public_url

PUBLISHER = "Sở Công Thương Quảng Ngãi"


def _host() -> str:
    return urlsplit(current_app.config["SITE_URL"]).hostname or "localhost"


def event_uid(event: Event) -> str:
    return f"event-{event.id}@{_host()}"


def event_calendar(event: Event) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{PUBLISHER}//CNMT events//{current_language().upper()}")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    title = localized(event, "title")
    calendar.add("x-wr-calname", title)
    entry = icalendar.Event()
    entry.add("uid", event_uid(event))
    entry.add("dtstamp", event.updated_at.replace(tzinfo=UTC))
    entry.add("last-modified", event.updated_at.replace(tzinfo=UTC))
    entry.add("dtstart", clock.local(event.starts_at))
    entry.add("dtend", clock.local(event.ends_at))
    entry.add("summary", title)
    address = public_url("events.detail", slug=event.slug)
    entry.add("url", address)
    location = event.place or event.online_url
    if location:
        entry.add("location", location)
    description = localized(event, "description")
    details = [description] if description else []
    if event.online_url:
        details.append(event.online_url)
    details.append(address)
    entry.add("description", "\n\n".join(details))
    if event.agency.email:
        entry.add(
            "organizer",
            f"mailto:{event.agency.email}",
            parameters={"CN": localized(event.agency, "name")},
        )
    calendar.add_component(entry)
    calendar.add_missing_timezones()
    return calendar.to_ical()
