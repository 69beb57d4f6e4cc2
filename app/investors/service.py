"""The investor's own records: profile and recommendations, shortlists with private notes, and
saved searches. Every function checks that the actor is an investor and owns what it touches;
someone else's list or search is reported as not found.

Deleting a list or a saved search only marks it deleted: its owner can restore it, notes and
alert setting included, for RESTORE_DAYS; `flask alerts purge-deleted` (daily, from cron)
removes it for good after that, and so does making room for a new one at the limit."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app import audit
from app.authorization import authorize
from app.catalogue.service import catalogue_tree
from app.domain.places import is_ward
from app.domain.text import nfc
from app.errors import NotFound, ValidationError
from app.extensions import db
from app.firms.service import PUBLISHED
from app.matching.engine import ELIGIBLE, InvestorInterests, Match
from app.matching.service import match_investor
from app.models import (
    AlertDelivery,
    AlertFrequency,
    Firm,
    InvestmentType,
    InvestorProfile,
    InvestorType,
    SavedSearch,
    Shortlist,
    ShortlistEntry,
    User,
)
from app.models.base import by_name, utcnow
from app.places.service import public_zones
from app.rules import Problems
from app.transaction import flush, transactional

# What one investor may keep: every list is exported and every saved search may be mailed daily,
# so an account must not be able to grow either without bound.
MAX_SHORTLISTS = 50
MAX_FIRMS_PER_SHORTLIST = 500
MAX_SAVED_SEARCHES = 25
RESTORE_DAYS = 30

PROFILE_FIELDS = (
    "organisation",
    "investor_type",
    "ticket_min_vnd",
    "ticket_max_vnd",
    "groups",
    "investment_types",
    "wards",
    "zones",
    "description",
)


def _clean(text: str | None, limit: int) -> str:
    return nfc(text or "").strip()[:limit]


OwnRecord = Shortlist | SavedSearch


def _count(model: type[OwnRecord], owner: User) -> int:
    """The owner's lists (or searches), the deleted ones not yet purged included."""
    return db.session.scalar(sa.select(sa.func.count()).where(model.owner_id == owner.id))


def _restorable_since(now: datetime | None = None) -> datetime:
    return (now or utcnow()) - timedelta(days=RESTORE_DAYS)


def _purge(records: list[OwnRecord]) -> None:
    """Remove deleted lists or searches for good (and, for a search, its alert history)."""
    searches = [r.id for r in records if isinstance(r, SavedSearch)]
    if searches:
        db.session.execute(
            sa.delete(AlertDelivery).where(AlertDelivery.saved_search_id.in_(searches))
        )
    for record in records:
        db.session.delete(record)
    db.session.flush()


def _make_room(model: type[OwnRecord], actor: User, name: str, limit: int, full: str) -> None:
    """Before a new list or search: purge the owner's deleted ones whose time is up (or the
    oldest deleted one, to stay within `limit`); refuse a name a restorable one still holds."""
    deleted = list(
        db.session.scalars(
            sa.select(model)
            .where(model.owner_id == actor.id, model.deleted_at.is_not(None))
            .order_by(model.deleted_at)
        )
    )
    expired = [r for r in deleted if r.deleted_at < _restorable_since()]
    kept = [r for r in deleted if r not in expired]
    if _count(model, actor) - len(expired) >= limit and kept:
        expired.append(kept.pop(0))
    _purge(expired)
    if _count(model, actor) >= limit:
        raise ValidationError(full, {"name": full})
    if any(r.name == name for r in kept):
        message = _("Something you deleted recently has this name: restore it, or choose another.")
        raise ValidationError(message, {"name": message})


# Profile and recommendations -------------------------------------------------------------------


def get_profile(actor: User) -> InvestorProfile | None:
    authorize(actor, "investor.workspace")
    return db.session.scalar(sa.select(InvestorProfile).where(InvestorProfile.user_id == actor.id))


def _profile_data(profile: InvestorProfile) -> dict:
    return {name: getattr(profile, name) for name in PROFILE_FIELDS}


