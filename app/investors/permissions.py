"""Who may use the investor pages and answer introduction requests (enforced in services)."""

from flask_babel import lazy_gettext as _l

from app.authorization import anyone, register
from app.firms.permissions import can_review_firms, is_member
from app.models import Firm, Role, SavedSearch, Shortlist, User

INVESTORS_ONLY = _l("This page is for investor accounts.")


def is_investor(user: User) -> bool:
    return user.role == Role.INVESTOR


def is_owner(user: User, record: Shortlist | SavedSearch) -> bool:
    return record.owner_id == user.id


# Profile, discovery, shortlists with private notes, saved searches, their own introductions.
register("investor.workspace", is_investor, message=INVESTORS_ONLY)
# A shortlist and its private notes, a saved search: their owner's alone (not found for others).
register("shortlist.manage", is_owner, on=Shortlist, conceal=True)
register("saved_search.manage", is_owner, on=SavedSearch, conceal=True)
# Saved-search alerts go to the account's address, so its owner must have confirmed it.
register("investor.alerts", is_investor, verified=True)
# Asking a firm for an introduction mails its members.
register("introduction.request", is_investor, verified=True, message=INVESTORS_ONLY)
# The firm's members (owners and editors) accept or decline requests made to it.
register("introduction.answer", is_member, on=Firm, verified=True, conceal=True)
# The requests made to the firms one manages (none, for anybody else).
register("introduction.list_received", anyone)
register("introduction.see_funnel", can_review_firms)
