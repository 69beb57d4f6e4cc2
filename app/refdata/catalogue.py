"""The catalogue tree: the rules an entry meets (`check`), how it is written (`apply`), and the
curators' actions on it — create, edit, move, re-code, merge, delete. Imports and the seed
loader write entries through the same `check` and `apply`.

Links to catalogue entries are by id, so re-coding never breaks them. Merging A into B moves every
link (firm offers and needs, programme targets, zone priorities, incubator focus) and A's children
to B, then deletes A; both entries must be on the same level of the tree. An entry keeps the codes
it had (and those of entries merged into it) as aliases, so their old addresses lead to it.
"""

import re

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app import audit
from app.authorization import authorize
from app.curation.review import clean_reason
from app.domain.text import nfc
from app.errors import ValidationError
from app.extensions import db
from app.labels import label
from app.models import (
    CatalogueCodeAlias,
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
from app.refdata.service import get_managed
from app.rules import Aggregate, Problems, cleaned_text, write
from app.transaction import claim, flush, transactional

ITEM_FIELDS = (
    "name_vi",
    "name_en",
    "description_vi",
    "description_en",
    "official_number",
    "verified",
    "source_document",
    "sort_order",
)
# The tree has three levels; each entry sits under an entry of the level above (a group on top).
PARENT_LEVEL = {
    CatalogueLevel.GROUP: None,
    CatalogueLevel.KIND: CatalogueLevel.GROUP,
    CatalogueLevel.ITEM: CatalogueLevel.KIND,
}
CHILD_LEVEL = {parent: level for level, parent in PARENT_LEVEL.items()}
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,39}$")
NOTE_MAX = 300


def _parent_rule(level: CatalogueLevel) -> str:
    return {
        CatalogueLevel.GROUP: _("A group has no parent."),
        CatalogueLevel.KIND: _("The parent of a kind must be a group."),
        CatalogueLevel.ITEM: _("The parent of an item must be a kind."),
    }[level]


def data_of(item: CatalogueItem) -> dict:
    """The entry's data as `check` takes it (and its edit form shows it)."""
    data = {name: getattr(item, name) for name in ITEM_FIELDS}
    data.update(code=item.code, parent_id=item.parent_id, level=item.level, kind=item.kind)
    return data


def check(data: dict, item: CatalogueItem | None = None) -> dict:
    """Every rule of a catalogue entry, for a new one (`item` None) or a change to `item`.

    `data` holds code, parent_id, kind and ITEM_FIELDS; a new entry's level follows from its
    parent unless `data` names it. Groups have no kind, kind nodes choose one, items take their
    kind node's. Returns the cleaned data for `apply`; raises ValidationError.
    """
    problems = Problems()
    cleaned = cleaned_text(data, ITEM_FIELDS)
    cleaned["code"] = nfc(data.get("code") or "").strip().upper()
    _check_code(cleaned["code"], item, problems)
    parent = None
    if data.get("parent_id") is not None:
        parent = db.session.get(CatalogueItem, data["parent_id"])
        if parent is None:
            problems.add("parent_id", _("Choose a group or a kind from the list."))
    level = _level(data, item, parent, problems)
    placed = level is not None and (parent.level if parent else None) == PARENT_LEVEL[level]
    if level is not None and not placed and "parent_id" not in problems.errors:
        problems.add("parent_id", _parent_rule(level))
    kind = data.get("kind") or None
    if level == CatalogueLevel.GROUP and kind:
        problems.add("kind", _("A group has no kind."))
    elif level == CatalogueLevel.KIND and kind not in {k.value for k in CatalogueKind}:
        problems.add("kind", _("Choose technology, equipment or product."))
    elif level == CatalogueLevel.ITEM and placed and kind not in (None, parent.kind):
        problems.add("kind", _("The kind must be the parent's kind (%(kind)s).", kind=parent.kind))
    if not cleaned["name_vi"]:
        problems.add("name_vi", _("Enter the name in Vietnamese."))
    if cleaned["sort_order"] is None:
        cleaned["sort_order"] = 0
    if not -10000 <= cleaned["sort_order"] <= 10000:
        problems.add("sort_order", _("Enter a number between -10000 and 10000."))
    cleaned["verified"] = bool(cleaned["verified"])
    problems.refuse()
    if level == CatalogueLevel.ITEM:
        kind = parent.kind
    cleaned.update(level=level, parent=parent, kind=CatalogueKind(kind) if kind else None)
    return cleaned


def _check_code(code: str, item: CatalogueItem | None, problems: Problems) -> None:
    if not CODE_PATTERN.match(code):
        problems.add(
            "code",
            _("Use up to 40 capital letters, digits, dots, dashes or underscores (e.g. NT.CN.01)."),
        )
        return
    taken = db.session.scalar(sa.select(CatalogueItem.id).where(CatalogueItem.code == code))
    if taken is not None and (item is None or taken != item.id):
        problems.add("code", _("Another catalogue entry already has this code."))


