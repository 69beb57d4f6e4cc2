"""Agencies' own reference data: support programmes and zones, created, edited, published,
unpublished, archived, restored and marked verified by the agency's curators (administrators
manage all).

`check_programme` and `check_zone` hold every rule of each (once), `apply` writes checked data
and `change_state` publishes, unpublishes, archives or restores; the actions below, imports and
the seed loader all go through them. Edits carry the version of the record the curator saw; a
stale one is a Conflict (`app.transaction.claim`).
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app import audit
from app.authorization import authorize
from app.curation.permissions import is_admin
from app.curation.review import clean_reason
from app.domain.enterprise import EnterpriseType
from app.domain.firm_size import SizeClass
from app.domain.places import is_ward
from app.errors import NotFound, ValidationError
from app.extensions import db
from app.matching.interests import interests_for
from app.models import (
    Agency,
    CatalogueItem,
    Criterion,
    GeographicScope,
    InterestStatus,
    Programme,
    SupportType,
    User,
    Zone,
    ZoneKind,
    ZoneStatus,
)
from app.models.base import by_name, utcnow
from app.rules import (
    PROVENANCE_FIELDS,
    Aggregate,
    Problems,
    check_provenance,
    cleaned_text,
    mark_verified,
    write,
)
from app.slugs import unique_slug
from app.transaction import flush, transactional

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
    "eligible_enterprise_types",
    "eligible_size_classes",
    "geographic_scope",
    "eligible_ward_codes",
    "min_firm_age_years",
    "max_firm_age_years",
    "preferred_criteria",
    "other_conditions_vi",
    "other_conditions_en",
    "max_amount_vnd",
    "cofinancing_pct",
    "opens_on",
    "closes_on",
    "rolling",
    "contact",
    "official_url",
    *PROVENANCE_FIELDS,
)
# What a verification vouches for (with the source): changing one of them unverifies the record.
PROGRAMME_FIGURES = ("max_amount_vnd", "cofinancing_pct", "opens_on", "closes_on", "rolling")
ZONE_FIELDS = (
    "name_vi",
    "name_en",
    "kind",
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
    *PROVENANCE_FIELDS,
)
ZONE_FIGURES = ("area_ha", "occupancy_pct", "wastewater_capacity_m3_day", "status")


LIST_FIELDS = (
    "support_types",
    "eligible_enterprise_types",
    "eligible_size_classes",
    "eligible_ward_codes",
    "preferred_criteria",
)


def programme_data(programme: Programme) -> dict:
    """The programme's data as `check_programme` takes it (and its edit form shows it)."""
    data = {name: getattr(programme, name) for name in PROGRAMME_FIELDS}
    data.update(
        agency_id=programme.agency_id,
        zone_ids=sorted(zone.id for zone in programme.zones),
        target_item_ids=sorted(item.id for item in programme.target_items),
    )
    return data


def zone_data(zone: Zone) -> dict:
    """The zone's data as `check_zone` takes it (and its edit form shows it)."""
    data = {name: getattr(zone, name) for name in ZONE_FIELDS}
    data.update(
        agency_id=zone.managing_agency_id,
        parent_id=zone.parent_id,
        priority_item_ids=sorted(item.id for item in zone.priority_items),
    )
    return data


