"""Who may do what with accounts: enforced in the accounts service, used by templates."""

from flask_babel import lazy_gettext as _l

from app.authorization import anyone, register
from app.models import ApiToken, Role, User

SELF_SERVICE_ROLES = (Role.BUSINESS, Role.INVESTOR)
STAFF_ROLES = (Role.CURATOR, Role.ADMIN)


def can_self_register_as(role: str) -> bool:
    """Anyone may sign up as a business or an investor; staff accounts come from an
    administrator (or the CLI)."""
    return role in SELF_SERVICE_ROLES


def is_admin(user: User) -> bool:
    return user.role == Role.ADMIN


def can_close_own_account(user: User) -> bool:
    """Businesses and investors close their own account; staff accounts are an office's, ended
    by an administrator (`flask users deactivate` or /admin/users)."""
    return user.role in SELF_SERVICE_ROLES


def owns_token(user: User, token: ApiToken) -> bool:
    return token.user_id == user.id


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
# Everybody may download the personal data the platform holds about them (Decree 13/2023).
register("account.export", anyone)
register(
    "account.delete",
    can_close_own_account,
    message=_l("Staff accounts are closed by an administrator: please ask one."),
)
# Personal API tokens: every account may make some for its own programs (what a token may then
# do through the API is decided by the API's actions, as for the account itself); a token is its
# owner's alone: someone else's is not found.
register("api_token.create", anyone)
register("api_token.manage", owns_token, on=ApiToken, conceal=True)
