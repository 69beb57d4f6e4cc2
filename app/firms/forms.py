"""The business's listing form: every field of a firm, parsed into `app.firms.data` content."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from vietnam_provinces import Province
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, Email, InputRequired, Length, NumberRange, Optional
from wtforms.validators import ValidationError as FieldError

from app.domain import clock
from app.domain.enterprise import EnterpriseType
from app.domain.firm_size import SectorGroup
from app.domain.places import ward_province, wards_of_province
from app.domain.text import nfc
from app.firms.data import SCALAR_FIELDS
from app.forms import Form, vietnamese_choices
from app.i18n import localized
from app.labels import label
from app.models import InvestmentType
from app.parsing import HiddenIntegerField, IntegerField, MoneyField, parse_id, parse_int

QUANG_NGAI = 51
CONVERTED_FIELDS = {"enterprise_type", "sector_group", "ward_code", "zone_id", "investment_types"}


def _year(text: str) -> int | None:
    return parse_int(text, high=9999)


def _strip(value):
    return nfc(value).strip() if isinstance(value, str) else value


class FirmForm(Form):
    class Meta:
        # NFC-normalise and trim every text input before validation.
        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters", ())
            if unbound_field.field_class in (StringField, TextAreaField, URLField, EmailField):
                unbound_field.kwargs["filters"] = [_strip, *filters]
            return unbound_field.bind(form=form, **options)

    version = HiddenIntegerField()
    tax_code = StringField(_l("Tax code"), validators=[Optional(), Length(max=20)])
    legal_name = StringField(_l("Registered name"), validators=[InputRequired(), Length(max=300)])
    trade_name = StringField(_l("Trade name"), validators=[Optional(), Length(max=200)])
    name_en = StringField(_l("English name"), validators=[Optional(), Length(max=300)])
    founded_year = IntegerField(
        _l("Year founded"), validators=[Optional(), NumberRange(min=1900, max=clock.today().year)]
    )
    enterprise_type = SelectField(
        _l("Type of unit"),
        validators=[InputRequired(_l("Choose what kind of unit the firm is."))],
    )
    sector_group = SelectField(_l("Sector (Decree 80/2021)"), validators=[Optional()])
    insured_employees = IntegerField(
        _l("Employees with social insurance (yearly average)"),
        validators=[Optional(), NumberRange(min=0, max=1_000_000)],
    )
    revenue_vnd = MoneyField(_l("Revenue (đồng)"))
    capital_vnd = MoneyField(_l("Total capital (đồng)"))
    size_year = IntegerField(
        _l("Year these figures describe"),
        validators=[Optional(), NumberRange(min=2000, max=clock.today().year)],
    )
    address_line = StringField(_l("Street address"), validators=[Optional(), Length(max=300)])
    province = SelectField(_l("Province"), coerce=int, default=QUANG_NGAI)
    ward_code = SelectField(_l("Ward or commune"), validators=[InputRequired()])
    zone_id = SelectField(_l("Zone or cluster"), validators=[Optional()])
    website = URLField(
        _l("Website"), validators=[Optional(), URL(require_tld=True), Length(max=200)]
    )
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    contact_person = StringField(_l("Contact person"), validators=[Optional(), Length(max=120)])
    show_contact = BooleanField(_l("Show the contact details on the public page"))
    description_vi = TextAreaField(
        _l("Description in Vietnamese"), validators=[Optional(), Length(max=5000)]
    )
    description_en = TextAreaField(
        _l("Description in English"), validators=[Optional(), Length(max=5000)]
    )
    offers = SelectMultipleField(_l("What the firm supplies"), coerce=int)
    needs = SelectMultipleField(_l("What the firm needs"), coerce=int)
    industry_codes = SelectMultipleField(_l("Industry codes (VSIC 2025)"), coerce=int)
    primary_industry_code = SelectField(_l("Primary industry code"), validators=[Optional()])
    certifications = TextAreaField(
        _l("Certifications, one per line: name; issuer; year"),
        validators=[Optional(), Length(max=3000)],
    )
    seeking_investment = BooleanField(_l("We are seeking investment"))
    investment_types = SelectMultipleField(_l("Kind of investment"))
    investment_min_vnd = MoneyField(_l("From (đồng)"))
    investment_max_vnd = MoneyField(_l("Up to (đồng)"))
    investment_purpose = TextAreaField(
        _l("What the investment is for"), validators=[Optional(), Length(max=2000)]
    )

    def set_choices(self, tree, industry_codes, zones) -> None:
        items = [i for i in tree.by_id.values() if i.level == "item"]
        self.offers.choices = self.needs.choices = [(i.id, i.code) for i in items]
        self.industry_codes.choices = [
            (c.id, f"{c.code} {localized(c, 'name')}") for c in industry_codes
        ]
        self.primary_industry_code.choices = [("", "—")] + [
            (str(c.id), f"{c.code} {localized(c, 'name')}") for c in industry_codes
        ]
        self.enterprise_type.choices = [("", "—")] + [(k.value, label(k)) for k in EnterpriseType]
        self.sector_group.choices = [("", "—")] + [(s.value, label(s)) for s in SectorGroup]
        self.investment_types.choices = [(t.value, label(t)) for t in InvestmentType]
        self.zone_id.choices = [("", "—")] + [(str(z.id), localized(z, "name")) for z in zones]
        self.province.choices = vietnamese_choices(
            sorted(((int(p.code), p.name) for p in Province.iter_all()), key=lambda pair: pair[1])
        )
        province = self.province.data or QUANG_NGAI
        self.ward_code.choices = [SelectChoice("", "—")] + vietnamese_choices(
            (str(code), name) for code, name in wards_of_province(province)
        )

    def validate_investment_max_vnd(self, field):
        low = self.investment_min_vnd.data
        if field.data is not None and low is not None and field.data < low:
            raise FieldError(_l("The upper amount must not be below the lower one."))

    def validate_primary_industry_code(self, field):
        if field.data and parse_id(field.data) not in (self.industry_codes.data or []):
            raise FieldError(_l("The primary code must be one of the codes you ticked."))

    def validate_certifications(self, field):
        for number, line in enumerate(field.data.splitlines(), start=1):
            parts = [p.strip() for p in line.split(";")]
            if line.strip() and len(parts) == 3 and parts[2] and _year(parts[2]) is None:
                raise FieldError(_l("Line %(number)s: the year must be a number.", number=number))

    def notes(self, formdata, prefix: str) -> dict[int, str]:
        return {
            item_id: nfc(value).strip()[:300]
            for key, value in formdata.items()
            if key.startswith(prefix) and (item_id := parse_id(key.removeprefix(prefix)))
        }

    def to_data(self, formdata) -> dict:
        """The listing content (see app.firms.data) from the validated form."""
        offer_notes = self.notes(formdata, "offer_note_")
        need_notes = self.notes(formdata, "need_note_")
        primary = parse_id(self.primary_industry_code.data)
        codes = list(dict.fromkeys(self.industry_codes.data or []))
        if primary is None and codes:
            primary = codes[0]
        certifications = []
        for line in (self.certifications.data or "").splitlines():
            parts = [p.strip() for p in line.split(";")] + ["", ""]
            if parts[0]:
                year = parts[2]
                certifications.append(
                    {
                        "name": parts[0][:200],
                        "issuer": parts[1][:200],
                        "year": _year(year),
                    }
                )
        return {
            "legal_name": self.legal_name.data,
            "trade_name": self.trade_name.data or None,
            "name_en": self.name_en.data or None,
            "founded_year": self.founded_year.data,
            "enterprise_type": self.enterprise_type.data or None,
            "sector_group": self.sector_group.data or None,
            "insured_employees": self.insured_employees.data,
            "revenue_vnd": self.revenue_vnd.data,
            "capital_vnd": self.capital_vnd.data,
            "size_year": self.size_year.data,
            "address_line": self.address_line.data or None,
            "ward_code": int(self.ward_code.data),
            "zone_id": int(self.zone_id.data) if self.zone_id.data else None,
            "website": self.website.data or None,
            "email": (self.email.data or "").lower() or None,
            "phone": self.phone.data or None,
            "contact_person": self.contact_person.data or None,
            "show_contact": bool(self.show_contact.data),
            "description_vi": self.description_vi.data or None,
            "description_en": self.description_en.data or None,
            "seeking_investment": bool(self.seeking_investment.data),
            "investment_types": list(self.investment_types.data or [])
            if self.seeking_investment.data
            else [],
            "investment_min_vnd": self.investment_min_vnd.data,
            "investment_max_vnd": self.investment_max_vnd.data,
            "investment_purpose": self.investment_purpose.data or None,
            "offers": [
                {"item_id": i, "note": offer_notes.get(i, "")}
                for i in sorted(set(self.offers.data))
            ],
            "needs": [
                {"item_id": i, "note": need_notes.get(i, "")} for i in sorted(set(self.needs.data))
            ],
            "industry_codes": [{"industry_code_id": c, "primary": c == primary} for c in codes],
            "certifications": certifications,
        }

    @staticmethod
    def formdata_of(data: dict) -> MultiDict:
        """What a browser would post for this listing content (the inverse of `to_data`), so
        content sent as JSON (the API) is checked by this form, with its rules and messages."""
        posted = MultiDict()
        for name in SCALAR_FIELDS:
            value = data.get(name)
            if name in ("show_contact", "seeking_investment"):
                if value:
                    posted.add(name, "y")
            elif name == "investment_types":
                for kind in value or []:
                    posted.add(name, str(kind))
            else:
                posted.add(name, "" if value is None else str(value))
        posted.add("province", str(ward_province(data.get("ward_code"))))
        for key, prefix in (("offers", "offer_note_"), ("needs", "need_note_")):
            for entry in data.get(key) or []:
                posted.add(key, str(entry["item_id"]))
                posted.add(f"{prefix}{entry['item_id']}", entry.get("note") or "")
        for entry in data.get("industry_codes") or []:
            posted.add("industry_codes", str(entry["industry_code_id"]))
            if entry.get("primary"):
                posted.add("primary_industry_code", str(entry["industry_code_id"]))
        posted.add(
            "certifications",
            "\n".join(
                "; ".join(str(c.get(k) or "") for k in ("name", "issuer", "year"))
                for c in data.get("certifications") or []
            ),
        )
        return posted

    def fill_from(self, data: dict, notes_target: dict) -> None:
        """Show stored content in the form (for editing)."""
        # Fields whose form value is the stored value as it is; the rest are converted below.
        for name in SCALAR_FIELDS:
            if name not in CONVERTED_FIELDS:
                getattr(self, name).data = data.get(name)
        self.enterprise_type.data = data.get("enterprise_type") or ""
        self.sector_group.data = data.get("sector_group") or ""
        self.investment_types.data = data.get("investment_types") or []
        self.zone_id.data = str(data["zone_id"]) if data.get("zone_id") else ""
        self.offers.data = [e["item_id"] for e in data.get("offers", [])]
        self.needs.data = [e["item_id"] for e in data.get("needs", [])]
        notes_target.update(
            {f"offer_note_{e['item_id']}": e["note"] for e in data.get("offers", [])}
        )
        notes_target.update({f"need_note_{e['item_id']}": e["note"] for e in data.get("needs", [])})
        codes = data.get("industry_codes", [])
        self.industry_codes.data = [e["industry_code_id"] for e in codes]
        primary = next((e["industry_code_id"] for e in codes if e["primary"]), None)
        self.primary_industry_code.data = str(primary) if primary else ""
        self.certifications.data = "\n".join(
            "; ".join(str(v) for v in (c["name"], c["issuer"], c["year"] or "")).rstrip("; ")
            for c in data.get("certifications", [])
        )


class SubmitForm(Form):
    version = HiddenIntegerField()


class ClaimForm(Form):
    evidence = TextAreaField(
        _l("How can we check that you represent this firm?"),
        validators=[InputRequired(), Length(min=20, max=2000)],
        filters=[_strip],
    )


class InviteForm(Form):
    email = EmailField(_l("E-mail of the person to invite"), validators=[InputRequired(), Email()])


class RemoveMemberForm(Form):
    user_id = HiddenIntegerField(validators=[InputRequired()])


class LogoForm(Form):
    logo = FileField(_l("Logo (PNG, JPEG or WebP, up to 2 MB)"), validators=[FileRequired()])