def check_programme(data: dict, programme: Programme | None = None) -> dict:
    """Every rule of a programme; `data` holds PROGRAMME_FIELDS, agency_id, zone_ids and
    target_item_ids. Returns the cleaned data for `apply`; raises ValidationError."""
    problems = Problems()
    cleaned = cleaned_text(data, PROGRAMME_FIELDS)
    for name in LIST_FIELDS:
        cleaned[name] = list(cleaned[name] or [])
    cleaned["geographic_scope"] = cleaned["geographic_scope"] or GeographicScope.PROVINCE
    cleaned["rolling"] = bool(cleaned["rolling"])
    if not cleaned["title_vi"]:
        problems.add("title_vi", _("Enter the title in Vietnamese."))
    if not set(cleaned["support_types"]) <= {s.value for s in SupportType}:
        problems.add("support_types", _("Choose support types from the list."))
    if not set(cleaned["eligible_size_classes"]) <= {s.value for s in SizeClass}:
        problems.add("eligible_size_classes", _("Choose size classes from the list."))
    if not set(cleaned["eligible_enterprise_types"]) <= {t.value for t in EnterpriseType}:
        problems.add("eligible_enterprise_types", _("Choose types of firm from the list."))
    if not set(cleaned["preferred_criteria"]) <= {c.value for c in Criterion}:
        problems.add("preferred_criteria", _("Choose criteria from the list."))
    scope = cleaned["geographic_scope"]
    if scope not in {s.value for s in GeographicScope}:
        problems.add("geographic_scope", _("Choose a geographic scope."))
    if not all(is_ward(code) for code in cleaned["eligible_ward_codes"]):
        problems.add("eligible_ward_codes", _("Choose wards and communes from the list."))
    if scope == GeographicScope.WARDS and not cleaned["eligible_ward_codes"]:
        problems.add("eligible_ward_codes", _("Choose at least one ward or commune."))
    if scope == GeographicScope.ZONES and not data.get("zone_ids"):
        problems.add("zone_ids", _("Choose at least one zone or cluster."))
    low, high = cleaned["min_firm_age_years"], cleaned["max_firm_age_years"]
    for name, value in (("min_firm_age_years", low), ("max_firm_age_years", high)):
        if value is not None and not 0 <= value <= 200:
            problems.add(name, _("Enter a number of years between 0 and 200."))
    if low is not None and high is not None and low > high:
        problems.add("max_firm_age_years", _("The maximum age must not be below the minimum."))
    if cleaned["max_amount_vnd"] is not None and cleaned["max_amount_vnd"] < 0:
        problems.add("max_amount_vnd", _("The amount cannot be negative."))
    pct = cleaned["cofinancing_pct"]
    if pct is not None and not 0 <= pct <= 100:
        problems.add("cofinancing_pct", _("Enter a percentage between 0 and 100."))
    opens, closes = cleaned["opens_on"], cleaned["closes_on"]
    if opens and closes and closes < opens:
        problems.add("closes_on", _("The closing date must not be before the opening date."))
    if cleaned["rolling"] and closes:
        problems.add("closes_on", _("A rolling programme has no closing date."))
    problems.web_address("official_url", cleaned["official_url"])
    check_provenance(cleaned, programme, PROGRAMME_FIGURES, problems)
    cleaned["agency"] = _agency(data.get("agency_id"), problems, required=True)
    cleaned["zones"] = problems.records(
        "zone_ids", Zone, data.get("zone_ids"), _("Choose zones from the list.")
    )
    cleaned["target_items"] = _catalogue_items("target_item_ids", data, problems)
    problems.refuse()
    return cleaned


def check_zone(data: dict, zone: Zone | None = None) -> dict:
    """Every rule of a zone; `data` holds ZONE_FIELDS, agency_id (the managing agency, which
    may be none), parent_id and priority_item_ids. A zone never lies inside itself, however
    long the chain of parents. Returns the cleaned data for `apply`; raises ValidationError."""
    problems = Problems()
    cleaned = cleaned_text(data, ZONE_FIELDS)
    if not cleaned["name_vi"]:
        problems.add("name_vi", _("Enter the name in Vietnamese."))
    if cleaned["kind"] not in {k.value for k in ZoneKind}:
        problems.add("kind", _("Choose a kind of zone."))
    if cleaned["status"] not in {s.value for s in ZoneStatus}:
        problems.add("status", _("Choose a status."))
    problems.ward("ward_code", cleaned["ward_code"])
    parent = None
    if data.get("parent_id") is not None:
        parent = db.session.get(Zone, data["parent_id"])
        if parent is None:
            problems.add("parent_id", _("Choose a zone from the list."))
        elif zone is not None and _lies_inside(parent, zone):
            problems.add("parent_id", _("A zone cannot lie inside itself."))
    ranges = (
        ("occupancy_pct", 0, 100, _("Enter a percentage between 0 and 100.")),
        ("area_ha", 0, None, _("The area cannot be negative.")),
        ("wastewater_capacity_m3_day", 0, None, _("The capacity cannot be negative.")),
        ("latitude", -90, 90, _("Enter a latitude between -90 and 90.")),
        ("longitude", -180, 180, _("Enter a longitude between -180 and 180.")),
    )
    for name, low, high, message in ranges:
        value = cleaned[name]
        if value is not None and (value < low or (high is not None and value > high)):
            problems.add(name, message)
    check_provenance(cleaned, zone, ZONE_FIGURES, problems)
    cleaned["parent"] = parent
    cleaned["managing_agency"] = _agency(data.get("agency_id"), problems, required=False)
    cleaned["priority_items"] = _catalogue_items("priority_item_ids", data, problems)
    problems.refuse()
    return cleaned


