"""Who may do what with a firm listing: enforced in services, used by templates to hide links."""

from flask_babel import lazy_gettext as _l

from app.authorization import register
from app.models import Firm, FirmStatus, MemberRole, Role, User

REVIEWING_AGENCY = "SCT"  # Sở Công Thương reviews and publishes firm listings


def _member_role(user: User | None, firm: Firm) -> MemberRole | None:
    if user is None or not user.is_authenticated:
        return None
    return next((m.role for m in firm.members if m.user_id == user.id), None)


def is_member(user: User | None, firm: Firm) -> bool:
    return _member_role(user, firm) is not None


def is_owner(user: User | None, firm: Firm) -> bool:
    return _member_role(user, firm) == MemberRole.OWNER


def can_review_firms(user: User) -> bool:
    """Curators of Sở Công Thương and administrators review, publish and archive listings."""
    return user.role == Role.ADMIN or (
        user.role == Role.CURATOR
        and user.agency is not None
        and user.agency.code == REVIEWING_AGENCY
    )


def is_business(user: User) -> bool:
    return user.role == Role.BUSINESS


def can_edit_firm(user: User, firm: Firm) -> bool:
    """Edit, submit, add a logo, register interest (what curators and the public will see)."""
    return is_member(user, firm) and firm.status != FirmStatus.ARCHIVED


def can_confirm_firm(user: User, firm: Firm) -> bool:
    """Confirm a published listing is current, or renew one that lapsed for want of that."""
    return is_member(user, firm) and (
        firm.status == FirmStatus.PUBLISHED
        or (firm.status == FirmStatus.ARCHIVED and firm.lapsed_at is not None)
    )


# The business's own pages of a listing: anybody else learns nothing of it (not found).
register("firm.manage", is_member, on=Firm, conceal=True)
register("firm.edit", can_edit_firm, on=Firm, verified=True)
register("firm.confirm", can_confirm_firm, on=Firm, verified=True)
# Invite editors (by mail) and remove them.
register("firm.manage_members", is_owner, on=Firm, verified=True)
register(
    "firm.create", is_business, verified=True, message=_l("Only business accounts can list a firm.")
)
register("firm.claim", is_business, verified=True)
register("firm.review", can_review_firms)
