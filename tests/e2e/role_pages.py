"""The pages each kind of user sees, for the browser checks that go over many pages
(accessibility, reflow at phone widths): addresses on the seeded sample data, and signing in.

One list, so that a page added here is checked by every such test."""

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    Agency,
    Article,
    CatalogueItem,
    Firm,
    FirmClaim,
    FirmRevision,
    FirmStatus,
    Incubator,
    IndustryCode,
    MarketListing,
    Product,
    Programme,
    ReportingYear,
    Shortlist,
    Zone,
)
from tests.crawling import (
    MARKET_TITLES,
    ROLES,
    add_records_every_page_needs,
    first_upcoming_event,
    user,
)

PASSWORDS = {
    "business": "demo-business-2026",
    "investor": "demo-investor-2026",
    "curator": "demo-curator-2026",
    "admin": "demo-admin-2026",
}

PUBLIC = [
    "/",
    "/firms",
    "/firms/{firm}",
    "/search?q=xử+lý+nước+thải",
    "/search?q=nuoc+thai&kind=firm",
    "/catalogue",
    "/catalogue/{item}",
    "/products",
    "/products/{product}",
    "/programmes",
    "/programmes/{programme}",
    "/zones",
    "/zones/{zone}",
    "/incubators",
    "/incubators/{incubator}",
    "/events",
    "/events?when=past",
    "/events/{event}",
    "/statistics",
    "/places/old-address",
    "/about",
    "/contact",
    "/help",
    "/privacy",
    "/api/docs",
    "/open-data",
    "/marketplace",
    "/marketplace?side=request&group=NT",
    "/marketplace/{market_request}",
    "/marketplace/{market_offer}",
    "/search?q=mang+loc&kind=tech_request",
    "/news",
    "/news/{article}",
]
# Not crawled: /api/console, Swagger UI's try-it page (vendored third-party markup that axe finds
# WCAG failures in: nested interactive controls, unlabelled server select, low contrast). It is
# an extra for developers; /api/docs is the documentation, with the same content, and is checked.
SIGNED_OUT = ["/login", "/register", "/password/forgot"]
BY_ROLE = {
    "anonymous": PUBLIC + SIGNED_OUT,
    "business": PUBLIC
    + [
        "/account",
        "/my/firms",
        "/my/firms/{own_firm_id}",
        "/my/firms/{own_firm_id}/edit",
        "/my/firms/{own_firm_id}/matches",
        "/my/firms/{own_firm_id}/returns/{year}",
        "/my/firms/new",
        "/my/firms/{own_firm_id}/products",
        "/my/products/{own_product_id}",
        "/my/products/{own_product_id}/edit",
        "/my/products/{own_product_id}/certificates/new",
        "/my/introductions",
        "/my/marketplace",
        "/marketplace/new?side=request",
        "/marketplace/new?side=offer",
        "/marketplace/{market_answered}",
        "/marketplace/{market_draft}/edit",
        "/account/delete",
    ],
    "investor": PUBLIC
    + [
        "/investor",
        "/investor/firms",
        "/investor/shortlists",
        "/investor/shortlists/{shortlist_id}",
        "/investor/searches",
        "/investor/introductions",
        "/investor/profile",
        "/account",  # with an API token (see add_records_every_page_needs)
    ],
    "curator": PUBLIC
    + [
        "/curation/",
        "/curation/dashboard",
        "/curation/firms/{own_firm_id}",
        "/curation/revisions/{revision_id}",
        "/curation/claims/{claim_id}",
        "/curation/history/firm/{own_firm_id}",
        "/curation/programmes",
        "/curation/programmes/new",
        "/curation/programmes/{programme_id}/edit",
        "/curation/programmes/{programme_id}/matches",
        "/curation/zones",
        "/curation/zones/{zone_id}/edit",
        "/curation/events",
        "/curation/events/new",
        "/curation/events/{event_id}/edit",
        "/curation/events/{event_id}/attendees",
        "/curation/events/{event_id}/check-in",
        "/curation/interests",
        "/curation/introductions",
        "/curation/reports",
        "/curation/reports/{year}",
        "/curation/imports/",
        "/curation/imports/firms",
        "/curation/refdata/catalogue",
        "/curation/refdata/catalogue/{item_id}",
        "/curation/refdata/industry-codes",
        "/curation/refdata/industry-codes/{industry_code_id}",
        "/curation/marketplace",
        "/marketplace/{market_submitted}",
        "/marketplace/{market_answered}",  # with a change waiting for review
        "/curation/news",
        "/curation/news/new",
        "/curation/news/{article_id}/edit",
        "/curation/products",
        "/curation/certificates",
        "/curation/labels",
        "/curation/labels/new",
    ],
    "admin": [
        "/curation/",
        "/admin/users",
        "/admin/users/new",
        "/curation/refdata/agencies",
        "/curation/refdata/agencies/{agency_id}",
        "/curation/refdata/incubators",
        "/curation/refdata/incubators/{incubator_id}",
        "/account",
    ],
}


