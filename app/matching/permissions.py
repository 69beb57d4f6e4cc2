"""Who follows up expressions of interest: the agency owning the programme or zone (Sở Công
Thương for incubators, which have no agency); administrators all. Registering interest is
editing the firm (`firm.edit`)."""

from app.accounts.permissions import STAFF_ROLES
from app.authorization import register
from app.curation.permissions import can_manage_programme, can_manage_zone
from app.firms.permissions import can_review_firms
from app.models import Incubator, Programme, User, Zone


def can_follow_up(user: User, target: Programme | Zone | Incubator) -> bool:
    if isinstance(target, Programme):
        return can_manage_programme(user, target)
    if isinstance(target, Zone):
        return can_manage_zone(user, target)
    return can_review_firms(user)


def is_staff(user: User) -> bool:
    return user.role in STAFF_ROLES


# The list of interests to follow up (each curator sees those of their targets).
register("interest.list", is_staff)
register("interest.follow_up", can_follow_up, on=(Programme, Zone, Incubator), conceal=True)
