"""Who may use the investor pages and answer introduction requests (enforced in services)."""

from app.accounts.permissions import verified_only
from app.firms.permissions import can_review_firms, is_member
from app.models import Firm, Role, User


def is_investor(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.active and user.role == Role.INVESTOR


@verified_only
def can_request_introduction(user: User | None) -> bool:
    """Asking a firm for an introduction mails its members."""
    return is_investor(user)


@verified_only
def can_get_alert_mail(user: User | None) -> bool:
    """Saved-search alerts go to the account's address, so its owner must have confirmed it."""
    return is_investor(user)


@verified_only
def can_answer_introduction(user: User | None, firm: Firm) -> bool:
    """The firm's members (owners and editors) accept or decline requests made to it."""
    return is_member(user, firm)


def can_see_introduction_funnel(user: User | None) -> bool:
    return can_review_firms(user)
