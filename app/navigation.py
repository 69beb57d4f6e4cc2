"""The main navigation: which sections a visitor sees, which one the current page is in, and
what waits for the signed-in user in each."""

from collections import defaultdict

from flask import request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.authorization import can
from app.backoffice.returns import returns_due
from app.curation.queue import queue_size
from app.investors.introductions import pending_introductions
from app.models import Role
from app.products.service import pending_certificate_count


def main_nav() -> list[tuple[str, str, bool]]:
    """(url, label, is current) per section; a page is in the section whose path it is under."""
    sections = [
        ("firms.index", _("Firms"), "/firms"),
        ("catalogue.index", _("Technology catalogue"), "/catalogue"),
        ("products.index", _("Products"), "/products"),
        ("programmes.index", _("Support programmes"), "/programmes"),
        ("places.zones", _("Zones & clusters"), "/zones"),
        ("places.incubators", _("Incubators"), "/incubators"),
        ("events.index", _("Events"), "/events"),
        ("marketplace.index", _("Marketplace"), "/marketplace"),
        ("news.index", _("News"), "/news"),
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


def nav_badges() -> dict[str, list[tuple[int, str]]]:
    """By section url, (count, what it counts in words) of what waits for the signed-in user:
    introduction requests, yearly returns due, the review queue. One query per count, only the
    counts of the user's role, none for visitors (whose pages the page cache keeps)."""
    badges: dict[str, list[tuple[int, str]]] = defaultdict(list)
    if not current_user.is_authenticated:
        return badges
    user = current_user._get_current_object()

    def add(endpoint: str, count: int, words: str) -> None:
        if count:
            badges[url_for(endpoint)].append((count, words))

    if user.role == Role.BUSINESS:
        count = pending_introductions(user)
        add(
            "firms.mine",
            count,
            ngettext(
                "%(num)d introduction request to answer",
                "%(num)d introduction requests to answer",
                count,
            ),
        )
        count = len(returns_due(user))
        add(
            "firms.mine",
            count,
            ngettext("%(num)d yearly return due", "%(num)d yearly returns due", count),
        )
    if user.role == Role.INVESTOR:
        count = pending_introductions(user)
        add(
            "investors.home",
            count,
            ngettext(
                "%(num)d introduction request awaiting an answer",
                "%(num)d introduction requests awaiting an answer",
                count,
            ),
        )
    if can(user, "firm.review"):
        count = queue_size(user)
        add(
            "curation.queue",
            count,
            ngettext("%(num)d waiting for review", "%(num)d waiting for review", count),
        )
    if can(user, "certificate.review"):
        count = pending_certificate_count()
        add(
            "curation.queue",
            count,
            ngettext("%(num)d certificate to verify", "%(num)d certificates to verify", count),
        )
    return badges
