"""Who may organise events: curators of Sở Công Thương and administrators manage every event,
other agencies' curators their own agency's; signed-in people with a confirmed address register
themselves in one click (guests confirm by a signed link, see registration.py)."""

from app.authorization import register
from app.firms.permissions import REVIEWING_AGENCY
from app.models import Event, Role, User


def _is_agency_curator(user: User) -> bool:
    return user.role == Role.CURATOR and user.agency_id is not None


def can_create_events(user: User) -> bool:
    return user.role == Role.ADMIN or _is_agency_curator(user)


def manages_every_event(user: User) -> bool:
    """Administrators and curators of Sở Công Thương, which runs trade promotion."""
    return user.role == Role.ADMIN or (
        _is_agency_curator(user)
        and user.agency is not None
        and user.agency.code == REVIEWING_AGENCY
    )


def can_manage_event(user: User, event: Event) -> bool:
    return manages_every_event(user) or (
        _is_agency_curator(user) and event.agency_id == user.agency_id
    )


def _unless_public(event: Event) -> bool:
    """An event the actor may not manage is not found, unless the public sees it anyway."""
    return not event.is_public


register("events.create", can_create_events)
register("event.manage", can_manage_event, on=Event, conceal=_unless_public)
# The attendee list, its CSV and the check-in list hold personal data: the organisers only.
register("event.attendees", can_manage_event, on=Event, conceal=_unless_public)
register("event.register", lambda user: True, verified=True)
