"""Who may curate what: reviewers decide on listings; agencies manage their own programmes and
zones. Enforced in the curation services, used by templates to hide links."""

from app.firms.permissions import can_review_firms
from app.models import Programme, Role, User, Zone

__all__ = [
    "can_manage_agency_data",
    "can_manage_programme",
    "can_manage_zone",
    "can_review_firms",
    "is_admin",
]


def _active(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.active


def is_admin(user: User | None) -> bool:
    return _active(user) and user.role == Role.ADMIN


def _is_agency_curator(user: User | None) -> bool:
    return _active(user) and user.role == Role.CURATOR and user.agency_id is not None


def can_manage_agency_data(user: User | None) -> bool:
    """Curators (for their agency) and administrators (for all) manage programmes and zones."""
    return is_admin(user) or _is_agency_curator(user)


def can_manage_programme(user: User | None, programme: Programme) -> bool:
    return is_admin(user) or (_is_agency_curator(user) and programme.agency_id == user.agency_id)


def can_manage_zone(user: User | None, zone: Zone) -> bool:
    return is_admin(user) or (
        _is_agency_curator(user)
        and zone.managing_agency_id is not None
        and zone.managing_agency_id == user.agency_id
    )
