"""Lists as CSV or XLSX, with the filters a visitor chose: firms (the public directory's filters),
programmes, zones and clusters, incubators, catalogue items.

Everybody gets the public fields of public records; SCT reviewers also get the fields the public
never sees (contact details a firm keeps private, its size inputs).

Firms are read a page at a time while the file is written, in constant memory. Each file is
built once per list, format, choices, language, data generation and day, then served from disk
(`export_cache`): writing 10,000 firms costs seconds of CPU, sending the file almost nothing.
"""

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterator
from functools import cache
from typing import BinaryIO

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.authorization import can
from app.backoffice import export_cache
from app.backoffice.statistics import programme_status_sql
from app.catalogue.service import catalogue_tree
from app.domain import clock
from app.domain.places import ward_name
from app.errors import NotFound
from app.extensions import db
from app.firms.service import FirmFilters, directory_query, groups_of_items
from app.generation import daily_generation
from app.i18n import current_language, format_day
from app.labels import label
from app.models import (
    CatalogueKind,
    CatalogueLevel,
    Firm,
    FirmCatalogueLink,
    Incubator,
    LinkRelation,
    Programme,
    ProgrammeStatus,
    SupportType,
    User,
    Zone,
    ZoneKind,
    ZoneStatus,
)
from app.models.base import by_name
from app.parsing import parse_int
from app.tabular import Table, write_csv, write_xlsx

# Firms read per query while a file is written. Each page is its own short query (keyset
# pagination, not one open cursor): on SQLite an open cursor holds the read lock, and keeps
# every writer waiting, for the whole build.
FIRMS_PER_PAGE = 500


@dataclasses.dataclass
class ListExport:
    """A list to download: its table (rows read as they are written) and the choices that
    shaped it — the filters as understood and the audience — which tell two downloads apart."""

    table: Table
    choices: tuple


def _choices(args, names: tuple[str, ...]) -> tuple:
    return tuple(args.get(name, "") for name in names)


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def export_firms(actor: User | None, args) -> ListExport:
    filters = FirmFilters.from_args(args)
    private = can(actor, "statistics.see_private")
    headers = [
        _("Tax code"),
        _("Legal name"),
        _("Trade name"),
        _("English name"),
        _("Ward or commune"),
        _("Address"),
        _("Zone or cluster"),
        _("Type of firm"),
        _("Size class"),
        _("Catalogue groups"),
        _("Founded"),
        _("Website"),
        _("Seeking investment"),
        _("Verified"),
        _("Published on"),
        _("E-mail"),
        _("Phone"),
        _("Contact person"),
    ]
    if private:
        headers += [
            _("Sector"),
            _("Insured employees"),
            _("Revenue (VND)"),
            _("Total capital (VND)"),
            _("Year of the size figures"),
        ]
    choices = (repr(dataclasses.replace(filters, ignored=[])), private)
    return ListExport(Table(_("Firms"), headers, _firm_rows(filters, private)), choices)


def published_firm_pages(filters: FirmFilters) -> Iterator[list[Firm]]:
    query = (
        directory_query(filters)
        .options(selectinload(Firm.zone))
        .order_by(by_name(Firm.legal_name), Firm.id)
        .limit(FIRMS_PER_PAGE)
    )
    after = None
    while True:
        page = query if after is None else query.where(sa.tuple_(Firm.legal_name, Firm.id) > after)
        firms = db.session.scalars(page).all()
        yield firms
        if len(firms) < FIRMS_PER_PAGE:
            return
        after = (firms[-1].legal_name, firms[-1].id)


def offered_items(firms: list[Firm]) -> dict[int, list[int]]:
    """Firm id → the catalogue items it offers: plain rows, since loading 25,000 link objects
    would cost more than all the rest of the export."""
    offered: dict[int, list[int]] = defaultdict(list)
    links = db.session.execute(
        sa.select(FirmCatalogueLink.firm_id, FirmCatalogueLink.item_id).where(
            FirmCatalogueLink.firm_id.in_([firm.id for firm in firms]),
            FirmCatalogueLink.relation == LinkRelation.OFFERS,
        )
    )
    for firm_id, item_id in links:
        offered[firm_id].append(item_id)
    return offered


