"""Every page that writes refuses an account without the right to: each POST route, with the
form a rightful user's page shows (real records, valid fields), sent anonymously, by an
investor and by a business that own none of those records, is answered with the log-in page,
403, 404 or 400, and nothing is written.

A new POST route is tried too: it passes only if it refuses, or if it is listed below as a
write that kind of account may make.
"""

from datetime import date

import pytest
import sqlalchemy as sa
from flask_sqlalchemy.session import Session
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import (
    Agency,
    CatalogueItem,
    CatalogueLevel,
    Firm,
    FirmMember,
    FirmStatus,
    Incubator,
    MemberRole,
    Product,
    Programme,
    ReturnState,
    Role,
    YearlyReturn,
    Zone,
)
from app.models.base import utcnow
from tests.conftest import login_as, make_user
from tests.crawling import (
    NOT_SWEPT,
    ROLES,
    Site,
    add_records_every_page_needs,
    first_upcoming_event,
    marketplace_pages,
    session_token,
    user,
)

# The JSON API's writes take a token, never a session's form (tests/api/test_writes.py).
API = "/api/v1/"

# Writes about one's own account, open to everybody (the routes check who is asking).
OWN_ACCOUNT = {
    "accounts.login",
    "accounts.logout",
    "accounts.register",
    "accounts.forgot_password",
    "accounts.reset_password",
    "accounts.resend_verification",
    "accounts.profile",
    "accounts.change_password",
    "accounts.delete_account",
    "accounts.create_api_token",
}
# Anybody may register for an event (guests confirm by e-mail); accounts also in one click.
EVENT_REGISTRATION = {"events.register_guest"}
MAY_WRITE = {
    "anonymous": OWN_ACCOUNT | EVENT_REGISTRATION,
    "investor": OWN_ACCOUNT
    | EVENT_REGISTRATION
    | {"events.register"}
    | {
        "investors.profile",
        "investors.save_search",
        "investors.shortlists",
        "investors.add_to_shortlist",
        "investors.request_introduction",
    },
    "business": OWN_ACCOUNT
    | EVENT_REGISTRATION
    | {"firms.create", "firms.claim", "events.register"},
}
# Authorized by the signed token in their address, which no page shows.
SIGNED_LINKS = {
    "investors.unsubscribe",
    "events.confirm",
    "events.cancel_link",
    "marketplace.unsubscribe",
}


def _pages_with_every_form() -> dict[str, list[str]]:
    """For each demo account, the pages (beyond those its crawl finds) that show the forms a
    crawl misses: it opens only one page per endpoint, and some forms show in one state only."""
    business = user(ROLES["business"])
    listed = db.session.scalar(sa.select(Firm).where(Firm.members.any(user_id=business.id)))
    draft = Firm(
        slug="ban-nhap-cua-doanh-nghiep",
        tax_code="0100000001",
        legal_name="Bản nháp của doanh nghiệp",
        members=[FirmMember(user=business, role=MemberRole.OWNER)],
    )
    db.session.add(draft)
    verified, unverified = db.session.scalars(
        sa.select(Firm)
        .where(Firm.status == FirmStatus.PUBLISHED, ~Firm.members.any())
        .order_by(Firm.id)
        .limit(2)
    )
    verified.verified_at, unverified.verified_at = utcnow(), None
    yearly_return = db.session.scalars(
        sa.select(YearlyReturn).where(YearlyReturn.firm_id != listed.id)
    ).first()
    yearly_return.state, yearly_return.submitted_at = ReturnState.SUBMITTED, utcnow()
    item = db.session.scalars(
        sa.select(CatalogueItem).where(CatalogueItem.level == CatalogueLevel.ITEM)
    ).first()
    # "Mark verified" shows on records with a public source, to their agency's curators.
    sct = db.session.scalar(sa.select(Agency).where(Agency.code == "SCT"))
    sourced = [
        db.session.scalar(sa.select(Programme).where(Programme.agency_id == sct.id)),
        db.session.scalars(sa.select(Zone)).first(),
        db.session.scalars(sa.select(Incubator)).first(),
    ]
    programme, zone, incubator = sourced
    zone.managing_agency_id = sct.id
    for record in sourced:
        record.provenance, record.source_document = "public_source", "Quyết định 1/QĐ-UBND"
        record.source_date = date(2025, 1, 2)
    product = db.session.scalars(
        sa.select(Product).where(Product.firm_id == listed.id).order_by(Product.name_vi)
    ).first()
    db.session.commit()
    market = marketplace_pages()
    return {
        "business": [
            *market["business"],
            f"/my/firms/{draft.id}",
            f"/my/products/{product.id}",
            f"/my/products/{product.id}/edit",
            f"/my/products/{product.id}/certificates/new",
            f"/my/certificates/{product.certificates[0].id}/edit",
            f"/my/firms/{listed.id}",
            f"/my/firms/{listed.id}/returns/{yearly_return.reporting_year.year}",
            f"/my/firms/claim/{unverified.id}",
        ],
        "curator": [
            *market["curator"],
            f"/curation/firms/{verified.id}",
            f"/curation/firms/{unverified.id}",
            f"/curation/reports/{yearly_return.reporting_year.year}",
            f"/curation/refdata/catalogue/{item.id}",
            f"/curation/programmes/{programme.id}/edit",
            f"/curation/zones/{zone.id}/edit",
            f"/curation/refdata/incubators/{incubator.id}",
            f"/curation/events/{first_upcoming_event().id}/attendees",
        ],
        "investor": [],
        # An account the administrator may deactivate (not their own, not the last admin).
        "admin": [f"/admin/users/{user(ROLES['curator']).id}"],
    }


