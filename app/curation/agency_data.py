"""Agencies' own reference data: support programmes and zones, created, edited, published,
unpublished, archived and restored by the agency's curators (administrators manage all).

Edits carry the `updated_at` the curator saw (`edit_token`); the write first claims the row
with a compare-and-set on it, so of two concurrent saves the second is refused (Conflict).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app import audit
from app.authorization import authorize
from app.curation.permissions import is_admin
from app.curation.service import clean_reason
from app.domain.firm_size import SizeClass
from app.domain.places import is_ward
from app.domain.text import nfc, slugify
from app.errors import Conflict, NotFound, ValidationError
from app.extensions import db
from app.models import (
    Agency,
    CatalogueItem,
    GeographicScope,
    Programme,
    SupportType,
    User,
    Zone,
    ZoneKind,
    ZoneStatus,
)
from app.models.base import utcnow
from app.transaction import transactional

PROGRAMME_FIELDS = (
    "title_vi",
    "title_en",
    "basis_document",
    "basis_date",
    "summary_vi",
    "summary_en",
    "description_vi",
    "description_en",
    "support_types",
    "eligible_size_classes",
    "geographic_scope",
    "eligible_ward_codes",
    "min_firm_age_years",
    "max_firm_age_years",
    "other_conditions_vi",
    "other_conditions_en",
    "max_amount_vnd",
    "cofinancing_pct",
    "opens_on",
    "closes_on",
    "rolling",
    "contact",
    "official_url",
)
ZONE_FIELDS = (
    "name_vi",
    "name_en",
    "kind",
    "parent_id",
    "ward_code",
    "area_ha",
    "occupancy_pct",
    "status",
    "wastewater_capacity_m3_day",
    "description_vi",
    "description_en",
    "incentives_vi",
    "incentives_en",
    "latitude",
    "longitude",
    "contact",
)


def _error(errors: dict, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _clean(data: dict, names) -> dict:
    """NFC-normalised, stripped strings; blanks become None."""
    cleaned = {}
    for name in names:
        value = data.get(name)
        if isinstance(value, str):
            value = nfc(value).strip() or None
        cleaned[name] = value
    return cleaned


def _existing_ids(model, ids) -> set[int]:
    ids = set(ids or [])
    if not ids:
        return set()
    return set(db.session.scalars(sa.select(model.id).where(model.id.in_(ids))))


def _validate_programme(data: dict) -> dict:
    errors: dict = {}
    if not data["title_vi"]:
        _error(errors, "title_vi", _("Enter the title in Vietnamese."))
    if not set(data["support_types"] or []) <= {s.value for s in SupportType}:
        _error(errors, "support_types", _("Choose support types from the list."))
    if not set(data["eligible_size_classes"] or []) <= {s.value for s in SizeClass}:
        _error(errors, "eligible_size_classes", _("Choose size classes from the list."))
    if data["geographic_scope"] not in {s.value for s in GeographicScope}:
        _error(errors, "geographic_scope", _("Choose a geographic scope."))
    if not all(is_ward(code) for code in data["eligible_ward_codes"] or []):
        _error(errors, "eligible_ward_codes", _("Choose wards and communes from the list."))
    if data["geographic_scope"] == GeographicScope.WARDS and not data["eligible_ward_codes"]:
        _error(errors, "eligible_ward_codes", _("Choose at least one ward or commune."))
    if data["geographic_scope"] == GeographicScope.ZONES and not data["zone_ids"]:
        _error(errors, "zone_ids", _("Choose at least one zone or cluster."))
    if _existing_ids(Zone, data["zone_ids"]) != set(data["zone_ids"] or []):
        _error(errors, "zone_ids", _("Choose zones from the list."))
    items = set(data["target_item_ids"] or [])
    if _existing_ids(CatalogueItem, items) != items:
        _error(errors, "target_item_ids", _("Choose catalogue entries from the list."))
    low, high = data["min_firm_age_years"], data["max_firm_age_years"]
    for name, value in (("min_firm_age_years", low), ("max_firm_age_years", high)):
        if value is not None and not 0 <= value <= 200:
            _error(errors, name, _("Enter a number of years between 0 and 200."))
    if low is not None and high is not None and low > high:
        _error(errors, "max_firm_age_years", _("The maximum age must not be below the minimum."))
    if data["max_amount_vnd"] is not None and data["max_amount_vnd"] < 0:
        _error(errors, "max_amount_vnd", _("The amount cannot be negative."))
    pct = data["cofinancing_pct"]
    if pct is not None and not 0 <= pct <= 100:
        _error(errors, "cofinancing_pct", _("Enter a percentage between 0 and 100."))
    opens, closes = data["opens_on"], data["closes_on"]
    if opens and closes and closes < opens:
        _error(errors, "closes_on", _("The closing date must not be before the opening date."))
    if data["rolling"] and closes:
        _error(errors, "closes_on", _("A rolling programme has no closing date."))
    url = data["official_url"]
    if url and not url.startswith(("https://", "http://")):
        _error(errors, "official_url", _("Enter a web address starting with https://."))
    return errors


def _validate_zone(data: dict, zone: Zone | None) -> dict:
    errors: dict = {}
    if not data["name_vi"]:
        _error(errors, "name_vi", _("Enter the name in Vietnamese."))
    if data["kind"] not in {k.value for k in ZoneKind}:
        _error(errors, "kind", _("Choose a kind of zone."))
    if data["status"] not in {s.value for s in ZoneStatus}:
        _error(errors, "status", _("Choose a status."))
    if data["ward_code"] is not None and not is_ward(data["ward_code"]):
        _error(errors, "ward_code", _("Choose a ward or commune from the list."))
    parent_id = data["parent_id"]
    if parent_id is not None:
        parent = db.session.get(Zone, parent_id)
        ancestor, seen = parent, set()
        while ancestor is not None and ancestor.id not in seen:
            if zone is not None and ancestor.id == zone.id:
                _error(errors, "parent_id", _("A zone cannot lie inside itself."))
                break
            seen.add(ancestor.id)
            ancestor = ancestor.parent
        if parent is None:
            _error(errors, "parent_id", _("Choose a zone from the list."))
    checks = (
        ("occupancy_pct", 0, 100, _("Enter a percentage between 0 and 100.")),
        ("area_ha", 0, None, _("The area cannot be negative.")),
        ("wastewater_capacity_m3_day", 0, None, _("The capacity cannot be negative.")),
        ("latitude", -90, 90, _("Enter a latitude between -90 and 90.")),
        ("longitude", -180, 180, _("Enter a longitude between -180 and 180.")),
    )
    for name, low, high, message in checks:
        value = data[name]
        if value is not None and (value < low or (high is not None and value > high)):
            _error(errors, name, message)
    items = set(data["priority_item_ids"] or [])
    if _existing_ids(CatalogueItem, items) != items:
        _error(errors, "priority_item_ids", _("Choose catalogue entries from the list."))
    return errors


@dataclass(frozen=True)
class _Kind:
    """What differs between programmes and zones; the workflow is the same."""

    name: str
    model: type
    fields: tuple[str, ...]
    relations: dict[str, tuple[str, type]]  # data key → (relationship, related model)
    agency_attr: str
    title_attr: str
    validate: Callable[[dict, object | None], dict]


PROGRAMME = _Kind(
    "programme",
    Programme,
    PROGRAMME_FIELDS,
    {"target_item_ids": ("target_items", CatalogueItem), "zone_ids": ("zones", Zone)},
    "agency_id",
    "title_vi",
    lambda data, _obj: _validate_programme(data),
)
ZONE = _Kind(
    "zone",
    Zone,
    ZONE_FIELDS,
    {"priority_item_ids": ("priority_items", CatalogueItem)},
    "managing_agency_id",
    "name_vi",
    _validate_zone,
)


def edit_token(record: Programme | Zone) -> str:
    """The version of the record a form was filled in from."""
    return record.updated_at.isoformat()


def _plain(value):
    if isinstance(value, date | datetime):
        return value.isoformat()
    if hasattr(value, "_value_"):
        return str(value)
    return value


def _state(kind: _Kind, record) -> dict:
    state = {name: _plain(getattr(record, name)) for name in kind.fields}
    for key, (relationship, _model) in kind.relations.items():
        state[key] = sorted(obj.id for obj in getattr(record, relationship))
    state[kind.agency_attr] = getattr(record, kind.agency_attr)
    state["published_at"] = _plain(record.published_at)
    state["archived"] = record.archived
    return state


def _get(kind: _Kind, actor: User | None, record_id: int):
    """The record if the actor may manage it; 404 for what they may not even see."""
    record = db.session.get(kind.model, record_id)
    if record is None:
        raise NotFound()
    authorize(actor, f"{kind.name}.manage", record)
    return record


def _agency_for(actor: User, data: dict, errors: dict) -> int | None:
    """Curators work for their own agency; administrators choose one."""
    if not is_admin(actor):
        return actor.agency_id
    agency_id = data.get("agency_id")
    if agency_id is None or db.session.get(Agency, agency_id) is None:
        _error(errors, "agency_id", _("Choose an agency."))
        return None
    return agency_id


def _unique_slug(model, text: str) -> str:
    base = slugify(text)
    taken = set(
        db.session.scalars(
            sa.select(model.slug).where(
                sa.or_(model.slug == base, model.slug.startswith(f"{base}-", autoescape=True))
            )
        )
    )
    slug, counter = base, 2
    while slug in taken:
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


def _prepare(kind: _Kind, data: dict, record) -> dict:
    cleaned = _clean(data, kind.fields)
    for key in kind.relations:
        cleaned[key] = list(data.get(key) or [])
    errors = kind.validate(cleaned, record)
    if errors:
        raise ValidationError(_("Please correct the marked fields."), errors=errors)
    return cleaned


def _assign(kind: _Kind, record, data: dict) -> None:
    for name in kind.fields:
        setattr(record, name, data[name])
    for key, (relationship, model) in kind.relations.items():
        ids = data[key]
        related = db.session.scalars(sa.select(model).where(model.id.in_(ids))).all() if ids else []
        setattr(record, relationship, list(related))


def _claim(kind: _Kind, record, token: str | None) -> None:
    """Compare-and-set on updated_at: only one of two concurrent writers gets the row."""
    try:
        seen = datetime.fromisoformat(token or "")
    except ValueError:
        seen = None
    conflict = Conflict(
        _(
            "Someone else saved this record after you opened it. Your changes were not saved; "
            "they are still in the form below. Open the current version to compare, then save "
            "again to replace it."
        )
    )
    if seen is None or record.updated_at != seen:
        raise conflict
    now = utcnow()
    result = db.session.execute(
        sa.update(kind.model)
        .where(kind.model.id == record.id, kind.model.updated_at == seen)
        .values(updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise conflict
    set_committed_value(record, "updated_at", now)


@transactional
def _create(kind: _Kind, actor: User | None, data: dict):
    authorize(actor, "agency_data.manage")
    errors: dict = {}
    agency_id = _agency_for(actor, data, errors)
    try:
        cleaned = _prepare(kind, data, None)
    except ValidationError as error:
        errors = {**error.errors, **errors}
    if errors:
        raise ValidationError(_("Please correct the marked fields."), errors=errors)
    record = kind.model(slug=_unique_slug(kind.model, cleaned[kind.title_attr]))
    setattr(record, kind.agency_attr, agency_id)
    _assign(kind, record, cleaned)
    db.session.add(record)
    db.session.flush()
    audit.record(actor, f"{kind.name}.create", kind.name, record.id, None, _state(kind, record))
    return record


@transactional
def _update(kind: _Kind, actor: User | None, record_id: int, data: dict, token: str | None):
    record = _get(kind, actor, record_id)
    errors: dict = {}
    agency_id = _agency_for(actor, data, errors)
    try:
        cleaned = _prepare(kind, data, record)
    except ValidationError as error:
        errors = {**error.errors, **errors}
    if errors:
        raise ValidationError(_("Please correct the marked fields."), errors=errors)
    _claim(kind, record, token)
    before = _state(kind, record)
    setattr(record, kind.agency_attr, agency_id)
    _assign(kind, record, cleaned)
    db.session.flush()
    old, new = audit.changed_fields(before, _state(kind, record))
    audit.record(actor, f"{kind.name}.update", kind.name, record.id, old, new)
    return record


@transactional
def _transition(kind, actor, record_id, token, action: str, reason: str | None = None):
    record = _get(kind, actor, record_id)
    text = clean_reason(reason, required=action == "archive")
    _claim(kind, record, token)
    before = _state(kind, record)
    if action == "publish":
        if record.archived:
            raise Conflict(_("Restore the archived record before publishing it."))
        record.published_at = record.published_at or utcnow()
    elif action == "unpublish":
        record.published_at = None
    elif action == "archive":
        record.archived = True
    elif action == "restore":
        record.archived = False
    db.session.flush()
    old, new = audit.changed_fields(before, _state(kind, record))
    audit.record(actor, f"{kind.name}.{action}", kind.name, record.id, old, new, text)
    return record


TRANSITIONS = ("publish", "unpublish", "archive", "restore")


# Programmes -----------------------------------------------------------------------------------


def list_programmes(actor: User | None) -> list[Programme]:
    """The programmes the actor manages: their agency's, or all for administrators."""
    authorize(actor, "agency_data.manage")
    query = sa.select(Programme).options(selectinload(Programme.agency))
    if not is_admin(actor):
        query = query.where(Programme.agency_id == actor.agency_id)
    return list(db.session.scalars(query.order_by(Programme.archived, Programme.title_vi)))


