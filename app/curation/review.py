"""What every review decision shares: the reason a curator gives, the listing taken at the version
the curator saw (a listing changed meanwhile is refused with a Conflict, never overwritten), the
status a decision needs, and the audit event of a listing's review state.

Every decision (in `listings.py`, `revisions.py`, `claims.py`) authorizes, checks, changes the
models, writes an audit event and queues mail, in one unit of work."""

from datetime import datetime

from flask_babel import gettext as _

from app import audit
from app.domain.text import nfc
from app.errors import Conflict, NotFound, ValidationError
from app.extensions import db
from app.firms import data as firm_data
from app.labels import label
from app.models import (
    Firm,
    FirmStatus,
    ReviewState,
)

REASON_MAX = 4000


def clean_reason(reason: str | None, required: bool) -> str | None:
    text = nfc(reason).strip()
    if required and not text:
        raise ValidationError(_("Give a reason."), errors={"reason": [_("Give a reason.")]})
    if len(text) > REASON_MAX:
        message = _("Keep the reason under %(max)s characters.", max=REASON_MAX)
        raise ValidationError(message, errors={"reason": [message]})
    return text or None


def iso(value):
    return value.isoformat() if isinstance(value, datetime) else value


def review_state(firm: Firm) -> dict:
    return {
        "status": str(firm.status),
        "review_reason": firm.review_reason,
        "review_failed_checks": list(firm.review_failed_checks or []),
        "published_at": iso(firm.published_at),
        "verified_at": iso(firm.verified_at),
    }


def record_firm_change(actor, action: str, firm: Firm, before: dict, reason=None, extra=None):
    old, new = audit.changed_fields(before, review_state(firm))
    audit.record(actor, action, "firm", firm.id, old, {**new, **(extra or {})}, reason)


def firm_for_update(firm_id: int) -> Firm:
    firm = db.session.get(Firm, firm_id)
    if firm is None:
        raise NotFound()
    return firm


def claim_listing(firm: Firm, version: int | None, public: bool = True) -> None:
    """Take the listing for a decision made on the version the curator saw."""
    stale = Conflict(
        _(
            "This listing was changed by someone else after you opened it. Nothing was "
            "saved: check its current state below and decide again."
        )
    )
    firm_data.claim(firm, version, stale, public)


def require_status(firm: Firm, *statuses: FirmStatus) -> None:
    if firm.status not in statuses:
        raise Conflict(
            _(
                "This action is not possible while the listing is “%(status)s”.",
                status=label(firm.status),
            )
        )


def state_label(state: ReviewState) -> str:
    return {
        ReviewState.PENDING: _("pending"),
        ReviewState.APPROVED: _("approved"),
        ReviewState.REJECTED: _("rejected"),
        ReviewState.WITHDRAWN: _("withdrawn"),
    }[state]
