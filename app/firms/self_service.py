"""What a business does with its own listing: create, edit, submit, revise, claim, share, logo.

Every function checks permissions, validates the rules that hold on every path, writes the
audit trail and commits once; mail goes out after the commit.
"""

from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app import audit, images
from app.authorization import authorize
from app.curation.notifications import notify_reviewers_of_submission
from app.domain.enterprise import has_size_class
from app.domain.tax_code import TaxCodeError, normalize_tax_code
from app.errors import Conflict, Forbidden, NotFound, ValidationError
from app.extensions import db
from app.firms import data as content
from app.firms.permissions import is_member
from app.mail import render_message, send_after_commit
from app.models import (
    Firm,
    FirmClaim,
    FirmInvitation,
    FirmMember,
    FirmRevision,
    FirmStatus,
    MemberRole,
    ReviewState,
    Role,
    User,
)
from app.models.base import utcnow
from app.slugs import unique_slug
from app.transaction import flush, transactional
from app.urls import public_url

EDITABLE_STATES = {FirmStatus.DRAFT, FirmStatus.CHANGES_REQUESTED, FirmStatus.PUBLISHED}
SUBMITTABLE_STATES = {FirmStatus.DRAFT, FirmStatus.CHANGES_REQUESTED}
LOGO = images.ImageRule(max_bytes=2 * 1024 * 1024, box=(256, 256), format="PNG")


class TaxCodeTaken(Conflict):
    """The tax code belongs to a listed firm: the user may claim it instead."""

    def __init__(self, firm: Firm):
        super().__init__(_("A firm with this tax code is already listed."))
        self.firm = firm


def my_firms(user: User) -> list[Firm]:
    return list(
        db.session.scalars(
            sa.select(Firm)
            .join(FirmMember)
            .where(FirmMember.user_id == user.id)
            .options(selectinload(Firm.members))
            .order_by(Firm.updated_at.desc())
        )
    )


def get_my_firm(user: User, firm_id: int) -> Firm:
    """A firm the user may see privately; anything else is a 404 (never another firm's data)."""
    firm = db.session.get(Firm, firm_id)
    if firm is None:
        raise NotFound()
    authorize(user, "firm.manage", firm)
    return firm


def pending_revision(firm: Firm) -> FirmRevision | None:
    return db.session.scalar(
        sa.select(FirmRevision)
        .where(FirmRevision.firm_id == firm.id, FirmRevision.state == ReviewState.PENDING)
        .order_by(FirmRevision.id.desc())
    )


def current_content(firm: Firm) -> dict:
    """What the business is editing: its pending revision if any, else the listing itself."""
    revision = pending_revision(firm)
    return revision.data if revision else content.snapshot(firm)


def _validate_rules(data: dict, tax_code: str, new: bool = False) -> None:
    problems = content.problems(data, tax_code, new)
    if not data.get("ward_code"):
        problems.add("ward_code", _("Choose a ward or commune from the list."))
    problems.refuse()


@transactional
def create_firm(actor: User, raw_tax_code: str, data: dict) -> Firm:
    """A new draft listing owned by `actor`."""
    authorize(actor, "firm.create")
    try:
        tax_code = normalize_tax_code(raw_tax_code)
    except TaxCodeError as error:
        raise ValidationError(str(error), {"tax_code": str(error)}) from error
    existing = db.session.scalar(sa.select(Firm).where(Firm.tax_code == tax_code))
    if existing is not None and existing.status == FirmStatus.PUBLISHED:
        raise TaxCodeTaken(existing)
    if existing is not None:  # never name a listing that is not public
        message = _(
            "This tax code is already registered for a listing that is not public yet. If it "
            "is yours, you find it under My firms; otherwise please contact Sở Công Thương."
        )
        raise ValidationError(message, {"tax_code": message})
    _validate_rules(data, tax_code, new=True)
    firm = Firm(
        tax_code=tax_code,
        slug=unique_slug(Firm, data.get("trade_name") or data["legal_name"]),
        legal_name=data["legal_name"],
        status=FirmStatus.DRAFT,
    )
    db.session.add(firm)
    content.apply(firm, data)
    db.session.add(FirmMember(firm=firm, user=actor, role=MemberRole.OWNER))
    flush()
    audit.record(actor, "firm.create", "firm", firm.id, after=content.snapshot(firm))
    return firm