def _lies_inside(parent: Zone, zone: Zone) -> bool:
    """Whether `parent` is `zone` or lies inside it, up the whole chain of parents."""
    ancestor, seen = parent, set()
    while ancestor is not None and ancestor.id not in seen:
        if ancestor.id == zone.id:
            return True
        seen.add(ancestor.id)
        ancestor = ancestor.parent
    return False


def _agency(agency_id: int | None, problems: Problems, required: bool) -> Agency | None:
    agency = db.session.get(Agency, agency_id) if agency_id is not None else None
    if agency is None and (required or agency_id is not None):
        problems.add("agency_id", _("Choose an agency."))
    return agency


def _catalogue_items(field: str, data: dict, problems: Problems) -> list[CatalogueItem]:
    message = _("Choose catalogue entries from the list.")
    return problems.records(field, CatalogueItem, data.get(field), message)


def apply(record: Programme | Zone, cleaned: dict) -> Programme | Zone:
    """Write checked data into a programme or zone (new or saved)."""
    return write(record, cleaned)


def change_state(record: Programme | Zone, action: str) -> None:
    """Publish, unpublish, archive or restore a programme or zone (one of TRANSITIONS)."""
    if action == "publish":
        if record.archived:
            message = _("Restore the archived record before publishing it.")
            raise ValidationError(message, errors={"published": [message]})
        record.published_at = record.published_at or utcnow()
    elif action == "unpublish":
        record.published_at = None
    elif action == "archive":
        record.archived = True
    elif action == "restore":
        record.archived = False
    flush()


TRANSITIONS = ("publish", "unpublish", "archive", "restore")


def _state(data: dict, record: Programme | Zone, agency_attr: str) -> dict:
    """What audit events show: the data, the agency under its column's name, publication and
    who verified it when."""
    state = {name: audit.plain(value) for name, value in data.items() if name != "agency_id"}
    state[agency_attr] = getattr(record, agency_attr)
    state["verified_by_agency_id"] = record.verified_by_agency_id
    state["verified_on"] = audit.plain(record.verified_on)
    state["published_at"] = audit.plain(record.published_at)
    state["archived"] = record.archived
    return state


PROGRAMMES = Aggregate(
    "programme",
    programme_data,
    check_programme,
    apply,
    lambda programme: _state(programme_data(programme), programme, "agency_id"),
)
ZONES = Aggregate(
    "zone",
    zone_data,
    check_zone,
    apply,
    lambda zone: _state(zone_data(zone), zone, "managing_agency_id"),
)


@dataclass(frozen=True)
class _Kind:
    """What differs between programmes and zones; the workflow is the same."""

    aggregate: Aggregate
    model: type
    title_attr: str


PROGRAMME = _Kind(PROGRAMMES, Programme, "title_vi")
ZONE = _Kind(ZONES, Zone, "name_vi")


def choices(actor: User) -> tuple[list[Zone], list[Agency] | None]:
    """What a programme or zone form offers: every zone (a parent, a programme's zones), and
    the agencies to choose from for an administrator (None: a curator's own agency)."""
    zones = list(db.session.scalars(sa.select(Zone).order_by(by_name(Zone.name_vi))))
    if not is_admin(actor):
        return zones, None
    return zones, list(db.session.scalars(sa.select(Agency).order_by(Agency.code)))


def _get(kind: _Kind, actor: User | None, record_id: int):
    """The record if the actor may manage it; 404 for what they may not even see."""
    record = db.session.get(kind.model, record_id)
    if record is None:
        raise NotFound()
    authorize(actor, f"{kind.aggregate.name}.manage", record)
    return record


def _for_agency(actor: User, data: dict) -> dict:
    """Curators work for their own agency; administrators choose one."""
    return data if is_admin(actor) else {**data, "agency_id": actor.agency_id}


@transactional
def _create(kind: _Kind, actor: User | None, data: dict):
    authorize(actor, "agency_data.manage")
    return kind.aggregate.create(
        actor,
        _for_agency(actor, data),
        lambda cleaned: kind.model(slug=unique_slug(kind.model, cleaned[kind.title_attr])),
    )


@transactional
def _update(kind: _Kind, actor: User | None, record_id: int, data: dict, version: int | None):
    """Fields `data` leaves out keep their value."""
    record = _get(kind, actor, record_id)
    return kind.aggregate.edit(actor, record, _for_agency(actor, data), version)