def prepare(app) -> None:
    """Add to `app`'s seeded data what some of the pages need to show their forms (once)."""
    with app.app_context():
        add_records_every_page_needs()


def addresses(app, role: str) -> list[str]:
    """The pages `role` sees, on `app`'s seeded data (after `prepare`)."""
    with app.app_context():
        business, curator = user(ROLES["business"]), user(ROLES["curator"])
        own = db.session.scalar(sa.select(Firm).where(Firm.members.any(user_id=business.id)))
        published = sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED)
        values = {
            "firm": db.session.scalar(published.order_by(Firm.id)).slug,
            "own_firm_id": own.id,
            "item": db.session.scalar(
                sa.select(CatalogueItem.code).where(CatalogueItem.parent_id.is_not(None))
            ),
            "programme": db.session.scalar(sa.select(Programme.slug).order_by(Programme.id)),
            "zone": db.session.scalar(sa.select(Zone.slug).order_by(Zone.id)),
            # the curator's agency's, which the curator may edit
            "zone_id": db.session.scalar(
                sa.select(Zone.id).where(Zone.managing_agency_id == curator.agency_id)
            ),
            "programme_id": db.session.scalar(
                sa.select(Programme.id).where(Programme.agency_id == curator.agency_id)
            ),
            "incubator": db.session.scalar(sa.select(Incubator.slug).order_by(Incubator.id)),
            "incubator_id": db.session.scalar(sa.select(Incubator.id).order_by(Incubator.id)),
            "item_id": db.session.scalar(
                sa.select(CatalogueItem.id).where(CatalogueItem.parent_id.is_not(None))
            ),
            "agency_id": db.session.scalar(sa.select(Agency.id).order_by(Agency.id)),
            "industry_code_id": db.session.scalar(
                sa.select(IndustryCode.id).order_by(IndustryCode.id)
            ),
            "year": db.session.scalar(sa.select(sa.func.max(ReportingYear.year))),
            "shortlist_id": db.session.scalar(sa.select(Shortlist.id).order_by(Shortlist.id)),
            "revision_id": db.session.scalar(sa.select(FirmRevision.id).order_by(FirmRevision.id)),
            "claim_id": db.session.scalar(sa.select(FirmClaim.id).order_by(FirmClaim.id)),
            # the event the investor registered for (add_records_every_page_needs)
            "event": first_upcoming_event().slug,
            "event_id": first_upcoming_event().id,
            **{
                f"market_{side}": db.session.scalar(
                    sa.select(MarketListing.id)
                    .where(MarketListing.is_sample, MarketListing.side == side)
                    .order_by(MarketListing.id)
                )
                for side in ("request", "offer")
            },
            **{
                f"market_{key}": db.session.scalar(
                    sa.select(MarketListing.id).where(MarketListing.title == title)
                )
                for key, title in MARKET_TITLES.items()
            },
            "article": db.session.scalar(sa.select(Article.slug).order_by(Article.id)),
            "article_id": db.session.scalar(sa.select(Article.id).order_by(Article.id)),
            # A sample product with a verified label; one of the business's own, with a label
            # waiting for a curator.
            "product": "gach-khong-nung-tro-xi-vxdq",
            "own_product_id": db.session.scalar(
                sa.select(Product.id).where(Product.slug == "gia-the-vi-sinh-hdpe-xtk-bio")
            ),
        }
    return [path.format(**values) for path in BY_ROLE[role]]


def log_in(page, base: str, role: str) -> None:
    """Sign `page` in as the demo account of `role` (nothing for "anonymous")."""
    if role == "anonymous":
        return
    page.goto(base + "/login")
    page.locator("input[name=email]").fill(ROLES[role])
    page.locator("input[name=password]").fill(PASSWORDS[role])
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "/login" not in page.url, f"{role} could not sign in"
