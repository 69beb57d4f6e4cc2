"""Who may see and run the back office: SCT reviewers run statistics, exports with non-public
fields and the yearly data update; a firm's members fill in its yearly return."""

from app.firms.permissions import can_review_firms, is_member
from app.models import Firm, User

__all__ = ["can_fill_return", "can_run_reporting", "can_see_private_data"]


def can_run_reporting(user: User | None) -> bool:
    """Open reporting years, follow responses, re-open returns, download the yearly report."""
    return can_review_firms(user)


def can_see_private_data(user: User | None) -> bool:
    """Curator statistics and exports that include fields the public never sees."""
    return can_review_firms(user)


def can_fill_return(user: User | None, firm: Firm) -> bool:
    return is_member(user, firm)
