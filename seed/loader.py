"""Load the YAML files in seed/ into the database, adding only what is missing.

Every record has a natural key (agency code, catalogue code, slug, tax code, e-mail); a record
that already exists is left as it is, so curators' edits are never overwritten and a second run
changes nothing. Everything is added in one transaction. Reference data (agencies, the
catalogue, zones, incubators, programmes) goes through the same `check` and `apply` as the
curators' forms and imports, so a seed file breaking a rule stops the load with a SeedError.
"""

from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import sqlalchemy as sa
import yaml
from werkzeug.security import generate_password_hash

from app.curation import agency_data
from app.domain import clock
from app.domain.places import is_ward
from app.domain.tax_code import normalize_tax_code
from app.domain.text import nfc
from app.errors import ValidationError
from app.events import service as events
from app.extensions import db
from app.firms import data as firm_data
from app.firms.data import SCALAR_FIELDS
from app.marketplace.samples import SampleError
from app.marketplace.samples import add_samples as add_market_samples
from app.models import (
    Agency,
    Article,
    CatalogueItem,
    CatalogueKind,
    CatalogueLevel,
    Event,
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
from app.news import service as news
from app.refdata import agencies, catalogue, incubators
from app.slugs import unique_slug
from app.transaction import unit_of_work
from seed import products

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
                    cleaned = _checked(f"agencies.yaml {record['code']}", agencies.check, record)
                    known[record["code"]] = agencies.apply(Agency(), cleaned)
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
            data = {
                "code": code,
                "parent_id": parent.id if parent else None,
                "level": level,
                "kind": kind,
                "name_vi": record["name_vi"],
                "name_en": record.get("name_en"),
                "description_vi": record.get("description_vi"),
                "description_en": record.get("description_en"),
                "source_document": source,
                "official_number": record.get("official_number"),
                "verified": bool(record.get("verified", False)),
                "sort_order": order,
            }
            cleaned = _checked(f"catalogue.yaml {code}", catalogue.check, data)
            known[code] = catalogue.apply(CatalogueItem(), cleaned)
            self.created("catalogue entries")
            return known[code]

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
        """Zones in file order: a zone inside another comes after it."""
        known = self.existing(Zone.slug)
        self.zone_by_slug = known
        with self.rows("zones", _read(self.directory, "zones.yaml")) as rows:
            for record in rows:
                slug = record["slug"]
                if slug in known:
                    continue
                where = f"zones.yaml {slug}"
                agency = self.agency(record.get("managing_agency"), where)
                parent = self.zone(record.get("parent"), where)
                data = {name: record.get(name) for name in agency_data.ZONE_FIELDS}
                data.update(
                    agency_id=agency.id if agency else None,
                    parent_id=parent.id if parent else None,
                    priority_item_ids=[
                        self.item(code, where).id for code in record.get("priority_groups", [])
                    ],
                )
                cleaned = _checked(where, agency_data.check_zone, data)
                known[slug] = agency_data.apply(Zone(slug=slug), cleaned)
                agency_data.change_state(known[slug], "publish")
                self.created("zones")

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
                data = {name: record.get(name) for name in incubators.FIELDS}
                data.update(
                    focus_item_ids=[
                        self.item(code, where).id for code in record.get("focus_groups", [])
                    ],
                )
                cleaned = _checked(where, incubators.check, data)
                known[record["slug"]] = incubators.apply(Incubator(slug=record["slug"]), cleaned)
                self.created("incubators")

    def programmes(self) -> None:
        known = self.existing(Programme.slug)
        with self.rows("programmes", _read(self.directory, "programmes.yaml")) as rows:
            for record in rows:
                if record["slug"] in known:
                    continue
                where = f"programmes.yaml {record['slug']}"
                data = {name: record.get(name) for name in agency_data.PROGRAMME_FIELDS}
                data.update(
                    agency_id=self.agency(record["agency"], where).id,
                    basis_date=_date(record.get("basis_date")),
                    opens_on=_date(record.get("opens_on")),
                    closes_on=_date(record.get("closes_on")),
                    eligible_ward_codes=record.get("eligible_wards", []),
                    zone_ids=[
                        self.zone(slug, where).id for slug in record.get("eligible_zones", [])
                    ],
                    target_item_ids=[
                        self.item(code, where).id for code in record.get("target_items", [])
                    ],
                )
                cleaned = _checked(where, agency_data.check_programme, data)
                programme = agency_data.apply(Programme(slug=record["slug"]), cleaned)
                agency_data.change_state(programme, "publish")
                known[record["slug"]] = programme
                self.created("programmes")

    def events(self) -> None:
        """Sample events, dated from today (some upcoming, some past), published."""
        known = self.existing(Event.slug)
        today = clock.today()
        with self.rows("events", _read(self.directory, "events.yaml")) as rows:
            for record in rows:
                if record["slug"] in known:
                    continue
                where = f"events.yaml {record['slug']}"
                day = today + timedelta(days=record["starts_in_days"])
                starts = datetime.combine(day, time.fromisoformat(record["start"]))
                ends = datetime.combine(
                    day + timedelta(days=record.get("days", 1) - 1),
                    time.fromisoformat(record["end"]),
                )
                closes_before = record.get("registration_closes_days_before")
                data = {name: record.get(name) for name in events.EVENT_FIELDS}
                data.update(
                    agency_id=self.agency(record["agency"], where).id,
                    starts_at=starts,
                    ends_at=ends,
                    registration_deadline=(
                        starts - timedelta(days=closes_before) if closes_before else None
                    ),
                )
                cleaned = _checked(where, events.check_event, data)
                event = events.apply_event(Event(slug=record["slug"], is_sample=True), cleaned)
                events.publish(event)
                known[record["slug"]] = event
                self.created("events")

    def articles(self) -> None:
        """Sample news and success stories, published on their day, tagged with sample firms
        (by tax code), catalogue items, programmes and zones."""
        known = self.existing(Article.slug)
        with self.rows("articles", _read(self.directory, "news.yaml")) as rows:
            for record in rows:
                if record["slug"] in known:
                    continue
                where = f"news.yaml {record['slug']}"
                data = {name: record.get(name) for name in news.ARTICLE_FIELDS}
                firms = db.session.scalars(
                    sa.select(Firm.slug).where(Firm.tax_code.in_(record.get("firms", [])))
                ).all()
                data.update(
                    agency_id=self.agency(record["agency"], where).id,
                    firm_slugs=list(firms),
                    item_codes=record.get("items", []),
                    programme_slugs=record.get("programmes", []),
                    zone_slugs=record.get("zones", []),
                )
                cleaned = _checked(where, news.check_article, data)
                article = news.apply(Article(slug=record["slug"], is_sample=True), cleaned)
                morning = datetime.combine(_date(record["published_on"]), time(8))
                article.publish_at = clock.stored(morning)
                news.change_state(article, "publish")
                known[record["slug"]] = article
                self.created("articles")

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
        _checked(where, lambda data: firm_data.problems(data, tax_code, new=True).refuse(), record)
        status = FirmStatus(record.get("status", "published"))
        published = status == FirmStatus.PUBLISHED
        firm = Firm(
            slug=unique_slug(Firm, record.get("trade_name") or record["legal_name"], slugs),
            tax_code=tax_code,
            status=status,
            is_sample=True,
            published_at=utcnow() if published else None,
            confirmed_at=utcnow() if published else None,
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

    def marketplace(self) -> None:
        """Sample technology requests and offers of the sample firms."""
        try:
            added = add_market_samples(_read(self.directory, "marketplace.yaml"))
        except (SampleError, ValidationError) as error:
            errors = getattr(error, "errors", {})
            found = "; ".join(f"{k}: {m}" for k, ms in errors.items() for m in ms)
            raise SeedError(f"marketplace.yaml: {found or error}") from None
        self.report.created["sample marketplace items"] += added


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


def _checked(where: str, check, data: dict) -> dict:
    """`check(data)`, with a refusal reported as a SeedError naming the record and field."""
    try:
        return check(data)
    except ValidationError as error:
        found = "; ".join(
            f"{name}: {message}" for name, messages in error.errors.items() for message in messages
        )
        raise SeedError(f"{where}: {found or error.message}") from None


def load_seed_data(directory: Path, progress=None) -> SeedReport:
    """Add every seed record that is missing, in one transaction; return what was added."""
    loader = _Loader(directory, progress)
    with unit_of_work():
        loader.agencies()
        loader.industry_codes()
        loader.catalogue()
        products.load_labels(_read(directory, "eco_labels.yaml"), loader.report.created)
        loader.zones()
        loader.incubators()
        loader.programmes()
        loader.events()
        loader.firms(_read(directory, "firms.yaml"), label="sample firms")
        loader.demo_users()
        loader.marketplace()
        loader.articles()
        products.load_products(_read(directory, "products.yaml"), loader.report.created, SeedError)
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
