"""What can be imported: for each kind of record, its columns, the rules a row must meet, how a
record's current content compares with a row, and how a row is written.

Rows match existing records by natural key (catalogue code, tax code, slug). A record's content is
compared as plain JSON-able values, so the same comparison decides "unchanged" in the dry run,
in the apply step, and fills the audit event.
"""

import abc
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.domain.firm_size import SectorGroup, SizeClass
from app.extensions import db
from app.firms import data as firm_data
from app.imports import cells
from app.labels import label
from app.models import (
    Agency,
    CatalogueItem,
    CatalogueKind,
    CatalogueLevel,
    Firm,
    FirmCatalogueLink,
    FirmIndustryCode,
    FirmStatus,
    Incubator,
    IndustryCode,
    Programme,
    SupportType,
    Zone,
    ZoneKind,
    ZoneStatus,
)
from app.models.base import utcnow
from seed.loader import _unique_slug

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


def plain(value):
    """The JSON-able form used to compare a row with a record and to fill audit events."""
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "_value_"):
        return str(value)
    return value


Problem = Callable[[str, str], None]  # (column, message)


class ImportKind(abc.ABC):
    name: str
    label: str
    entity: str
    model: type
    key: str
    columns: tuple[Column, ...]
    refers_to_itself: str | None = None  # rows may refer to earlier rows of the same file

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    def existing(self) -> dict:
        return {getattr(r, self.key): r for r in db.session.scalars(sa.select(self.model))}

    def prepare(self, ctx: Context) -> None:  # noqa: B027 (an optional hook)
        """Load what the rules need before the first row is checked."""

    def check(self, values: dict, record, ctx: Context, problem: Problem) -> None:  # noqa: B027 (an optional hook)
        """Rules across columns and against the database (types were checked already)."""

    def remember(self, values: dict, ctx: Context) -> None:  # noqa: B027 (an optional hook)
        """Let later rows of the same file refer to this one."""

    def desired(self, values: dict) -> dict:
        return {name: plain(value) for name, value in values.items() if name != self.key}

    @abc.abstractmethod
    def state(self, record, ctx: Context) -> dict:
        """The record's current content, in the same plain values as `desired`."""

    @abc.abstractmethod
    def write(self, record, values: dict, ctx: Context, line: int):
        """Create or update the record from a checked row; return it."""


def _set(record, values: dict, names) -> None:
    for name in names:
        if name in values:
            setattr(record, name, values[name])


def _publish(record, values: dict) -> None:
    if "published" in values:
        if values["published"]:
            record.published_at = record.published_at or utcnow()
        else:
            record.published_at = None


def _text(name: str, example: str = "", required: bool = False) -> Column:
    return Column(name, cells.text, example, required)


# Catalogue ------------------------------------------------------------------------------------

_LEVEL_ABOVE = {CatalogueLevel.KIND: CatalogueLevel.GROUP, CatalogueLevel.ITEM: CatalogueLevel.KIND}
_PARENT_RULES = {
    CatalogueLevel.KIND: lambda: _("The parent of a kind must be a group."),
    CatalogueLevel.ITEM: lambda: _("The parent of an item must be a kind."),
}