def get_programme_for_edit(actor: User | None, programme_id: int) -> Programme:
    return _get(PROGRAMME, actor, programme_id)


def create_programme(actor: User | None, data: dict) -> Programme:
    """`data` holds PROGRAMME_FIELDS, target_item_ids, zone_ids and (administrators) agency_id."""
    return _create(PROGRAMME, actor, data)


def update_programme(actor: User | None, programme_id: int, data: dict, token: str | None):
    return _update(PROGRAMME, actor, programme_id, data, token)


def change_programme_state(
    actor: User | None, programme_id: int, action: str, token: str | None, reason: str | None
) -> Programme:
    """publish / unpublish / archive (reason required) / restore."""
    if action not in TRANSITIONS:
        raise NotFound()
    return _transition(PROGRAMME, actor, programme_id, token, action, reason)


# Zones ----------------------------------------------------------------------------------------


def list_zones(actor: User | None) -> list[Zone]:
    """The zones the actor's agency manages, or all for administrators."""
    authorize(actor, "agency_data.manage")
    query = sa.select(Zone).options(selectinload(Zone.managing_agency))
    if not is_admin(actor):
        query = query.where(Zone.managing_agency_id == actor.agency_id)
    return list(db.session.scalars(query.order_by(Zone.archived, Zone.name_vi)))


def get_zone_for_edit(actor: User | None, zone_id: int) -> Zone:
    return _get(ZONE, actor, zone_id)


def create_zone(actor: User | None, data: dict) -> Zone:
    """`data` holds ZONE_FIELDS, priority_item_ids and (administrators) agency_id."""
    return _create(ZONE, actor, data)


def update_zone(actor: User | None, zone_id: int, data: dict, token: str | None) -> Zone:
    return _update(ZONE, actor, zone_id, data, token)


def change_zone_state(
    actor: User | None, zone_id: int, action: str, token: str | None, reason: str | None
) -> Zone:
    if action not in TRANSITIONS:
        raise NotFound()
    return _transition(ZONE, actor, zone_id, token, action, reason)
