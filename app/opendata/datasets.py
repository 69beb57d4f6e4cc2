"""The open datasets: the public directory of firms, the Decision 980 catalogue, public
programmes, zones and clusters, incubators — public records and public fields only.

Each dataset's columns are described once (`Column`: name, type, meaning, how to read the value
from a record); that one description writes the CSV and JSON files and the data dictionary on
the /open-data page, so the two cannot drift apart. Values are language-neutral (codes, ISO
dates, true/false), so one file serves both languages. Files are built once per data generation
and day and served from disk by the export cache every download already uses.
"""

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, BinaryIO

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.backoffice import export_cache
from app.backoffice.exports import offered_items, published_firm_pages
from app.catalogue.service import catalogue_tree
from app.domain import clock
from app.domain.enterprise import EnterpriseType
from app.domain.firm_size import SizeClass
from app.domain.places import ward_name
from app.errors import NotFound
from app.extensions import db
from app.firms.service import PUBLISHED, FirmFilters, groups_of_items
from app.generation import daily_generation
from app.labels import label
from app.models import (
    CatalogueItem,
    CatalogueKind,
    CatalogueLevel,
    Firm,
    GeographicScope,
    Incubator,
    Programme,
    ProgrammeStatus,
    SupportType,
    Zone,
    ZoneKind,
    ZoneStatus,
)
from app.models.base import Provenance, by_name
from app.tabular import Table, write_csv
from app.urls import public_url

PUBLISHER = "Sở Công Thương Quảng Ngãi"
FORMATS = ("csv", "json")
MEDIA_TYPES = {"csv": "text/csv", "json": "application/json"}
# What the dictionary calls each type of value.
TYPES = {
    "text": _l("text"),
    "integer": _l("whole number"),
    "number": _l("number, with a decimal point"),
    "date": _l("date, YYYY-MM-DD"),
    "datetime": _l("date and time in UTC, YYYY-MM-DDThh:mm:ssZ"),
    "boolean": _l("true or false"),
    "code": _l("code"),
    "codes": _l("list of codes (in CSV separated by “; ”)"),
    "url": _l("web address"),
}


@dataclass(frozen=True)
class Column:
    name: str  # the CSV heading and the JSON key
    type: str  # a key of TYPES
    meaning: Any  # a lazy translated string
    value: Callable[[Any], Any]  # a record → its value (str, int, float, bool, list or None)
    codes: type[StrEnum] | None = None  # the values a code may take, explained by label()

    @property
    def type_label(self) -> str:
        return str(TYPES[self.type])

    def code_labels(self) -> list[tuple[str, str]]:
        return [(str(code), label(code)) for code in self.codes] if self.codes else []


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: Any
    description: Any
    columns: tuple[Column, ...]
    records: Callable[[], Iterable[Any]]  # read as the file is written
    modified: Callable[[], datetime | None]  # the newest change of what the file holds

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]

    def values(self, record) -> list:
        return [column.value(record) for column in self.columns]


def _day(value: date | datetime | None) -> str | None:
    if isinstance(value, datetime):
        value = clock.local(value)
    return value.isoformat() if value else None


