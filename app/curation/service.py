"""Reviewing what businesses submit: the queue, decisions on listings, revisions and claims,
verification and archiving, the audit history, and telling reviewers about new submissions.

Every public function checks permissions, validates, changes the models, writes an audit event,
queues mail and commits once. Decisions carry the version the curator saw; a listing changed
meanwhile is refused with a Conflict, never overwritten.
"""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app import audit
from app.authorization import authorize
from app.catalogue.service import catalogue_tree
from app.curation import notifications
from app.curation.checks import CHECK_LABELS, failed_codes, run_checks
from app.domain.places import is_ward
from app.domain.text import nfc
from app.errors import Conflict, NotFound, ValidationError
from app.extensions import db
from app.firms import data as firm_data
from app.labels import label
from app.models import (
    Agency,
    AuditEvent,
    Firm,
    FirmCatalogueLink,
    FirmClaim,
    FirmIndustryCode,
    FirmMember,
    FirmRevision,
    FirmStatus,
    LinkRelation,
    MemberRole,
    Programme,
    ReviewState,
    Role,
    User,
    Zone,
)
from app.models.base import utcnow
from app.parsing import parse_int
from app.transaction import UnitOfWork, flush, transactional, unit_of_work

REASON_MAX = 4000
QUEUE_PAGE_SIZE = 25


# Shared helpers (flush only) ------------------------------------------------------------------


def clean_reason(reason: str | None, required: bool) -> str | None:
    text = nfc(reason).strip()
    if required and not text:
        raise ValidationError(_("Give a reason."), errors={"reason": [_("Give a reason.")]})
    if len(text) > REASON_MAX:
        message = _("Keep the reason under %(max)s characters.", max=REASON_MAX)
        raise ValidationError(message, errors={"reason": [message]})
    return text or None


def _iso(value):
    return value.isoformat() if isinstance(value, datetime) else value


def _review_state(firm: Firm) -> dict:
    return {
        "status": str(firm.status),
        "review_reason": firm.review_reason,
        "review_failed_checks": list(firm.review_failed_checks or []),
        "published_at": _iso(firm.published_at),
        "verified_at": _iso(firm.verified_at),
    }


def _record_firm_change(actor, action: str, firm: Firm, before: dict, reason=None, extra=None):
    old, new = audit.changed_fields(before, _review_state(firm))
    audit.record(actor, action, "firm", firm.id, old, {**new, **(extra or {})}, reason)


def _firm_for_update(firm_id: int) -> Firm:
    firm = db.session.get(Firm, firm_id)
    if firm is None:
        raise NotFound()
    return firm


def _claim(firm: Firm, version: int | None, public: bool = True) -> None:
    """Take the listing for a decision made on the version the curator saw."""
    stale = Conflict(
        _(
            "This listing was changed by someone else after you opened it. Nothing was "
            "saved: check its current state below and decide again."
        )
    )
    firm_data.claim(firm, version, stale, public)


def _require_status(firm: Firm, *statuses: FirmStatus) -> None:
    if firm.status not in statuses:
        raise Conflict(
            _(
                "This action is not possible while the listing is “%(status)s”.",
                status=label(firm.status),
            )
        )


# The review queue -----------------------------------------------------------------------------


@dataclass
class QueueFilters:
    kind: str | None = None
    group: str | None = None
    ward: int | None = None

    KINDS = ("listing", "revision", "claim")

    @classmethod
    def from_args(cls, args) -> "QueueFilters":
        filters = cls()
        if args.get("kind") in cls.KINDS:
            filters.kind = args["kind"]
        group = catalogue_tree().by_code.get(args.get("group", ""))
        if group is not None and group.parent_id is None:
            filters.group = group.code
        if is_ward(ward := parse_int(args.get("ward", ""))):
            filters.ward = ward
        return filters


@dataclass
class QueueEntry:
    kind: str
    since: datetime
    item: Firm | FirmRevision | FirmClaim
    firm: Firm


