"""What can be imported: for each kind of record, its columns and how a row becomes the data
that the record's own service takes. Rows go through that service's `check` (every rule of the
record, once) and `apply`, as the curators' forms do; only firms keep rules of their own here
(an import never touches a listing its members manage or a curator is reviewing).

Rows match existing records by natural key (catalogue code, tax code, slug). A record's content is
compared as plain JSON-able values (`state`) before and after its row is written, which decides
"unchanged" and fills the audit event.
"""

import abc
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app import audit
from app.curation import agency_data
from app.curation.agency_data import PROGRAMME_FIELDS, ZONE_FIELDS
from app.domain.enterprise import EnterpriseType
from app.domain.firm_size import SectorGroup, SizeClass
from app.errors import ValidationError
from app.extensions import db
from app.firms import data as firm_data
from app.firms import renewals
from app.imports import cells
from app.models import (
    Agency,
    CatalogueItem,
    CatalogueKind,
    CatalogueLevel,
    Criterion,
    Firm,
    FirmCatalogueLink,
    FirmIndustryCode,
    FirmStatus,
    Incubator,
    IndustryCode,
    Programme,
    Provenance,
    SupportType,
    Zone,
    ZoneKind,
    ZoneStatus,
)
from app.models.base import utcnow
from app.refdata import catalogue, incubators
from app.rules import Aggregate
from app.slugs import unique_slug

CATALOGUE, AGENCY, ZONE, INDUSTRY_CODE = "catalogue", "agency", "zone", "industry_code"
IMPORTABLE_FIRM_STATES = (FirmStatus.DRAFT, FirmStatus.PUBLISHED)


@dataclass(frozen=True)
class Column:
    name: str
    parse: Callable[[str], object]
    example: str = ""
    required: bool = False
    low: float | None = None
    high: float | None = None
    refers_to: str | None = None  # every code in the cell must exist (see Context.knows)


