"""Search documents for catalogue groups, kinds and items; what they read of the database; and
the finders other areas use for documents that show catalogue items or their groups."""

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.catalogue.service import CatalogueTree
from app.models import CatalogueItem
from app.search_dependencies import UNKNOWN, Dependency, Flush

KIND = "catalogue"


def public_ids(session: Session) -> set[int]:
    return set(session.scalars(sa.select(CatalogueItem.id)))


def documents(session: Session, ids: set[int], tree: CatalogueTree) -> dict[int, dict]:
    return {i: item_document(tree, tree.by_id[i]) for i in ids if i in tree.by_id}


def item_document(tree: CatalogueTree, item) -> dict:
    ancestors = tree.ancestors(item)
    group = ancestors[0] if ancestors else item
    return {
        "kind": KIND,
        "id": item.id,
        "title": item.name_vi,
        "title_en": item.name_en,
        "keywords": " · ".join(
            [item.code, *(a.name_vi for a in ancestors), *(a.name_en or "" for a in ancestors)]
        ),
        "body": item.description_vi or "",
        "body_en": item.description_en,
        "facets": {
            "group": [group.code],
            "level": [str(item.level)],
            "catalogue_kind": [str(item.kind)] if item.kind else [],
        },
        "sort": {"updated": item.updated_at, "closes": None},
        "stored": {"code": item.code, "level": str(item.level), "group": group.code},
    }


def _parents(flush: Flush) -> dict[int, int | None]:
    """Each item's parent as this flush leaves them."""
    query = sa.select(CatalogueItem.id, CatalogueItem.parent_id)
    return flush.once("catalogue-parents", lambda: dict(flush.connection.execute(query).all()))


def _below(flush: Flush, item: CatalogueItem) -> set[int]:
    """Everything under `item` (not the item itself)."""
    children: dict[int | None, list[int]] = {}
    for item_id, parent_id in _parents(flush).items():
        children.setdefault(parent_id, []).append(item_id)
    found, todo = set(), list(children.get(item.id, []))
    while todo:
        item_id = todo.pop()
        if item_id not in found:
            found.add(item_id)
            todo.extend(children.get(item_id, []))
    return found


def _below_a_group(flush: Flush, item: CatalogueItem) -> set[int]:
    return _below(flush, item) if item.parent_id is None else set()


DEPENDENCIES = [
    Dependency(
        CatalogueItem,
        (
            "code",
            "parent_id",
            "level",
            "kind",
            "name_vi",
            "name_en",
            "description_vi",
            "description_en",
            "updated_at",
        ),
        lambda flush, item: [item.id],
    ),
    # An item shows the names of its ancestors and the code of its group.
    Dependency(CatalogueItem, ("parent_id", "name_vi", "name_en"), _below),
    Dependency(CatalogueItem, ("code",), _below_a_group),
]


# For the documents of other areas ----------------------------------------------------------------

ItemsOf = Callable[[Flush, CatalogueItem], set[int]]


def showing(owners: sa.Select, item_id: sa.ColumnElement, items: ItemsOf | None = None):
    """A finder for documents that show catalogue items: `owners` selects the document ids,
    joined to the link table whose item column is `item_id`; `items` says which items of a
    changed one to look up (by default the item itself)."""

    def affected(flush: Flush, item: CatalogueItem) -> set[int]:
        wanted = items(flush, item) if items else {item.id}
        return flush.ids(owners.where(item_id.in_(wanted))) if wanted else set()

    return affected


def in_changed_groups(*fields: str) -> ItemsOf:
    """For `showing`: the items whose group, or the `fields` of their group, this flush
    changed (a move anywhere above them, a group's new code)."""
    return lambda flush, item: flush.once(("regrouped", fields), lambda: _regrouped(flush, fields))


def _regrouped(flush: Flush, fields: tuple[str, ...]) -> set[int]:
    columns = [getattr(CatalogueItem, name) for name in fields]
    rows = flush.connection.execute(sa.select(CatalogueItem.id, CatalogueItem.parent_id, *columns))
    after = {row[0]: (row[1], tuple(row[2:])) for row in rows}
    before = dict(after)
    for item, _ in flush.changes(CatalogueItem):
        if flush.is_new(item):
            before.pop(item.id, None)
        else:
            before[item.id] = (
                flush.previous(item, "parent_id"),
                tuple(flush.previous(item, name) for name in fields),
            )
    return {i for i in after.keys() & before.keys() if _group(before, i) != _group(after, i)}


def _group(tree: dict[int, tuple], item_id: int) -> tuple:
    """(the group's id, its fields) of an item in a {id: (parent id, fields)} tree."""
    seen = set()
    while item_id in tree and item_id not in seen:
        seen.add(item_id)
        parent_id, fields = tree[item_id]
        if parent_id is None:
            return item_id, fields
        if parent_id is UNKNOWN:
            break
        item_id = parent_id
    return UNKNOWN, ()


def item_list_dependencies(owners: sa.Select, item_id: sa.ColumnElement) -> list[Dependency]:
    """What a document that lists catalogue items (their names, in code order) and their groups'
    codes reads of the catalogue; `owners` and `item_id` as for `showing`."""
    return [
        Dependency(CatalogueItem, ("name_vi", "code"), showing(owners, item_id)),
        Dependency(
            CatalogueItem,
            ("parent_id", "code"),
            showing(owners, item_id, in_changed_groups("code")),
        ),
    ]
