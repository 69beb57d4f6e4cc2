"""Curation e-mails: queued in the decision's transaction, sent only after it commits, each in
its recipient's preferred language."""

import sqlalchemy as sa

from app.extensions import db
from app.firms.permissions import REVIEWING_AGENCY
from app.labels import CHECK_LABELS
from app.mail import render_message, send_after_commit
from app.models import Agency, Firm, FirmClaim, FirmRevision, Role, User
from app.urls import public_url


def _send(users: list[User], template: str, **context) -> None:
    for user in users:
        if user.active:
            message = render_message(
                user.email, template, language=user.preferred_language, user=user, **context
            )
            send_after_commit(message)


def firm_recipients(firm: Firm) -> list[User]:
    return [member.user for member in firm.members]


def listing_decided(firm: Firm, template: str) -> None:
    """approved / changes_requested / rejected / archived: tell the firm's members."""
    _send(
        firm_recipients(firm),
        f"curation_listing_{template}",
        firm=firm,
        reason=firm.review_reason,
        failed_checks=[CHECK_LABELS[c] for c in firm.review_failed_checks if c in CHECK_LABELS],
        listing_url=public_url("firms.detail", slug=firm.slug) if firm.is_public else None,
    )


def revision_decided(revision: FirmRevision, approved: bool) -> None:
    firm = revision.firm
    _send(
        firm_recipients(firm),
        "curation_revision_approved" if approved else "curation_revision_rejected",
        firm=firm,
        reason=revision.reason,
        listing_url=public_url("firms.detail", slug=firm.slug) if firm.is_public else None,
    )


def claim_decided(claim: FirmClaim, approved: bool) -> None:
    _send(
        [claim.user],
        "curation_claim_approved" if approved else "curation_claim_rejected",
        firm=claim.firm,
        reason=claim.reason,
    )


def listing_submitted(firm: Firm, reviewers: list[User]) -> None:
    _send(
        reviewers,
        "curation_listing_submitted",
        firm=firm,
        review_url=public_url("curation.review_firm", firm_id=firm.id),
    )


def reviewers() -> list[User]:
    """Active Sở Công Thương curators and administrators."""

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
    listing_submitted(firm, reviewers())
