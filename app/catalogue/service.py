"""Reading the catalogue tree: one query loads it, lookups are in memory (it is small)."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import g
from sqlalchemy.orm import Session

from app.errors import NotFound
from app.extensions import db
from app.i18n import localized
from app.models import CatalogueCodeAlias, CatalogueItem, CatalogueLevel


@dataclass
class CatalogueTree:
    by_id: dict[int, CatalogueItem]
    by_code: dict[str, CatalogueItem]
    children: dict[int | None, list[CatalogueItem]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session | None = None) -> "CatalogueTree":
        items = (
            (session or db.session)
            .scalars(
                sa.select(CatalogueItem).order_by(CatalogueItem.sort_order, CatalogueItem.code)
            )
            .all()
        )
        tree = cls(by_id={i.id: i for i in items}, by_code={i.code: i for i in items})
        for item in items:
            tree.children.setdefault(item.parent_id, []).append(item)
        return tree

    @property
    def groups(self) -> list[CatalogueItem]:
        return [i for i in self.children.get(None, []) if i.level == CatalogueLevel.GROUP]

    def kids(self, item: CatalogueItem) -> list[CatalogueItem]:
        return self.children.get(item.id, [])

    def group_of(self, item_id: int) -> CatalogueItem | None:
        item = self.by_id.get(item_id)
        while item is not None and item.parent_id is not None:
            item = self.by_id.get(item.parent_id)
        return item

    def ancestors(self, item: CatalogueItem) -> list[CatalogueItem]:
        """From the group down to the item's parent."""
        chain = []
        parent = self.by_id.get(item.parent_id) if item.parent_id else None
        while parent is not None:
            chain.append(parent)
            parent = self.by_id.get(parent.parent_id) if parent.parent_id else None
        return list(reversed(chain))

    def subtree_ids(self, item: CatalogueItem) -> set[int]:
        """The item and everything below it."""
        ids, stack = set(), [item]
        while stack:
            node = stack.pop()
            ids.add(node.id)
            stack.extend(self.kids(node))
        return ids

    def item_count(self, item: CatalogueItem) -> int:
        return sum(1 for i in self.subtree_ids(item) if self.by_id[i].level == CatalogueLevel.ITEM)


def catalogue_tree() -> CatalogueTree:
    """The tree, loaded once per request."""
    if "catalogue_tree" not in g:
        g.catalogue_tree = CatalogueTree.load()
    return g.catalogue_tree


def group_names() -> dict[str, str]:
    """Each catalogue group's name in the page's language, by code (match reasons name them)."""
    return {group.code: localized(group, "name") for group in catalogue_tree().groups}


def get_item(code: str) -> CatalogueItem:
    item = catalogue_tree().by_code.get(code)
    if item is None:
        raise NotFound()
    return item


def current_code(old_code: str) -> str | None:
    """The code today of the entry that had `old_code` (re-coded, or merged into it)."""
    return db.session.scalar(
        sa.select(CatalogueItem.code)
        .join(CatalogueCodeAlias, CatalogueCodeAlias.item_id == CatalogueItem.id)
        .where(CatalogueCodeAlias.code == old_code)
    )


def count_catalogue_items() -> int:
    """Entries of the catalogue's lowest level (what firms offer and need)."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(CatalogueItem)
        .where(CatalogueItem.level == CatalogueLevel.ITEM)
    )
