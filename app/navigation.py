"""The main navigation: which sections a visitor sees, and which one the current page is in."""

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.authorization import can
from app.models import Role


def main_nav() -> list[tuple[str, str, bool]]:
    """(url, label, is current) per section; a page is in the section whose path it is under."""
    sections = [
        ("firms.index", _("Firms"), "/firms"),
        ("catalogue.index", _("Technology catalogue"), "/catalogue"),
        ("programmes.index", _("Support programmes"), "/programmes"),
        ("places.zones", _("Zones & clusters"), "/zones"),
        ("places.incubators", _("Incubators"), "/incubators"),
        ("backoffice.statistics_page", _("Statistics"), "/statistics"),
    ]
    role = current_user.role if current_user.is_authenticated else None
    if role == Role.BUSINESS:
        sections.append(("firms.mine", _("My firms"), "/my"))
    if role == Role.INVESTOR:
        sections.append(("investors.home", _("Investor"), "/investor"))
    if can(current_user, "firm.review"):
        sections.append(("curation.queue", _("Review queue"), "/curation"))
    elif can(current_user, "agency_data.manage"):
        sections.append(("curation.programmes", _("Agency data"), "/curation"))
    if can(current_user, "user.manage"):
        sections.append(("accounts.users", _("Accounts"), "/admin"))
    path = request.path
    return [
        (url_for(endpoint), label, path == prefix or path.startswith(prefix + "/"))
        for endpoint, label, prefix in sections
    ]