def _validate_profile(data: dict) -> dict:
    problems = Problems()
    clean = {
        "organisation": _clean(data.get("organisation"), 200),
        "investor_type": data.get("investor_type"),
        "ticket_min_vnd": data.get("ticket_min_vnd"),
        "ticket_max_vnd": data.get("ticket_max_vnd"),
        "groups": sorted(set(data.get("groups") or [])),
        "investment_types": sorted(set(data.get("investment_types") or [])),
        "wards": sorted({int(w) for w in data.get("wards") or []}),
        "zones": sorted({int(z) for z in data.get("zones") or []}),
        "description": _clean(data.get("description"), 2000) or None,
    }
    if not clean["organisation"]:
        problems.add("organisation", _("Enter the name of your organisation."))
    if clean["investor_type"] not in {t.value for t in InvestorType}:
        problems.add("investor_type", _("Choose what kind of investor you are."))
    problems.amount_range(
        "ticket_min_vnd", clean["ticket_min_vnd"], "ticket_max_vnd", clean["ticket_max_vnd"]
    )
    groups = {g.code for g in catalogue_tree().groups}
    if not set(clean["groups"]) <= groups:
        problems.add("groups", _("Choose catalogue groups from the list."))
    if not set(clean["investment_types"]) <= {t.value for t in InvestmentType}:
        problems.add("investment_types", _("Choose kinds of investment from the list."))
    if not all(is_ward(w) for w in clean["wards"]):
        problems.add("wards", _("Choose wards and communes from the list."))
    if not set(clean["zones"]) <= {zone.id for zone in public_zones()}:
        problems.add("zones", _("Choose zones and clusters from the list."))
    problems.refuse()
    return clean


@transactional
def save_profile(actor: User, data: dict) -> InvestorProfile:
    authorize(actor, "investor.workspace")
    clean = _validate_profile(data)
    profile = get_profile(actor)
    before = _profile_data(profile) if profile else {}
    if profile is None:
        profile = InvestorProfile(user_id=actor.id)
        db.session.add(profile)
    for name, value in clean.items():
        setattr(profile, name, value)
    db.session.flush()
    changed_before, changed_after = audit.changed_fields(before, clean)
    audit.record(
        actor,
        "investor_profile.save",
        "investor_profile",
        profile.id,
        changed_before,
        changed_after,
    )
    return profile


def investor_interests(profile: InvestorProfile) -> InvestorInterests:
    tree = catalogue_tree()
    names = [tree.by_code[code].name_vi for code in profile.groups if code in tree.by_code]
    terms = (*names, profile.description or "")
    return InvestorInterests(
        groups=frozenset(profile.groups),
        investment_types=frozenset(profile.investment_types),
        wards=frozenset(profile.wards),
        zones=frozenset(profile.zones),
        ticket_min=profile.ticket_min_vnd,
        ticket_max=profile.ticket_max_vnd,
        text_terms=tuple(t for t in terms if t),
    )


def recommended_firms(actor: User, limit: int = 30) -> tuple[list[Match], int, dict[int, Firm]]:
    """The best-fitting published firms for the investor's profile (eligible ones only), how
    many others did not fit, and the firms behind the matches shown."""
    profile = get_profile(actor)
    if profile is None:
        raise NotFound()
    matches = match_investor(investor_interests(profile))
    fitting = [m for m in matches if m.section == ELIGIBLE]
    shown = fitting[:limit]
    firms = {
        f.id: f
        for f in db.session.scalars(
            sa.select(Firm)
            .where(PUBLISHED, Firm.id.in_([m.id for m in shown]))
            .options(selectinload(Firm.catalogue_links), selectinload(Firm.zone))
        )
    }
    return [m for m in shown if m.id in firms], len(matches) - len(fitting), firms


# Shortlists ----------------------------------------------------------------------------------


def my_shortlists(actor: User) -> list[Shortlist]:
    authorize(actor, "investor.workspace")
    return list(
        db.session.scalars(
            sa.select(Shortlist)
            .where(Shortlist.owner_id == actor.id, Shortlist.deleted_at.is_(None))
            .options(selectinload(Shortlist.entries))
            .order_by(by_name(Shortlist.name))
        )
    )


def get_my_shortlist(actor: User, shortlist_id: int) -> Shortlist:
    authorize(actor, "investor.workspace")
    shortlist = db.session.scalar(
        sa.select(Shortlist)
        .where(Shortlist.id == shortlist_id, Shortlist.deleted_at.is_(None))
        .options(
            selectinload(Shortlist.entries)
            .selectinload(ShortlistEntry.firm)
            .selectinload(Firm.catalogue_links),
            selectinload(Shortlist.entries)
            .selectinload(ShortlistEntry.firm)
            .selectinload(Firm.zone),
        )
    )
    if shortlist is None:
        raise NotFound()
    authorize(actor, "shortlist.manage", shortlist)
    return shortlist


def _published_firm(firm_id: int) -> Firm:
    firm = db.session.scalar(sa.select(Firm).where(Firm.id == firm_id, PUBLISHED))
    if firm is None:
        raise NotFound()
    return firm


