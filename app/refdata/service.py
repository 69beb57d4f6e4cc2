"""Managing reference data: the catalogue tree (create, edit, move, re-code, merge, delete),
incubators and agencies. Every action checks the permission, validates, audits, commits once.

Edits carry the version the curator saw (`edit_token`); the write claims the row with a
compare-and-set on it, so of two concurrent saves the second is refused (Conflict). Agencies have
no `updated_at`, so their token is a fingerprint of the saved values and the claim compares those.

Links to catalogue entries are by id, so re-coding never breaks them. Merging A into B moves every
link (firm offers and needs, programme targets, zone priorities, incubator focus) and A's children
to B, then deletes A; both entries must be on the same level of the tree.
"""

import hashlib
import json
import re
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app import audit
from app.authorization import authorize
from app.curation.service import clean_reason
from app.domain.places import is_ward
from app.domain.text import nfc, slugify
from app.errors import Conflict, NotFound, ValidationError
from app.extensions import db
from app.firms.permissions import REVIEWING_AGENCY
from app.models import (
    Agency,
    AuditEvent,
    CatalogueItem,
    CatalogueKind,
    CatalogueLevel,
    FirmCatalogueLink,
    Incubator,
    Programme,
    User,
    Zone,
)
from app.models.base import utcnow
from app.transaction import transactional

ITEM_FIELDS = (
    "name_vi",
    "name_en",
    "description_vi",
    "description_en",
    "kind",
    "official_number",
    "verified",
    "source_document",
    "sort_order",
)
INCUBATOR_FIELDS = (
    "name_vi",
    "name_en",
    "host_organisation",
    "ward_code",
    "services_vi",
    "services_en",
    "description_vi",
    "description_en",
    "max_startup_age_years",
    "capacity",
    "contact",
    "website",
    "is_sample",
)
AGENCY_FIELDS = ("code", "name_vi", "name_en", "website", "email", "phone")
PARENT_LEVEL = {
    CatalogueLevel.GROUP: None,
    CatalogueLevel.KIND: CatalogueLevel.GROUP,
    CatalogueLevel.ITEM: CatalogueLevel.KIND,
}
CHILD_LEVEL = {
    None: CatalogueLevel.GROUP,
    CatalogueLevel.GROUP: CatalogueLevel.KIND,
    CatalogueLevel.KIND: CatalogueLevel.ITEM,
}
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,39}$")
AGENCY_CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,19}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
NOTE_MAX = 300
HISTORY_KINDS = {"catalogue_item": CatalogueItem, "incubator": Incubator, "agency": Agency}


def _error(errors: dict, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _invalid(errors: dict) -> ValidationError:
    return ValidationError(_("Please correct the marked fields."), errors=errors)


def _clean(data: dict, names) -> dict:
    """NFC-normalised, stripped strings; blanks become None."""
    cleaned = {}
    for name in names:
        value = data.get(name)
        if isinstance(value, str):
            value = nfc(value).strip() or None
        cleaned[name] = value
    return cleaned


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "_value_"):
        return str(value)
    return value


def _get(model, actor: User | None, record_id: int):
    authorize(actor, "refdata.manage")
    record = db.session.get(model, record_id)
    if record is None:
        raise NotFound()
    return record


def _conflict() -> Conflict:
    return Conflict(
        _(
            "Someone else saved this record after you opened it. Your changes were not saved; "
            "they are still in the form below. Open the current version to compare, then save "
            "again to replace it."
        )
    )