def _forms_of_rightful_users(app) -> dict:
    """(endpoint: (path arguments, fields)) for every POST form the pages of the demo accounts
    (a firm's owner, an investor, a curator of Sở Công Thương, an administrator) show."""
    with app.test_request_context():  # the records' e-mails link to pages
        add_records_every_page_needs()
        extra_pages = _pages_with_every_form()
    found = {}
    for role, pages in extra_pages.items():
        client = app.test_client()
        login_as(client, user(ROLES[role]))
        site = Site(app, client)
        site.crawl()
        for page in pages:
            site.visit(page)
        for (method, endpoint), (values, fields) in site.found.items():
            if method == "POST":
                found.setdefault(endpoint, (values, fields))
    return found


def _actor(role: str):
    if role == "investor":
        return make_user("nha-dau-tu-khac@example.vn", Role.INVESTOR)
    if role == "business":
        return make_user("doanh-nghiep-khac@example.vn", Role.BUSINESS)
    return None


@pytest.mark.parametrize("role", MAY_WRITE)
def test_every_write_refuses_an_account_without_rights(seeded_app, role):
    forms = _forms_of_rightful_users(seeded_app)
    client = seeded_app.test_client()
    actor = _actor(role)
    if actor is not None:
        login_as(client, actor)
    token = session_token(client, actor is not None)
    writes = []

    def record_write(session, _context):
        changed = [*session.new, *session.dirty, *session.deleted]
        writes.extend(type(obj).__name__ for obj in changed)

    sa.event.listen(Session, "after_flush", record_write)
    failures, tried = [], 0
    try:
        for rule in seeded_app.url_map.iter_rules():
            if "POST" not in rule.methods or rule.endpoint in NOT_SWEPT | MAY_WRITE[role]:
                continue
            if rule.rule.startswith(API):  # no forms there: tests/api tries each token's rights
                continue
            values, fields = forms.get(rule.endpoint, ({}, None))
            if rule.endpoint in SIGNED_LINKS:
                values, fields = {name: "1" for name in rule.arguments}, MultiDict()
            if fields is None:
                failures.append(f"{rule.endpoint}: no page shows a form that posts here")
                continue
            path = rule.build(values, append_unknown=False)[1]
            data = fields.copy()
            data["csrf_token"] = token
            del writes[:]
            response = client.post(path, data=data)
            tried += 1
            location = response.headers.get("Location", "")
            refused = response.status_code in (400, 403, 404) or (
                actor is None and response.status_code == 302 and "/login" in location
            )
            if not refused or writes:
                failures.append(f"POST {path} → {response.status_code} {location} {writes}")
    finally:
        sa.event.remove(Session, "after_flush", record_write)
    assert not failures, "\n".join(failures)
    assert tried > 40