def _firm_rows(filters: FirmFilters, private: bool) -> Iterator[list]:
    # Translated once per export rather than once per cell: 10,000 firms make 60,000 lookups.
    yes_no, cached_label = cache(_yes_no), cache(label)
    for firms in published_firm_pages(filters):
        offered = offered_items(firms)
        for firm in firms:
            contact = private or firm.show_contact
            row = [
                firm.tax_code_display,
                firm.legal_name,
                firm.trade_name,
                firm.name_en,
                ward_name(firm.ward_code),
                firm.address_line,
                firm.zone.name_vi if firm.zone else "",
                cached_label(firm.enterprise_type),
                cached_label(firm.size_class),
                "; ".join(group.code for group in groups_of_items(offered[firm.id])),
                firm.founded_year,
                firm.website,
                yes_no(firm.seeking_investment),
                yes_no(firm.verified_at is not None),
                format_day(firm.published_at),
                firm.email if contact else "",
                firm.phone if contact else "",
                firm.contact_person if contact else "",
            ]
            if private:
                row += [
                    cached_label(firm.sector_group),
                    firm.insured_employees,
                    firm.revenue_vnd,
                    firm.capital_vnd,
                    firm.size_year,
                ]
            yield row


def export_programmes(actor: User | None, args) -> ListExport:
    query = sa.select(Programme).where(Programme.public()).options(selectinload(Programme.agency))
    status = programme_status_sql(clock.today())
    if args.get("status") in {s.value for s in ProgrammeStatus}:
        query = query.where(status == args["status"])
    if args.get("support") in {s.value for s in SupportType}:
        query = query.where(
            sa.cast(Programme.support_types, sa.Text).like(f'%"{args["support"]}"%')
        )
    if args.get("agency"):
        query = query.where(Programme.agency.has(code=args["agency"]))
    programmes = db.session.scalars(query.order_by(by_name(Programme.title_vi), Programme.id)).all()
    headers = [
        _("Title"),
        _("English title"),
        _("Agency"),
        _("Status"),
        _("Kinds of support"),
        _("Basis document"),
        _("Opens"),
        _("Closes"),
        _("Rolling"),
        _("Maximum amount (VND)"),
        _("Share of the cost the programme pays (%)"),
        _("Official page"),
        _("Where the figures come from"),
    ]
    rows = [
        [
            p.title_vi,
            p.title_en,
            p.agency.code,
            label(p.status),
            "; ".join(label(kind) for kind in p.support_types),
            p.basis_document,
            format_day(p.opens_on),
            format_day(p.closes_on),
            _yes_no(p.rolling),
            p.max_amount_vnd,
            p.cofinancing_pct,
            p.official_url,
            label(p.provenance),
        ]
        for p in programmes
    ]
    return ListExport(
        Table(_("Programmes"), headers, rows), _choices(args, ("status", "support", "agency"))
    )


def export_zones(actor: User | None, args) -> ListExport:
    query = sa.select(Zone).where(Zone.public()).options(selectinload(Zone.parent))
    if args.get("kind") in {k.value for k in ZoneKind}:
        query = query.where(Zone.kind == args["kind"])
    if args.get("status") in {s.value for s in ZoneStatus}:
        query = query.where(Zone.status == args["status"])
    zones = db.session.scalars(query.order_by(by_name(Zone.name_vi), Zone.id)).all()
    headers = [
        _("Name"),
        _("English name"),
        _("Kind"),
        _("Status"),
        _("Part of"),
        _("Ward or commune"),
        _("Area (ha)"),
        _("Occupancy (%)"),
        _("Wastewater capacity (m³/day)"),
        _("Contact"),
        _("Where the figures come from"),
    ]
    rows = [
        [
            z.name_vi,
            z.name_en,
            label(z.kind),
            label(z.status),
            z.parent.name_vi if z.parent else "",
            ward_name(z.ward_code),
            z.area_ha,
            z.occupancy_pct,
            z.wastewater_capacity_m3_day,
            z.contact,
            label(z.provenance),
        ]
        for z in zones
    ]
    return ListExport(
        Table(_("Zones and clusters"), headers, rows), _choices(args, ("kind", "status"))
    )


