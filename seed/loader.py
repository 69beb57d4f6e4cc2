"""Load the YAML files in seed/ into the database, adding only what is missing.

Every record has a natural key (agency code, catalogue code, slug, tax code, e-mail); a record
that already exists is left as it is, so curators' edits are never overwritten and a second run
changes nothing. Everything is added in one transaction.
"""

from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import sqlalchemy as sa
import yaml
from werkzeug.security import generate_password_hash

from app.domain.places import is_ward
from app.domain.tax_code import normalize_tax_code
from app.domain.text import nfc, slugify
from app.extensions import db
from app.firms.data import SCALAR_FIELDS
from app.models import (
    Agency,
    CatalogueItem,
    CatalogueKind,
    CatalogueLevel,
    Firm,
    FirmCatalogueLink,
    FirmCertification,
    FirmIndustryCode,
    FirmMember,
    FirmStatus,
    Incubator,
    IndustryCode,
    LinkRelation,
    MemberRole,
    Programme,
    Role,
    User,
    Zone,
)
from app.models.base import utcnow
from app.transaction import unit_of_work

KIND_CODES = {
    CatalogueKind.TECHNOLOGY: "CN",
    CatalogueKind.EQUIPMENT: "TB",
    CatalogueKind.PRODUCT: "SP",
}


class SeedError(Exception):
    """A seed file refers to something that does not exist or holds an invalid value."""


@dataclass
class SeedReport:
    created: Counter = field(default_factory=Counter)
    demo_accounts: list[str] = field(default_factory=list)

    def merge(self, other: "SeedReport") -> None:
        self.created.update(other.created)
        self.demo_accounts.extend(other.demo_accounts)

    def summary(self) -> str:
        if not +self.created:
            return "Nothing to do: the database already holds all seed data."
        parts = ", ".join(f"{count} {kind}" for kind, count in sorted(self.created.items()))
        return f"Added {parts}."


def _read(directory: Path, name: str):
    with (directory / name).open(encoding="utf-8") as handle:
        return _nfc_all(yaml.safe_load(handle))


def _nfc_all(value):
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, list):
        return [_nfc_all(v) for v in value]
    if isinstance(value, dict):
        return {k: _nfc_all(v) for k, v in value.items()}
    return value


def _no_progress(label, items):
    return nullcontext(items)


