"""Events: their rules and the organisers' actions (create, edit, publish, unpublish, archive,
restore), and reading them for the public (the list with its filters, one event, the upcoming
ones for the home page).

Times: people enter and read an event's times in Asia/Ho_Chi_Minh; the data `check_event`
takes and `event_data` returns holds them as naive local times (what a datetime-local field
gives), and the database keeps them as naive UTC (`to_utc`, `to_local`). An event is
"upcoming" until the local day it ends is over, a rule of days like the page cache's.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app import audit
from app.authorization import authorize, can
from app.domain import clock
from app.errors import NotFound, ValidationError
from app.events.permissions import manages_every_event
from app.events.seats import promote_waiting, seats_by_event, seats_taken
from app.extensions import db
from app.models import Agency, Event, EventKind, RegistrationStatus, User
from app.models.base import utcnow
from app.rules import Aggregate, Problems, cleaned_text, write
from app.slugs import unique_slug
from app.transaction import flush, transactional

EVENT_FIELDS = (
    "kind",
    "title_vi",
    "title_en",
    "description_vi",
    "description_en",
    "starts_at",
    "ends_at",
    "place",
    "online_url",
    "capacity",
    "registration_deadline",
    "contact",
)
TIME_FIELDS = ("starts_at", "ends_at", "registration_deadline")
MAX_CAPACITY = 100_000
KIND_LABELS = {
    EventKind.TRADE_FAIR: _l("Trade fair"),
    EventKind.INVESTMENT_CONFERENCE: _l("Investment promotion conference"),
    EventKind.TECHNOLOGY_WORKSHOP: _l("Technology workshop"),
    EventKind.TRAINING_COURSE: _l("Training course"),
    EventKind.COMPETITION: _l("Competition"),
}
STATUS_LABELS = {
    RegistrationStatus.PENDING: _l("Not yet confirmed"),
    RegistrationStatus.CONFIRMED: _l("Confirmed"),
    RegistrationStatus.WAITING: _l("Waiting list"),
    RegistrationStatus.CANCELLED: _l("Cancelled"),
}


def kind_label(kind) -> str:
    return str(KIND_LABELS.get(kind, kind))


def status_label(status) -> str:
    return str(STATUS_LABELS.get(status, status))


# Times ----------------------------------------------------------------------------------------


def to_utc(local: datetime | None) -> datetime | None:
    """A time as people in Quảng Ngãi read it (naive, or with its zone) as stored: naive UTC."""
    return None if local is None else clock.stored(local)


def to_local(stored: datetime | None) -> datetime | None:
    """A stored time (naive UTC) as a naive local time, for forms."""
    return clock.local(stored).replace(tzinfo=None) if stored else None


def start_of_local_day(now: datetime | None = None) -> datetime:
    """The start of today in Quảng Ngãi, as stored (naive UTC)."""
    today = clock.local(now or utcnow()).date()
    return to_utc(datetime(today.year, today.month, today.day))


# Rules ----------------------------------------------------------------------------------------


def event_data(event: Event) -> dict:
    """The event's data as `check_event` takes it (and its edit form shows it)."""
    data = {name: getattr(event, name) for name in EVENT_FIELDS}
    data.update({name: to_local(getattr(event, name)) for name in TIME_FIELDS})
    data["agency_id"] = event.agency_id
    return data


