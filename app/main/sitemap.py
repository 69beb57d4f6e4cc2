"""What crawlers are told: robots.txt (which areas are private) and the sitemap of every public
page with its last change, on SITE_URL whatever host a request names (see app/urls.py)."""

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.firms.service import PUBLISHED
from app.models import (
    Article,
    CatalogueItem,
    Event,
    Firm,
    Incubator,
    MarketListing,
    Product,
    Programme,
    Zone,
)
from app.models.base import utcnow
from app.urls import public_url

# Pages for signed-in people, and downloads: nothing there for a search engine. Search results
# too: their filters make endless addresses, and every record they lead to is in the sitemap.
PRIVATE_PATHS = (
    "/account",
    "/my/",
    "/investor",
    "/curation/",
    "/exports/",
    "/login",
    "/logout",
    "/register",
    "/password/",
    "/verify/",
    "/search",
)
# Each list page changes when a record of its kind does.
LIST_PAGES = {
    "firms.index": Firm,
    "catalogue.index": CatalogueItem,
    "programmes.index": Programme,
    "places.zones": Zone,
    "places.incubators": Incubator,
    "events.index": Event,
    "marketplace.index": MarketListing,
    "news.index": Article,
    "products.index": Product,
}
# Pages whose content is their template: they change when it does.
TEMPLATE_PAGES = {
    "main.about": "main/about.html",
    "main.contact": "main/contact.html",
    "main.help_page": "main/help.html",
    "main.privacy": "main/privacy.html",
    "places.old_address": "places/old_address.html",
    "api_docs.index": "api/docs.html",
}
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True)
class Entry:
    address: str
    changed: datetime | None

    @property
    def lastmod(self) -> str | None:
        return self.changed.strftime("%Y-%m-%dT%H:%M:%SZ") if self.changed else None


def robots_txt() -> str:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in PRIVATE_PATHS)]
    lines.append(f"Sitemap: {public_url('main.sitemap_xml')}")
    return "\n".join(lines) + "\n"


def _records() -> list[tuple[str, str, type, sa.Select]]:
    """(endpoint, its argument, model, query of (argument, last change)) for each kind of
    public record page."""
    return [
        (
            "firms.detail",
            "slug",
            Firm,
            sa.select(Firm.slug, Firm.updated_at).where(PUBLISHED).order_by(Firm.id),
        ),
        (
            "catalogue.detail",
            "code",
            CatalogueItem,
            sa.select(CatalogueItem.code, CatalogueItem.updated_at).order_by(CatalogueItem.id),
        ),
        (
            "programmes.detail",
            "slug",
            Programme,
            sa.select(Programme.slug, Programme.updated_at)
            .where(Programme.public())
            .order_by(Programme.id),
        ),
        (
            "places.zone",
            "slug",
            Zone,
            sa.select(Zone.slug, Zone.updated_at).where(Zone.public()).order_by(Zone.id),
        ),
        (
            "events.detail",
            "slug",
            Event,
            sa.select(Event.slug, Event.updated_at).where(Event.public()).order_by(Event.id),
        ),
        (
            "places.incubator",
            "slug",
            Incubator,
            sa.select(Incubator.slug, Incubator.updated_at).order_by(Incubator.id),
        ),
        (
            "marketplace.detail",
            "listing_id",
            MarketListing,
            sa.select(MarketListing.id, MarketListing.updated_at)
            .where(MarketListing.live(utcnow()))
            .order_by(MarketListing.id),
        ),
        (
            "news.detail",
            "slug",
            Article,
            sa.select(Article.slug, Article.updated_at)
            .where(Article.visible_at(utcnow()))
            .order_by(Article.id),
        ),
        (
            "products.detail",
            "slug",
            Product,
            sa.select(Product.slug, Product.updated_at)
            .where(Product.public())
            .order_by(Product.id),
        ),
    ]


def _template_changed(name: str) -> datetime:
    return datetime.fromtimestamp((TEMPLATES / name).stat().st_mtime, UTC).replace(tzinfo=None)


def entries() -> list[Entry]:
    """Every public page: the home, list and static pages, then each public record's page."""
    records, latest = [], {}
    for endpoint, argument, model, query in _records():
        for value, changed in db.session.execute(query):
            records.append(Entry(public_url(endpoint, **{argument: value}), changed))
            if latest.get(model) is None or changed > latest[model]:
                latest[model] = changed
    newest = max(latest.values(), default=None)
    pages = [Entry(public_url("main.home"), newest)]
    pages += [Entry(public_url(page), latest.get(model)) for page, model in LIST_PAGES.items()]
    pages.append(Entry(public_url("backoffice.statistics_page"), newest))
    pages.append(Entry(public_url("opendata.index"), newest))
    pages += [Entry(public_url(page), _template_changed(t)) for page, t in TEMPLATE_PAGES.items()]
    return pages + records


def files(all_entries: list[Entry]) -> list[list[Entry]]:
    """The entries cut into sitemap files of at most SITEMAP_URLS_PER_FILE addresses."""
    size = current_app.config["SITEMAP_URLS_PER_FILE"]
    return [all_entries[start : start + size] for start in range(0, len(all_entries), size)]


def index_entries(parts: list[list[Entry]]) -> list[Entry]:
    """The sitemap index's entries: each file, changed when its newest page did."""
    return [
        Entry(
            public_url("main.sitemap_part", number=number),
            max((e.changed for e in part if e.changed), default=None),
        )
        for number, part in enumerate(parts, start=1)
    ]
