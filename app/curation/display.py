"""Listing content (as `app.firms.data.snapshot` gives it) turned into labelled, readable values
for curators: the listing as submitted, and a revision's field-by-field differences."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.catalogue.service import catalogue_tree
from app.domain.places import ward_name
from app.extensions import db
from app.firms.data import LIST_FIELDS, SCALAR_FIELDS, differences
from app.i18n import format_vnd, localized
from app.labels import field_label, label, shown_values
from app.models import IndustryCode, Zone

FIELD_LABELS = {
    "legal_name": _l("Legal name"),
    "trade_name": _l("Trade name"),
    "name_en": _l("English name"),
    "founded_year": _l("Year founded"),
    "enterprise_type": _l("Type of unit"),
    "sector_group": _l("Sector"),
    "insured_employees": _l("Insured employees"),
    "revenue_vnd": _l("Revenue"),
    "capital_vnd": _l("Total capital"),
    "size_year": _l("Year of the size figures"),
    "address_line": _l("Address"),
    "ward_code": _l("Ward or commune"),
    "zone_id": _l("Zone or cluster"),
    "website": _l("Website"),
    "email": _l("E-mail"),
    "phone": _l("Phone"),
    "contact_person": _l("Contact person"),
    "show_contact": _l("Show contact details publicly"),
    "description_vi": _l("Description (Vietnamese)"),
    "description_en": _l("Description (English)"),
    "seeking_investment": _l("Seeking investment"),
    "investment_types": _l("Investment types"),
    "investment_min_vnd": _l("Investment sought, from"),
    "investment_max_vnd": _l("Investment sought, up to"),
    "investment_purpose": _l("Purpose of the investment"),
    "offers": _l("Offers (catalogue items)"),
    "needs": _l("Needs (catalogue items)"),
    "industry_codes": _l("Industry codes (VSIC)"),
    "certifications": _l("Certifications"),
}
MONEY_FIELDS = {"revenue_vnd", "capital_vnd", "investment_min_vnd", "investment_max_vnd"}
# Fields whose values are Vietnamese whatever the page's language (names, addresses, prose).
VIETNAMESE_FIELDS = {
    "legal_name",
    "trade_name",
    "address_line",
    "ward_code",
    "contact_person",
    "description_vi",
    "investment_purpose",
}


@dataclass
class FieldValue:
    name: str
    label: str
    values: list[str]


@dataclass
class FieldChange:
    name: str
    label: str
    before: list[str]
    after: list[str]
    lang: str | None = None  # of the values, when it is not the page's ("vi" for names, prose)


class _Describer:
    """Looks up names once for all the ids that appear in the given snapshots."""

    def __init__(self, *snapshots: dict):
        self.tree = catalogue_tree()
        zone_ids = {s.get("zone_id") for s in snapshots} - {None}
        code_ids = {e["industry_code_id"] for s in snapshots for e in s.get("industry_codes", [])}
        self.zones = (
            {z.id: z for z in db.session.scalars(sa.select(Zone).where(Zone.id.in_(zone_ids)))}
            if zone_ids
            else {}
        )
        self.codes = (
            {
                c.id: c
                for c in db.session.scalars(
                    sa.select(IndustryCode).where(IndustryCode.id.in_(code_ids))
                )
            }
            if code_ids
            else {}
        )

    def describe(self, name: str, value) -> list[str]:
        if value is None or value == "" or value == []:
            return []
        if name in ("offers", "needs"):
            return [self._item(entry) for entry in value]
        if name == "industry_codes":
            return [self._industry_code(entry) for entry in value]
        if name == "certifications":
            return [
                " · ".join(str(part) for part in (c["name"], c["issuer"], c["year"]) if part)
                for c in value
            ]
        if name == "ward_code":
            return [ward_name(value) or str(value)]
        if name == "zone_id":
            zone = self.zones.get(value)
            return [localized(zone, "name") if zone else f"#{value}"]
        if name in ("enterprise_type", "sector_group"):
            return [label(value)]
        if name == "investment_types":
            return [label(v) for v in value]
        if name in MONEY_FIELDS:
            return [format_vnd(value)]
        if isinstance(value, bool):
            return [_("Yes") if value else _("No")]
        return [str(value)]

    def _item(self, entry: dict) -> str:
        item = self.tree.by_id.get(entry["item_id"])
        text = f"{localized(item, 'name')} ({item.code})" if item else f"#{entry['item_id']}"
        return f"{text} — {entry['note']}" if entry.get("note") else text

    def _industry_code(self, entry: dict) -> str:
        code = self.codes.get(entry["industry_code_id"])
        text = f"{code.code} – {localized(code, 'name')}" if code else "?"
        return f"{text} ({_('primary')})" if entry.get("primary") else text


def listing_fields(data: dict) -> list[FieldValue]:
    """Every field of a listing snapshot, labelled, in form order."""
    describer = _Describer(data)
    return [
        FieldValue(name, str(FIELD_LABELS[name]), describer.describe(name, data.get(name)))
        for name in (*SCALAR_FIELDS, *LIST_FIELDS)
    ]


def listing_changes(before: dict, after: dict) -> list[FieldChange]:
    """The fields that differ between two snapshots, with readable before/after values."""
    describer = _Describer(before, after)
    return [
        FieldChange(
            name,
            str(FIELD_LABELS[name]),
            describer.describe(name, before.get(name)),
            describer.describe(name, after.get(name)),
            "vi" if name in VIETNAMESE_FIELDS else None,
        )
        for name in differences(before, after)
    ]


def event_changes(event) -> list[FieldChange]:
    """The fields an audit event changed, labelled and in words, for any kind of record."""
    before, after = event.before or {}, event.after or {}
    describer = _Describer(before, after) if event.entity_kind == "firm" else None
    changes = []
    for name in dict.fromkeys([*before, *after]):
        if describer is not None and name in FIELD_LABELS:
            text = str(FIELD_LABELS[name])
            old, new = (
                describer.describe(name, before.get(name)),
                describer.describe(name, after.get(name)),
            )
        else:
            text = field_label(name)
            old, new = shown_values(name, before.get(name)), shown_values(name, after.get(name))
        changes.append(FieldChange(name, text, old, new))
    return changes
