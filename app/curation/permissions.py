"""Who may curate what: reviewers decide on listings (`firm.review`, registered by the firms
area); agencies manage their own programmes and zones, administrators all of them; a curator
vouches for the figures of their own agency's programmes and zones."""

from flask_babel import lazy_gettext as _l

from app.authorization import register
from app.models import Programme, Role, User, Zone


def is_admin(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.active and user.role == Role.ADMIN


def _is_agency_curator(user: User) -> bool:
    return user.role == Role.CURATOR and user.agency_id is not None


def can_manage_agency_data(user: User) -> bool:
    """Curators (for their agency) and administrators (for all) manage programmes and zones."""
    return is_admin(user) or _is_agency_curator(user)


def can_manage_programme(user: User, programme: Programme) -> bool:
    return is_admin(user) or (_is_agency_curator(user) and programme.agency_id == user.agency_id)


def can_manage_zone(user: User, zone: Zone) -> bool:
    return is_admin(user) or (
        _is_agency_curator(user)
        and zone.managing_agency_id is not None
        and zone.managing_agency_id == user.agency_id
    )


def can_verify_programme(user: User, programme: Programme) -> bool:
    """A verification records the verifier's agency: only a curator of the owning agency (or an
    administrator who belongs to it) vouches for the figures."""
    return can_manage_programme(user, programme) and programme.agency_id == user.agency_id


def can_verify_zone(user: User, zone: Zone) -> bool:
    return (
        can_manage_zone(user, zone)
        and user.agency_id is not None
        and (zone.managing_agency_id == user.agency_id)
    )


VERIFIERS_ONLY = _l("Only a curator of the agency that owns this record can verify its figures.")


def _unless_public(record: Programme | Zone) -> bool:
    """A record the actor may not manage is not found, unless the public sees it anyway."""
    return not record.is_public


register("agency_data.manage", can_manage_agency_data)
register("programme.manage", can_manage_programme, on=Programme, conceal=_unless_public)
register("zone.manage", can_manage_zone, on=Zone, conceal=_unless_public)
register("programme.verify", can_verify_programme, on=Programme, message=VERIFIERS_ONLY)
register("zone.verify", can_verify_zone, on=Zone, message=VERIFIERS_ONLY)