def export_incubators(actor: User | None, args) -> ListExport:
    query = sa.select(Incubator)
    if (ward := parse_int(args.get("ward", ""))) is not None:
        query = query.where(Incubator.ward_code == ward)
    incubators = db.session.scalars(query.order_by(by_name(Incubator.name_vi), Incubator.id)).all()
    headers = [
        _("Name"),
        _("English name"),
        _("Host organisation"),
        _("Ward or commune"),
        _("Capacity"),
        _("Maximum age of a start-up (years)"),
        _("Contact"),
        _("Website"),
        _("Where the figures come from"),
    ]
    rows = [
        [
            i.name_vi,
            i.name_en,
            i.host_organisation,
            ward_name(i.ward_code),
            i.capacity,
            i.max_startup_age_years,
            i.contact,
            i.website,
            label(i.provenance),
        ]
        for i in incubators
    ]
    return ListExport(Table(_("Incubators"), headers, rows), _choices(args, ("ward",)))


def export_catalogue(actor: User | None, args) -> ListExport:
    tree = catalogue_tree()
    items = list(tree.by_id.values())
    group = tree.by_code.get(args.get("group", ""))
    if group is not None and group.level == CatalogueLevel.GROUP:
        inside = tree.subtree_ids(group)
        items = [item for item in items if item.id in inside]
    if args.get("kind") in {k.value for k in CatalogueKind}:
        items = [item for item in items if item.kind == args["kind"]]
    if args.get("verified") in {"1", "0"}:
        wanted = args["verified"] == "1"
        items = [item for item in items if item.verified == wanted]
    items.sort(key=lambda item: item.code)
    headers = [
        _("Code"),
        _("Level"),
        _("Kind"),
        _("Group"),
        _("Parent code"),
        _("Vietnamese name"),
        _("English name"),
        _("Official item number"),
        _("Source document"),
        _("Verified"),
    ]
    rows = []
    for item in items:
        item_group = tree.group_of(item.id)
        parent = tree.by_id.get(item.parent_id) if item.parent_id else None
        rows.append(
            [
                item.code,
                str(item.level),
                label(item.kind),
                item_group.code if item_group else "",
                parent.code if parent else "",
                item.name_vi,
                item.name_en,
                item.official_number,
                item.source_document,
                _yes_no(item.verified),
            ]
        )
    return ListExport(
        Table(_("Catalogue"), headers, rows), _choices(args, ("group", "kind", "verified"))
    )


EXPORTS: dict[str, Callable[[User | None, object], ListExport]] = {
    "firms": export_firms,
    "programmes": export_programmes,
    "zones": export_zones,
    "incubators": export_incubators,
    "catalogue": export_catalogue,
}


def export_list(actor: User | None, kind: str, args) -> ListExport:
    export = EXPORTS.get(kind)
    if export is None:
        raise NotFound()
    return export(actor, args)


WRITERS: dict[str, Callable[[Table, BinaryIO], None]] = {
    "csv": write_csv,
    "xlsx": lambda table, file: write_xlsx([table], file),
}


def export_file(actor: User | None, kind: str, fmt: str, args) -> BinaryIO:
    """The list as a CSV or XLSX file from the cache, built first if this generation lacks it
    (raises export_cache.Busy while another build runs)."""
    write = WRITERS.get(fmt)
    if write is None:
        raise NotFound()
    generation = daily_generation()  # read before any data (see app.generation)
    export = export_list(actor, kind, args)
    key = (kind, fmt, export.choices, current_language())
    return export_cache.open_or_build(
        generation, key, lambda file: write(export.table, file), f".{fmt}"
    )