class CatalogueImport(ImportKind):
    name = "catalogue"
    label = _l("Catalogue items")
    entity = "catalogue_item"
    model = CatalogueItem
    key = "code"
    refers_to_itself = CATALOGUE
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
    fields = (
        "level",
        "kind",
        "name_vi",
        "name_en",
        "description_vi",
        "description_en",
        "official_number",
        "verified",
        "source_document",
    )

    def prepare(self, ctx):
        self.levels = {code: (item.level, item.kind) for code, item in ctx.items.items()}

    def check(self, values, record, ctx, problem):
        level, parent_code = values.get("level"), values.get("parent_code")
        if level is None:
            return
        if record is not None and record.level != level:
            problem(
                "level", _("This code already exists as a %(level)s.", level=label(record.level))
            )
        if level == CatalogueLevel.GROUP:
            if parent_code:
                problem("parent_code", _("A group has no parent."))
            if values.get("kind"):
                problem("kind", _("A group has no kind."))
            return
        if not values.get("kind"):
            problem("kind", _("Enter the kind: technology, equipment or product."))
        if not parent_code:
            problem("parent_code", _("Enter the parent's code."))
        elif parent_code in self.levels:
            parent_level, parent_kind = self.levels[parent_code]
            if parent_level != _LEVEL_ABOVE[CatalogueLevel(level)]:
                problem("parent_code", _PARENT_RULES[CatalogueLevel(level)]())
            elif parent_kind and values.get("kind") and parent_kind != values["kind"]:
                problem(
                    "kind", _("The kind must be the parent's kind (%(kind)s).", kind=parent_kind)
                )

    def remember(self, values, ctx):
        ctx.earlier.setdefault(CATALOGUE, set()).add(values["code"])
        if values.get("level"):
            self.levels[values["code"]] = (values["level"], values.get("kind"))

    def desired(self, values):
        wanted = super().desired(values)
        if wanted.get("verified") is None and "official_number" in values:
            # An official item number comes from the appendix itself: the item is verified.
            wanted["verified"] = bool(values["official_number"])
        elif "verified" in wanted:
            wanted["verified"] = bool(wanted["verified"])
        return wanted

    def state(self, item, ctx):
        found = {name: plain(getattr(item, name)) for name in self.fields}
        found["parent_code"] = ctx.code_of(CATALOGUE, item.parent_id)
        return found

    def write(self, item, values, ctx, line):
        if item is None:
            item = CatalogueItem(code=values["code"], sort_order=line)
            db.session.add(item)
            ctx.items[item.code] = item
        _set(item, self.desired(values), self.fields)
        if "parent_code" in values:
            item.parent = ctx.items.get(values["parent_code"]) if values["parent_code"] else None
        return item


# Firms ----------------------------------------------------------------------------------------

FIRM_SCALARS = (
    "legal_name",
    "trade_name",
    "name_en",
    "sector_group",
    "insured_employees",
    "revenue_vnd",
    "capital_vnd",
    "size_year",
    "address_line",
    "ward_code",
    "description_vi",
    "description_en",
)


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

    def existing(self):
        firms = db.session.scalars(
            sa.select(Firm).options(
                selectinload(Firm.members),
                selectinload(Firm.catalogue_links).selectinload(FirmCatalogueLink.item),
                selectinload(Firm.industry_codes).selectinload(FirmIndustryCode.industry_code),
            )
        )
        return {firm.tax_code: firm for firm in firms}

    def check(self, values, firm, ctx, problem):
        if firm is not None and firm.members:
            problem(
                "tax_code",
                _(
                    "A firm with this tax code is already registered and managed by its members; "
                    "it cannot be changed by import."
                ),
            )
        elif firm is not None and firm.status not in IMPORTABLE_FIRM_STATES:
            problem(
                "tax_code",
                _(
                    "A firm with this tax code is already registered and is in review; "
                    "decide on it in the review queue."
                ),
            )

    def desired(self, values):
        wanted = super().desired(values)
        if "industry_codes" in wanted:
            wanted["industry_codes"] = _primary_first(wanted["industry_codes"])
        if "offers" in wanted:
            wanted["offers"] = sorted(wanted["offers"])
        if "status" in wanted and wanted["status"] is None:
            del wanted["status"]  # a blank status keeps the firm's own (a new firm is a draft)
        return wanted

    def state(self, firm, ctx):
        found = {name: plain(getattr(firm, name)) for name in FIRM_SCALARS}
        found["zone"] = ctx.code_of(ZONE, firm.zone_id)
        found["offers"] = sorted(ctx.code_of(CATALOGUE, link.item_id) for link in firm.offerings)
        found["industry_codes"] = _primary_first(
            [fic.industry_code.code for fic in firm.industry_codes if fic.is_primary]
            + [fic.industry_code.code for fic in firm.industry_codes if not fic.is_primary]
        )
        found["status"] = plain(firm.status)
        return found

    def write(self, firm, values, ctx, line):
        wanted = self.desired(values)
        if firm is None:
            slugs = set(db.session.scalars(sa.select(Firm.slug)))
            name = values.get("trade_name") or values["legal_name"]
            firm = Firm(tax_code=values["tax_code"], slug=_unique_slug(name, slugs))
            db.session.add(firm)
        content = {name: values[name] for name in FIRM_SCALARS if name in values}
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
            firm.status = FirmStatus(wanted["status"])
            published = firm.status == FirmStatus.PUBLISHED
            firm.published_at = (firm.published_at or utcnow()) if published else None
        firm_data.apply(firm, content)
        return firm