class _Loader:
    def __init__(self, directory: Path, progress):
        self.directory = directory
        self.progress = progress or _no_progress
        self.report = SeedReport()

    def existing(self, column) -> dict:
        """Map natural key → row for a model's key column."""
        model = column.class_
        return {getattr(row, column.key): row for row in db.session.scalars(sa.select(model))}

    def rows(self, label: str, records: list[dict]):
        return self.progress(label, records)

    def created(self, kind: str) -> None:
        self.report.created[kind] += 1

    # Reference data --------------------------------------------------------------------------

    def agencies(self) -> None:
        known = self.existing(Agency.code)
        with self.rows("agencies", _read(self.directory, "agencies.yaml")) as records:
            for record in records:
                if record["code"] not in known:
                    known[record["code"]] = Agency(**record)
                    db.session.add(known[record["code"]])
                    self.created("agencies")
        self.agency_by_code = known

    def industry_codes(self) -> None:
        known = {(r.code, r.version): r for r in db.session.scalars(sa.select(IndustryCode))}
        with self.rows("industry codes", _read(self.directory, "industry_codes.yaml")) as records:
            for record in records:
                key = (str(record["code"]), str(record["version"]))
                if key not in known:
                    known[key] = IndustryCode(
                        code=key[0],
                        version=key[1],
                        name_vi=record["name_vi"],
                        name_en=record.get("name_en"),
                    )
                    db.session.add(known[key])
                    self.created("industry codes")
        self.industry_code_by_key = known

    def catalogue(self) -> None:
        data = _read(self.directory, "catalogue.yaml")
        source = data.get("source_document")
        known = self.existing(CatalogueItem.code)

        def ensure(code, parent, level, kind, record, order):
            if code in known:
                return known[code]
            item = CatalogueItem(
                code=code,
                parent=parent,
                level=level,
                kind=kind,
                name_vi=record["name_vi"],
                name_en=record.get("name_en"),
                description_vi=record.get("description_vi"),
                description_en=record.get("description_en"),
                source_document=source,
                official_number=record.get("official_number"),
                verified=bool(record.get("verified", False)),
                sort_order=order,
            )
            db.session.add(item)
            known[code] = item
            self.created("catalogue entries")
            return item

        with self.rows("catalogue", data["groups"]) as groups:
            for group_order, record in enumerate(groups):
                group = ensure(
                    record["code"], None, CatalogueLevel.GROUP, None, record, group_order
                )
                for kind_order, (kind_name, items) in enumerate(record.get("kinds", {}).items()):
                    kind = CatalogueKind(kind_name)
                    kind_code = f"{group.code}.{KIND_CODES[kind]}"
                    kind_record = {
                        "name_vi": f"{group.name_vi} — {_KIND_NAMES_VI[kind]}",
                        "name_en": f"{group.name_en} — {_KIND_NAMES_EN[kind]}",
                    }
                    node = ensure(
                        kind_code, group, CatalogueLevel.KIND, kind, kind_record, kind_order
                    )
                    for item_order, item in enumerate(items):
                        ensure(item["code"], node, CatalogueLevel.ITEM, kind, item, item_order)
        self.item_by_code = known

    def item(self, code: str, where: str) -> CatalogueItem:
        try:
            return self.item_by_code[code]
        except KeyError:
            raise SeedError(f"{where}: unknown catalogue code {code!r}") from None

    def ward(self, code, where: str) -> int | None:
        if code is None:
            return None
        if not is_ward(int(code)):
            raise SeedError(f"{where}: unknown ward code {code!r}")
        return int(code)

    def agency(self, code: str | None, where: str) -> Agency | None:
        if code is None:
            return None
        try:
            return self.agency_by_code[code]
        except KeyError:
            raise SeedError(f"{where}: unknown agency code {code!r}") from None

    def zones(self) -> None:
        known = self.existing(Zone.slug)
        records = _read(self.directory, "zones.yaml")
        with self.rows("zones", records) as rows:
            for record in rows:
                slug = record["slug"]
                if slug in known:
                    continue
                where = f"zones.yaml {slug}"
                zone = Zone(
                    slug=slug,
                    name_vi=record["name_vi"],
                    name_en=record.get("name_en"),
                    kind=record["kind"],
                    ward_code=self.ward(record.get("ward_code"), where),
                    area_ha=record.get("area_ha"),
                    occupancy_pct=record.get("occupancy_pct"),
                    status=record["status"],
                    wastewater_capacity_m3_day=record.get("wastewater_capacity_m3_day"),
                    description_vi=record.get("description_vi"),
                    description_en=record.get("description_en"),
                    incentives_vi=record.get("incentives_vi"),
                    incentives_en=record.get("incentives_en"),
                    managing_agency=self.agency(record.get("managing_agency"), where),
                    latitude=record.get("latitude"),
                    longitude=record.get("longitude"),
                    contact=record.get("contact"),
                    verified=False,
                    published_at=utcnow(),
                    priority_items=[self.item(c, where) for c in record.get("priority_groups", [])],
                )
                db.session.add(zone)
                known[slug] = zone
                self.created("zones")
        for record in records:
            if record.get("parent") and known[record["slug"]].parent is None:
                try:
                    known[record["slug"]].parent = known[record["parent"]]
                except KeyError:
                    raise SeedError(f"zones.yaml {record['slug']}: unknown parent") from None
        self.zone_by_slug = known

    def zone(self, slug: str | None, where: str) -> Zone | None:
        if slug is None:
            return None
        try:
            return self.zone_by_slug[slug]
        except KeyError:
            raise SeedError(f"{where}: unknown zone {slug!r}") from None

    def incubators(self) -> None:
        known = self.existing(Incubator.slug)
        with self.rows("incubators", _read(self.directory, "incubators.yaml")) as rows:
            for record in rows:
                if record["slug"] in known:
                    continue
                where = f"incubators.yaml {record['slug']}"
                fields = {k: v for k, v in record.items() if k not in {"focus_groups", "ward_code"}}
                incubator = Incubator(
                    **fields,
                    ward_code=self.ward(record.get("ward_code"), where),
                    is_sample=True,
                    focus_items=[self.item(c, where) for c in record.get("focus_groups", [])],
                )
                db.session.add(incubator)
                known[record["slug"]] = incubator
                self.created("incubators")

    def programmes(self) -> None:
        known = self.existing(Programme.slug)
        with self.rows("programmes", _read(self.directory, "programmes.yaml")) as rows:
            for record in rows:
                if record["slug"] in known:
                    continue
                where = f"programmes.yaml {record['slug']}"
                programme = Programme(
                    slug=record["slug"],
                    agency=self.agency(record["agency"], where),
                    title_vi=record["title_vi"],
                    title_en=record.get("title_en"),
                    basis_document=record.get("basis_document"),
                    basis_date=_date(record.get("basis_date")),
                    summary_vi=record.get("summary_vi"),
                    summary_en=record.get("summary_en"),
                    description_vi=record.get("description_vi"),
                    description_en=record.get("description_en"),
                    support_types=record.get("support_types", []),
                    eligible_size_classes=record.get("eligible_size_classes", []),
                    geographic_scope=record.get("geographic_scope", "province"),
                    eligible_ward_codes=[
                        self.ward(c, where) for c in record.get("eligible_wards", [])
                    ],
                    min_firm_age_years=record.get("min_firm_age_years"),
                    max_firm_age_years=record.get("max_firm_age_years"),
                    other_conditions_vi=record.get("other_conditions_vi"),
                    other_conditions_en=record.get("other_conditions_en"),
                    max_amount_vnd=record.get("max_amount_vnd"),
                    cofinancing_pct=record.get("cofinancing_pct"),
                    opens_on=_date(record.get("opens_on")),
                    closes_on=_date(record.get("closes_on")),
                    rolling=bool(record.get("rolling", False)),
                    contact=record.get("contact"),
                    official_url=record.get("official_url"),
                    verified=False,
                    published_at=utcnow(),
                    target_items=[self.item(c, where) for c in record.get("target_items", [])],
                    zones=[self.zone(s, where) for s in record.get("eligible_zones", [])],
                )
                db.session.add(programme)
                known[record["slug"]] = programme
                self.created("programmes")

    # Sample firms and demo accounts ----------------------------------------------------------

    def firms(self, records: list[dict], label: str = "firms") -> None:
        known = self.existing(Firm.tax_code)
        slugs = set(db.session.scalars(sa.select(Firm.slug)))
        with self.rows(label, records) as rows:
            for record in rows:
                tax_code = normalize_tax_code(str(record["tax_code"]))
                if tax_code in known:
                    continue
                firm = self.build_firm(record, tax_code, slugs)
                db.session.add(firm)
                known[tax_code] = firm
                self.created(label)
        self.firm_by_tax_code = known

    def build_firm(self, record: dict, tax_code: str, slugs: set[str]) -> Firm:
        where = f"firm {tax_code}"
        status = FirmStatus(record.get("status", "published"))
        published = status == FirmStatus.PUBLISHED
        firm = Firm(
            slug=_unique_slug(record.get("trade_name") or record["legal_name"], slugs),
            tax_code=tax_code,
            status=status,
            is_sample=True,
            published_at=utcnow() if published else None,
            verified_at=utcnow() if published and record.get("verified") else None,
            zone=self.zone(record.get("zone"), where),
            ward_code=self.ward(record.get("ward_code"), where),
            investment_types=record.get("investment_types", []),
            **{key: record.get(key) for key in _FIRM_SCALARS},
        )
        firm.seeking_investment = bool(record.get("seeking_investment", False))
        firm.show_contact = bool(record.get("show_contact", False))
        for relation, key in ((LinkRelation.OFFERS, "offers"), (LinkRelation.NEEDS, "needs")):
            for link in record.get(key, []):
                firm.catalogue_links.append(
                    FirmCatalogueLink(
                        item=self.item(link["item"], where),
                        relation=relation,
                        note=link.get("note"),
                    )
                )
        for code in record.get("industry_codes", []):
            key = (str(code["code"]), str(code.get("version", "2025")))
            if key not in self.industry_code_by_key:
                raise SeedError(f"{where}: unknown industry code {key}")
            firm.industry_codes.append(
                FirmIndustryCode(
                    industry_code=self.industry_code_by_key[key],
                    is_primary=bool(code.get("primary")),
                )
            )
        for cert in record.get("certifications", []):
            firm.certifications.append(FirmCertification(**cert))
        return firm

    def demo_users(self) -> None:
        known = self.existing(User.email)
        for record in _read(self.directory, "demo_users.yaml"):
            email = record["email"].lower()
            self.report.demo_accounts.append(
                f"  demo {record['role']:<9} {email}  password: {record['password']}"
            )
            if email in known:
                continue
            user = User(
                email=email,
                name=record["name"],
                role=Role(record["role"]),
                agency=self.agency(record.get("agency"), f"demo user {email}"),
                password_hash=generate_password_hash(record["password"]),
                email_verified_at=utcnow(),
                preferred_language=record.get("language", "vi"),
            )
            db.session.add(user)
            known[email] = user
            self.created("demo accounts")
            if record.get("firm"):
                firm = self.firm_by_tax_code[normalize_tax_code(str(record["firm"]))]
                db.session.add(FirmMember(firm=firm, user=user, role=MemberRole.OWNER))


