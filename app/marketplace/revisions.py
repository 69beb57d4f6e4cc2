"""Curators' decisions on changes proposed to published requests and offers (revisions), and
the field-by-field comparison they decide on. The owner's side (proposing, withdrawing) is in
`app.marketplace.service`, on the one write path of the item."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app import audit
from app.authorization import authorize
from app.catalogue.service import catalogue_tree
from app.curation.display import FieldChange
from app.curation.review import clean_reason
from app.domain import clock
from app.errors import Conflict, NotFound, ValidationError
from app.extensions import db
from app.i18n import localized
from app.labels import field_label, label, shown_values
from app.marketplace import service
from app.models import MarketListing, MarketRevision, MarketStatus, ReviewState, User
from app.models.base import utcnow
from app.transaction import claim, flush, transactional

VIETNAMESE_FIELDS = {"title", "description", "ward_code", "licensing_terms"}


def waiting(actor: User) -> list[MarketRevision]:
    """Changes to published items waiting for a decision, oldest first."""
    authorize(actor, "market.review")
    return list(
        db.session.scalars(
            sa.select(MarketRevision)
            .where(MarketRevision.state == ReviewState.PENDING)
            .options(selectinload(MarketRevision.listing).selectinload(MarketListing.firm))
            .order_by(MarketRevision.created_at, MarketRevision.id)
        )
    )


def changes(listing: MarketListing, revision: MarketRevision) -> list[FieldChange]:
    """The fields the revision changes: (label, published values, proposed values)."""
    published = service.snapshot(listing)
    tree = catalogue_tree()

    def shown(name: str, value) -> list[str]:
        if name == "item_ids":  # catalogue items by name, which `shown_values` cannot look up
            return [
                f"{localized(tree.by_id[i], 'name')} ({tree.by_id[i].code})"
                if i in tree.by_id
                else f"#{i}"
                for i in value or []
            ]
        return shown_values(name, value)

    return [
        FieldChange(
            name,
            field_label(name),
            shown(name, value),
            shown(name, revision.data.get(name)),
            "vi" if name in VIETNAMESE_FIELDS else None,
        )
        for name, value in published.items()
        if revision.data.get(name) != value
    ]


def get(revision_id: int) -> MarketRevision:
    revision = db.session.get(MarketRevision, revision_id)
    if revision is None:
        raise NotFound()
    return revision


def _pending(revision_id: int) -> MarketRevision:
    revision = get(revision_id)
    if revision.state != ReviewState.PENDING:
        raise Conflict(
            _("This change was already decided (%(state)s).", state=label(revision.state))
        )
    return revision


@transactional
def approve_change(
    actor: User, revision_id: int, version: int | None, now: datetime | None = None
) -> MarketRevision:
    """Apply the change to the item, checked again by today's rules. `version` is the item's
    version the curator saw beside the comparison. A new deadline sets a new expiry: that day
    or 12 months from now, whichever comes first."""
    now = now or utcnow()
    authorize(actor, "market.review")
    revision = _pending(revision_id)
    listing = revision.listing
    claim(listing, version, service.stale())
    if listing.status not in service.RENEWABLE:
        raise Conflict(_("This item is no longer on the marketplace: the change cannot apply."))
    try:
        cleaned = service.clean(listing.side, service.as_input(revision.data), clock.today())
    except ValidationError as error:
        problems = "; ".join(m for messages in error.errors.values() for m in messages)
        raise ValidationError(
            _(
                "The change no longer passes the checks (%(problems)s). Refuse it with that "
                "reason so that the firm can correct it.",
                problems=problems,
            )
        ) from error
    before, deadline = service.snapshot(listing), listing.deadline
    service.apply_content(listing, cleaned)
    if listing.deadline != deadline and listing.status == MarketStatus.PUBLISHED:
        listing.expires_at = service.expiry(now, listing.deadline)
    revision.decide(ReviewState.APPROVED, actor, at=now)
    flush()
    old, new = audit.changed_fields(before, service.snapshot(listing))
    audit.record(
        actor,
        "market_listing.approve_change",
        service.ENTITY,
        listing.id,
        old,
        {**new, "revision_id": revision.id},
    )
    service.tell_owner(listing, "change_approved")
    return revision


@transactional
def reject_change(
    actor: User, revision_id: int, version: int | None, reason: str | None
) -> MarketRevision:
    """Refuse the change with a reason for the firm; the published text stays."""
    authorize(actor, "market.review")
    revision = _pending(revision_id)
    text = clean_reason(reason, required=True)
    # The owner's open edit forms show this change: they must not save over it unnoticed.
    claim(revision.listing, version, service.stale())
    revision.decide(ReviewState.REJECTED, actor, text)
    flush()
    audit.record(
        actor,
        "market_listing.reject_change",
        service.ENTITY,
        revision.listing_id,
        after={"revision_id": revision.id},
        reason=text,
    )
    service.tell_owner(revision.listing, "change_rejected", text)
    return revision
