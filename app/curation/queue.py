"""The review queue: what awaits a decision, filtered and paged."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.authorization import authorize
from app.catalogue.service import catalogue_tree
from app.domain.places import is_ward
from app.errors import NotFound
from app.extensions import db
from app.models import (
    Firm,
    FirmCatalogueLink,
    FirmClaim,
    FirmRevision,
    FirmStatus,
    LinkRelation,
    ReviewState,
    User,
)
from app.parsing import parse_int

QUEUE_PAGE_SIZE = 25


@dataclass
class QueueFilters:
    kind: str | None = None
    group: str | None = None
    ward: int | None = None

    KINDS = ("listing", "revision", "claim")

    @classmethod
    def from_args(cls, args) -> "QueueFilters":
        filters = cls()
        if args.get("kind") in cls.KINDS:
            filters.kind = args["kind"]
        group = catalogue_tree().by_code.get(args.get("group", ""))
        if group is not None and group.parent_id is None:
            filters.group = group.code
        if is_ward(ward := parse_int(args.get("ward", ""))):
            filters.ward = ward
        return filters


@dataclass
class QueueEntry:
    kind: str
    since: datetime
    item: Firm | FirmRevision | FirmClaim
    firm: Firm


@dataclass
class QueuePage:
    entries: list[QueueEntry]
    page: int
    pages: int
    total: int
    per_page: int


def _firm_conditions(filters: QueueFilters) -> list:
    conditions = []
    if filters.ward:
        conditions.append(Firm.ward_code == filters.ward)
    if filters.group:
        tree = catalogue_tree()
        ids = tree.subtree_ids(tree.by_code[filters.group])
        conditions.append(
            Firm.catalogue_links.any(
                sa.and_(
                    FirmCatalogueLink.relation == LinkRelation.OFFERS,
                    FirmCatalogueLink.item_id.in_(ids),
                )
            )
        )
    return conditions


def _waiting(filters: QueueFilters) -> sa.Subquery:
    """What waits for review (kind, id, since), as the filters narrow it."""
    firm_where = _firm_conditions(filters)
    parts = []
    if filters.kind in (None, "listing"):
        parts.append(
            sa.select(
                sa.literal("listing").label("kind"),
                Firm.id.label("id"),
                sa.func.coalesce(Firm.submitted_at, Firm.updated_at).label("since"),
            ).where(Firm.status == FirmStatus.SUBMITTED, *firm_where)
        )
    for kind, model in (("revision", FirmRevision), ("claim", FirmClaim)):
        if filters.kind in (None, kind):
            parts.append(
                sa.select(
                    sa.literal(kind).label("kind"),
                    model.id.label("id"),
                    model.created_at.label("since"),
                )
                .join(Firm, Firm.id == model.firm_id)
                .where(model.state == ReviewState.PENDING, *firm_where)
            )
    return sa.union_all(*parts).subquery()


def queue_size(actor: User) -> int:
    """How many listings, revisions and claims wait for review (one query, for the menu)."""
    authorize(actor, "firm.review")
    return db.session.scalar(sa.select(sa.func.count()).select_from(_waiting(QueueFilters())))


def review_queue(
    actor: User, filters: QueueFilters, page: int, per_page: int = QUEUE_PAGE_SIZE
) -> QueuePage:
    """Submitted listings, pending revisions and pending claims, oldest first."""
    authorize(actor, "firm.review")
    union = _waiting(filters)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(union))
    pages = max(1, -(-total // per_page))
    if page > pages:
        raise NotFound()
    rows = db.session.execute(
        sa.select(union.c.kind, union.c.id, union.c.since)
        .order_by(union.c.since, union.c.kind, union.c.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return QueuePage(_load_entries(rows), page, pages, total, per_page)


def _load_entries(rows) -> list[QueueEntry]:
    ids = {kind: [row.id for row in rows if row.kind == kind] for kind in QueueFilters.KINDS}
    firm_loading = (selectinload(Firm.catalogue_links), selectinload(Firm.zone))
    objects = {}
    if ids["listing"]:
        for firm in db.session.scalars(
            sa.select(Firm).where(Firm.id.in_(ids["listing"])).options(*firm_loading)
        ):
            objects["listing", firm.id] = firm
    for kind, model, owner in (
        ("revision", FirmRevision, FirmRevision.author),
        ("claim", FirmClaim, FirmClaim.user),
    ):
        if ids[kind]:
            for obj in db.session.scalars(
                sa.select(model)
                .where(model.id.in_(ids[kind]))
                .options(selectinload(model.firm).options(*firm_loading), selectinload(owner))
            ):
                objects[kind, obj.id] = obj
    entries = []
    for row in rows:
        obj = objects[row.kind, row.id]
        entries.append(
            QueueEntry(row.kind, row.since, obj, obj if isinstance(obj, Firm) else obj.firm)
        )
    return entries


def pending_requests(firm: Firm) -> tuple[list[FirmRevision], list[FirmClaim]]:
    """The listing's proposed changes and claims that await a decision."""
    revisions = db.session.scalars(
        sa.select(FirmRevision).where(
            FirmRevision.firm_id == firm.id, FirmRevision.state == ReviewState.PENDING
        )
    )
    claims = db.session.scalars(
        sa.select(FirmClaim).where(
            FirmClaim.firm_id == firm.id, FirmClaim.state == ReviewState.PENDING
        )
    )
    return list(revisions), list(claims)