# Scalar listing fields a seed record gives as they are (the rest are looked up or defaulted).
_LOOKED_UP = {"ward_code", "zone_id", "show_contact", "seeking_investment", "investment_types"}
_FIRM_SCALARS = tuple(name for name in SCALAR_FIELDS if name not in _LOOKED_UP)

_KIND_NAMES_VI = {
    CatalogueKind.TECHNOLOGY: "Công nghệ",
    CatalogueKind.EQUIPMENT: "Thiết bị",
    CatalogueKind.PRODUCT: "Sản phẩm",
}
_KIND_NAMES_EN = {
    CatalogueKind.TECHNOLOGY: "Technologies",
    CatalogueKind.EQUIPMENT: "Equipment",
    CatalogueKind.PRODUCT: "Products",
}


def _date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _unique_slug(name: str, taken: set[str]) -> str:
    base = slugify(name)
    slug, counter = base, 2
    while slug in taken:
        slug, counter = f"{base}-{counter}", counter + 1
    taken.add(slug)
    return slug


def load_seed_data(directory: Path, progress=None) -> SeedReport:
    """Add every seed record that is missing, in one transaction; return what was added."""
    loader = _Loader(directory, progress)
    with unit_of_work():
        loader.agencies()
        loader.industry_codes()
        loader.catalogue()
        loader.zones()
        loader.incubators()
        loader.programmes()
        loader.firms(_read(directory, "firms.yaml"), label="sample firms")
        loader.demo_users()
    return loader.report


def add_firms(records: list[dict], directory: Path, label: str, progress=None) -> SeedReport:
    """Add firm records (e.g. synthetic ones) against already-loaded reference data."""
    loader = _Loader(directory, progress)
    loader.agency_by_code = loader.existing(Agency.code)
    loader.item_by_code = loader.existing(CatalogueItem.code)
    loader.zone_by_slug = loader.existing(Zone.slug)
    loader.industry_code_by_key = {
        (r.code, r.version): r for r in db.session.scalars(sa.select(IndustryCode))
    }
    with unit_of_work():
        loader.firms(records, label=label)
    return loader.report
