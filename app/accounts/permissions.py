"""Who may do what with accounts: enforced in the accounts service, used by templates.

Also the rule every area shares: an action that writes something other people see, or that sends
mail, needs a confirmed e-mail address (`verified_only`), and `require` enforces a permission in
a service, telling an unconfirmed account what to do instead of a bare refusal.
"""

from collections.abc import Callable
from functools import wraps

from app.errors import DomainError, Forbidden, VerificationRequired
from app.models import Role, User

SELF_SERVICE_ROLES = (Role.BUSINESS, Role.INVESTOR)
STAFF_ROLES = (Role.CURATOR, Role.ADMIN)


def can_self_register_as(role: str) -> bool:
    """Anyone may sign up as a business or an investor; staff accounts come from the CLI."""
    return role in SELF_SERVICE_ROLES


def needs_email_verification(user: User | None) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and user.active
        and user.email_verified_at is None
    )


def has_verified_email(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.email_verified_at is not None


def can_accept_invitations(user: User | None) -> bool:
    """Invitations go to an address, so only someone who proved they own it may take them."""
    return has_verified_email(user) and user.active


def verified_only(permission: Callable[..., bool]) -> Callable[..., bool]:
    """`permission`, and only for an account whose e-mail address is confirmed: anyone can sign
    up with any address, so until its owner has proved it, the account may not list, claim,
    introduce or mail. The rule without that check stays on `__wrapped__` (see `require`)."""

    @wraps(permission)
    def check(user: User | None, *args) -> bool:
        return has_verified_email(user) and permission(user, *args)

    return check


def require(
    permission: Callable[..., bool], user: User | None, *args, refused: DomainError | None = None
) -> None:
    """Raise unless `permission(user, *args)`: VerificationRequired when a confirmed address is
    all that is missing, else `refused` (by default Forbidden)."""
    if permission(user, *args):
        return
    rule = getattr(permission, "__wrapped__", None)
    if rule is not None and rule(user, *args):
        raise VerificationRequired(user.email)
    raise refused or Forbidden()