@dataclass
class QueuePage:
    entries: list[QueueEntry]
    page: int
    pages: int
    total: int
    per_page: int


def _firm_conditions(filters: QueueFilters) -> list:
    conditions = []
    if filters.ward:
        conditions.append(Firm.ward_code == filters.ward)
    if filters.group:
        tree = catalogue_tree()
        ids = tree.subtree_ids(tree.by_code[filters.group])
        conditions.append(
            Firm.catalogue_links.any(
                sa.and_(
                    FirmCatalogueLink.relation == LinkRelation.OFFERS,
                    FirmCatalogueLink.item_id.in_(ids),
                )
            )
        )
    return conditions


def review_queue(
    actor: User, filters: QueueFilters, page: int, per_page: int = QUEUE_PAGE_SIZE
) -> QueuePage:
    """Submitted listings, pending revisions and pending claims, oldest first."""
    authorize(actor, "firm.review")
    firm_where = _firm_conditions(filters)
    parts = []
    if filters.kind in (None, "listing"):
        parts.append(
            sa.select(
                sa.literal("listing").label("kind"),
                Firm.id.label("id"),
                sa.func.coalesce(Firm.submitted_at, Firm.updated_at).label("since"),
            ).where(Firm.status == FirmStatus.SUBMITTED, *firm_where)
        )
    for kind, model in (("revision", FirmRevision), ("claim", FirmClaim)):
        if filters.kind in (None, kind):
            parts.append(
                sa.select(
                    sa.literal(kind).label("kind"),
                    model.id.label("id"),
                    model.created_at.label("since"),
                )
                .join(Firm, Firm.id == model.firm_id)
                .where(model.state == ReviewState.PENDING, *firm_where)
            )
    union = sa.union_all(*parts).subquery()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(union))
    pages = max(1, -(-total // per_page))
    if page > pages:
        raise NotFound()
    rows = db.session.execute(
        sa.select(union.c.kind, union.c.id, union.c.since)
        .order_by(union.c.since, union.c.kind, union.c.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return QueuePage(_load_entries(rows), page, pages, total, per_page)


def _load_entries(rows) -> list[QueueEntry]:
    ids = {kind: [row.id for row in rows if row.kind == kind] for kind in QueueFilters.KINDS}
    firm_loading = (selectinload(Firm.catalogue_links), selectinload(Firm.zone))
    objects = {}
    if ids["listing"]:
        for firm in db.session.scalars(
            sa.select(Firm).where(Firm.id.in_(ids["listing"])).options(*firm_loading)
        ):
            objects["listing", firm.id] = firm
    for kind, model, owner in (
        ("revision", FirmRevision, FirmRevision.author),
        ("claim", FirmClaim, FirmClaim.user),
    ):
        if ids[kind]:
            for obj in db.session.scalars(
                sa.select(model)
                .where(model.id.in_(ids[kind]))
                .options(selectinload(model.firm).options(*firm_loading), selectinload(owner))
            ):
                objects[kind, obj.id] = obj
    entries = []
    for row in rows:
        obj = objects[row.kind, row.id]
        entries.append(
            QueueEntry(row.kind, row.since, obj, obj if isinstance(obj, Firm) else obj.firm)
        )
    return entries


# Listings -------------------------------------------------------------------------------------


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
    firm = _firm_for_update(firm_id)
    _approve(actor, firm, version)
    return firm


def _approve(actor: User, firm: Firm, version: int | None) -> None:
    _claim(firm, version)
    _require_status(firm, FirmStatus.SUBMITTED)
    before = _review_state(firm)
    firm.status = FirmStatus.PUBLISHED
    firm.published_at = firm.published_at or utcnow()
    firm.review_reason = None
    firm.review_failed_checks = []
    flush()
    _record_firm_change(actor, "firm.approve", firm, before)
    notifications.listing_decided(firm, "approved")


@transactional
def request_changes(
    actor: User, firm_id: int, version: int | None, reason: str | None, failed_checks: list[str]
) -> Firm:
    """Send the listing back with the reason and the checks the business must fix."""
    authorize(actor, "firm.review")
    firm = _firm_for_update(firm_id)
    _claim(firm, version)
    _require_status(firm, FirmStatus.SUBMITTED)
    text = clean_reason(reason, required=True)
    unknown = set(failed_checks) - set(CHECK_LABELS)
    if unknown:
        raise ValidationError(_("Unknown check."), errors={"checks": [_("Unknown check.")]})
    before = _review_state(firm)
    firm.status = FirmStatus.CHANGES_REQUESTED
    firm.review_reason = text
    firm.review_failed_checks = [code for code in CHECK_LABELS if code in set(failed_checks)]
    flush()
    _record_firm_change(actor, "firm.request_changes", firm, before, reason=text)
    notifications.listing_decided(firm, "changes_requested")
    return firm


@transactional
def reject_listing(actor: User, firm_id: int, version: int | None, reason: str | None) -> Firm:
    authorize(actor, "firm.review")
    firm = _firm_for_update(firm_id)
    _claim(firm, version)
    _require_status(firm, FirmStatus.SUBMITTED)
    text = clean_reason(reason, required=True)
    before = _review_state(firm)
    firm.status = FirmStatus.REJECTED
    firm.review_reason = text
    firm.review_failed_checks = []
    flush()
    _record_firm_change(actor, "firm.reject", firm, before, reason=text)
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
    firm = _firm_for_update(firm_id)
    _claim(firm, version)
    _require_status(firm, FirmStatus.PUBLISHED)
    before = _review_state(firm)
    firm.verified_at = utcnow() if verified else None
    flush()
    _record_firm_change(actor, "firm.verify" if verified else "firm.unverify", firm, before)
    return firm


@transactional
def archive_firm(actor: User, firm_id: int, version: int | None, reason: str | None) -> Firm:
    """Take a published listing off the directory and the search index."""
    authorize(actor, "firm.review")
    firm = _firm_for_update(firm_id)
    _claim(firm, version)
    _require_status(firm, FirmStatus.PUBLISHED)
    text = clean_reason(reason, required=True)
    before = _review_state(firm)
    firm.status = FirmStatus.ARCHIVED
    firm.review_reason = text
    flush()
    _record_firm_change(actor, "firm.archive", firm, before, reason=text)
    notifications.listing_decided(firm, "archived")
    return firm


# Revisions ------------------------------------------------------------------------------------


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
            _("This change was already decided (%(state)s).", state=_state_label(revision.state))
        )
    return revision


def _state_label(state: ReviewState) -> str:
    return {
        ReviewState.PENDING: _("pending"),
        ReviewState.APPROVED: _("approved"),
        ReviewState.REJECTED: _("rejected"),
        ReviewState.WITHDRAWN: _("withdrawn"),
    }[state]


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
    _claim(firm, version)
    _require_status(firm, FirmStatus.PUBLISHED)
    before = firm_data.snapshot(firm)
    try:
        firm_data.apply(firm, revision.data)
    except (ValueError, KeyError) as error:
        raise ValidationError(
            _("This change refers to catalogue items or industry codes that no longer exist.")
        ) from error
    after = firm_data.snapshot(firm)
    changed = firm_data.differences(before, after)
    revision.state = ReviewState.APPROVED
    revision.decided_by_id = actor.id
    revision.decided_at = utcnow()
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
    _claim(revision.firm, version, public=False)
    revision.state = ReviewState.REJECTED
    revision.decided_by_id = actor.id
    revision.decided_at = utcnow()
    revision.reason = text
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


# Claims ---------------------------------------------------------------------------------------


def get_claim_for_review(actor: User, claim_id: int) -> FirmClaim:
    authorize(actor, "firm.review")
    claim = db.session.scalar(
        sa.select(FirmClaim)
        .where(FirmClaim.id == claim_id)
        .options(
            selectinload(FirmClaim.firm).selectinload(Firm.members).selectinload(FirmMember.user),
            selectinload(FirmClaim.user),
            selectinload(FirmClaim.decided_by),
        )
    )
    if claim is None:
        raise NotFound()
    return claim


def _claim_for_update(claim_id: int) -> FirmClaim:
    claim = db.session.get(FirmClaim, claim_id)
    if claim is None:
        raise NotFound()
    if claim.state != ReviewState.PENDING:
        raise Conflict(
            _("This claim was already decided (%(state)s).", state=_state_label(claim.state))
        )
    return claim


@transactional
def approve_claim(actor: User, claim_id: int) -> FirmClaim:
    """Make the claimant the owner of a firm that has none.

    A firm that already has an owner is refused: its owner invites people, and a disputed
    ownership needs more than a curator's click.
    """
    authorize(actor, "firm.review")
    claim = _claim_for_update(claim_id)
    firm = claim.firm
    if any(m.role == MemberRole.OWNER and m.user_id != claim.user_id for m in firm.members):
        raise Conflict(
            _(
                "This firm already has an owner. Ask the owner to invite the claimant, or "
                "reject the claim with a reason."
            )
        )
    membership = next((m for m in firm.members if m.user_id == claim.user_id), None)
    previous_role = str(membership.role) if membership else None
    if membership is None:
        firm.members.append(FirmMember(user_id=claim.user_id, role=MemberRole.OWNER))
    else:
        membership.role = MemberRole.OWNER
    claim.state = ReviewState.APPROVED
    claim.decided_by_id = actor.id
    claim.decided_at = utcnow()
    flush()
    audit.record(
        actor,
        "claim.approve",
        "firm",
        firm.id,
        {"member_role": previous_role},
        {"member_role": str(MemberRole.OWNER), "member": claim.user.email, "claim_id": claim.id},
    )
    notifications.claim_decided(claim, approved=True)
    return claim


@transactional
def reject_claim(actor: User, claim_id: int, reason: str | None) -> FirmClaim:
    authorize(actor, "firm.review")
    claim = _claim_for_update(claim_id)
    text = clean_reason(reason, required=True)
    claim.state = ReviewState.REJECTED
    claim.decided_by_id = actor.id
    claim.decided_at = utcnow()
    claim.reason = text
    flush()
    audit.record(
        actor,
        "claim.reject",
        "firm",
        claim.firm_id,
        None,
        {"claim_id": claim.id, "member": claim.user.email},
        text,
    )
    notifications.claim_decided(claim, approved=False)
    return claim


# History --------------------------------------------------------------------------------------

HISTORY_KINDS = {"firm": Firm, "programme": Programme, "zone": Zone}


def record_history(actor: User, entity_kind: str, entity_id: int):
    """(the record, its audit events newest first) for those who may curate the record."""
    model = HISTORY_KINDS.get(entity_kind)
    if model is None:
        raise NotFound()
    record = db.session.get(model, entity_id)
    if record is None:
        raise NotFound()
    if entity_kind == "firm":
        authorize(actor, "firm.review")
    else:
        authorize(actor, f"{entity_kind}.manage", record)
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.entity_kind == entity_kind, AuditEvent.entity_id == entity_id)
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    ).all()
    return record, events


# Called by the business side --------------------------------------------------------------------


def reviewers() -> list[User]:
    """Active Sở Công Thương curators and administrators."""
    from app.firms.permissions import REVIEWING_AGENCY

    return list(
        db.session.scalars(
            sa.select(User)
            .outerjoin(Agency, Agency.id == User.agency_id)
            .where(
                User.active.is_(True),
                sa.or_(
                    User.role == Role.ADMIN,
                    sa.and_(User.role == Role.CURATOR, Agency.code == REVIEWING_AGENCY),
                ),
            )
            .order_by(User.id)
        )
    )


def notify_reviewers_of_submission(firm: Firm) -> None:
    """Queue a mail to every reviewer that `firm` awaits review. It is sent when the caller's
    transaction commits (the caller owns the commit)."""
    notifications.listing_submitted(firm, reviewers())
