"""Decisions on proposed changes to published listings (revisions)."""

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app import audit
from app.authorization import authorize
from app.curation import notifications
from app.curation.review import (
    claim_listing,
    clean_reason,
    require_status,
    state_label,
)
from app.errors import Conflict, NotFound, ValidationError
from app.extensions import db
from app.firms import data as firm_data
from app.firms import renewals
from app.models import (
    Firm,
    FirmRevision,
    FirmStatus,
    ReviewState,
    User,
)
from app.transaction import flush, transactional


def get_revision_for_review(actor: User, revision_id: int) -> FirmRevision:
    authorize(actor, "firm.review")
    revision = db.session.scalar(
        sa.select(FirmRevision)
        .where(FirmRevision.id == revision_id)
        .options(
            selectinload(FirmRevision.firm).options(
                selectinload(Firm.catalogue_links),
                selectinload(Firm.industry_codes),
                selectinload(Firm.certifications),
            ),
            selectinload(FirmRevision.author),
            selectinload(FirmRevision.decided_by),
        )
    )
    if revision is None:
        raise NotFound()
    return revision


def proposed_content(revision: FirmRevision) -> tuple[dict, dict]:
    """(the listing as the public sees it now, the listing as the revision would make it)."""
    current = firm_data.snapshot(revision.firm)
    return current, {**current, **revision.data}


def _revision_for_update(revision_id: int) -> FirmRevision:
    revision = db.session.get(FirmRevision, revision_id)
    if revision is None:
        raise NotFound()
    if revision.state != ReviewState.PENDING:
        raise Conflict(
            _("This change was already decided (%(state)s).", state=state_label(revision.state))
        )
    return revision


@transactional
def approve_revision(actor: User, revision_id: int, version: int | None) -> FirmRevision:
    """Apply the proposed content to the listing; it stays published.

    `version` is the listing version the curator saw next to the diff. The listing may have
    changed since the revision was written (base_version); that is shown, not refused.
    """
    authorize(actor, "firm.review")
    revision = _revision_for_update(revision_id)
    firm = revision.firm
    # A new version even when only its links change, so decisions taken on the old content are
    # refused; claimed before the links are touched, so a concurrent edit stops one of the two.
    claim_listing(firm, version)
    require_status(firm, FirmStatus.PUBLISHED)
    before = firm_data.snapshot(firm)
    try:
        firm_data.apply(firm, revision.data)
    except (ValueError, KeyError) as error:
        raise ValidationError(
            _("This change refers to catalogue items or industry codes that no longer exist.")
        ) from error
    after = firm_data.snapshot(firm)
    changed = firm_data.differences(before, after)
    revision.decide(ReviewState.APPROVED, actor)
    renewals.start_period(firm)  # the business brought its listing up to date
    flush()
    audit.record(
        actor,
        "revision.approve",
        "firm",
        firm.id,
        {name: before.get(name) for name in changed},
        {**{name: after.get(name) for name in changed}, "revision_id": revision.id},
    )
    notifications.revision_decided(revision, approved=True)
    return revision


@transactional
def reject_revision(
    actor: User, revision_id: int, version: int | None, reason: str | None
) -> FirmRevision:
    authorize(actor, "firm.review")
    revision = _revision_for_update(revision_id)
    text = clean_reason(reason, required=True)
    # The business's open edit forms show this revision: they must not save over it unnoticed.
    claim_listing(revision.firm, version, public=False)
    revision.decide(ReviewState.REJECTED, actor, text)
    flush()
    audit.record(
        actor,
        "revision.reject",
        "firm",
        revision.firm_id,
        {"revision_state": str(ReviewState.PENDING)},
        {"revision_state": str(ReviewState.REJECTED), "revision_id": revision.id},
        text,
    )
    notifications.revision_decided(revision, approved=False)
    return revision