def _is_web_link(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in url


def check_event(data: dict, event: Event | None = None) -> dict:
    """Every rule of an event; `data` holds EVENT_FIELDS (times local) and agency_id. Returns
    the cleaned data for `apply_event` (times in UTC); raises ValidationError."""
    problems = Problems()
    cleaned = cleaned_text(data, EVENT_FIELDS)
    if cleaned["kind"] not in {kind.value for kind in EventKind}:
        problems.add("kind", _("Choose the kind of event."))
    if not cleaned["title_vi"]:
        problems.add("title_vi", _("Enter the title in Vietnamese."))
    for name in TIME_FIELDS:
        if cleaned[name] is not None and not isinstance(cleaned[name], datetime):
            problems.add(name, _("Enter a date and time."))
            cleaned[name] = None
    starts, ends = cleaned["starts_at"], cleaned["ends_at"]
    deadline = cleaned["registration_deadline"]
    if starts is None:
        problems.add("starts_at", _("Enter when the event starts."))
    if ends is None:
        problems.add("ends_at", _("Enter when the event ends."))
    if starts and ends and ends < starts:
        problems.add("ends_at", _("The end must not be before the start."))
    if starts and deadline and deadline > starts:
        problems.add("registration_deadline", _("Registration must close before the start."))
    if not cleaned["place"] and not cleaned["online_url"]:
        problems.add("place", _("Enter the place, or a link to join online."))
    if cleaned["online_url"] and not _is_web_link(cleaned["online_url"]):
        problems.add("online_url", _("Enter a web address starting with https:// or http://."))
    capacity = cleaned["capacity"]
    if capacity is not None and not (isinstance(capacity, int) and 0 < capacity <= MAX_CAPACITY):
        problems.add("capacity", _("Enter a number of seats between 1 and 100,000, or none."))
    elif capacity is not None and event is not None:
        taken = seats_taken(event.id)
        if capacity < taken:
            problems.add(
                "capacity",
                _(
                    "%(count)d people hold a seat already: the capacity cannot be lower.",
                    count=taken,
                ),
            )
    agency_id = data.get("agency_id")
    agency = db.session.get(Agency, agency_id) if agency_id is not None else None
    if agency is None:
        problems.add("agency_id", _("Choose an agency."))
    problems.refuse()
    for name in TIME_FIELDS:
        cleaned[name] = to_utc(cleaned[name])
    cleaned["agency"] = agency
    return cleaned


def apply_event(event: Event, cleaned: dict) -> Event:
    return write(event, cleaned)


def _state(event: Event) -> dict:
    state = {name: audit.plain(value) for name, value in event_data(event).items()}
    state["published_at"] = audit.plain(event.published_at)
    state["archived"] = event.archived
    return state


EVENTS = Aggregate("event", event_data, check_event, apply_event, _state)


# The organisers' actions ----------------------------------------------------------------------


def _for_agency(actor: User, data: dict, event: Event | None = None) -> dict:
    """Curators organise for their own agency; those who manage every event choose one (when
    they do not say: their own for a new event, the event's own for an edit)."""
    if not manages_every_event(actor):
        return {**data, "agency_id": actor.agency_id}
    if data.get("agency_id") is None:
        return {**data, "agency_id": event.agency_id if event else actor.agency_id}
    return data


def agency_choices(actor: User) -> list[Agency] | None:
    """The agencies an organiser may choose from (None: the curator's own agency)."""
    if not manages_every_event(actor):
        return None
    return list(db.session.scalars(sa.select(Agency).order_by(Agency.code)))


def get_event_for_edit(actor: User | None, event_id: int) -> Event:
    """The event if the actor may manage it; 404 for what they may not even see."""
    event = db.session.get(Event, event_id)
    if event is None:
        raise NotFound()
    authorize(actor, "event.manage", event)
    return event


def list_events_to_manage(actor: User | None) -> list[Event]:
    """The events the actor organises (every event for SCT and administrators), newest first."""
    authorize(actor, "events.create")
    query = sa.select(Event).options(selectinload(Event.agency))
    if not manages_every_event(actor):
        query = query.where(Event.agency_id == actor.agency_id)
    return list(db.session.scalars(query.order_by(Event.starts_at.desc(), Event.id.desc())))


@transactional
def create_event(actor: User | None, data: dict, is_sample: bool = False) -> Event:
    """`data` holds EVENT_FIELDS (local times) and, for those who choose, agency_id."""
    authorize(actor, "events.create")
    return EVENTS.create(
        actor,
        _for_agency(actor, data),
        lambda cleaned: Event(slug=unique_slug(Event, cleaned["title_vi"]), is_sample=is_sample),
    )


@transactional
def update_event(actor: User | None, event_id: int, data: dict, version: int | None) -> Event:
    """Fields `data` leaves out keep their value. More seats promote the waiting list."""
    event = get_event_for_edit(actor, event_id)
    EVENTS.edit(actor, event, _for_agency(actor, data, event), version)
    promote_waiting(event)
    return event


TRANSITIONS = ("publish", "unpublish", "archive", "restore")


def publish(event: Event) -> None:
    """Make a checked event public (the seed loader's sample events)."""
    _change_state(event, "publish")


def _change_state(event: Event, action: str) -> None:
    if action == "publish":
        if event.archived:
            message = _("Restore the archived record before publishing it.")
            raise ValidationError(message, errors={"published": [message]})
        event.published_at = event.published_at or utcnow()
    elif action == "unpublish":
        event.published_at = None
    elif action == "archive":
        event.archived = True
    elif action == "restore":
        event.archived = False
    flush()


@transactional
def change_event_state(
    actor: User | None, event_id: int, action: str, version: int | None, reason: str | None = None
) -> Event:
    if action not in TRANSITIONS:
        raise NotFound()
    event = get_event_for_edit(actor, event_id)
    text = (reason or "").strip()[:4000] or None
    if action == "archive" and not text:
        message = _("Give a reason for archiving.")
        raise ValidationError(message, errors={"reason": [message]})
    return EVENTS.change(actor, event, version, action, lambda: _change_state(event, action), text)


# Reading for the public -----------------------------------------------------------------------


@dataclass(frozen=True)
class EventFilters:
    """What the event list is narrowed to; a value that names nothing is ignored."""

    when: str = "upcoming"  # upcoming | past
    kind: EventKind | None = None
    mode: str | None = None  # online | in_place
    agency: str | None = None  # an agency's code

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> "EventFilters":
        kind, mode = args.get("kind", ""), args.get("mode", "")
        return cls(
            when="past" if args.get("when") == "past" else "upcoming",
            kind=EventKind(kind) if kind in {k.value for k in EventKind} else None,
            mode=mode if mode in ("online", "in_place") else None,
            agency=args.get("agency", "").strip()[:20] or None,
        )

    @property
    def active(self) -> bool:
        return any((self.when == "past", self.kind, self.mode, self.agency))


@dataclass
class EventListing:
    filters: EventFilters
    events: list[Event]
    seats: dict[int, int]  # confirmed registrations by event id
    agencies: list[Agency]  # the organisers of public events (the filter's choices)


def _upcoming(now: datetime | None = None) -> sa.ColumnElement[bool]:
    return Event.ends_at >= start_of_local_day(now)


def list_public_events(filters: EventFilters | None = None) -> EventListing:
    filters = filters or EventFilters()
    agencies = list(
        db.session.scalars(
            sa.select(Agency)
            .where(Agency.id.in_(sa.select(Event.agency_id).where(Event.public())))
            .order_by(Agency.name_vi)
        )
    )
    if filters.agency not in {agency.code for agency in agencies}:
        filters = EventFilters(filters.when, filters.kind, filters.mode, None)
    query = sa.select(Event).where(Event.public()).options(selectinload(Event.agency))
    if filters.when == "past":
        query = query.where(~_upcoming()).order_by(Event.starts_at.desc(), Event.id.desc())
    else:
        query = query.where(_upcoming()).order_by(Event.starts_at, Event.id)
    if filters.kind:
        query = query.where(Event.kind == filters.kind)
    if filters.mode == "online":
        query = query.where(Event.online_url.is_not(None))
    elif filters.mode == "in_place":
        query = query.where(Event.place.is_not(None))
    if filters.agency:
        query = query.where(Event.agency.has(Agency.code == filters.agency))
    events = list(db.session.scalars(query))
    return EventListing(filters, events, seats_by_event([e.id for e in events]), agencies)


def upcoming_events(limit: int = 3) -> list[Event]:
    """The next public events, soonest first (for the home page)."""
    return list(
        db.session.scalars(
            sa.select(Event)
            .where(Event.public(), _upcoming())
            .options(selectinload(Event.agency))
            .order_by(Event.starts_at, Event.id)
            .limit(limit)
        )
    )


def get_public_event(slug: str, actor: User | None = None) -> Event:
    """A public event by its slug; its organisers also see it as a draft (a preview)."""
    event = db.session.scalar(
        sa.select(Event).where(Event.slug == slug).options(selectinload(Event.agency))
    )
    if event is None or not (event.is_public or can(actor, "event.manage", event)):
        raise NotFound()
    return event


def seats_left(event: Event, taken: int | None = None) -> int | None:
    """Seats still free (None: no limit)."""
    if event.capacity is None:
        return None
    taken = seats_taken(event.id) if taken is None else taken
    return max(event.capacity - taken, 0)