@transactional
def update_firm(actor: User, firm: Firm, data: dict, version: int) -> FirmRevision | None:
    """Save the business's edits: directly while unpublished, as a pending revision once public."""
    authorize(actor, "firm.edit", firm)
    if firm.status not in EDITABLE_STATES:
        raise Forbidden(_("This listing cannot be edited in its current state."))
    _validate_rules(data, firm.tax_code)
    before = content.snapshot(firm)
    if firm.status == FirmStatus.PUBLISHED:
        # The pending revision is part of the listing's version: a form opened before this
        # one was proposed (or decided) can no longer replace it unnoticed.
        _claim(firm, version, public=False)
        for older in db.session.scalars(
            sa.select(FirmRevision).where(
                FirmRevision.firm_id == firm.id, FirmRevision.state == ReviewState.PENDING
            )
        ):
            older.state = ReviewState.WITHDRAWN
        revision = FirmRevision(firm=firm, author_id=actor.id, data=data, base_version=firm.version)
        db.session.add(revision)
        flush()
        changed_before, changed_after = audit.changed_fields(before, data)
        audit.record(actor, "revision.propose", "firm", firm.id, changed_before, changed_after)
        notify_reviewers_of_submission(firm)
        return revision
    _claim(firm, version)
    content.apply(firm, data)
    changed_before, changed_after = audit.changed_fields(before, content.snapshot(firm))
    audit.record(actor, "firm.update", "firm", firm.id, changed_before, changed_after)
    return None


def submission_problems(firm: Firm) -> list[str]:
    """What must be filled in before a curator can review the listing."""
    problems = []
    if not firm.description_vi:
        problems.append(_("Add a description in Vietnamese."))
    if not firm.offerings:
        problems.append(_("Choose at least one item your firm supplies from the catalogue."))
    if not firm.ward_code:
        problems.append(_("Choose the ward or commune where the firm is."))
    if firm.enterprise_type is None:
        problems.append(_("Choose what kind of unit the firm is."))
    elif firm.size_class is None and has_size_class(firm.enterprise_type):
        problems.append(
            _("Add the sector, insured employees and revenue or capital to work out the size.")
        )
    return problems


@transactional
def submit_firm(actor: User, firm: Firm, version: int) -> None:
    authorize(actor, "firm.edit", firm)
    if firm.status not in SUBMITTABLE_STATES:
        raise ValidationError(_("This listing is not waiting to be submitted."))
    problems = submission_problems(firm)
    if problems:
        raise ValidationError(" ".join(problems))
    _claim(firm, version)
    firm.status = FirmStatus.SUBMITTED
    firm.submitted_at = utcnow()
    audit.record(actor, "firm.submit", "firm", firm.id, after={"status": "submitted"})
    notify_reviewers_of_submission(firm)


def claimable_firm(firm_id: int) -> Firm:
    """A listing a business may ask to manage: published ones only. Anything else is not found,
    so that the claim page never names a draft or a rejected listing."""
    firm = db.session.get(Firm, firm_id)
    if firm is None or firm.status != FirmStatus.PUBLISHED:
        raise NotFound()
    return firm


def pending_claims(user: User) -> list[FirmClaim]:
    """The user's claims waiting for a curator, oldest first, with their firms."""
    return list(
        db.session.scalars(
            sa.select(FirmClaim)
            .where(FirmClaim.user_id == user.id, FirmClaim.state == ReviewState.PENDING)
            .options(selectinload(FirmClaim.firm))
            .order_by(FirmClaim.created_at, FirmClaim.id)
        )
    )


