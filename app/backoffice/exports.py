"""Lists as CSV or XLSX, with the filters a visitor chose: firms (the public directory's filters),
programmes, zones and clusters, incubators, catalogue items.

Everybody gets the public fields of public records; SCT reviewers also get the fields the public
never sees (contact details a firm keeps private, its size inputs).
"""

from collections.abc import Callable
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.backoffice.permissions import can_see_private_data
from app.backoffice.statistics import programme_status_sql
from app.backoffice.tabular import Table
from app.catalogue.service import catalogue_tree
from app.domain.places import ward_name
from app.errors import NotFound
from app.extensions import db
from app.firms.service import FirmFilters, directory_query, firm_groups
from app.i18n import format_day
from app.labels import label
from app.models import (
    CatalogueKind,
    CatalogueLevel,
    Firm,
    Incubator,
    Programme,
    ProgrammeStatus,
    SupportType,
    User,
    Zone,
    ZoneKind,
    ZoneStatus,
)
from app.parsing import parse_int


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def export_firms(actor: User | None, args) -> Table:
    filters = FirmFilters.from_args(args)
    private = can_see_private_data(actor)
    firms = db.session.scalars(
        directory_query(filters)
        .options(selectinload(Firm.catalogue_links), selectinload(Firm.zone))
        .order_by(Firm.legal_name, Firm.id)
    ).all()
    headers = [
        _("Tax code"),
        _("Legal name"),
        _("Trade name"),
        _("English name"),
        _("Ward or commune"),
        _("Address"),
        _("Zone or cluster"),
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
    rows = []
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
            label(firm.size_class),
            "; ".join(group.code for group in firm_groups(firm)),
            firm.founded_year,
            firm.website,
            _yes_no(firm.seeking_investment),
            _yes_no(firm.verified_at is not None),
            format_day(firm.published_at),
            firm.email if contact else "",
            firm.phone if contact else "",
            firm.contact_person if contact else "",
        ]
        if private:
            row += [
                label(firm.sector_group),
                firm.insured_employees,
                firm.revenue_vnd,
                firm.capital_vnd,
                firm.size_year,
            ]
        rows.append(row)
    return Table(_("Firms"), headers, rows)


def export_programmes(actor: User | None, args) -> Table:
    query = sa.select(Programme).where(Programme.public()).options(selectinload(Programme.agency))
    status = programme_status_sql(date.today())
    if args.get("status") in {s.value for s in ProgrammeStatus}:
        query = query.where(status == args["status"])
    if args.get("support") in {s.value for s in SupportType}:
        query = query.where(
            sa.cast(Programme.support_types, sa.Text).like(f'%"{args["support"]}"%')
        )
    if args.get("agency"):
        query = query.where(Programme.agency.has(code=args["agency"]))
    programmes = db.session.scalars(query.order_by(Programme.title_vi, Programme.id)).all()
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
        _("Co-financing (%)"),
        _("Official page"),
        _("Verified"),
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
            _yes_no(p.verified),
        ]
        for p in programmes
    ]
    return Table(_("Programmes"), headers, rows)


def export_zones(actor: User | None, args) -> Table:
    query = sa.select(Zone).where(Zone.public()).options(selectinload(Zone.parent))
    if args.get("kind") in {k.value for k in ZoneKind}:
        query = query.where(Zone.kind == args["kind"])
    if args.get("status") in {s.value for s in ZoneStatus}:
        query = query.where(Zone.status == args["status"])
    zones = db.session.scalars(query.order_by(Zone.name_vi, Zone.id)).all()
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
        _("Verified"),
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
            _yes_no(z.verified),
        ]
        for z in zones
    ]
    return Table(_("Zones and clusters"), headers, rows)


def export_incubators(actor: User | None, args) -> Table:
    query = sa.select(Incubator)
    if (ward := parse_int(args.get("ward", ""))) is not None:
        query = query.where(Incubator.ward_code == ward)
    incubators = db.session.scalars(query.order_by(Incubator.name_vi, Incubator.id)).all()
    headers = [
        _("Name"),
        _("English name"),
        _("Host organisation"),
        _("Ward or commune"),
        _("Capacity"),
        _("Maximum age of a start-up (years)"),
        _("Contact"),
        _("Website"),
        _("Sample data"),
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
            _yes_no(i.is_sample),
        ]
        for i in incubators
    ]
    return Table(_("Incubators"), headers, rows)


def export_catalogue(actor: User | None, args) -> Table:
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
    return Table(_("Catalogue"), headers, rows)


EXPORTS: dict[str, Callable[[User | None, object], Table]] = {
    "firms": export_firms,
    "programmes": export_programmes,
    "zones": export_zones,
    "incubators": export_incubators,
    "catalogue": export_catalogue,
}


def export_list(actor: User | None, kind: str, args) -> Table:
    export = EXPORTS.get(kind)
    if export is None:
        raise NotFound()
    return export(actor, args)
