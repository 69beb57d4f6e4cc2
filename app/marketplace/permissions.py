"""Who may do what in the marketplace. A request or offer belongs to a firm; whoever acts for
the firm (its members, as for its listing: app.firms.permissions) acts for its requests and
offers. Research institutes and universities take part the same way: they register as a firm
listing of the type "other organisation" (or "public service unit")."""

from flask_babel import lazy_gettext as _l

from app.authorization import register
from app.firms.permissions import can_review_firms, is_member
from app.models import Firm, FirmStatus, User


def can_list_for_firm(user: User, firm: Firm) -> bool:
    """Write and submit requests and offers of the firm, renew them, choose its alerts."""
    return is_member(user, firm) and firm.status != FirmStatus.ARCHIVED


MEMBERS_ONLY = _l("Only the people who manage this firm's listing can do this.")

# The firm's own pages of its requests and offers (drafts, answers): nobody else learns of them.
register("market.manage", is_member, on=Firm, conceal=True)
register("market.list", can_list_for_firm, on=Firm, verified=True, message=MEMBERS_ONLY)
# Opt in to e-mails about new requests that fit what the firm supplies.
register("market.subscribe", can_list_for_firm, on=Firm, verified=True, message=MEMBERS_ONLY)
# Answer a request on behalf of a supplier firm.
register("market.respond", can_list_for_firm, on=Firm, verified=True, message=MEMBERS_ONLY)
# Shortlist, accept or decline the answers to one's own request.
register("market.answer", is_member, on=Firm, verified=True, conceal=True)
# Either side of an accepted answer reports that a deal was made.
register("market.report_deal", is_member, on=Firm, verified=True, message=MEMBERS_ONLY)
register("market.review", can_review_firms)
register("market.see_funnel", can_review_firms)