def _new_shortlist(actor: User, name: str) -> Shortlist:
    name = _clean(name, 120)
    if not name:
        raise ValidationError(_("Give the list a name."), {"name": _("Give the list a name.")})
    full = _(
        "You can keep up to %(max)s lists. Delete one you no longer need first.",
        max=MAX_SHORTLISTS,
    )
    _make_room(Shortlist, actor, name, MAX_SHORTLISTS, full)
    shortlist = Shortlist(owner_id=actor.id, name=name)
    db.session.add(shortlist)
    message = _("You already have a list with this name.")
    flush(duplicate=ValidationError(message, {"name": message}))
    return shortlist


@transactional
def create_shortlist(actor: User, name: str) -> Shortlist:
    authorize(actor, "investor.workspace")
    shortlist = _new_shortlist(actor, name)
    audit.record(
        actor, "shortlist.create", "shortlist", shortlist.id, after={"name": shortlist.name}
    )
    return shortlist


@transactional
def delete_shortlist(actor: User, shortlist_id: int) -> Shortlist:
    """Mark the list deleted; its owner may restore it for RESTORE_DAYS."""
    shortlist = get_my_shortlist(actor, shortlist_id)
    shortlist.deleted_at = utcnow()
    audit.record(
        actor, "shortlist.delete", "shortlist", shortlist.id, before={"name": shortlist.name}
    )
    return shortlist


def recently_deleted(actor: User, model: type[OwnRecord]) -> list[OwnRecord]:
    """The actor's deleted lists (or saved searches) that can still be restored, latest first."""
    authorize(actor, "investor.workspace")
    query = sa.select(model).where(
        model.owner_id == actor.id, model.deleted_at >= _restorable_since()
    )
    if model is Shortlist:
        query = query.options(selectinload(Shortlist.entries))
    return list(db.session.scalars(query.order_by(model.deleted_at.desc(), model.id)))


def _restore(actor: User, model: type[OwnRecord], record_id: int, action: str) -> OwnRecord:
    authorize(actor, "investor.workspace")
    record = db.session.scalar(
        sa.select(model).where(model.id == record_id, model.deleted_at >= _restorable_since())
    )
    if record is None:
        raise NotFound()
    authorize(actor, action, record)
    record.deleted_at = None
    return record


@transactional
def restore_shortlist(actor: User, shortlist_id: int) -> Shortlist:
    """Bring a deleted list back, with its firms and notes."""
    shortlist = _restore(actor, Shortlist, shortlist_id, "shortlist.manage")
    audit.record(
        actor, "shortlist.restore", "shortlist", shortlist.id, after={"name": shortlist.name}
    )
    return shortlist


@transactional
def add_to_shortlist(
    actor: User, firm_id: int, shortlist_id: int | None = None, new_name: str = ""
) -> Shortlist:
    """Put a published firm on one of the actor's lists, or on a new list named `new_name`."""
    authorize(actor, "investor.workspace")
    firm = _published_firm(firm_id)
    if _clean(new_name, 120):
        shortlist = _new_shortlist(actor, new_name)
    elif shortlist_id is not None:
        shortlist = get_my_shortlist(actor, shortlist_id)
    else:
        raise ValidationError(_("Choose a list or name a new one."))
    already = ValidationError(_("This firm is already on that list."))
    if any(entry.firm_id == firm.id for entry in shortlist.entries):
        raise already
    if len(shortlist.entries) >= MAX_FIRMS_PER_SHORTLIST:
        raise ValidationError(
            _(
                "A list can hold up to %(max)s firms. Remove some or start another list.",
                max=MAX_FIRMS_PER_SHORTLIST,
            )
        )
    shortlist.entries.append(ShortlistEntry(firm_id=firm.id))
    shortlist.updated_at = utcnow()
    flush(duplicate=already)  # added from another tab at the same moment
    audit.record(actor, "shortlist.add", "shortlist", shortlist.id, after={"firm": firm.id})
    return shortlist


def _entry(shortlist: Shortlist, firm_id: int) -> ShortlistEntry:
    entry = next((e for e in shortlist.entries if e.firm_id == firm_id), None)
    if entry is None:
        raise NotFound()
    return entry


@transactional
def remove_from_shortlist(actor: User, shortlist_id: int, firm_id: int) -> Shortlist:
    shortlist = get_my_shortlist(actor, shortlist_id)
    shortlist.entries.remove(_entry(shortlist, firm_id))
    audit.record(actor, "shortlist.remove", "shortlist", shortlist.id, before={"firm": firm_id})
    return shortlist