@transactional
def _verify(kind: _Kind, actor: User | None, record_id: int, version: int | None):
    record = _get(kind, actor, record_id)
    authorize(actor, f"{kind.aggregate.name}.verify", record)
    return kind.aggregate.change(
        actor, record, version, "verify", lambda: mark_verified(actor, record)
    )


@transactional
def _transition(kind, actor, record_id, version, action: str, reason: str | None = None):
    record = _get(kind, actor, record_id)
    text = clean_reason(reason, required=action == "archive")
    return kind.aggregate.change(
        actor, record, version, action, lambda: change_state(record, action), text
    )


# Programmes -----------------------------------------------------------------------------------


def list_programmes(actor: User | None) -> list[Programme]:
    """The programmes the actor manages: their agency's, or all for administrators."""
    authorize(actor, "agency_data.manage")
    query = sa.select(Programme).options(selectinload(Programme.agency))
    if not is_admin(actor):
        query = query.where(Programme.agency_id == actor.agency_id)
    return list(db.session.scalars(query.order_by(Programme.archived, by_name(Programme.title_vi))))


def get_programme_for_edit(actor: User | None, programme_id: int) -> Programme:
    return _get(PROGRAMME, actor, programme_id)


def create_programme(actor: User | None, data: dict) -> Programme:
    """`data` holds PROGRAMME_FIELDS, target_item_ids, zone_ids and (administrators) agency_id."""
    return _create(PROGRAMME, actor, data)


def update_programme(actor: User | None, programme_id: int, data: dict, version: int | None):
    return _update(PROGRAMME, actor, programme_id, data, version)


def change_programme_state(
    actor: User | None, programme_id: int, action: str, version: int | None, reason: str | None
) -> Programme:
    """publish / unpublish / archive (reason required) / restore."""
    if action not in TRANSITIONS:
        raise NotFound()
    return _transition(PROGRAMME, actor, programme_id, version, action, reason)


def verify_programme(actor: User | None, programme_id: int, version: int | None) -> Programme:
    """The actor's agency vouches, today, for the programme's figures as they stand."""
    return _verify(PROGRAMME, actor, programme_id, version)


# Zones ----------------------------------------------------------------------------------------


def list_zones(actor: User | None) -> list[Zone]:
    """The zones the actor's agency manages, or all for administrators."""
    authorize(actor, "agency_data.manage")
    query = sa.select(Zone).options(selectinload(Zone.managing_agency))
    if not is_admin(actor):
        query = query.where(Zone.managing_agency_id == actor.agency_id)
    return list(db.session.scalars(query.order_by(Zone.archived, by_name(Zone.name_vi))))


def get_zone_for_edit(actor: User | None, zone_id: int) -> Zone:
    return _get(ZONE, actor, zone_id)


def create_zone(actor: User | None, data: dict) -> Zone:
    """`data` holds ZONE_FIELDS, priority_item_ids and (administrators) agency_id."""
    return _create(ZONE, actor, data)


def update_zone(actor: User | None, zone_id: int, data: dict, version: int | None) -> Zone:
    return _update(ZONE, actor, zone_id, data, version)


def change_zone_state(
    actor: User | None, zone_id: int, action: str, version: int | None, reason: str | None
) -> Zone:
    if action not in TRANSITIONS:
        raise NotFound()
    return _transition(ZONE, actor, zone_id, version, action, reason)


def verify_zone(actor: User | None, zone_id: int, version: int | None) -> Zone:
    """The actor's agency vouches, today, for the zone's figures as they stand."""
    return _verify(ZONE, actor, zone_id, version)


# An agency curator's home ---------------------------------------------------------------------


@dataclass
class Overview:
    """How many of the agency's records are drafts, public and archived, and its interests."""

    programmes: dict[str, int]
    zones: dict[str, int]
    new_interests: int
    interests: int


def _by_state(records) -> dict[str, int]:
    counts = {"draft": 0, "public": 0, "archived": 0}
    for record in records:
        state = "archived" if record.archived else "public" if record.is_public else "draft"
        counts[state] += 1
    return counts


def agency_overview(actor: User | None) -> Overview:
    """What an agency curator's home shows: their agency's records and the interest in them."""
    programmes, zones = list_programmes(actor), list_zones(actor)
    interests = [interest for interest, _target in interests_for(actor)]
    return Overview(
        programmes=_by_state(programmes),
        zones=_by_state(zones),
        new_interests=sum(1 for i in interests if i.status == InterestStatus.NEW),
        interests=len(interests),
    )
