"""Who may import: the firm reviewers (Sở Công Thương curators and administrators)."""

from flask_babel import lazy_gettext as _l

from app.authorization import register
from app.firms.permissions import can_review_firms

register(
    "import.run",
    can_review_firms,
    message=_l("Only curators of the Department of Industry and Trade may import."),
)
