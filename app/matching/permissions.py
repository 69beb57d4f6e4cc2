"""Who follows up expressions of interest: the agency owning the programme or zone (Sở Công
Thương for incubators, which have no agency); administrators all. Registering interest is
editing the firm (`firm.edit`). Those who follow up a firm's interest may open the firm."""

import sqlalchemy as sa

from app.accounts.permissions import STAFF_ROLES
from app.authorization import register
from app.curation.permissions import can_manage_programme, can_manage_zone
from app.extensions import db
from app.firms.permissions import can_review_firms
from app.models import Firm, Incubator, Interest, InterestTarget, Programme, User, Zone

TARGET_MODELS = {
    InterestTarget.PROGRAMME: Programme,
    InterestTarget.ZONE: Zone,
    InterestTarget.INCUBATOR: Incubator,
}


def can_follow_up(user: User, target: Programme | Zone | Incubator) -> bool:
    if isinstance(target, Programme):
        return can_manage_programme(user, target)
    if isinstance(target, Zone):
        return can_manage_zone(user, target)
    return can_review_firms(user)


def can_follow_up_firm(user: User, firm: Firm) -> bool:
    """Reviewers see every listing; an agency's curators the firms that registered interest in
    one of the programmes or zones they follow up (the firm asked them to get in touch)."""
    if can_review_firms(user):
        return True
    if user.role not in STAFF_ROLES:
        return False
    registered = db.session.execute(
        sa.select(Interest.target_kind, Interest.target_id).where(Interest.firm_id == firm.id)
    )
    return any(
        target is not None and can_follow_up(user, target)
        for kind, target_id in registered
        for target in [db.session.get(TARGET_MODELS[kind], target_id)]
    )


def is_staff(user: User) -> bool:
    return user.role in STAFF_ROLES


# The list of interests to follow up (each curator sees those of their targets).
register("interest.list", is_staff)
register("interest.follow_up", can_follow_up, on=(Programme, Zone, Incubator), conceal=True)
# The page of a firm whose interest the curator follows up (anyone else: not found).
register("firm.follow_up", can_follow_up_firm, on=Firm, conceal=True)