def claim_offer(user: User, firm: Firm) -> str | None:
    """What a published firm's page offers the viewer to take over its listing: "login" for a
    visitor (then the claim page), "claim" for a business that does not manage it, "pending"
    when that business's claim waits for review; nothing to its members and other roles."""
    if not user.is_authenticated:
        return "login"
    if user.role != Role.BUSINESS or is_member(user, firm):
        return None
    return "pending" if _waiting_claim(user, firm) else "claim"


def _waiting_claim(user: User, firm: Firm) -> FirmClaim | None:
    return db.session.scalar(
        sa.select(FirmClaim).where(
            FirmClaim.firm_id == firm.id,
            FirmClaim.user_id == user.id,
            FirmClaim.state == ReviewState.PENDING,
        )
    )


@transactional
def claim_firm(actor: User, firm_id: int, evidence: str) -> FirmClaim:
    firm = claimable_firm(firm_id)
    authorize(actor, "firm.claim")
    if is_member(actor, firm):
        raise ValidationError(_("You already manage this firm."))
    if _waiting_claim(actor, firm) is not None:
        raise ValidationError(_("Your claim for this firm is already waiting for review."))
    claim = FirmClaim(firm=firm, user=actor, evidence=evidence)
    db.session.add(claim)
    flush()
    audit.record(actor, "claim.create", "firm", firm.id, after={"claim": claim.id}, reason=evidence)
    notify_reviewers_of_submission(firm)
    return claim


@transactional
def invite_editor(actor: User, firm: Firm, email: str) -> None:
    """Add an existing user as editor, or invite the address to register; mail either way."""
    authorize(actor, "firm.manage_members", firm)
    email = email.strip().lower()
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is not None and is_member(user, firm):
        raise ValidationError(_("This person already manages the listing."))
    if user is not None:
        db.session.add(FirmMember(firm=firm, user=user, role=MemberRole.EDITOR))
        language, link = (
            user.preferred_language,
            public_url("firms.manage", firm_id=firm.id),
        )
    else:
        exists = db.session.scalar(
            sa.select(FirmInvitation).where(
                FirmInvitation.firm_id == firm.id, FirmInvitation.email == email
            )
        )
        if exists is None:
            db.session.add(FirmInvitation(firm=firm, email=email, invited_by_id=actor.id))
        language, link = actor.preferred_language, public_url("accounts.register")
    audit.record(actor, "member.invite", "firm", firm.id, after={"email": email})
    send_after_commit(
        render_message(email, "firm_invitation", language, firm=firm, inviter=actor, link=link)
    )


@transactional
def remove_member(actor: User, firm: Firm, user_id: int) -> None:
    authorize(actor, "firm.manage_members", firm)
    member = next((m for m in firm.members if m.user_id == user_id), None)
    if member is None:
        raise NotFound()
    if member.role == MemberRole.OWNER:
        raise ValidationError(_("The owner cannot be removed."))
    firm.members.remove(member)
    audit.record(actor, "member.remove", "firm", firm.id, before={"user_id": user_id})


@transactional
def upload_logo(actor: User, firm: Firm, upload) -> None:
    """Accept an image only by its content; store a re-encoded PNG under instance/."""
    authorize(actor, "firm.edit", firm)
    png = images.reencode(upload, LOGO, "logo").data
    folder = logo_folder()
    folder.mkdir(parents=True, exist_ok=True)
    name = images.stored_name(str(firm.id), png, LOGO)
    (folder / name).write_bytes(png)
    before = firm.logo_path
    firm.logo_path = name
    audit.record(actor, "firm.logo", "firm", firm.id, {"logo": before}, {"logo": name})


def logo_folder() -> Path:
    return Path(current_app.config["LOGO_DIR"])


def _claim(firm: Firm, version: int | None, public: bool = True) -> None:
    """Refuse a form based on an older version; else take the listing for this write."""
    stale = Conflict(
        _(
            "Someone else saved this listing while you were editing it. Your changes are "
            "still in the form: compare with the saved listing and save again."
        )
    )
    content.claim(firm, version, stale, public)
