"""Programmes to follow from elsewhere: an Atom feed of new and changed public programmes
(feedgen) and iCalendar files (RFC 5545, icalendar) of their opening days and deadlines, for
all public programmes or one, with reminders before each deadline.

Nothing here depends on the time of the request: an entry's time is its programme's last
change, an event's stamp too, and every identifier is built from the programme's id and the
site's address (SITE_URL), so a feed reader or calendar sees the same item each time.
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import icalendar
import sqlalchemy as sa
from feedgen.feed import FeedGenerator
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.i18n import current_language, localized
from app.models import Programme
from app.urls import public_url

PUBLISHER = "Sở Công Thương Quảng Ngãi"
FEED_ENTRIES = 50
# Reminders before a deadline.
DEADLINE_ALARMS = (timedelta(days=7), timedelta(days=1))


def _utc(moment: datetime) -> datetime:
    """Stored timestamps are naive UTC."""
    return moment.replace(tzinfo=UTC)


def _host() -> str:
    return urlsplit(current_app.config["SITE_URL"]).hostname or "localhost"


def _public_programmes() -> Sequence[Programme]:
    """Public programmes, the last changed first."""
    return db.session.scalars(
        sa.select(Programme)
        .where(Programme.public())
        .options(selectinload(Programme.agency))
        .order_by(Programme.updated_at.desc(), Programme.id.desc())
    ).all()


def atom_feed() -> bytes:
    """New and changed public programmes, the last changed first, at most FEED_ENTRIES."""
    programmes = _public_programmes()[:FEED_ENTRIES]
    feed = FeedGenerator()
    feed.id(public_url("programmes.feed"))
    feed.title(_("Support programmes for environmental-industry firms in Quảng Ngãi"))
    feed.subtitle(_("New and changed support programmes, the last changed first."))
    feed.author({"name": PUBLISHER})
    feed.link(href=public_url("programmes.index"), rel="alternate", type="text/html")
    feed.link(href=public_url("programmes.feed"), rel="self", type="application/atom+xml")
    feed.language(current_language())
    if programmes:
        feed.updated(_utc(programmes[0].updated_at))
    for programme in programmes:
        address = public_url("programmes.detail", slug=programme.slug)
        entry = feed.add_entry(order="append")
        entry.id(f"tag:{_host()},2025:programme:{programme.id}")
        entry.title(localized(programme, "title"))
        entry.link(href=address, rel="alternate", type="text/html")
        entry.updated(_utc(programme.updated_at))
        if programme.published_at:
            entry.published(_utc(programme.published_at))
        entry.author({"name": localized(programme.agency, "name")})
        summary = localized(programme, "summary")
        if summary:
            entry.summary(summary)
    return feed.atom_str(pretty=True)


def _event(programme: Programme, what: str, day, summary: str) -> icalendar.Event:
    """An all-day event on `day` (DTEND the next day, exclusive)."""
    event = icalendar.Event()
    event.add("uid", f"programme-{programme.id}-{what}@{_host()}")
    event.add("dtstamp", _utc(programme.updated_at))
    event.add("last-modified", _utc(programme.updated_at))
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("url", public_url("programmes.detail", slug=programme.slug))
    event.add("transp", "TRANSPARENT")
    description = localized(programme, "summary")
    if description:
        event.add("description", description)
    return event


def has_deadline(programme: Programme) -> bool:
    """A rolling programme takes applications at any time: its closing day is no deadline."""
    return programme.closes_on is not None and not programme.rolling


def has_dates(programme: Programme) -> bool:
    """Whether the programme's calendar has an event."""
    return programme.opens_on is not None or has_deadline(programme)


def _events(programme: Programme) -> list[icalendar.Event]:
    title = localized(programme, "title")
    events = []
    if programme.opens_on:
        events.append(
            _event(
                programme,
                "opens",
                programme.opens_on,
                _("Applications open: %(title)s", title=title),
            )
        )
    if has_deadline(programme):
        deadline = _event(
            programme, "deadline", programme.closes_on, _("Deadline: %(title)s", title=title)
        )
        for before in DEADLINE_ALARMS:
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("trigger", -before)
            alarm.add(
                "description",
                _(
                    "Applications to %(title)s close on %(date)s.",
                    title=title,
                    date=programme.closes_on.strftime("%d/%m/%Y"),
                ),
            )
            deadline.add_component(alarm)
        events.append(deadline)
    return events


def _calendar(name: str, programmes: Sequence[Programme]) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{PUBLISHER}//CNMT//{current_language().upper()}")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for programme in sorted(programmes, key=lambda p: p.id):
        for event in _events(programme):
            calendar.add_component(event)
    return calendar.to_ical()


def all_programmes_calendar() -> bytes:
    """Opening days and deadlines of every public programme."""
    return _calendar(_("Support programmes: opening days and deadlines"), _public_programmes())


def programme_calendar(programme: Programme) -> bytes:
    """Opening day and deadline of one programme (a public one: see get_public_programme)."""
    return _calendar(localized(programme, "title"), [programme])
