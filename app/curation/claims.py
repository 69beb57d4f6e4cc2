"""Decisions on claims of an existing listing by a business."""

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app import audit
from app.authorization import authorize
from app.curation import notifications
from app.curation.review import (
    clean_reason,
    state_label,
)
from app.errors import Conflict, NotFound
from app.extensions import db
from app.models import (
    Firm,
    FirmClaim,
    FirmMember,
    MemberRole,
    ReviewState,
    User,
)
from app.transaction import flush, transactional


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
    """The pending claim, its row and its firm's locked until the decision commits: of two
    curators deciding at once (or on two claims for one firm) the second waits, then sees the
    first decision and is refused."""
    claim = db.session.get(FirmClaim, claim_id, with_for_update=True)
    if claim is None:
        raise NotFound()
    db.session.get(Firm, claim.firm_id, with_for_update=True)
    if claim.state != ReviewState.PENDING:
        raise Conflict(
            _("This claim was already decided (%(state)s).", state=state_label(claim.state))
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
    claim.decide(ReviewState.APPROVED, actor)
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
    claim.decide(ReviewState.REJECTED, actor, text)
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