def edit_token(record) -> str:
    """The version of the record a form was filled in from."""
    if isinstance(record, Agency):
        state = json.dumps(_agency_state(record), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(state.encode()).hexdigest()
    return record.updated_at.isoformat()


def _claim(record, token: str | None) -> None:
    """Compare-and-set on updated_at: only one of two concurrent writers gets the row."""
    try:
        seen = datetime.fromisoformat(token or "")
    except ValueError:
        seen = None
    if seen is None or record.updated_at != seen:
        raise _conflict()
    model = type(record)
    now = utcnow()
    result = db.session.execute(
        sa.update(model)
        .where(model.id == record.id, model.updated_at == seen)
        .values(updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise _conflict()
    set_committed_value(record, "updated_at", now)


def _claim_agency(agency: Agency, token: str | None) -> None:
    """Compare-and-set on every saved value (agencies carry no timestamp)."""
    if token != edit_token(agency):
        raise _conflict()
    seen = {name: getattr(agency, name) for name in AGENCY_FIELDS}
    result = db.session.execute(
        sa.update(Agency)
        .where(
            Agency.id == agency.id,
            *(getattr(Agency, name).is_not_distinct_from(value) for name, value in seen.items()),
        )
        .values(**seen)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise _conflict()


# Catalogue ------------------------------------------------------------------------------------


def _item_state(item: CatalogueItem) -> dict:
    state = {name: _plain(getattr(item, name)) for name in ITEM_FIELDS}
    state.update(code=item.code, parent_id=item.parent_id, level=str(item.level))
    return state


def _clean_code(value: str | None) -> str:
    return nfc(value or "").strip().upper()


def _check_code(code: str, errors: dict, item: CatalogueItem | None = None) -> None:
    if not CODE_PATTERN.match(code):
        _error(
            errors,
            "code",
            _("Use up to 40 capital letters, digits, dots, dashes or underscores (e.g. NT.CN.01)."),
        )
        return
    taken = db.session.scalar(sa.select(CatalogueItem.id).where(CatalogueItem.code == code))
    if taken is not None and (item is None or taken != item.id):
        _error(errors, "code", _("Another catalogue entry already has this code."))


def _validate_item(data: dict, level: CatalogueLevel, errors: dict) -> None:
    if not data["name_vi"]:
        _error(errors, "name_vi", _("Enter the name in Vietnamese."))
    if level == CatalogueLevel.KIND and data["kind"] not in {k.value for k in CatalogueKind}:
        _error(errors, "kind", _("Choose technology, equipment or product."))
    if data["sort_order"] is None:
        data["sort_order"] = 0
    if not -10000 <= data["sort_order"] <= 10000:
        _error(errors, "sort_order", _("Enter a number between -10000 and 10000."))
    data["verified"] = bool(data["verified"])


def _kind_for(level: CatalogueLevel, parent: CatalogueItem | None, chosen) -> CatalogueKind | None:
    """Groups have no kind; kind nodes choose one; items take their kind node's."""
    if level == CatalogueLevel.GROUP:
        return None
    if level == CatalogueLevel.KIND:
        return CatalogueKind(chosen)
    return parent.kind


def _descendants(item: CatalogueItem) -> list[CatalogueItem]:
    found, stack = [], list(item.children)
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(node.children)
    return found


def get_catalogue_item(actor: User | None, item_id: int) -> CatalogueItem:
    return _get(CatalogueItem, actor, item_id)


def catalogue_links(item: CatalogueItem) -> dict[str, int]:
    """How many records point at the entry, by kind of link."""
    firm_counts = dict(
        db.session.execute(
            sa.select(FirmCatalogueLink.relation, sa.func.count())
            .where(FirmCatalogueLink.item_id == item.id)
            .group_by(FirmCatalogueLink.relation)
        ).all()
    )
    return {
        "offers": firm_counts.get("offers", 0),
        "needs": firm_counts.get("needs", 0),
        "programmes": _count(Programme, Programme.target_items, item),
        "zones": _count(Zone, Zone.priority_items, item),
        "incubators": _count(Incubator, Incubator.focus_items, item),
    }


def _count(model, relationship, item: CatalogueItem) -> int:
    query = sa.select(sa.func.count()).select_from(model).where(relationship.any(id=item.id))
    return db.session.scalar(query)


@transactional
def create_catalogue_item(actor: User | None, data: dict) -> CatalogueItem:
    """`data` holds code, parent_id (none for a group) and ITEM_FIELDS."""
    authorize(actor, "refdata.manage")
    errors: dict = {}
    cleaned = _clean(data, ITEM_FIELDS)
    code = _clean_code(data.get("code"))
    _check_code(code, errors)
    parent = None
    if data.get("parent_id") is not None:
        parent = db.session.get(CatalogueItem, data["parent_id"])
        if parent is None or parent.level == CatalogueLevel.ITEM:
            _error(errors, "parent_id", _("Choose a group or a kind from the list."))
            parent = None
    level = CHILD_LEVEL[parent.level if parent else None]
    _validate_item(cleaned, level, errors)
    if errors:
        raise _invalid(errors)
    cleaned["kind"] = _kind_for(level, parent, cleaned["kind"])
    item = CatalogueItem(code=code, level=level, parent=parent, **cleaned)
    db.session.add(item)
    db.session.flush()
    audit.record(actor, "catalogue_item.create", "catalogue_item", item.id, None, _item_state(item))
    return item


@transactional
def update_catalogue_item(
    actor: User | None, item_id: int, data: dict, token: str | None
) -> CatalogueItem:
    """Names, texts, kind (of kind nodes, passed down to their items), numbers and flags."""
    item = get_catalogue_item(actor, item_id)
    errors: dict = {}
    cleaned = _clean(data, ITEM_FIELDS)
    _validate_item(cleaned, item.level, errors)
    if errors:
        raise _invalid(errors)
    _claim(item, token)
    before = _item_state(item)
    cleaned["kind"] = _kind_for(item.level, item.parent, cleaned["kind"])
    for name in ITEM_FIELDS:
        setattr(item, name, cleaned[name])
    if item.level == CatalogueLevel.KIND:
        for child in item.children:
            child.kind = item.kind
    db.session.flush()
    old, new = audit.changed_fields(before, _item_state(item))
    audit.record(actor, "catalogue_item.update", "catalogue_item", item.id, old, new)
    return item


@transactional
def move_catalogue_item(
    actor: User | None, item_id: int, parent_id: int | None, token: str | None
) -> CatalogueItem:
    """Put a kind under another group, or an item under another kind node (levels are kept)."""
    item = get_catalogue_item(actor, item_id)
    parent = db.session.get(CatalogueItem, parent_id) if parent_id is not None else None
    wanted = PARENT_LEVEL[item.level]
    if wanted is None:
        message = _("A domain group is the top of the tree and cannot be moved.")
        raise ValidationError(message, errors={"parent_id": [message]})
    if parent is None or parent.level != wanted:
        message = (
            _("An item can only be placed under a kind (technology, equipment or product).")
            if item.level == CatalogueLevel.ITEM
            else _("A kind can only be placed under a domain group.")
        )
        raise ValidationError(message, errors={"parent_id": [message]})
    if parent.id == item.id or parent in _descendants(item):
        message = _("An entry cannot be placed inside itself.")
        raise ValidationError(message, errors={"parent_id": [message]})
    _claim(item, token)
    before = _item_state(item)
    item.parent = parent
    if item.level == CatalogueLevel.ITEM:
        item.kind = parent.kind
    db.session.flush()
    old, new = audit.changed_fields(before, _item_state(item))
    audit.record(actor, "catalogue_item.move", "catalogue_item", item.id, old, new)
    return item


@transactional
def recode_catalogue_item(
    actor: User | None, item_id: int, code: str | None, token: str | None
) -> CatalogueItem:
    """Give the entry a new unique code; links point at its id and keep working."""
    item = get_catalogue_item(actor, item_id)
    errors: dict = {}
    new_code = _clean_code(code)
    _check_code(new_code, errors, item)
    if new_code == item.code:
        _error(errors, "code", _("Enter a code different from the current one."))
    if errors:
        raise _invalid(errors)
    _claim(item, token)
    before = _item_state(item)
    item.code = new_code
    db.session.flush()
    old, new = audit.changed_fields(before, _item_state(item))
    audit.record(actor, "catalogue_item.recode", "catalogue_item", item.id, old, new)
    return item


def _merge_notes(first: str | None, second: str | None) -> str | None:
    notes = [n for n in (first, second) if n]
    if len(notes) == 2 and notes[0].strip().casefold() == notes[1].strip().casefold():
        notes = notes[:1]
    text = " / ".join(notes)
    if len(text) > NOTE_MAX:
        text = text[: NOTE_MAX - 1].rstrip() + "…"
    return text or None


def _move_firm_links(source: CatalogueItem, target: CatalogueItem) -> dict:
    links = db.session.scalars(
        sa.select(FirmCatalogueLink).where(FirmCatalogueLink.item_id.in_([source.id, target.id]))
    ).all()
    existing = {(link.firm_id, link.relation): link for link in links if link.item_id == target.id}
    moved, combined = [], []
    for link in links:
        if link.item_id != source.id:
            continue
        kept = existing.get((link.firm_id, link.relation))
        if kept is None:
            link.item = target
            moved.append(link.firm_id)
        else:
            kept.note = _merge_notes(kept.note, link.note)
            db.session.delete(link)
            combined.append(link.firm_id)
    return {"firm_links_moved": sorted(moved), "firm_links_combined": sorted(combined)}


def _move_collection(model, attribute: str, source, target) -> list[int]:
    relationship = getattr(model, attribute)
    records = db.session.scalars(
        sa.select(model).where(relationship.any(id=source.id)).options(selectinload(relationship))
    ).all()
    for record in records:
        items = getattr(record, attribute)
        items.remove(source)
        if target not in items:
            items.append(target)
    return sorted(record.id for record in records)


@transactional
def merge_catalogue_items(
    actor: User | None, source_id: int, target_id: int | None, token: str | None, reason=None
) -> CatalogueItem:
    """Move every link and child of the source entry to the target, then delete the source.

    Both must be on the same level (an item into an item, a kind into a kind, a group into a
    group); the source's children then move under the target. A firm linking both keeps one link
    per relation, with both notes.
    """
    source = get_catalogue_item(actor, source_id)
    target = db.session.get(CatalogueItem, target_id) if target_id is not None else None
    text = clean_reason(reason, required=False)
    message = None
    if target is None:
        message = _("Choose the entry to merge into.")
    elif target.id == source.id:
        message = _("An entry cannot be merged into itself.")
    elif target.level != source.level:
        message = _("Entries can only be merged into an entry on the same level of the tree.")
    if message:
        raise ValidationError(message, errors={"target_id": [message]})
    _claim(source, token)
    snapshot = _item_state(source)
    moved = _move_firm_links(source, target)
    moved["programmes"] = _move_collection(Programme, "target_items", source, target)
    moved["zones"] = _move_collection(Zone, "priority_items", source, target)
    moved["incubators"] = _move_collection(Incubator, "focus_items", source, target)
    children = list(source.children)
    for child in children:
        child.parent = target
        if child.level == CatalogueLevel.ITEM:
            child.kind = target.kind
    moved["children"] = sorted(child.code for child in children)
    db.session.flush()
    db.session.delete(source)
    target.updated_at = utcnow()
    db.session.flush()
    after = {"merged_code": snapshot["code"], "merged_id": source_id, **moved}
    audit.record(actor, "catalogue_item.merge", "catalogue_item", target.id, None, after, text)
    audit.record(
        actor,
        "catalogue_item.merged_into",
        "catalogue_item",
        source_id,
        snapshot,
        {"target_id": target.id, "target_code": target.code, **moved},
        text,
    )
    return target


@transactional
def delete_catalogue_item(actor: User | None, item_id: int, token: str | None) -> None:
    """Only an entry nothing points at and nothing hangs under; otherwise merge it instead."""
    item = get_catalogue_item(actor, item_id)
    if item.children:
        raise ValidationError(_("This entry has entries under it: move or merge them first."))
    if any(catalogue_links(item).values()):
        raise ValidationError(
            _("Firms, programmes, zones or incubators point at this entry: merge it instead.")
        )
    _claim(item, token)
    snapshot = _item_state(item)
    db.session.delete(item)
    db.session.flush()
    audit.record(actor, "catalogue_item.delete", "catalogue_item", item_id, snapshot, None)


# Incubators -----------------------------------------------------------------------------------


def _incubator_state(incubator: Incubator) -> dict:
    state = {name: _plain(getattr(incubator, name)) for name in INCUBATOR_FIELDS}
    state["focus_item_ids"] = sorted(item.id for item in incubator.focus_items)
    return state


def _web_address(data: dict, name: str, errors: dict) -> None:
    url = data[name]
    if url and not url.startswith(("https://", "http://")):
        _error(errors, name, _("Enter a web address starting with https://."))


def _prepare_incubator(data: dict) -> tuple[dict, list[CatalogueItem]]:
    cleaned = _clean(data, INCUBATOR_FIELDS)
    cleaned["is_sample"] = bool(cleaned["is_sample"])
    errors: dict = {}
    if not cleaned["name_vi"]:
        _error(errors, "name_vi", _("Enter the name in Vietnamese."))
    if not cleaned["host_organisation"]:
        _error(errors, "host_organisation", _("Enter the host organisation."))
    if cleaned["ward_code"] is not None and not is_ward(cleaned["ward_code"]):
        _error(errors, "ward_code", _("Choose a ward or commune from the list."))
    age = cleaned["max_startup_age_years"]
    if age is not None and not 0 <= age <= 100:
        _error(errors, "max_startup_age_years", _("Enter a number of years between 0 and 100."))
    if cleaned["capacity"] is not None and cleaned["capacity"] < 0:
        _error(errors, "capacity", _("The capacity cannot be negative."))
    _web_address(cleaned, "website", errors)
    ids = set(data.get("focus_item_ids") or [])
    items = (
        db.session.scalars(sa.select(CatalogueItem).where(CatalogueItem.id.in_(ids))).all()
        if ids
        else []
    )
    if len(items) != len(ids):
        _error(errors, "focus_item_ids", _("Choose catalogue entries from the list."))
    if errors:
        raise _invalid(errors)
    return cleaned, list(items)


def _unique_slug(text: str) -> str:
    base = slugify(text)
    taken = set(
        db.session.scalars(
            sa.select(Incubator.slug).where(
                sa.or_(
                    Incubator.slug == base, Incubator.slug.startswith(f"{base}-", autoescape=True)
                )
            )
        )
    )
    slug, counter = base, 2
    while slug in taken:
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


def list_incubators(actor: User | None) -> list[Incubator]:
    authorize(actor, "refdata.manage")
    return list(
        db.session.scalars(
            sa.select(Incubator)
            .options(selectinload(Incubator.focus_items))
            .order_by(Incubator.name_vi)
        )
    )


def get_incubator(actor: User | None, incubator_id: int) -> Incubator:
    return _get(Incubator, actor, incubator_id)


@transactional
def create_incubator(actor: User | None, data: dict) -> Incubator:
    """`data` holds INCUBATOR_FIELDS and focus_item_ids."""
    authorize(actor, "refdata.manage")
    cleaned, items = _prepare_incubator(data)
    incubator = Incubator(slug=_unique_slug(cleaned["name_vi"]), focus_items=items, **cleaned)
    db.session.add(incubator)
    db.session.flush()
    state = _incubator_state(incubator)
    audit.record(actor, "incubator.create", "incubator", incubator.id, None, state)
    return incubator


@transactional
def update_incubator(
    actor: User | None, incubator_id: int, data: dict, token: str | None
) -> Incubator:
    incubator = get_incubator(actor, incubator_id)
    cleaned, items = _prepare_incubator(data)
    _claim(incubator, token)
    before = _incubator_state(incubator)
    for name in INCUBATOR_FIELDS:
        setattr(incubator, name, cleaned[name])
    incubator.focus_items = items
    db.session.flush()
    old, new = audit.changed_fields(before, _incubator_state(incubator))
    audit.record(actor, "incubator.update", "incubator", incubator.id, old, new)
    return incubator


# Agencies -------------------------------------------------------------------------------------


def _agency_state(agency: Agency) -> dict:
    return {name: getattr(agency, name) for name in AGENCY_FIELDS}


def _prepare_agency(data: dict, agency: Agency | None) -> dict:
    cleaned = _clean(data, AGENCY_FIELDS)
    cleaned["code"] = _clean_code(cleaned["code"])
    errors: dict = {}
    if not AGENCY_CODE_PATTERN.match(cleaned["code"]):
        _error(errors, "code", _("Use up to 20 capital letters, digits, dashes or underscores."))
    else:
        taken = db.session.scalar(sa.select(Agency.id).where(Agency.code == cleaned["code"]))
        if taken is not None and (agency is None or taken != agency.id):
            _error(errors, "code", _("Another agency already has this code."))
    if agency is not None and agency.code == REVIEWING_AGENCY and cleaned["code"] != agency.code:
        # Reviewer permissions are granted by this code: changing it would lock curators out.
        _error(errors, "code", _("The code of the reviewing agency cannot be changed."))
    if not cleaned["name_vi"]:
        _error(errors, "name_vi", _("Enter the name in Vietnamese."))
    if cleaned["email"] and not EMAIL_PATTERN.match(cleaned["email"]):
        _error(errors, "email", _("Enter a valid email address."))
    _web_address(cleaned, "website", errors)
    if errors:
        raise _invalid(errors)
    return cleaned


def list_agencies(actor: User | None) -> list[Agency]:
    authorize(actor, "refdata.manage")
    return list(db.session.scalars(sa.select(Agency).order_by(Agency.code)))


def get_agency(actor: User | None, agency_id: int) -> Agency:
    return _get(Agency, actor, agency_id)


@transactional
def create_agency(actor: User | None, data: dict) -> Agency:
    """`data` holds AGENCY_FIELDS."""
    authorize(actor, "refdata.manage")
    agency = Agency(**_prepare_agency(data, None))
    db.session.add(agency)
    db.session.flush()
    audit.record(actor, "agency.create", "agency", agency.id, None, _agency_state(agency))
    return agency


@transactional
def update_agency(actor: User | None, agency_id: int, data: dict, token: str | None) -> Agency:
    agency = get_agency(actor, agency_id)
    cleaned = _prepare_agency(data, agency)
    _claim_agency(agency, token)
    before = _agency_state(agency)
    for name in AGENCY_FIELDS:
        setattr(agency, name, cleaned[name])
    db.session.flush()
    old, new = audit.changed_fields(before, _agency_state(agency))
    audit.record(actor, "agency.update", "agency", agency.id, old, new)
    return agency


# History --------------------------------------------------------------------------------------


def record_history(actor: User | None, entity_kind: str, entity_id: int):
    """(the record or None if it was deleted, its audit events newest first)."""
    authorize(actor, "refdata.manage")
    model = HISTORY_KINDS.get(entity_kind)
    if model is None:
        raise NotFound()
    record = db.session.get(model, entity_id)
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.entity_kind == entity_kind, AuditEvent.entity_id == entity_id)
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    ).all()
    if record is None and not events:
        raise NotFound()
    return record, events