@transactional
def save_note(actor: User, shortlist_id: int, firm_id: int, note: str) -> ShortlistEntry:
    shortlist = get_my_shortlist(actor, shortlist_id)
    entry = _entry(shortlist, firm_id)
    # The note is private: the audit trail records that it changed, not what it says.
    entry.note = _clean(note, 2000) or None
    audit.record(actor, "shortlist.note", "shortlist", shortlist.id, after={"firm": firm_id})
    return entry


# Saved searches ------------------------------------------------------------------------------


def my_saved_searches(actor: User) -> list[SavedSearch]:
    authorize(actor, "investor.workspace")
    return list(
        db.session.scalars(
            sa.select(SavedSearch)
            .where(SavedSearch.owner_id == actor.id, SavedSearch.deleted_at.is_(None))
            .order_by(by_name(SavedSearch.name))
        )
    )


def get_my_saved_search(actor: User, search_id: int) -> SavedSearch:
    authorize(actor, "investor.workspace")
    search = db.session.get(SavedSearch, search_id)
    if search is None or search.deleted_at is not None:
        raise NotFound()
    authorize(actor, "saved_search.manage", search)
    return search


def _frequency(value: str) -> AlertFrequency:
    if value not in {f.value for f in AlertFrequency}:
        raise ValidationError(_("Choose how often to send alerts."))
    return AlertFrequency(value)


def _set_frequency(actor: User, search: SavedSearch, frequency: AlertFrequency) -> None:
    """Alerts turned on report what changes from now on (not everything already listed)."""
    if frequency != AlertFrequency.OFF:
        authorize(actor, "investor.alerts")
    if frequency != AlertFrequency.OFF and search.frequency in (None, AlertFrequency.OFF):
        search.alerts_since = utcnow()
        search.last_sent_at = None
    search.frequency = frequency


@transactional
def save_search(actor: User, name: str, args: dict[str, list[str]], frequency: str) -> SavedSearch:
    authorize(actor, "investor.workspace")
    name = _clean(name, 120)
    if not name:
        raise ValidationError(_("Give the search a name."), {"name": _("Give the search a name.")})
    full = _(
        "You can keep up to %(max)s saved searches. Delete one you no longer need first.",
        max=MAX_SAVED_SEARCHES,
    )
    _make_room(SavedSearch, actor, name, MAX_SAVED_SEARCHES, full)
    search = SavedSearch(owner_id=actor.id, name=name, args=args, frequency=AlertFrequency.OFF)
    _set_frequency(actor, search, _frequency(frequency))
    db.session.add(search)
    message = _("You already have a saved search with this name.")
    flush(duplicate=ValidationError(message, {"name": message}))
    audit.record(
        actor,
        "saved_search.create",
        "saved_search",
        search.id,
        after={"name": name, "args": args, "frequency": str(search.frequency)},
    )
    return search


@transactional
def set_alert_frequency(actor: User, search_id: int, frequency: str) -> SavedSearch:
    search = get_my_saved_search(actor, search_id)
    before = str(search.frequency)
    _set_frequency(actor, search, _frequency(frequency))
    audit.record(
        actor,
        "saved_search.alerts",
        "saved_search",
        search.id,
        before={"frequency": before},
        after={"frequency": str(search.frequency)},
    )
    return search


@transactional
def delete_saved_search(actor: User, search_id: int) -> SavedSearch:
    """Mark the search deleted (no alerts go out for it); restorable for RESTORE_DAYS."""
    search = get_my_saved_search(actor, search_id)
    search.deleted_at = utcnow()
    audit.record(
        actor, "saved_search.delete", "saved_search", search.id, before={"name": search.name}
    )
    return search


@transactional
def restore_saved_search(actor: User, search_id: int) -> SavedSearch:
    """Bring a deleted search back; its alerts report what changes from now on."""
    search = _restore(actor, SavedSearch, search_id, "saved_search.manage")
    if search.frequency != AlertFrequency.OFF:
        search.alerts_since, search.last_sent_at = utcnow(), None
    audit.record(
        actor, "saved_search.restore", "saved_search", search.id, after={"name": search.name}
    )
    return search


@transactional
def purge_deleted(now: datetime | None = None) -> int:
    """Remove for good every list and saved search deleted more than RESTORE_DAYS ago."""
    expired = [
        record
        for model in (Shortlist, SavedSearch)
        for record in db.session.scalars(
            sa.select(model).where(model.deleted_at < _restorable_since(now))
        )
    ]
    _purge(expired)
    return len(expired)