def _primary_first(codes: list[str]) -> list[str]:
    """The first industry code is the primary one; the others are compared as a set."""
    return codes[:1] + sorted(set(codes[1:]) - set(codes[:1]))


# Programmes -----------------------------------------------------------------------------------

PROGRAMME_SCALARS = (
    "title_vi",
    "title_en",
    "basis_document",
    "basis_date",
    "summary_vi",
    "summary_en",
    "description_vi",
    "description_en",
    "support_types",
    "eligible_size_classes",
    "max_amount_vnd",
    "cofinancing_pct",
    "opens_on",
    "closes_on",
    "rolling",
    "contact",
    "official_url",
)


class ProgrammeImport(ImportKind):
    name = "programmes"
    label = _l("Programmes")
    entity = "programme"
    model = Programme
    key = "slug"
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
        Column("eligible_size_classes", cells.choices(SizeClass), "micro; small"),
        Column("max_amount_vnd", cells.amount, "500.000.000", low=0),
        Column("cofinancing_pct", cells.integer, "50", low=0, high=100),
        Column("opens_on", cells.date_value, "01/01/2026"),
        Column("closes_on", cells.date_value, "31/12/2026"),
        Column("rolling", cells.yes_no, "no"),
        _text("contact"),
        _text("official_url", "https://sct.quangngai.gov.vn"),
        Column("target_items", cells.codes, "NT; KT", refers_to=CATALOGUE),
        Column("published", cells.yes_no, "no"),
    )

    def check(self, values, record, ctx, problem):
        opens, closes = values.get("opens_on"), values.get("closes_on")
        if opens and closes and closes < opens:
            problem("closes_on", _("The closing date must not be before the opening date."))
        if values.get("rolling") and closes:
            problem("closes_on", _("A rolling programme has no closing date."))
        url = values.get("official_url")
        if url and not url.startswith(("https://", "http://")):
            problem("official_url", _("Enter a web address starting with https://."))

    def desired(self, values):
        wanted = super().desired(values)
        for name in ("rolling", "published"):
            if name in wanted:
                wanted[name] = bool(wanted[name])
        if "target_items" in wanted:
            wanted["target_items"] = sorted(wanted["target_items"])
        return wanted

    def state(self, programme, ctx):
        found = {name: plain(getattr(programme, name)) for name in PROGRAMME_SCALARS}
        found["support_types"] = sorted(programme.support_types or [])
        found["eligible_size_classes"] = sorted(programme.eligible_size_classes or [])
        found["agency"] = ctx.code_of(AGENCY, programme.agency_id)
        found["target_items"] = sorted(item.code for item in programme.target_items)
        found["published"] = programme.published_at is not None
        return found

    def write(self, programme, values, ctx, line):
        if programme is None:
            programme = Programme(slug=values["slug"])
            db.session.add(programme)
        wanted = self.desired(values)
        _set(
            programme,
            {**values, **{k: wanted[k] for k in ("rolling",) if k in wanted}},
            PROGRAMME_SCALARS,
        )
        programme.agency = ctx.agencies[values["agency"]]
        if "target_items" in values:
            programme.target_items = [ctx.items[code] for code in wanted["target_items"]]
        _publish(programme, wanted)
        return programme


# Zones ----------------------------------------------------------------------------------------

ZONE_SCALARS = (
    "name_vi",
    "name_en",
    "kind",
    "status",
    "ward_code",
    "area_ha",
    "occupancy_pct",
    "wastewater_capacity_m3_day",
    "description_vi",
    "description_en",
    "incentives_vi",
    "incentives_en",
    "latitude",
    "longitude",
    "contact",
)


