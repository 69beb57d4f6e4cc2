"""Who may do what with accounts: enforced in the accounts service, used by templates."""

from app.authorization import anyone, register
from app.models import Role, User

SELF_SERVICE_ROLES = (Role.BUSINESS, Role.INVESTOR)
STAFF_ROLES = (Role.CURATOR, Role.ADMIN)


def can_self_register_as(role: str) -> bool:
    """Anyone may sign up as a business or an investor; staff accounts come from an
    administrator (or the CLI)."""
    return role in SELF_SERVICE_ROLES


def is_admin(user: User) -> bool:
    return user.role == Role.ADMIN


def needs_email_verification(user: User | None) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and user.active
        and user.email_verified_at is None
    )


# Invitations go to an address, so only someone who proved they own it may take them.
register("invitation.accept", anyone, verified=True)
# Find accounts, create staff accounts, change roles, deactivate and reactivate accounts.
register("user.manage", is_admin)
