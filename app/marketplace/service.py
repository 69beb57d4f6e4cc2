"""Requests and offers through their lifecycle, the way firm listings go:

draft → submitted → published | changes_requested | rejected; published → archived | expired.

A firm's members write, submit, withdraw and renew; curators who review listings (Sở Công
Thương) publish, ask for changes, reject or archive. Editing a published item proposes a
revision (`MarketRevision`): the public keeps seeing the published text until a curator approves
the change (`app.marketplace.revisions`); a newer edit replaces a waiting one. Editing an expired
item sends it back to review, as it is not public anyway. A published item expires at
its deadline or 12 months after publication, whichever is first; its owner renews it for 12
months with one click. Every transition is audited (`market_listing` events) and every write
claims the version the writer saw (a stale one is a Conflict).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app import audit
from app.authorization import authorize, can
from app.catalogue.service import catalogue_tree
from app.curation.review import clean_reason
from app.domain import clock
from app.domain.places import is_ward
from app.domain.text import nfc
from app.errors import Conflict, NotFound, ValidationError
from app.extensions import db
from app.mail import render_message, send_after_commit
from app.models import (
    CatalogueItem,
    Firm,
    FirmMember,
    FirmStatus,
    MarketKind,
    MarketListing,
    MarketRevision,
    MarketSide,
    MarketStatus,
    ReviewState,
    User,
)
from app.models.base import utcnow
from app.models.marketplace import KINDS_OF_SIDE, market_listing_item
from app.transaction import claim, flush, transactional
from app.urls import public_url

ENTITY = "market_listing"
LIFETIME = timedelta(days=365)
TITLE_MAX, DESCRIPTION_MAX, TERMS_MAX = 200, 5000, 3000
MAX_ITEMS = 20
MAX_BUDGET = 10**15  # a million billion đồng: anything above is a typing slip
EDITABLE = {
    MarketStatus.DRAFT,
    MarketStatus.CHANGES_REQUESTED,
    MarketStatus.REJECTED,
    MarketStatus.PUBLISHED,
    MarketStatus.EXPIRED,
}
SUBMITTABLE = {MarketStatus.DRAFT, MarketStatus.CHANGES_REQUESTED, MarketStatus.REJECTED}
RENEWABLE = {MarketStatus.PUBLISHED, MarketStatus.EXPIRED}
PER_PAGE = 20


def stale() -> Conflict:
    return Conflict(
        _(
            "This request or offer was changed by someone else after you opened it. Nothing was "
            "saved: check its current state and try again."
        )
    )


def expiry(start: datetime, deadline: date | None) -> datetime:
    """12 months after `start`, or the end of the deadline day (in Quảng Ngãi) if that comes
    first."""
    end = start + LIFETIME
    if deadline is not None:
        end = min(end, clock.stored(datetime.combine(deadline + timedelta(days=1), time())))
    return end


# Content ------------------------------------------------------------------------------------


@dataclass
class Problems:
    errors: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def refuse(self) -> None:
        if self.errors:
            raise ValidationError(_("Please correct the fields marked below."), self.errors)


def clean(side: MarketSide, data: dict, today: date) -> dict:
    """The content of a request or offer, checked on every path (form, seed, tests): returns
    the cleaned fields or raises ValidationError naming each field."""
    problems = Problems()
    text = {k: nfc(data.get(k) or "").strip() for k in ("title", "description", "licensing_terms")}
    if len(text["title"]) < 5:
        problems.add("title", _("Give a title of at least 5 characters."))
    elif len(text["title"]) > TITLE_MAX:
        problems.add("title", _("At most %(max)s characters.", max=TITLE_MAX))
    if len(text["description"]) < 20:
        problems.add("description", _("Describe it in at least 20 characters."))
    elif len(text["description"]) > DESCRIPTION_MAX:
        problems.add("description", _("At most %(max)s characters.", max=DESCRIPTION_MAX))
    kind = data.get("kind")
    if kind not in {str(k) for k in KINDS_OF_SIDE[side]}:
        problems.add("kind", _("Choose a kind from the list."))
    ward = data.get("ward_code")
    if not isinstance(ward, int) or not is_ward(ward):
        problems.add("ward_code", _("Choose a ward or commune from the list."))
    item_ids = [i for i in data.get("item_ids") or [] if isinstance(i, int)]
    tree = catalogue_tree()
    if not item_ids:
        problems.add("item_ids", _("Choose at least one item of the catalogue."))
    elif len(set(item_ids)) > MAX_ITEMS:
        problems.add("item_ids", _("Choose at most %(max)s items.", max=MAX_ITEMS))
    elif any(i not in tree.by_id for i in item_ids):
        problems.add("item_ids", _("Choose items from the catalogue."))
    cleaned = {
        "kind": kind,
        "title": text["title"],
        "description": text["description"],
        "ward_code": ward,
        "item_ids": sorted(set(item_ids)),
        "budget_min_vnd": None,
        "budget_max_vnd": None,
        "deadline": None,
        "trl": None,
        "licensing_terms": None,
    }
    if side == MarketSide.REQUEST:
        low, high = data.get("budget_min_vnd"), data.get("budget_max_vnd")
        for name, value in (("budget_min_vnd", low), ("budget_max_vnd", high)):
            if value is not None and not (0 <= value <= MAX_BUDGET):
                problems.add(name, _("Give an amount in đồng, e.g. 500.000.000 or 2 tỷ."))
        if low is not None and high is not None and low > high:
            problems.add("budget_max_vnd", _("The upper amount must not be below the lower one."))
        deadline = data.get("deadline")
        if deadline is not None and deadline < today:
            problems.add("deadline", _("The deadline has passed: choose a later day."))
        elif deadline is not None and deadline > today + timedelta(days=2 * 365):
            problems.add("deadline", _("Choose a deadline within two years."))
        cleaned.update(budget_min_vnd=low, budget_max_vnd=high, deadline=deadline)
    else:
        trl = data.get("trl")
        if not isinstance(trl, int) or not 1 <= trl <= 9:
            problems.add("trl", _("Choose a readiness level from 1 to 9."))
        if len(text["licensing_terms"]) > TERMS_MAX:
            problems.add("licensing_terms", _("At most %(max)s characters.", max=TERMS_MAX))
        cleaned.update(trl=trl, licensing_terms=text["licensing_terms"] or None)
    problems.refuse()
    return cleaned


def content_of(cleaned: dict) -> dict:
    """Checked content (from `clean`) as revisions store it and `snapshot` gives it: JSON-able."""
    return {name: audit.plain(value) for name, value in cleaned.items()}


def as_input(content: dict) -> dict:
    """Stored content (`content_of`, `snapshot`) as `clean` and the form take it."""
    deadline = content.get("deadline")
    return {**content, "deadline": date.fromisoformat(deadline) if deadline else None}


def snapshot(listing: MarketListing) -> dict:
    return {
        "kind": str(listing.kind),
        "title": listing.title,
        "description": listing.description,
        "ward_code": listing.ward_code,
        "item_ids": sorted(i.id for i in listing.items),
        "budget_min_vnd": listing.budget_min_vnd,
        "budget_max_vnd": listing.budget_max_vnd,
        "deadline": audit.plain(listing.deadline),
        "trl": listing.trl,
        "licensing_terms": listing.licensing_terms,
    }


def apply_content(listing: MarketListing, cleaned: dict) -> None:
    for name, value in cleaned.items():
        if name == "item_ids":
            listing.items = list(
                db.session.scalars(sa.select(CatalogueItem).where(CatalogueItem.id.in_(value)))
            )
        elif name == "kind":
            listing.kind = MarketKind(value)
        else:
            setattr(listing, name, value)


def state_of(listing: MarketListing) -> dict:
    return {
        "status": str(listing.status),
        "review_reason": listing.review_reason,
        "published_at": listing.published_at.isoformat() if listing.published_at else None,
        "expires_at": listing.expires_at.isoformat() if listing.expires_at else None,
    }


def _record(actor, action: str, listing: MarketListing, before: dict, reason=None) -> None:
    old, new = audit.changed_fields(before, state_of(listing))
    audit.record(actor, action, ENTITY, listing.id, old, new, reason)


# Loading -----------------------------------------------------------------------------------


def _load(listing_id: int) -> MarketListing:
    listing = db.session.get(MarketListing, listing_id)
    if listing is None:
        raise NotFound()
    return listing


def get_listing(actor, listing_id: int, now: datetime | None = None) -> MarketListing:
    """A request or offer as `actor` may see it: the public sees it while live; its firm's
    members and curators also before publication and after expiry (shown with its state)."""
    listing = db.session.scalar(
        sa.select(MarketListing)
        .where(MarketListing.id == listing_id)
        .options(
            selectinload(MarketListing.items),
            selectinload(MarketListing.firm).selectinload(Firm.members),
        )
    )
    if listing is None:
        raise NotFound()
    if listing.is_live(now or utcnow()) or may_see_private(actor, listing):
        return listing
    raise NotFound()


def may_see_private(actor, listing: MarketListing) -> bool:
    return can(actor, "market.manage", listing.firm) or can(actor, "market.review")


@dataclass
class Filters:
    side: str | None = None
    kind: str | None = None
    item: int | None = None
    group: str | None = None
    ward: int | None = None

    @classmethod
    def from_args(cls, args, parse_int) -> "Filters":
        filters = cls()
        if args.get("side") in {s.value for s in MarketSide}:
            filters.side = args["side"]
        if args.get("kind") in {k.value for k in MarketKind}:
            filters.kind = args["kind"]
        tree = catalogue_tree()
        item = parse_int(args.get("item", ""))
        if item in tree.by_id:
            filters.item = item
        group = tree.by_code.get(args.get("group", ""))
        if group is not None and group.parent_id is None:
            filters.group = group.code
        ward = parse_int(args.get("ward", ""))
        if is_ward(ward):
            filters.ward = ward
        return filters

    @property
    def any(self) -> bool:
        return any((self.side, self.kind, self.item, self.group, self.ward))


@dataclass
class Page:
    listings: list[MarketListing]
    page: int
    pages: int
    total: int


def browse(filters: Filters, page: int, now: datetime | None = None) -> Page:
    """Live requests and offers, newest first, as the filters narrow them."""
    now = now or utcnow()
    where = [MarketListing.live(now)]
    if filters.side:
        where.append(MarketListing.side == filters.side)
    if filters.kind:
        where.append(MarketListing.kind == filters.kind)
    if filters.ward:
        where.append(MarketListing.ward_code == filters.ward)
    tree = catalogue_tree()
    if filters.item or filters.group:
        node = tree.by_id[filters.item] if filters.item else tree.by_code[filters.group]
        ids = tree.subtree_ids(node)
        where.append(
            MarketListing.id.in_(
                sa.select(market_listing_item.c.listing_id).where(
                    market_listing_item.c.item_id.in_(ids)
                )
            )
        )
    total = db.session.scalar(sa.select(sa.func.count(MarketListing.id)).where(*where))
    pages = max(1, -(-total // PER_PAGE))
    if page > pages:
        raise NotFound()
    listings = db.session.scalars(
        sa.select(MarketListing)
        .where(*where)
        .options(selectinload(MarketListing.items), selectinload(MarketListing.firm))
        .order_by(MarketListing.published_at.desc(), MarketListing.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    return Page(list(listings), page, pages, total)


def my_listings(actor: User) -> list[MarketListing]:
    """Requests and offers of the firms the actor manages, latest changed first."""
    firm_ids = sa.select(FirmMember.firm_id).where(FirmMember.user_id == actor.id)
    return list(
        db.session.scalars(
            sa.select(MarketListing)
            .where(MarketListing.firm_id.in_(firm_ids))
            .options(selectinload(MarketListing.firm))
            .order_by(MarketListing.updated_at.desc(), MarketListing.id.desc())
        )
    )


def firms_for_listing(actor: User) -> list[Firm]:
    """The firms the actor may write requests and offers for (published ones can publish)."""
    return list(
        db.session.scalars(
            sa.select(Firm)
            .join(FirmMember)
            .where(FirmMember.user_id == actor.id, Firm.status != FirmStatus.ARCHIVED)
            .options(selectinload(Firm.members))
            .order_by(Firm.legal_name, Firm.id)
        )
    )


def review_queue(actor: User) -> list[MarketListing]:
    """Submitted requests and offers, oldest first."""
    authorize(actor, "market.review")
    return list(
        db.session.scalars(
            sa.select(MarketListing)
            .where(MarketListing.status == MarketStatus.SUBMITTED)
            .options(selectinload(MarketListing.firm), selectinload(MarketListing.items))
            .order_by(MarketListing.submitted_at, MarketListing.id)
        )
    )


# The owner's actions ------------------------------------------------------------------------


@transactional
def create_listing(actor: User, firm_id: int, side: MarketSide | str, data: dict) -> MarketListing:
    """A new draft request or offer of the firm."""
    firm = db.session.get(Firm, firm_id)
    if firm is None:
        raise NotFound()
    authorize(actor, "market.list", firm)
    if firm.status != FirmStatus.PUBLISHED:
        message = _("Your firm's listing must be published before it can post requests or offers.")
        raise ValidationError(message, {"firm_id": [message]})
    side = MarketSide(side)
    cleaned = clean(side, data, clock.today())
    listing = MarketListing(side=side, firm=firm, author_id=actor.id, status=MarketStatus.DRAFT)
    db.session.add(listing)
    apply_content(listing, cleaned)
    flush()
    audit.record(actor, "market_listing.create", ENTITY, listing.id, after=snapshot(listing))
    return listing


@transactional
def update_listing(actor: User, listing_id: int, data: dict, version: int | None) -> MarketListing:
    """Save the owner's edits: directly while unpublished; as a revision waiting for review once
    published (the public keeps the published text); an expired item goes back to review."""
    listing = _load(listing_id)
    authorize(actor, "market.list", listing.firm)
    if listing.status not in EDITABLE:
        raise Conflict(_("This request or offer cannot be edited in its current state."))
    cleaned = clean(listing.side, data, clock.today())
    # The waiting revision is part of the item's version: a form opened before it was proposed
    # (or decided) cannot replace it unnoticed.
    claim(listing, version, stale())
    _drop_pending(listing)
    if listing.status == MarketStatus.PUBLISHED:
        _propose(actor, listing, cleaned)
        return listing
    before_content, before_state = snapshot(listing), state_of(listing)
    apply_content(listing, cleaned)
    if listing.status == MarketStatus.EXPIRED:
        listing.status = MarketStatus.SUBMITTED
        listing.submitted_at = utcnow()
    flush()
    old, new = audit.changed_fields(before_content, snapshot(listing))
    state_old, state_new = audit.changed_fields(before_state, state_of(listing))
    audit.record(
        actor,
        "market_listing.update",
        ENTITY,
        listing.id,
        {**old, **state_old},
        {**new, **state_new},
    )
    return listing


def _propose(actor: User, listing: MarketListing, cleaned: dict) -> None:
    """Keep the edit of a published item as its pending revision (none when it changes
    nothing: saving the published text again just withdraws a waiting change)."""
    published, proposed = snapshot(listing), content_of(cleaned)
    if proposed == published:
        return
    revision = MarketRevision(listing=listing, author_id=actor.id, data=proposed)
    db.session.add(revision)
    flush()
    old, new = audit.changed_fields(published, proposed)
    audit.record(
        actor,
        "market_listing.propose",
        ENTITY,
        listing.id,
        old,
        {**new, "revision_id": revision.id},
    )


def pending_revision(listing: MarketListing) -> MarketRevision | None:
    return db.session.scalar(
        sa.select(MarketRevision).where(
            MarketRevision.listing_id == listing.id, MarketRevision.state == ReviewState.PENDING
        )
    )


def latest_revision(listing: MarketListing) -> MarketRevision | None:
    """The newest proposed change, whatever became of it (the owner sees why one was refused)."""
    return db.session.scalar(
        sa.select(MarketRevision)
        .where(MarketRevision.listing_id == listing.id)
        .order_by(MarketRevision.id.desc())
        .limit(1)
    )


def editing_content(listing: MarketListing) -> dict:
    """What the owner edits: the waiting change if there is one, else the item itself."""
    revision = pending_revision(listing)
    return as_input(revision.data if revision else snapshot(listing))


def _drop_pending(listing: MarketListing) -> MarketRevision | None:
    """Withdraw the item's waiting change (replaced by a new edit, or the item left the
    marketplace); the one withdrawn, if any."""
    revision = pending_revision(listing)
    if revision is not None:
        revision.decide(ReviewState.WITHDRAWN)
    return revision


@transactional
def withdraw_change(actor: User, listing_id: int, version: int | None) -> MarketListing:
    """The owner takes back the change waiting for review; the published text stays."""
    listing = _load(listing_id)
    authorize(actor, "market.list", listing.firm)
    claim(listing, version, stale())
    revision = _drop_pending(listing)
    if revision is None:
        raise Conflict(_("No change of this item is waiting for review."))
    flush()
    audit.record(
        actor,
        "market_listing.withdraw_change",
        ENTITY,
        listing.id,
        after={"revision_id": revision.id},
    )
    return listing


def submission_problems(listing: MarketListing) -> list[str]:
    if listing.firm.status != FirmStatus.PUBLISHED:
        return [_("Your firm's listing must be published first.")]
    return []


@transactional
def submit_listing(actor: User, listing_id: int, version: int | None) -> MarketListing:
    listing = _load(listing_id)
    authorize(actor, "market.list", listing.firm)
    claim(listing, version, stale())
    if listing.status not in SUBMITTABLE:
        raise Conflict(_("This request or offer is not waiting to be submitted."))
    problems = submission_problems(listing)
    if problems:
        raise ValidationError(" ".join(problems))
    before = state_of(listing)
    listing.status = MarketStatus.SUBMITTED
    listing.submitted_at = utcnow()
    flush()
    _record(actor, "market_listing.submit", listing, before)
    return listing


@transactional
def withdraw_listing(actor: User, listing_id: int, version: int | None) -> MarketListing:
    """The owner takes a request or offer off the marketplace (it stays in their list)."""
    listing = _load(listing_id)
    authorize(actor, "market.list", listing.firm)
    claim(listing, version, stale())
    if listing.status == MarketStatus.ARCHIVED:
        raise Conflict(_("This request or offer is already archived."))
    before = state_of(listing)
    listing.status = MarketStatus.ARCHIVED
    _drop_pending(listing)
    flush()
    _record(actor, "market_listing.archive", listing, before)
    return listing


@transactional
def renew_listing(
    actor: User, listing_id: int, version: int | None, now: datetime | None = None
) -> MarketListing:
    """Back on the marketplace for 12 months from now (a deadline before that is dropped)."""
    now = now or utcnow()
    listing = _load(listing_id)
    authorize(actor, "market.list", listing.firm)
    claim(listing, version, stale())
    if listing.status not in RENEWABLE:
        raise Conflict(_("Only a published or expired request or offer can be renewed."))
    before = state_of(listing)
    if listing.deadline is not None and expiry(now, listing.deadline) < now + LIFETIME:
        listing.deadline = None
    listing.status = MarketStatus.PUBLISHED
    listing.expires_at = now + LIFETIME
    flush()
    _record(actor, "market_listing.renew", listing, before)
    return listing


# Curators' decisions -----------------------------------------------------------------------


def _decide(actor, listing_id: int, version: int | None, *statuses) -> MarketListing:
    authorize(actor, "market.review")
    listing = _load(listing_id)
    claim(listing, version, stale())
    if listing.status not in statuses:
        raise Conflict(_("This decision is not possible in the item's current state."))
    return listing


@transactional
def approve_listing(
    actor: User, listing_id: int, version: int | None, now: datetime | None = None
) -> MarketListing:
    """Publish a submitted item. The suppliers a request fits are told by
    `alerts.send_request_alerts`, which the curator's page runs right after this commits (and
    `flask listings remind` runs from cron)."""
    now = now or utcnow()
    listing = _decide(actor, listing_id, version, MarketStatus.SUBMITTED)
    before = state_of(listing)
    listing.status = MarketStatus.PUBLISHED
    listing.review_reason = None
    listing.published_at = now
    listing.expires_at = expiry(now, listing.deadline)
    flush()
    _record(actor, "market_listing.approve", listing, before)
    tell_owner(listing, "approved")
    return listing


def _decide_with_reason(
    actor, listing_id: int, version: int | None, reason: str | None, decision: str, *statuses
) -> MarketListing:
    """A curator's decision that gives the owner a reason: `decision` is the new status (its
    audit action and owner e-mail are named after it), taken from one of `statuses`."""
    listing = _decide(actor, listing_id, version, *statuses)
    text = clean_reason(reason, required=True)
    before = state_of(listing)
    listing.status = MarketStatus(decision)
    listing.review_reason = text
    if listing.status == MarketStatus.ARCHIVED:
        _drop_pending(listing)
    flush()
    action = {"changes_requested": "request_changes", "rejected": "reject", "archived": "archive"}
    _record(actor, f"market_listing.{action[decision]}", listing, before, reason=text)
    tell_owner(listing, decision, text)
    return listing


@transactional
def request_changes(actor: User, listing_id: int, version: int | None, reason: str | None):
    return _decide_with_reason(
        actor, listing_id, version, reason, "changes_requested", MarketStatus.SUBMITTED
    )


@transactional
def reject_listing(actor: User, listing_id: int, version: int | None, reason: str | None):
    return _decide_with_reason(
        actor, listing_id, version, reason, "rejected", MarketStatus.SUBMITTED
    )


@transactional
def archive_listing(actor: User, listing_id: int, version: int | None, reason: str | None):
    return _decide_with_reason(
        actor, listing_id, version, reason, "archived", MarketStatus.PUBLISHED, MarketStatus.EXPIRED
    )


def tell_owner(listing: MarketListing, decision: str, reason: str | None = None) -> None:
    """E-mail the firm's people a curator's `decision` on the item (or on its change), with
    the curator's `reason`."""
    for user in listing.firm.reachable_members:
        send_after_commit(
            render_message(
                user.email,
                "market_decision",
                user.preferred_language,
                listing=listing,
                decision=decision,
                reason=reason,
                link=public_url("marketplace.detail", listing_id=listing.id),
            )
        )


def history(actor, listing: MarketListing) -> list:
    """The item's audit events, newest first, for its firm's members and curators."""
    if not may_see_private(actor, listing):
        return []
    return audit.events_of(ENTITY, listing.id)
