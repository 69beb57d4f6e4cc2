"""Who may do what with a firm listing: enforced in services, used by templates to hide links."""

from app.accounts.permissions import verified_only
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


def can_review_firms(user: User | None) -> bool:
    """Curators of Sở Công Thương and administrators review, publish and archive listings."""
    if user is None or not user.is_authenticated or not user.active:
        return False
    if user.role == Role.ADMIN:
        return True
    return (
        user.role == Role.CURATOR
        and user.agency is not None
        and (user.agency.code == REVIEWING_AGENCY)
    )


def can_view_firm(user: User | None, firm: Firm) -> bool:
    """Published listings are public; others only for their members and reviewers."""
    return firm.status == FirmStatus.PUBLISHED or is_member(user, firm) or can_review_firms(user)


@verified_only
def can_edit_firm(user: User | None, firm: Firm) -> bool:
    """Edit, submit, add a logo, register interest (what curators and the public will see)."""
    return is_member(user, firm) and firm.status != FirmStatus.ARCHIVED


@verified_only
def can_manage_members(user: User | None, firm: Firm) -> bool:
    """Invite editors (by mail) and remove them."""
    return is_owner(user, firm)


@verified_only
def can_create_firm(user: User | None) -> bool:
    """List a new firm, or claim a listed one."""
    return user is not None and user.is_authenticated and user.role == Role.BUSINESS