def _moment(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def _code(value) -> str | None:
    return str(value) if value is not None else None


def _public_slug(zone: Zone | None) -> str | None:
    """A zone's identifier where the zone itself is public: others are in no file."""
    return zone.slug if zone is not None and zone.is_public else None


def _newest(model, *conditions) -> Callable[[], datetime | None]:
    return lambda: db.session.scalar(sa.select(sa.func.max(model.updated_at)).where(*conditions))


# Firms ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FirmRecord:
    firm: Firm
    groups: list[str]  # codes of the catalogue groups of what it offers


def _firm_records() -> Iterator[FirmRecord]:
    for firms in published_firm_pages(FirmFilters()):
        offered = offered_items(firms)
        for firm in firms:
            groups = [group.code for group in groups_of_items(offered[firm.id])]
            yield FirmRecord(firm, groups)


def _contact(field: str) -> Callable[[FirmRecord], str | None]:
    """A contact detail only where the firm chose to show it to the public."""
    return lambda r: getattr(r.firm, field) if r.firm.show_contact else None


def _slug_url(endpoint: str) -> Callable[[Any], str]:
    return lambda record: public_url(endpoint, slug=record.slug)


FIRMS = Dataset(
    "firms",
    _l("Directory of environmental-industry firms"),
    _l(
        "Firms whose listing a curator of Sở Công Thương has published: names, tax code, "
        "address, type and size, what they offer. Contact details only where the firm chose "
        "to show them."
    ),
    (
        Column("slug", "code", _l("The firm's identifier on this site"), lambda r: r.firm.slug),
        Column(
            "url",
            "url",
            _l("The firm's page on this site"),
            lambda r: public_url("firms.detail", slug=r.firm.slug),
        ),
        Column(
            "tax_code",
            "code",
            _l("Tax code (mã số doanh nghiệp): 10 digits, or 10-3 for a branch"),
            lambda r: r.firm.tax_code_display,
        ),
        Column("legal_name", "text", _l("Registered name"), lambda r: r.firm.legal_name),
        Column("trade_name", "text", _l("Trade name"), lambda r: r.firm.trade_name),
        Column("name_en", "text", _l("English name"), lambda r: r.firm.name_en),
        Column(
            "enterprise_type",
            "code",
            _l("Type of firm"),
            lambda r: _code(r.firm.enterprise_type),
            EnterpriseType,
        ),
        Column(
            "size_class",
            "code",
            _l("Size class under Decree 80/2021/NĐ-CP"),
            lambda r: _code(r.firm.size_class),
            SizeClass,
        ),
        Column(
            "ward_code",
            "integer",
            _l("Code of the ward or commune (2025 administrative units)"),
            lambda r: r.firm.ward_code,
        ),
        Column("ward_name", "text", _l("Ward or commune"), lambda r: ward_name(r.firm.ward_code)),
        Column("address", "text", _l("Street address"), lambda r: r.firm.address_line),
        Column(
            "zone_slug",
            "code",
            _l("Identifier of the zone or cluster the firm is in (see the zones dataset)"),
            lambda r: _public_slug(r.firm.zone),
        ),
        Column(
            "catalogue_groups",
            "codes",
            _l("Codes of the catalogue groups of what the firm offers (see the catalogue)"),
            lambda r: r.groups,
        ),
        Column("founded_year", "integer", _l("Year founded"), lambda r: r.firm.founded_year),
        Column("website", "url", _l("Website"), lambda r: r.firm.website),
        Column(
            "seeking_investment",
            "boolean",
            _l("Whether the firm is looking for investment"),
            lambda r: r.firm.seeking_investment,
        ),
        Column(
            "verified",
            "boolean",
            _l("Whether a curator has verified the listing"),
            lambda r: r.firm.verified_at is not None,
        ),
        Column(
            "published_on",
            "date",
            _l("Day the listing was published"),
            lambda r: _day(r.firm.published_at),
        ),
        Column(
            "email",
            "text",
            _l("E-mail, if the firm shows its contact details"),
            _contact("email"),
        ),
        Column(
            "phone",
            "text",
            _l("Phone, if the firm shows its contact details"),
            _contact("phone"),
        ),
        Column(
            "contact_person",
            "text",
            _l("Contact person, if the firm shows its contact details"),
            _contact("contact_person"),
        ),
        Column(
            "sample_data",
            "boolean",
            _l("True for a made-up example shown for demonstration: not a real firm"),
            lambda r: r.firm.is_sample,
        ),
        Column(
            "updated_at",
            "datetime",
            _l("Last change of the record"),
            lambda r: _moment(r.firm.updated_at),
        ),
    ),
    _firm_records,
    _newest(Firm, PUBLISHED),
)


# The Decision 980 catalogue ---------------------------------------------------------------------


def _catalogue_records() -> list[CatalogueItem]:
    return sorted(catalogue_tree().by_id.values(), key=lambda item: item.code)


def _group_code(item: CatalogueItem) -> str | None:
    group = catalogue_tree().group_of(item.id)
    return group.code if group else None


def _parent_code(item: CatalogueItem) -> str | None:
    parent = catalogue_tree().by_id.get(item.parent_id) if item.parent_id else None
    return parent.code if parent else None


CATALOGUE = Dataset(
    "catalogue",
    _l("Decision 980 catalogue of environmental-industry technologies, equipment and products"),
    _l(
        "The tree of the catalogue of Decision 980/QĐ-TTg (22/8/2023): domain groups, kinds and "
        "items, with Vietnamese and English names. Entries not yet checked against the official "
        "text are marked as unverified."
    ),
    (
        Column(
            "code", "code", _l("The entry's code (ours, not an official number)"), lambda i: i.code
        ),
        Column("level", "code", _l("Level in the tree"), lambda i: str(i.level), CatalogueLevel),
        Column(
            "kind",
            "code",
            _l("Technology, equipment or product"),
            lambda i: _code(i.kind),
            CatalogueKind,
        ),
        Column("group_code", "code", _l("Code of the domain group"), _group_code),
        Column("parent_code", "code", _l("Code of the entry above it"), _parent_code),
        Column("name_vi", "text", _l("Vietnamese name"), lambda i: i.name_vi),
        Column("name_en", "text", _l("English name"), lambda i: i.name_en),
        Column(
            "official_number",
            "text",
            _l("Item number in the official appendix, where known"),
            lambda i: i.official_number,
        ),
        Column(
            "source_document",
            "text",
            _l("Document the entry comes from"),
            lambda i: i.source_document,
        ),
        Column(
            "verified",
            "boolean",
            _l("Whether the entry has been checked against the official text"),
            lambda i: i.verified,
        ),
        Column(
            "url",
            "url",
            _l("The entry's page on this site"),
            lambda i: public_url("catalogue.detail", code=i.code),
        ),
        Column(
            "updated_at",
            "datetime",
            _l("Last change of the record"),
            lambda i: _moment(i.updated_at),
        ),
    ),
    _catalogue_records,
    _newest(CatalogueItem),
)


# Programmes -------------------------------------------------------------------------------------


def _programme_records() -> list[Programme]:
    return db.session.scalars(
        sa.select(Programme)
        .where(Programme.public())
        .options(selectinload(Programme.agency))
        .order_by(by_name(Programme.title_vi), Programme.id)
    ).all()


PROGRAMMES = Dataset(
    "programmes",
    _l("Support programmes"),
    _l(
        "Published support programmes for environmental-industry firms (loans, grants, "
        "incentives, consulting, training): who runs them, what they give, when they open "
        "and close."
    ),
    (
        Column("slug", "code", _l("The programme's identifier on this site"), lambda p: p.slug),
        Column(
            "url", "url", _l("The programme's page on this site"), _slug_url("programmes.detail")
        ),
        Column("title_vi", "text", _l("Vietnamese title"), lambda p: p.title_vi),
        Column("title_en", "text", _l("English title"), lambda p: p.title_en),
        Column(
            "agency_code", "code", _l("Code of the agency that runs it"), lambda p: p.agency.code
        ),
        Column("agency_name", "text", _l("Agency that runs it"), lambda p: p.agency.name_vi),
        Column(
            "status",
            "code",
            _l("Status on the day the file was made (it follows the dates)"),
            lambda p: str(p.status),
            ProgrammeStatus,
        ),
        Column(
            "support_types",
            "codes",
            _l("Kinds of support"),
            lambda p: list(p.support_types or []),
            SupportType,
        ),
        Column(
            "geographic_scope",
            "code",
            _l("Where a firm must be to apply"),
            lambda p: _code(p.geographic_scope),
            GeographicScope,
        ),
        Column(
            "basis_document",
            "text",
            _l("Legal basis (document number)"),
            lambda p: p.basis_document,
        ),
        Column("basis_date", "date", _l("Date of the legal basis"), lambda p: _day(p.basis_date)),
        Column("opens_on", "date", _l("Day applications open"), lambda p: _day(p.opens_on)),
        Column("closes_on", "date", _l("Deadline for applications"), lambda p: _day(p.closes_on)),
        Column(
            "rolling",
            "boolean",
            _l("Whether applications are taken at any time (no deadline)"),
            lambda p: p.rolling,
        ),
        Column(
            "max_amount_vnd",
            "integer",
            _l("Maximum amount per firm, in VND"),
            lambda p: p.max_amount_vnd,
        ),
        Column(
            "cofinancing_pct",
            "integer",
            _l("Share of the cost the programme pays (%)"),
            lambda p: p.cofinancing_pct,
        ),
        Column("official_url", "url", _l("The official call"), lambda p: p.official_url),
        Column(
            "provenance",
            "code",
            _l("Where the figures come from"),
            lambda p: _code(p.provenance),
            Provenance,
        ),
        Column("summary_vi", "text", _l("Summary in Vietnamese"), lambda p: p.summary_vi),
        Column("summary_en", "text", _l("Summary in English"), lambda p: p.summary_en),
        Column(
            "updated_at",
            "datetime",
            _l("Last change of the record"),
            lambda p: _moment(p.updated_at),
        ),
    ),
    _programme_records,
    _newest(Programme, Programme.public()),
)


# Zones, clusters and incubators ---------------------------------------------------------------


def _zone_records() -> list[Zone]:
    return db.session.scalars(
        sa.select(Zone)
        .where(Zone.public())
        .options(selectinload(Zone.parent))
        .order_by(by_name(Zone.name_vi), Zone.id)
    ).all()


ZONES = Dataset(
    "zones",
    _l("Economic zones, industrial zones and industrial clusters"),
    _l(
        "Published economic zones, industrial zones and clusters of Quảng Ngãi: kind, status, "
        "area, occupancy, wastewater treatment capacity, location."
    ),
    (
        Column("slug", "code", _l("The zone's identifier on this site"), lambda z: z.slug),
        Column("url", "url", _l("The zone's page on this site"), _slug_url("places.zone")),
        Column("name_vi", "text", _l("Vietnamese name"), lambda z: z.name_vi),
        Column("name_en", "text", _l("English name"), lambda z: z.name_en),
        Column("kind", "code", _l("Kind of zone"), lambda z: str(z.kind), ZoneKind),
        Column("status", "code", _l("Status"), lambda z: str(z.status), ZoneStatus),
        Column(
            "parent_slug",
            "code",
            _l("Identifier of the zone it is part of"),
            lambda z: _public_slug(z.parent),
        ),
        Column("ward_code", "integer", _l("Code of the ward or commune"), lambda z: z.ward_code),
        Column("ward_name", "text", _l("Ward or commune"), lambda z: ward_name(z.ward_code)),
        Column("area_ha", "number", _l("Area (ha)"), lambda z: z.area_ha),
        Column("occupancy_pct", "number", _l("Occupancy (%)"), lambda z: z.occupancy_pct),
        Column(
            "wastewater_capacity_m3_day",
            "integer",
            _l("Wastewater capacity (m³/day)"),
            lambda z: z.wastewater_capacity_m3_day,
        ),
        Column("latitude", "number", _l("Latitude (WGS 84)"), lambda z: z.latitude),
        Column("longitude", "number", _l("Longitude (WGS 84)"), lambda z: z.longitude),
        Column("contact", "text", _l("Contact"), lambda z: z.contact),
        Column(
            "provenance",
            "code",
            _l("Where the figures come from"),
            lambda z: _code(z.provenance),
            Provenance,
        ),
        Column(
            "updated_at",
            "datetime",
            _l("Last change of the record"),
            lambda z: _moment(z.updated_at),
        ),
    ),
    _zone_records,
    _newest(Zone, Zone.public()),
)


def _incubator_records() -> list[Incubator]:
    return db.session.scalars(
        sa.select(Incubator).order_by(by_name(Incubator.name_vi), Incubator.id)
    ).all()


INCUBATORS = Dataset(
    "incubators",
    _l("Business incubators"),
    _l("Incubators for environmental-industry start-ups: host, location, capacity, contact."),
    (
        Column("slug", "code", _l("The incubator's identifier on this site"), lambda i: i.slug),
        Column(
            "url", "url", _l("The incubator's page on this site"), _slug_url("places.incubator")
        ),
        Column("name_vi", "text", _l("Vietnamese name"), lambda i: i.name_vi),
        Column("name_en", "text", _l("English name"), lambda i: i.name_en),
        Column("host_organisation", "text", _l("Host organisation"), lambda i: i.host_organisation),
        Column("ward_code", "integer", _l("Code of the ward or commune"), lambda i: i.ward_code),
        Column("ward_name", "text", _l("Ward or commune"), lambda i: ward_name(i.ward_code)),
        Column("capacity", "integer", _l("Capacity"), lambda i: i.capacity),
        Column(
            "max_startup_age_years",
            "integer",
            _l("Maximum age of a start-up (years)"),
            lambda i: i.max_startup_age_years,
        ),
        Column("contact", "text", _l("Contact"), lambda i: i.contact),
        Column("website", "url", _l("Website"), lambda i: i.website),
        Column(
            "provenance",
            "code",
            _l("Where the figures come from"),
            lambda i: _code(i.provenance),
            Provenance,
        ),
        Column(
            "updated_at",
            "datetime",
            _l("Last change of the record"),
            lambda i: _moment(i.updated_at),
        ),
    ),
    _incubator_records,
    _newest(Incubator),
)

DATASETS = {dataset.slug: dataset for dataset in (FIRMS, CATALOGUE, PROGRAMMES, ZONES, INCUBATORS)}


def get_dataset(slug: str) -> Dataset:
    dataset = DATASETS.get(slug)
    if dataset is None:
        raise NotFound()
    return dataset


def licence() -> tuple[str, str]:
    """The licence's name and address (settings: the department's decision)."""
    config = current_app.config
    return config["OPEN_DATA_LICENCE_NAME"], config["OPEN_DATA_LICENCE_URL"]


# Files ------------------------------------------------------------------------------------------


def csv_cell(value):
    """A value as the CSV writes it: true/false, lists joined by "; ", nothing for None."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return value


def write_dataset_csv(dataset: Dataset, file: BinaryIO) -> None:
    rows = ([csv_cell(v) for v in dataset.values(record)] for record in dataset.records())
    write_csv(Table(dataset.slug, dataset.names, rows), file)


def write_dataset_json(dataset: Dataset, file: BinaryIO) -> None:
    """{"dataset", "licence", "modified", "records": [{column: value}]}, one record a line,
    written as records are read."""
    name, url = licence()
    head = {
        "dataset": dataset.slug,
        "publisher": PUBLISHER,
        "licence": {"name": name, "url": url},
        "modified": _moment(dataset.modified()),
    }
    file.write(json.dumps(head, ensure_ascii=False)[:-1].encode())
    file.write(b', "records": [')
    for number, record in enumerate(dataset.records()):
        row = dict(zip(dataset.names, dataset.values(record), strict=True))
        file.write((",\n" if number else "\n").encode())
        file.write(json.dumps(row, ensure_ascii=False).encode())
    file.write(b"\n]}\n")


WRITERS = {"csv": write_dataset_csv, "json": write_dataset_json}


def dataset_file(slug: str, fmt: str) -> BinaryIO:
    """The dataset as a CSV or JSON file from the export cache, built first if this generation
    lacks it (raises export_cache.Busy while another build runs)."""
    dataset, write = get_dataset(slug), WRITERS.get(fmt)
    if write is None:
        raise NotFound()
    generation = daily_generation()  # before any data (see app.generation)
    return export_cache.open_or_build(
        generation,
        ("open-data", slug, fmt, licence()),
        lambda file: write(dataset, file),
        f".{fmt}",
    )
