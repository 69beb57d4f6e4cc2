"""Decisions on listings: approve (one or many), request changes, reject, verify, archive."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.authorization import authorize
from app.curation import notifications
from app.curation.checks import failed_codes, run_checks
from app.curation.review import (
    claim_listing,
    clean_reason,
    firm_for_update,
    record_firm_change,
    require_status,
    review_state,
)
from app.errors import Conflict, NotFound, ValidationError
from app.extensions import db
from app.firms import renewals
from app.labels import CHECK_LABELS
from app.models import (
    Firm,
    FirmCatalogueLink,
    FirmIndustryCode,
    FirmMember,
    FirmStatus,
    User,
)
from app.models.base import utcnow
from app.transaction import UnitOfWork, flush, transactional, unit_of_work


def get_firm_for_review(actor: User, firm_id: int) -> Firm:
    authorize(actor, "firm.review")
    firm = db.session.scalar(
        sa.select(Firm)
        .where(Firm.id == firm_id)
        .options(
            selectinload(Firm.catalogue_links).selectinload(FirmCatalogueLink.item),
            selectinload(Firm.industry_codes).selectinload(FirmIndustryCode.industry_code),
            selectinload(Firm.certifications),
            selectinload(Firm.members).selectinload(FirmMember.user),
            selectinload(Firm.zone),
        )
    )
    if firm is None:
        raise NotFound()
    return firm


@transactional
def approve_listing(actor: User, firm_id: int, version: int | None) -> Firm:
    authorize(actor, "firm.review")
    firm = firm_for_update(firm_id)
    _approve(actor, firm, version)
    return firm


def _approve(actor: User, firm: Firm, version: int | None) -> None:
    claim_listing(firm, version)
    require_status(firm, FirmStatus.SUBMITTED)
    before = review_state(firm)
    firm.status = FirmStatus.PUBLISHED
    firm.published_at = firm.published_at or utcnow()
    renewals.start_period(firm)
    firm.review_reason = None
    firm.review_failed_checks = []
    flush()
    record_firm_change(actor, "firm.approve", firm, before)
    notifications.listing_decided(firm, "approved")


@transactional
def request_changes(
    actor: User, firm_id: int, version: int | None, reason: str | None, failed_checks: list[str]
) -> Firm:
    """Send the listing back with the reason and the checks the business must fix."""
    authorize(actor, "firm.review")
    firm = firm_for_update(firm_id)
    claim_listing(firm, version)
    require_status(firm, FirmStatus.SUBMITTED)
    text = clean_reason(reason, required=True)
    unknown = set(failed_checks) - set(CHECK_LABELS)
    if unknown:
        raise ValidationError(_("Unknown check."), errors={"checks": [_("Unknown check.")]})
    before = review_state(firm)
    firm.status = FirmStatus.CHANGES_REQUESTED
    firm.review_reason = text
    firm.review_failed_checks = [code for code in CHECK_LABELS if code in set(failed_checks)]
    flush()
    record_firm_change(actor, "firm.request_changes", firm, before, reason=text)
    notifications.listing_decided(firm, "changes_requested")
    return firm


@transactional
def reject_listing(actor: User, firm_id: int, version: int | None, reason: str | None) -> Firm:
    authorize(actor, "firm.review")
    firm = firm_for_update(firm_id)
    claim_listing(firm, version)
    require_status(firm, FirmStatus.SUBMITTED)
    text = clean_reason(reason, required=True)
    before = review_state(firm)
    firm.status = FirmStatus.REJECTED
    firm.review_reason = text
    firm.review_failed_checks = []
    flush()
    record_firm_change(actor, "firm.reject", firm, before, reason=text)
    notifications.listing_decided(firm, "rejected")
    return firm


@dataclass
class BulkApproval:
    approved: list[Firm] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (listing name or id, why)


def bulk_approve_listings(actor: User, selections: list[tuple[int, int]]) -> BulkApproval:
    """Approve each selected (firm id, version seen) as its own decision, in one transaction
    (one commit, one index update): each decision runs in a savepoint, so one refusal does not
    undo the others. Listings whose automatic checks fail are left for an individual review."""
    authorize(actor, "firm.review")
    result = BulkApproval()
    with unit_of_work() as uow:
        for firm_id, version in selections:
            _approve_one(uow, actor, firm_id, version, result)
    return result


def _approve_one(
    uow: UnitOfWork, actor: User, firm_id: int, version: int, result: BulkApproval
) -> None:
    firm = db.session.get(Firm, firm_id)
    name = firm.display_name if firm is not None else f"#{firm_id}"
    try:
        if firm is None:
            raise NotFound(_("This listing no longer exists."))
        failed = failed_codes(run_checks(firm))
        if failed:
            raise ValidationError(
                _(
                    "Automatic checks failed (%(checks)s): review it on its own page.",
                    checks="; ".join(str(CHECK_LABELS[c]) for c in failed),
                )
            )
        with uow.savepoint():
            _approve(actor, firm, version)
        result.approved.append(firm)
    except (Conflict, NotFound, ValidationError) as error:
        result.failed.append((name, error.message))


@transactional
def verify_firm(actor: User, firm_id: int, version: int | None, verified: bool = True) -> Firm:
    """Mark a published listing as checked by a curator (or take the mark away)."""
    authorize(actor, "firm.review")
    firm = firm_for_update(firm_id)
    claim_listing(firm, version)
    require_status(firm, FirmStatus.PUBLISHED)
    before = review_state(firm)
    firm.verified_at = utcnow() if verified else None
    flush()
    record_firm_change(actor, "firm.verify" if verified else "firm.unverify", firm, before)
    return firm


@transactional
def archive_firm(actor: User, firm_id: int, version: int | None, reason: str | None) -> Firm:
    """Take a published listing off the directory and the search index."""
    authorize(actor, "firm.review")
    firm = firm_for_update(firm_id)
    claim_listing(firm, version)
    require_status(firm, FirmStatus.PUBLISHED)
    text = clean_reason(reason, required=True)
    before = review_state(firm)
    firm.status = FirmStatus.ARCHIVED
    firm.review_reason = text
    flush()
    record_firm_change(actor, "firm.archive", firm, before, reason=text)
    notifications.listing_decided(firm, "archived")
    return firm
