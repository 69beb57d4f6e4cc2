"""Curation forms: decisions on listings, revisions and claims; programmes and zones.

The forms check the shape of the input; the services enforce the rules (and report them back
onto the fields through ValidationError.errors).
"""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from app.catalogue.service import CatalogueTree
from app.domain.enterprise import EnterpriseType
from app.domain.firm_size import SizeClass
from app.forms import (
    Form,
    MultiCheckboxField,
    ProvenanceFields,
    RecordForm,
    VersionField,
    catalogue_choices,
    ward_choices,
)
from app.i18n import localized
from app.labels import CHECK_LABELS, label
from app.models import Criterion, GeographicScope, SupportType, ZoneKind, ZoneStatus
from app.parsing import FloatField, HiddenIntegerField, IntegerField, MoneyField, optional_id


class VersionForm(Form):
    """A decision without a reason: carries the version the curator saw."""

    version = HiddenIntegerField()

    @property
    def seen_version(self) -> int | None:
        return self.version.data


class ReasonForm(VersionForm):
    reason = TextAreaField(_l("Reason"), validators=[Length(max=4000)])


class RequestChangesForm(ReasonForm):
    checks = MultiCheckboxField(
        _l("What the business must fix"),
        choices=[SelectChoice(code, text) for code, text in CHECK_LABELS.items()],
        validate_choice=True,
    )


class ClaimDecisionForm(Form):
    reason = TextAreaField(_l("Reason"), validators=[Length(max=4000)])


class ProgrammeForm(RecordForm, ProvenanceFields):
    agency_id = SelectField(_l("Agency"), coerce=int, validators=[Optional()])
    title_vi = StringField(_l("Title (Vietnamese)"), validators=[InputRequired(), Length(max=300)])
    title_en = StringField(_l("Title (English)"), validators=[Length(max=300)])
    basis_document = StringField(_l("Legal basis (document)"), validators=[Length(max=200)])
    basis_date = DateField(_l("Date of the legal basis"), validators=[Optional()])
    summary_vi = TextAreaField(_l("Summary (Vietnamese)"))
    summary_en = TextAreaField(_l("Summary (English)"))
    description_vi = TextAreaField(_l("Description (Vietnamese)"))
    description_en = TextAreaField(_l("Description (English)"))
    support_types = MultiCheckboxField(_l("Support types"))
    eligible_enterprise_types = MultiCheckboxField(
        _l("Eligible types of firm (none: any; size classes imply enterprises)")
    )
    eligible_size_classes = MultiCheckboxField(_l("Eligible size classes (none: any size)"))
    geographic_scope = RadioField(_l("Geographic scope"), default=GeographicScope.PROVINCE.value)
    eligible_ward_codes = SelectMultipleField(_l("Eligible wards and communes"), coerce=int)
    zone_ids = SelectMultipleField(_l("Eligible zones and clusters"), coerce=int)
    min_firm_age_years = IntegerField(_l("Minimum firm age (years)"), validators=[Optional()])
    max_firm_age_years = IntegerField(_l("Maximum firm age (years)"), validators=[Optional()])
    other_conditions_vi = TextAreaField(_l("Other conditions (Vietnamese)"))
    other_conditions_en = TextAreaField(_l("Other conditions (English)"))
    preferred_criteria = MultiCheckboxField(_l("Preferences, not requirements"))
    target_item_ids = SelectMultipleField(_l("Target catalogue groups and items"), coerce=int)
    max_amount_vnd = MoneyField(_l("Maximum amount (VND)"))
    cofinancing_pct = IntegerField(
        _l("Share of the cost the programme pays (%)"), validators=[Optional()]
    )
    opens_on = DateField(_l("Opens on"), validators=[Optional()])
    closes_on = DateField(_l("Closes on"), validators=[Optional()])
    rolling = BooleanField(_l("Rolling, no deadline"))
    contact = StringField(_l("Contact"), validators=[Length(max=300)])
    official_url = StringField(_l("Official page (URL)"), validators=[Length(max=300)])

    RELATIONS = ("target_item_ids", "zone_ids")

    def set_choices(self, tree: CatalogueTree, zones, agencies) -> None:
        self.support_types.choices = [SelectChoice(s.value, label(s)) for s in SupportType]
        self.eligible_enterprise_types.choices = [
            SelectChoice(t.value, label(t)) for t in EnterpriseType
        ]
        self.eligible_size_classes.choices = [SelectChoice(s.value, label(s)) for s in SizeClass]
        self.preferred_criteria.choices = [SelectChoice(c.value, label(c)) for c in Criterion]
        self.geographic_scope.choices = [SelectChoice(s.value, label(s)) for s in GeographicScope]
        self.eligible_ward_codes.choices = ward_choices()
        self.zone_ids.choices = [SelectChoice(z.id, localized(z, "name")) for z in zones]
        self.target_item_ids.choices = catalogue_choices(tree)
        if agencies is None:
            del self.agency_id
        else:
            self.agency_id.choices = [
                (a.id, f"{a.code} · {localized(a, 'name')}") for a in agencies
            ]


class ZoneForm(RecordForm, ProvenanceFields):
    agency_id = SelectField(_l("Managing agency"), coerce=int, validators=[Optional()])
    name_vi = StringField(_l("Name (Vietnamese)"), validators=[InputRequired(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[Length(max=200)])
    kind = SelectField(_l("Kind"))
    status = SelectField(_l("Status"))
    parent_id = SelectField(_l("Part of"), coerce=optional_id)
    ward_code = SelectField(_l("Ward or commune"), coerce=optional_id)
    area_ha = FloatField(_l("Area (ha)"), validators=[Optional()])
    occupancy_pct = FloatField(_l("Occupancy (%)"), validators=[Optional()])
    wastewater_capacity_m3_day = IntegerField(
        _l("Wastewater treatment capacity (m³/day)"), validators=[Optional()]
    )
    description_vi = TextAreaField(_l("Description (Vietnamese)"))
    description_en = TextAreaField(_l("Description (English)"))
    incentives_vi = TextAreaField(_l("Incentives (Vietnamese)"))
    incentives_en = TextAreaField(_l("Incentives (English)"))
    latitude = FloatField(_l("Latitude"), validators=[Optional()])
    longitude = FloatField(_l("Longitude"), validators=[Optional()])
    contact = StringField(_l("Contact"), validators=[Length(max=300)])
    priority_item_ids = SelectMultipleField(_l("Priority catalogue groups and items"), coerce=int)

    def set_choices(self, tree: CatalogueTree, zones, agencies, editing=None) -> None:
        self.kind.choices = [SelectChoice(k.value, label(k)) for k in ZoneKind]
        self.status.choices = [SelectChoice(s.value, label(s)) for s in ZoneStatus]
        self.parent_id.choices = [SelectChoice("", "—")] + [
            SelectChoice(z.id, localized(z, "name"))
            for z in zones
            if editing is None or z.id != editing.id
        ]
        self.ward_code.choices = [SelectChoice("", "—"), *ward_choices()]
        self.priority_item_ids.choices = catalogue_choices(tree)
        if agencies is None:
            del self.agency_id
        else:
            self.agency_id.choices = [
                (a.id, f"{a.code} · {localized(a, 'name')}") for a in agencies
            ]


class StateForm(Form):
    """Publish, unpublish, archive or restore a programme or zone."""

    version = VersionField()
    reason = TextAreaField(_l("Reason"), validators=[Length(max=4000)])
