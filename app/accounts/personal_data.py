"""The data subject's rights over their account (Decree 13/2023/NĐ-CP): a copy of the personal
data the platform holds about them, and deleting the account.

Deleting keeps the account's row, emptied of everything personal (name, e-mail, password,
network addresses in the audit trail): the audit trail of a public register still says what
was done and when, by an account that no longer names anyone. What was the person's own —
memberships, claims, the investor profile, shortlists, saved searches, introduction requests,
API tokens, event registrations — is deleted. Firm listings are the firms' data and stay; a firm
must keep an owner, so an only owner is refused until the listing has another.
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased, selectinload
from werkzeug.security import check_password_hash

from app.audit import record
from app.authorization import authorize
from app.errors import ValidationError
from app.events.seats import promote_waiting
from app.extensions import db
from app.models import (
    AlertDelivery,
    ApiToken,
    AuditEvent,
    Event,
    EventRegistration,
    Firm,
    FirmClaim,
    FirmInvitation,
    FirmMember,
    Interest,
    IntroductionRequest,
    InvestorProfile,
    MemberRole,
    RegistrationStatus,
    SavedSearch,
    Shortlist,
    User,
)
from app.models.base import utcnow
from app.models.user import new_session_token
from app.transaction import transactional

# What the emptied account and the audit trail say instead of the person's name or address.
REMOVED = "[deleted]"


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def _firm(firm: Firm) -> dict:
    return {"id": firm.id, "name": firm.display_name, "tax_code": firm.tax_code_display}


def export_personal_data(user: User) -> dict:
    """Everything the platform keeps about `user` as a person, as plain JSON-able data."""
    authorize(user, "account.export")
    memberships = db.session.scalars(
        sa.select(FirmMember)
        .where(FirmMember.user_id == user.id)
        .options(selectinload(FirmMember.firm))
        .order_by(FirmMember.id)
    )
    claims = db.session.scalars(
        sa.select(FirmClaim).where(FirmClaim.user_id == user.id).order_by(FirmClaim.id)
    )
    interests = db.session.scalars(
        sa.select(Interest).where(Interest.author_id == user.id).order_by(Interest.id)
    )
    profile = db.session.scalar(
        sa.select(InvestorProfile).where(InvestorProfile.user_id == user.id)
    )
    shortlists = db.session.scalars(
        sa.select(Shortlist)
        .where(Shortlist.owner_id == user.id)
        .options(selectinload(Shortlist.entries))
        .order_by(Shortlist.id)
    )
    searches = db.session.scalars(
        sa.select(SavedSearch).where(SavedSearch.owner_id == user.id).order_by(SavedSearch.id)
    )
    introductions = db.session.scalars(
        sa.select(IntroductionRequest)
        .where(IntroductionRequest.investor_id == user.id)
        .order_by(IntroductionRequest.id)
    )
    api_tokens = db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    )
    event_registrations = db.session.scalars(
        sa.select(EventRegistration)
        .where(EventRegistration.user_id == user.id)
        .options(selectinload(EventRegistration.event))
        .order_by(EventRegistration.id)
    )
    activity = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.actor_id == user.id).order_by(AuditEvent.id)
    )
    return {
        "exported_at": _when(utcnow()),
        "controller": "Sở Công Thương tỉnh Quảng Ngãi",
        "account": {
            "name": user.name,
            "email": user.email,
            "role": user.role.value,
            "agency": user.agency.code if user.agency else None,
            "preferred_language": user.preferred_language,
            "active": user.active,
            "created_at": _when(user.created_at),
            "email_verified_at": _when(user.email_verified_at),
            "last_login_at": _when(user.last_login_at),
            "privacy_consent_at": _when(user.privacy_consent_at),
            "privacy_notice_version": user.privacy_notice_version,
        },
        "firms": [
            {**_firm(m.firm), "role": m.role.value, "member_since": _when(m.created_at)}
            for m in memberships
        ],
        "firm_claims": [
            {
                "firm": _firm(claim.firm),
                "evidence": claim.evidence,
                "state": claim.state.value,
                "created_at": _when(claim.created_at),
                "decided_at": _when(claim.decided_at),
                "reason": claim.reason,
            }
            for claim in claims
        ],
        "interests": [
            {
                "firm": _firm(interest.firm),
                "target_kind": interest.target_kind.value,
                "target_id": interest.target_id,
                "message": interest.message,
                "status": interest.status.value,
                "created_at": _when(interest.created_at),
            }
            for interest in interests
        ],
        "investor_profile": profile
        and {
            "organisation": profile.organisation,
            "investor_type": profile.investor_type.value,
            "ticket_min_vnd": profile.ticket_min_vnd,
            "ticket_max_vnd": profile.ticket_max_vnd,
            "groups": profile.groups,
            "investment_types": profile.investment_types,
            "wards": profile.wards,
            "zones": profile.zones,
            "description": profile.description,
        },
        "shortlists": [
            {
                "name": shortlist.name,
                "created_at": _when(shortlist.created_at),
                "firms": [
                    {**_firm(entry.firm), "note": entry.note, "added_at": _when(entry.added_at)}
                    for entry in shortlist.entries
                ],
            }
            for shortlist in shortlists
        ],
        "saved_searches": [
            {
                "name": search.name,
                "query": search.args,
                "alerts": search.frequency.value,
                "last_alert_at": _when(search.last_sent_at),
                "created_at": _when(search.created_at),
            }
            for search in searches
        ],
        "introductions_requested": [
            {
                "firm": _firm(introduction.firm),
                "message": introduction.message,
                "state": introduction.state.value,
                "created_at": _when(introduction.created_at),
                "decided_at": _when(introduction.decided_at),
            }
            for introduction in introductions
        ],
        # What identifies a token's secret (its digest) stays out: the file may be shared.
        "api_tokens": [
            {
                "name": token.name,
                "prefix": token.prefix,
                "scope": token.scope.value,
                "created_at": _when(token.created_at),
                "expires_at": _when(token.expires_at),
                "last_used_at": _when(token.last_used_at),
                "revoked_at": _when(token.revoked_at),
            }
            for token in api_tokens
        ],
        "event_registrations": [
            {
                "event": registration.event.title_vi,
                "name": registration.name,
                "email": registration.email,
                "status": registration.status.value,
                "registered_at": _when(registration.queued_at or registration.created_at),
                "checked_in_at": _when(registration.checked_in_at),
            }
            for registration in event_registrations
        ],
        "activity": [
            {
                "action": event.action,
                "record": f"{event.entity_kind} {event.entity_id}",
                "at": _when(event.created_at),
                "network_address": event.ip,
            }
            for event in activity
        ],
    }


def firms_only_owned_by(user: User) -> list[Firm]:
    """The firms `user` owns with no other owner: the account cannot go while there are any."""
    other = aliased(FirmMember)
    return list(
        db.session.scalars(
            sa.select(Firm)
            .join(FirmMember, FirmMember.firm_id == Firm.id)
            .where(
                FirmMember.user_id == user.id,
                FirmMember.role == MemberRole.OWNER,
                ~sa.exists().where(
                    other.firm_id == Firm.id,
                    other.role == MemberRole.OWNER,
                    other.user_id != user.id,
                ),
            )
            .order_by(Firm.id)
        )
    )


@transactional
def delete_account(user: User, password: str) -> None:
    """Delete `user`'s account and personal data (see the module docstring) once they confirm
    with their password; refused while they are the only owner of a firm."""
    authorize(user, "account.delete")
    if not check_password_hash(user.password_hash, password or ""):
        message = _("The password is not correct.")
        raise ValidationError(message, errors={"password": [message]})
    only_owned = firms_only_owned_by(user)
    if only_owned:
        raise ValidationError(
            _(
                "You are the only owner of %(firms)s. A listing must keep an owner: invite a "
                "colleague to it, then ask Sở Công Thương (see Contact) to make them its owner, "
                "or to archive the listing. Then you can delete your account.",
                firms=", ".join(firm.display_name for firm in only_owned),
            )
        )
    _forget_in_audit_trail(user)
    _delete_own_records(user)
    _empty_account(user)
    event = record(None, "user.delete", "user", user.id)
    event.ip = None


def _delete_own_records(user: User) -> None:
    searches = sa.select(SavedSearch.id).where(SavedSearch.owner_id == user.id)
    # Event registrations go too; a seat they held goes to the first on the waiting list.
    seats_freed = db.session.scalars(
        sa.select(EventRegistration.event_id).where(
            EventRegistration.user_id == user.id,
            EventRegistration.status == RegistrationStatus.CONFIRMED,
        )
    ).all()
    for statement in (
        sa.delete(AlertDelivery).where(AlertDelivery.saved_search_id.in_(searches)),
        sa.delete(SavedSearch).where(SavedSearch.owner_id == user.id),
        sa.delete(FirmMember).where(FirmMember.user_id == user.id),
        sa.delete(FirmClaim).where(FirmClaim.user_id == user.id),
        sa.delete(FirmInvitation).where(FirmInvitation.email == user.email),
        sa.delete(InvestorProfile).where(InvestorProfile.user_id == user.id),
        sa.delete(IntroductionRequest).where(IntroductionRequest.investor_id == user.id),
        sa.delete(ApiToken).where(ApiToken.user_id == user.id),
        sa.delete(EventRegistration).where(EventRegistration.user_id == user.id),
    ):
        db.session.execute(statement, execution_options={"synchronize_session": False})
    for shortlist in db.session.scalars(sa.select(Shortlist).where(Shortlist.owner_id == user.id)):
        db.session.delete(shortlist)  # with its entries and their notes
    db.session.flush()
    db.session.expire_all()  # nothing loaded (a firm's members) still holds a deleted row
    for event_id in seats_freed:
        promote_waiting(db.session.get(Event, event_id))


def _forget_in_audit_trail(user: User) -> None:
    """Events keep what was done and when; the person's name, e-mail and network address go."""
    mentions = [
        sa.cast(column, sa.Text).contains(user.email, autoescape=True)
        for column in (AuditEvent.before, AuditEvent.after)
    ]
    events = db.session.scalars(
        sa.select(AuditEvent).where(
            sa.or_(
                AuditEvent.actor_id == user.id,
                sa.and_(AuditEvent.entity_kind == "user", AuditEvent.entity_id == user.id),
                *mentions,
            )
        )
    )
    personal = {user.email.casefold(), user.name.casefold()}
    for event in events:
        # An event about the account itself may hold earlier names and addresses too, and its
        # network address is the person's even when nobody was signed in (signing up).
        about_account = event.entity_kind == "user" and event.entity_id == user.id
        if about_account or event.actor_id == user.id:
            event.ip = None
        event.before = _without(event.before, personal, about_account)
        event.after = _without(event.after, personal, about_account)


def _without(value, personal: set[str], about_account: bool, key: str | None = None):
    """`value` (audit JSON) with every string that is one of `personal` replaced, and, in an
    event about the account, every name and e-mail address."""
    if isinstance(value, dict):
        return {k: _without(item, personal, about_account, k) for k, item in value.items()}
    if isinstance(value, list):
        return [_without(item, personal, about_account) for item in value]
    if isinstance(value, str) and (
        value.casefold() in personal or (about_account and key in ("name", "email"))
    ):
        return REMOVED
    return value


def _empty_account(user: User) -> None:
    user.name = REMOVED
    # Not an address anyone can sign up with (see EMAIL_SHAPE): never taken, never mailed.
    user.email = f"deleted-{user.id}@invalid"
    user.password_hash = "!"  # matches no password
    user.active = False
    user.email_verified_at = None
    user.last_login_at = None
    user.session_token = new_session_token()  # ends every session