def _level(data: dict, item, parent, problems: Problems) -> CatalogueLevel | None:
    """A saved entry keeps its level; a new one takes the level below its parent's."""
    named = CatalogueLevel(data["level"]) if data.get("level") else None
    if item is not None:
        if named is not None and named != item.level:
            message = _("This code already exists as a %(level)s.", level=label(item.level))
            problems.add("level", message)
        return item.level
    if named is not None:
        return named
    level = CHILD_LEVEL.get(parent.level if parent else None)
    if level is None:
        problems.add("parent_id", _("Choose a group or a kind from the list."))
    return level


def _keep_old_code(code: str, item: CatalogueItem) -> None:
    """`code` (one the entry had, or one of an entry merged into it) now leads to `item`."""
    alias = db.session.get(CatalogueCodeAlias, code)
    if alias is None:
        db.session.add(CatalogueCodeAlias(code=code, item_id=item.id))
    else:
        alias.item_id = item.id


def apply(item: CatalogueItem, cleaned: dict) -> CatalogueItem:
    """Write checked data into the entry (new or saved); a kind node passes its kind down, a
    re-coded entry keeps its old code as an alias."""
    if item.id is not None and item.code != cleaned["code"]:
        _keep_old_code(item.code, item)
    if cleaned["level"] == CatalogueLevel.KIND:
        for child in item.children:
            child.kind = cleaned["kind"]
    message = _("Another catalogue entry already has this code.")
    return write(item, cleaned, ValidationError(message, errors={"code": [message]}))


ENTRY = Aggregate("catalogue_item", data_of, check, apply)


def get_catalogue_item(actor: User | None, item_id: int) -> CatalogueItem:
    return get_managed(CatalogueItem, actor, item_id)


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
    """`data` holds code, parent_id (none for a group), kind and ITEM_FIELDS."""
    authorize(actor, "refdata.manage")
    return ENTRY.create(actor, data, lambda cleaned: CatalogueItem())


@transactional
def update_catalogue_item(
    actor: User | None, item_id: int, data: dict, version: int | None
) -> CatalogueItem:
    """Names, texts, kind (of kind nodes, passed down to their items), numbers and flags."""
    item = get_catalogue_item(actor, item_id)
    changes = {name: data.get(name) for name in (*ITEM_FIELDS, "kind")}
    return ENTRY.edit(actor, item, changes, version)


@transactional
def move_catalogue_item(
    actor: User | None, item_id: int, parent_id: int | None, version: int | None
) -> CatalogueItem:
    """Put a kind under another group, or an item under another kind node (levels are kept;
    an item takes the kind of its new kind node)."""
    item = get_catalogue_item(actor, item_id)
    changes = {"parent_id": parent_id}
    if item.level == CatalogueLevel.ITEM:
        changes["kind"] = None
    return ENTRY.edit(actor, item, changes, version, "move")


@transactional
def recode_catalogue_item(
    actor: User | None, item_id: int, code: str | None, version: int | None
) -> CatalogueItem:
    """Give the entry a new unique code; links point at its id and keep working."""
    item = get_catalogue_item(actor, item_id)
    if nfc(code or "").strip().upper() == item.code:
        problems = Problems()
        problems.add("code", _("Enter a code different from the current one."))
        problems.refuse()
    return ENTRY.edit(actor, item, {"code": code}, version, "recode")


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
    actor: User | None, source_id: int, target_id: int | None, version: int | None, reason=None
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
    claim(source, version)
    snapshot = ENTRY.snapshot(source)
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
    db.session.execute(
        sa.update(CatalogueCodeAlias)
        .where(CatalogueCodeAlias.item_id == source.id)
        .values(item_id=target.id)
    )
    _keep_old_code(source.code, target)
    flush()
    db.session.delete(source)
    target.updated_at = utcnow()  # a new version: whoever has the target open must reload it
    flush()
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
def delete_catalogue_item(actor: User | None, item_id: int, version: int | None) -> None:
    """Only an entry nothing points at and nothing hangs under; otherwise merge it instead."""
    item = get_catalogue_item(actor, item_id)
    if item.children:
        raise ValidationError(_("This entry has entries under it: move or merge them first."))
    if any(catalogue_links(item).values()):
        raise ValidationError(
            _("Firms, programmes, zones or incubators point at this entry: merge it instead.")
        )
    claim(item, version)
    snapshot = ENTRY.snapshot(item)
    db.session.execute(sa.delete(CatalogueCodeAlias).where(CatalogueCodeAlias.item_id == item.id))
    db.session.delete(item)
    flush()
    audit.record(actor, "catalogue_item.delete", "catalogue_item", item_id, snapshot, None)