@dataclass
class Context:
    """What rows may refer to: the database's records plus earlier rows of the same file."""

    items: dict[str, CatalogueItem]
    agencies: dict[str, Agency]
    zones: dict[str, Zone]
    industry_codes: dict[str, IndustryCode]
    earlier: dict[str, set[str]] = field(default_factory=dict)
    _by_id: dict[str, tuple[int, dict]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "Context":
        codes: dict[str, IndustryCode] = {}
        # Codes are looked up in the 2025 system first, then the 2018 one.
        for code in db.session.scalars(sa.select(IndustryCode).order_by(IndustryCode.version)):
            codes[code.code] = code
        return cls(
            items={i.code: i for i in db.session.scalars(sa.select(CatalogueItem))},
            agencies={a.code: a for a in db.session.scalars(sa.select(Agency))},
            zones={z.slug: z for z in db.session.scalars(sa.select(Zone))},
            industry_codes=codes,
        )

    def lookup(self, ref: str) -> dict:
        return {
            CATALOGUE: self.items,
            AGENCY: self.agencies,
            ZONE: self.zones,
            INDUSTRY_CODE: self.industry_codes,
        }[ref]

    def knows(self, ref: str, code: str) -> bool:
        return code in self.lookup(ref) or code in self.earlier.get(ref, set())

    def find(self, ref: str, code: str | None, column: str) -> int | None:
        """The id of the record a cell of `column` refers to (None for a blank cell). A code
        known only from an earlier row of the file that had a problem itself is a problem."""
        if not code:
            return None
        record = self.lookup(ref).get(code)
        if record is None:
            message = _("%(codes)s is defined on a row that has a problem.", codes=code)
            _refuse(column, message)
        return record.id

    def code_of(self, ref: str, record_id: int | None) -> str | None:
        if record_id is None:
            return None
        records = self.lookup(ref)
        cached = self._by_id.get(ref)
        if cached is None or cached[0] != len(records):
            cached = (len(records), {record.id: key for key, record in records.items()})
            self._by_id[ref] = cached
        return cached[1].get(record_id)


def unknown_message(ref: str, codes: list[str]) -> str:
    listed = ", ".join(codes)
    return {
        CATALOGUE: _("Unknown catalogue code: %(codes)s.", codes=listed),
        AGENCY: _("Unknown agency code: %(codes)s.", codes=listed),
        ZONE: _("Unknown zone: %(codes)s.", codes=listed),
        INDUSTRY_CODE: _("Unknown VSIC industry code: %(codes)s.", codes=listed),
    }[ref]


def _refuse(column: str, message: str) -> None:
    raise ValidationError(message, errors={column: [message]})


class ImportKind(abc.ABC):
    name: str
    label: str
    entity: str
    model: type
    key: str
    columns: tuple[Column, ...]
    refers_to_itself: str | None = None  # rows may refer to earlier rows of the same file
    fields: dict[str, str] = {}  # the service's field → the column, where the names differ

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    def column_of(self, field_name: str) -> str:
        """The column that shows a problem with a field of the service's data (the key column
        for a field the file has no column for)."""
        name = self.fields.get(field_name, field_name)
        return name if self.column(name) is not None else self.key

    def existing(self) -> dict:
        return {getattr(r, self.key): r for r in db.session.scalars(sa.select(self.model))}

    @abc.abstractmethod
    def state(self, record, ctx: Context) -> dict:
        """The record's content as plain values, by column."""

    @abc.abstractmethod
    def save(self, record, values: dict, ctx: Context, line: int):
        """Check a parsed row and write it into `record` (None: a new one); return the record.
        Raises ValidationError naming the service's fields or the columns."""


class ServiceImport(ImportKind):
    """A kind whose records have their own write path (`aggregate`): a row is the record's
    data (as `data_of` gives it) with the row's columns put in (`data`), then `check` and
    `apply`, as the record's forms do."""

    aggregate: Aggregate

    @abc.abstractmethod
    def data(self, values: dict, ctx: Context) -> dict:
        """The service's data for the columns the row has."""

    def new_data(self, line: int) -> dict:
        """The data a new record starts from."""
        return {}

    def save(self, record, values, ctx, line):
        aggregate = self.aggregate
        start = aggregate.data_of(record) if record is not None else self.new_data(line)
        cleaned = aggregate.check({**start, **self.data(values, ctx)}, record)
        if record is None:
            record = self.model(**{self.key: values[self.key]})
        return aggregate.apply(record, cleaned)


def _copy(values: dict, names) -> dict:
    return {name: values[name] for name in names if name in values}


def _ids(ctx: Context, ref: str, values: dict, column: str) -> list[int]:
    return [ctx.find(ref, code, column) for code in values[column]]


def _text(name: str, example: str = "", required: bool = False) -> Column:
    return Column(name, cells.text, example, required)


# Where the figures come from (see app.rules.check_provenance); "verified" is refused on a record
# that is not verified yet: only the curators' "mark verified" action makes one.
PROVENANCE_COLUMNS = (
    Column("provenance", cells.choice(Provenance), "public_source"),
    _text("source_document", "Quyết định 1894/QĐ-TTg"),
    Column("source_date", cells.date_value, "04/09/2025"),
    _text("source_url"),
)


class _Publishable(ServiceImport):
    """Programmes and zones: a `published` column publishes or unpublishes the record."""

    def save(self, record, values, ctx, line):
        record = super().save(record, values, ctx, line)
        wanted = bool(values.get("published"))
        if "published" in values and wanted != (record.published_at is not None):
            agency_data.change_state(record, "publish" if wanted else "unpublish")
        return record


# Catalogue ------------------------------------------------------------------------------------

CATALOGUE_CONTENT = ("level", "kind", *catalogue.ITEM_FIELDS)


class CatalogueImport(ServiceImport):
    name = "catalogue"
    label = _l("Catalogue items")
    entity = "catalogue_item"
    model = CatalogueItem
    key = "code"
    refers_to_itself = CATALOGUE
    fields = {"parent_id": "parent_code"}
    columns = (
        _text("code", "NT.CN.99", required=True),
        Column("parent_code", cells.text, "NT.CN", refers_to=CATALOGUE),
        Column("level", cells.choice(CatalogueLevel), "item", required=True),
        Column("kind", cells.choice(CatalogueKind), "technology"),
        _text("name_vi", "Công nghệ xử lý nước thải thiếu khí – hiếu khí (AO/A2O)", True),
        _text("name_en", "Anoxic–oxic (AO/A2O) wastewater treatment technology"),
        _text("description_vi"),
        _text("description_en"),
        _text("official_number", "I.1.1"),
        Column("verified", cells.yes_no, "yes"),
        _text("source_document", "Quyết định 980/QĐ-TTg ngày 22/8/2023, Phụ lục"),
    )
    aggregate = catalogue.ENTRY

    def new_data(self, line):
        return {"sort_order": line}  # new entries keep the file's order

    def data(self, values, ctx):
        data = _copy(values, ("code", *CATALOGUE_CONTENT))
        if "parent_code" in values:
            data["parent_id"] = ctx.find(CATALOGUE, values["parent_code"], "parent_code")
        if values.get("verified") is None and "official_number" in values:
            # An official item number comes from the appendix itself: the item is verified.
            data["verified"] = bool(values["official_number"])
        return data

    def state(self, item, ctx):
        found = {name: audit.plain(getattr(item, name)) for name in CATALOGUE_CONTENT}
        found["parent_code"] = item.parent.code if item.parent else None
        return found


# Firms ----------------------------------------------------------------------------------------


class FirmImport(ImportKind):
    name = "firms"
    label = _l("Firms")
    entity = "firm"
    model = Firm
    key = "tax_code"
    columns = (
        Column("tax_code", cells.tax_code, "0100233488", required=True),
        _text("legal_name", "Công ty TNHH Môi trường Ví Dụ", required=True),
        _text("trade_name", "Môi trường Ví Dụ"),
        _text("name_en", "Example Environment Co., Ltd."),
        Column("enterprise_type", cells.choice(EnterpriseType), "llc_multi_member"),
        Column("sector_group", cells.choice(SectorGroup), "agri_industry"),
        Column("insured_employees", cells.integer, "45", low=0),
        Column("revenue_vnd", cells.amount, "38.000.000.000"),
        Column("capital_vnd", cells.amount, "15.000.000.000"),
        Column("size_year", cells.integer, "2025", low=1900, high=2100),
        _text("address_line", "Số 18 đường Bàu Sen"),
        Column("ward_code", cells.ward, "21025"),
        Column("zone", cells.text, "", refers_to=ZONE),
        _text("description_vi", "Thiết kế và lắp đặt hệ thống xử lý nước thải."),
        _text("description_en", "Designs and installs wastewater treatment plants."),
        Column("offers", cells.codes, "NT.CN.01; NT.CN.03", refers_to=CATALOGUE),
        Column("industry_codes", cells.codes, "4222; 3700", refers_to=INDUSTRY_CODE),
        Column("status", cells.choice(IMPORTABLE_FIRM_STATES), "draft"),
    )
    # The columns that are fields of the listing's content as the firm editor writes it.
    scalars = tuple(c.name for c in columns if c.name in firm_data.SCALAR_FIELDS)

    def existing(self):
        firms = db.session.scalars(
            sa.select(Firm).options(
                selectinload(Firm.members),
                selectinload(Firm.catalogue_links).selectinload(FirmCatalogueLink.item),
                selectinload(Firm.industry_codes).selectinload(FirmIndustryCode.industry_code),
            )
        )
        return {firm.tax_code: firm for firm in firms}

    def save(self, firm, values, ctx, line):
        if firm is not None and firm.members:
            _refuse(
                "tax_code",
                _(
                    "A firm with this tax code is already registered and managed by its members; "
                    "it cannot be changed by import."
                ),
            )
        if firm is not None and firm.status not in IMPORTABLE_FIRM_STATES:
            _refuse(
                "tax_code",
                _(
                    "A firm with this tax code is already registered and is in review; "
                    "decide on it in the review queue."
                ),
            )
        if firm is not None:
            _before, changed = audit.changed_fields(self.state(firm, ctx), self.desired(values))
            if not changed:
                return firm
        return self.write(firm, values, ctx)

    def desired(self, values: dict) -> dict:
        """The row's content in the plain values of `state`."""
        wanted = {name: audit.plain(value) for name, value in values.items() if name != self.key}
        if "industry_codes" in wanted:
            wanted["industry_codes"] = _primary_first(wanted["industry_codes"])
        if "offers" in wanted:
            wanted["offers"] = sorted(wanted["offers"])
        if "status" in wanted and wanted["status"] is None:
            del wanted["status"]  # a blank status keeps the firm's own (a new firm is a draft)
        return wanted

    def state(self, firm, ctx):
        found = {name: audit.plain(getattr(firm, name)) for name in self.scalars}
        found["zone"] = ctx.code_of(ZONE, firm.zone_id)
        found["offers"] = sorted(ctx.code_of(CATALOGUE, link.item_id) for link in firm.offerings)
        found["industry_codes"] = _primary_first(
            [fic.industry_code.code for fic in firm.industry_codes if fic.is_primary]
            + [fic.industry_code.code for fic in firm.industry_codes if not fic.is_primary]
        )
        found["status"] = audit.plain(firm.status)
        return found

    def write(self, firm, values: dict, ctx: Context) -> Firm:
        wanted = self.desired(values)
        content = {name: values[name] for name in self.scalars if name in values}
        # The listing's own rules (the kind must fit the tax code), as its editor checks them.
        known = {"enterprise_type": firm.enterprise_type} if firm is not None else {}
        firm_data.problems({**known, **content}, values["tax_code"]).refuse()
        if firm is None:
            name = values.get("trade_name") or values["legal_name"]
            firm = Firm(tax_code=values["tax_code"], slug=unique_slug(Firm, name))
            db.session.add(firm)
        if "zone" in values:
            content["zone_id"] = ctx.zones[values["zone"]].id if values["zone"] else None
        if "offers" in wanted:
            notes = {
                ctx.code_of(CATALOGUE, link.item_id): link.note or "" for link in firm.offerings
            }
            content["offers"] = [
                {"item_id": ctx.items[code].id, "note": notes.get(code, "")}
                for code in wanted["offers"]
            ]
        if "industry_codes" in wanted:
            content["industry_codes"] = [
                {"industry_code_id": ctx.industry_codes[code].id, "primary": index == 0}
                for index, code in enumerate(wanted["industry_codes"])
            ]
        if "status" in wanted:
            was_published = firm.status == FirmStatus.PUBLISHED
            firm.status = FirmStatus(wanted["status"])
            published = firm.status == FirmStatus.PUBLISHED
            firm.published_at = (firm.published_at or utcnow()) if published else None
            if published and not was_published:
                firm.lapsed_at = None
                renewals.start_period(firm)
        firm_data.apply(firm, content)
        return firm


def _primary_first(codes: list[str]) -> list[str]:
    """The first industry code is the primary one; the others are compared as a set."""
    return codes[:1] + sorted(set(codes[1:]) - set(codes[:1]))


# Programmes -----------------------------------------------------------------------------------


class ProgrammeImport(_Publishable):
    name = "programmes"
    label = _l("Programmes")
    entity = "programme"
    model = Programme
    key = "slug"
    fields = {"agency_id": "agency", "target_item_ids": "target_items"}
    columns = (
        Column("slug", cells.slug, "chuong-trinh-vi-du", required=True),
        Column("agency", cells.text, "SCT", required=True, refers_to=AGENCY),
        _text("title_vi", "Chương trình hỗ trợ ví dụ", required=True),
        _text("title_en", "Example support programme"),
        _text("basis_document", "Quyết định 1894/QĐ-TTg"),
        Column("basis_date", cells.date_value, "04/09/2025"),
        _text("summary_vi"),
        _text("summary_en"),
        _text("description_vi"),
        _text("description_en"),
        Column("support_types", cells.choices(SupportType), "grant; consulting"),
        Column("eligible_enterprise_types", cells.choices(EnterpriseType), "joint_stock"),
        Column("eligible_size_classes", cells.choices(SizeClass), "micro; small"),
        Column("preferred_criteria", cells.choices(Criterion), "domains"),
        Column("max_amount_vnd", cells.amount, "500.000.000"),
        Column("cofinancing_pct", cells.integer, "50"),
        Column("opens_on", cells.date_value, "01/01/2026"),
        Column("closes_on", cells.date_value, "31/12/2026"),
        Column("rolling", cells.yes_no, "no"),
        _text("contact"),
        _text("official_url", "https://sct.quangngai.gov.vn"),
        *PROVENANCE_COLUMNS,
        Column("target_items", cells.codes, "NT; KT", refers_to=CATALOGUE),
        Column("published", cells.yes_no, "no"),
    )
    aggregate = agency_data.PROGRAMMES

    def data(self, values, ctx):
        data = _copy(values, PROGRAMME_FIELDS)
        if "agency" in values:
            data["agency_id"] = ctx.find(AGENCY, values["agency"], "agency")
        if "target_items" in values:
            data["target_item_ids"] = _ids(ctx, CATALOGUE, values, "target_items")
        return data

    def state(self, programme, ctx):
        found = {name: audit.plain(getattr(programme, name)) for name in PROGRAMME_FIELDS}
        found["agency"] = ctx.code_of(AGENCY, programme.agency_id)
        found["target_items"] = sorted(item.code for item in programme.target_items)
        found["published"] = programme.published_at is not None
        return found


# Zones ----------------------------------------------------------------------------------------


class ZoneImport(_Publishable):
    name = "zones"
    label = _l("Zones and clusters")
    entity = "zone"
    model = Zone
    key = "slug"
    refers_to_itself = ZONE
    fields = {
        "parent_id": "parent",
        "agency_id": "managing_agency",
        "priority_item_ids": "priority_items",
    }
    columns = (
        Column("slug", cells.slug, "ccn-vi-du", required=True),
        _text("name_vi", "Cụm công nghiệp Ví Dụ", required=True),
        _text("name_en", "Example Industrial Cluster"),
        Column("kind", cells.choice(ZoneKind), "industrial_cluster", required=True),
        Column("status", cells.choice(ZoneStatus), "calling_for_investment", required=True),
        Column("parent", cells.text, "", refers_to=ZONE),
        Column("ward_code", cells.ward, "21025"),
        Column("area_ha", cells.decimal, "50"),
        Column("occupancy_pct", cells.decimal, ""),
        Column("wastewater_capacity_m3_day", cells.integer, ""),
        Column("managing_agency", cells.text, "BQLKKT", refers_to=AGENCY),
        _text("description_vi"),
        _text("description_en"),
        _text("incentives_vi"),
        _text("incentives_en"),
        Column("latitude", cells.decimal, "15.1"),
        Column("longitude", cells.decimal, "108.8"),
        _text("contact"),
        *PROVENANCE_COLUMNS,
        Column("priority_items", cells.codes, "NT; TC", refers_to=CATALOGUE),
        Column("published", cells.yes_no, "no"),
    )
    aggregate = agency_data.ZONES

    def data(self, values, ctx):
        data = _copy(values, ZONE_FIELDS)
        if "parent" in values:
            data["parent_id"] = ctx.find(ZONE, values["parent"], "parent")
        if "managing_agency" in values:
            data["agency_id"] = ctx.find(AGENCY, values["managing_agency"], "managing_agency")
        if "priority_items" in values:
            data["priority_item_ids"] = _ids(ctx, CATALOGUE, values, "priority_items")
        return data

    def state(self, zone, ctx):
        found = {name: audit.plain(getattr(zone, name)) for name in ZONE_FIELDS}
        found["parent"] = ctx.code_of(ZONE, zone.parent_id)
        found["managing_agency"] = ctx.code_of(AGENCY, zone.managing_agency_id)
        found["priority_items"] = sorted(item.code for item in zone.priority_items)
        found["published"] = zone.published_at is not None
        return found


# Incubators -----------------------------------------------------------------------------------


class IncubatorImport(ServiceImport):
    name = "incubators"
    label = _l("Incubators")
    entity = "incubator"
    model = Incubator
    key = "slug"
    fields = {"focus_item_ids": "focus_items"}
    columns = (
        Column("slug", cells.slug, "vuon-uom-vi-du", required=True),
        _text("name_vi", "Vườn ươm doanh nghiệp công nghiệp môi trường Ví Dụ", required=True),
        _text("name_en", "Example environmental-industry incubator"),
        _text("host_organisation", "Trường Đại học Ví Dụ", required=True),
        Column("ward_code", cells.ward, "21025"),
        _text("services_vi"),
        _text("services_en"),
        _text("description_vi"),
        _text("description_en"),
        Column("max_startup_age_years", cells.integer, "5"),
        Column("capacity", cells.integer, "12"),
        _text("contact"),
        _text("website", "https://example.vn"),
        Column("focus_items", cells.codes, "KT; QT", refers_to=CATALOGUE),
        *PROVENANCE_COLUMNS,
    )
    aggregate = incubators.INCUBATOR

    def data(self, values, ctx):
        data = _copy(values, incubators.FIELDS)
        if "focus_items" in values:
            data["focus_item_ids"] = _ids(ctx, CATALOGUE, values, "focus_items")
        return data

    def state(self, incubator, ctx):
        found = {name: audit.plain(getattr(incubator, name)) for name in incubators.FIELDS}
        found["focus_items"] = sorted(item.code for item in incubator.focus_items)
        return found


KINDS: dict[str, type[ImportKind]] = {
    kind.name: kind
    for kind in (CatalogueImport, FirmImport, ProgrammeImport, ZoneImport, IncubatorImport)
}