class ZoneImport(ImportKind):
    name = "zones"
    label = _l("Zones and clusters")
    entity = "zone"
    model = Zone
    key = "slug"
    refers_to_itself = ZONE
    columns = (
        Column("slug", cells.slug, "ccn-vi-du", required=True),
        _text("name_vi", "Cụm công nghiệp Ví Dụ", required=True),
        _text("name_en", "Example Industrial Cluster"),
        Column("kind", cells.choice(ZoneKind), "industrial_cluster", required=True),
        Column("status", cells.choice(ZoneStatus), "calling_for_investment", required=True),
        Column("parent", cells.text, "", refers_to=ZONE),
        Column("ward_code", cells.ward, "21025"),
        Column("area_ha", cells.decimal, "50", low=0),
        Column("occupancy_pct", cells.decimal, "", low=0, high=100),
        Column("wastewater_capacity_m3_day", cells.integer, "", low=0),
        Column("managing_agency", cells.text, "BQLKKT", refers_to=AGENCY),
        _text("description_vi"),
        _text("description_en"),
        _text("incentives_vi"),
        _text("incentives_en"),
        Column("latitude", cells.decimal, "15.1", low=-90, high=90),
        Column("longitude", cells.decimal, "108.8", low=-180, high=180),
        _text("contact"),
        Column("priority_items", cells.codes, "NT; TC", refers_to=CATALOGUE),
        Column("published", cells.yes_no, "no"),
    )

    def check(self, values, record, ctx, problem):
        if values.get("parent") and values["parent"] == values.get("slug"):
            problem("parent", _("A zone cannot lie inside itself."))

    def remember(self, values, ctx):
        ctx.earlier.setdefault(ZONE, set()).add(values["slug"])

    def desired(self, values):
        wanted = super().desired(values)
        if "published" in wanted:
            wanted["published"] = bool(wanted["published"])
        if "priority_items" in wanted:
            wanted["priority_items"] = sorted(wanted["priority_items"])
        return wanted

    def state(self, zone, ctx):
        found = {name: plain(getattr(zone, name)) for name in ZONE_SCALARS}
        found["parent"] = ctx.code_of(ZONE, zone.parent_id)
        found["managing_agency"] = ctx.code_of(AGENCY, zone.managing_agency_id)
        found["priority_items"] = sorted(item.code for item in zone.priority_items)
        found["published"] = zone.published_at is not None
        return found

    def write(self, zone, values, ctx, line):
        if zone is None:
            zone = Zone(slug=values["slug"])
            db.session.add(zone)
            ctx.zones[zone.slug] = zone
        wanted = self.desired(values)
        _set(zone, values, ZONE_SCALARS)
        if "parent" in values:
            zone.parent = ctx.zones[values["parent"]] if values["parent"] else None
        if "managing_agency" in values:
            code = values["managing_agency"]
            zone.managing_agency = ctx.agencies[code] if code else None
        if "priority_items" in values:
            zone.priority_items = [ctx.items[code] for code in wanted["priority_items"]]
        _publish(zone, wanted)
        return zone


# Incubators -----------------------------------------------------------------------------------

INCUBATOR_SCALARS = (
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


class IncubatorImport(ImportKind):
    name = "incubators"
    label = _l("Incubators")
    entity = "incubator"
    model = Incubator
    key = "slug"
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
        Column("max_startup_age_years", cells.integer, "5", low=0, high=100),
        Column("capacity", cells.integer, "12", low=0),
        _text("contact"),
        _text("website", "https://example.vn"),
        Column("focus_items", cells.codes, "KT; QT", refers_to=CATALOGUE),
        Column("is_sample", cells.yes_no, "no"),
    )

    def desired(self, values):
        wanted = super().desired(values)
        if "is_sample" in wanted:
            wanted["is_sample"] = bool(wanted["is_sample"])
        if "focus_items" in wanted:
            wanted["focus_items"] = sorted(wanted["focus_items"])
        return wanted

    def state(self, incubator, ctx):
        found = {name: plain(getattr(incubator, name)) for name in INCUBATOR_SCALARS}
        found["focus_items"] = sorted(item.code for item in incubator.focus_items)
        return found

    def write(self, incubator, values, ctx, line):
        if incubator is None:
            incubator = Incubator(slug=values["slug"])
            db.session.add(incubator)
        wanted = self.desired(values)
        _set(incubator, {**values, **wanted}, INCUBATOR_SCALARS)
        if "focus_items" in values:
            incubator.focus_items = [ctx.items[code] for code in wanted["focus_items"]]
        return incubator


KINDS: dict[str, type[ImportKind]] = {
    kind.name: kind
    for kind in (CatalogueImport, FirmImport, ProgrammeImport, ZoneImport, IncubatorImport)
}
