"""Reference-data forms: catalogue entries (edit, move, re-code, merge, delete), incubators,
agencies and VSIC codes. The forms check the shape of the input; the service enforces the rules."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from app.catalogue.service import CatalogueTree
from app.forms import ProvenanceFields, RecordForm, catalogue_choices, ward_choices
from app.i18n import localized
from app.labels import label
from app.models import CatalogueItem, CatalogueKind, CatalogueLevel
from app.parsing import IntegerField, optional_id


def _optional_str(value):
    return str(value) if value not in (None, "", "None") else None


def _nodes(tree: CatalogueTree, level: CatalogueLevel, excluded: int | None = None):
    """Entries of one level, labelled with their group, in catalogue order."""
    choices = []
    for group in tree.groups:
        for node in [group, *tree.kids(group)]:
            if node.level == level and node.id != excluded:
                choices.append(SelectChoice(node.id, f"{node.code} · {localized(node, 'name')}"))
            if level == CatalogueLevel.ITEM and node.level == CatalogueLevel.KIND:
                choices.extend(
                    SelectChoice(item.id, f"{item.code} · {localized(item, 'name')}")
                    for item in tree.kids(node)
                    if item.id != excluded
                )
    return choices


class CatalogueItemForm(RecordForm):
    code = StringField(_l("Code"), validators=[InputRequired(), Length(max=40)])
    parent_id = SelectField(_l("Placed under"), coerce=optional_id)
    name_vi = StringField(_l("Name (Vietnamese)"), validators=[InputRequired(), Length(max=300)])
    name_en = StringField(_l("Name (English)"), validators=[Length(max=300)])
    description_vi = TextAreaField(_l("Description (Vietnamese)"))
    description_en = TextAreaField(_l("Description (English)"))
    kind = SelectField(
        _l("Kind"),
        coerce=_optional_str,
        description=_l("For kind nodes; items take the kind of the node above them."),
    )
    official_number = StringField(
        _l("Official item number"),
        validators=[Length(max=40)],
        description=_l("Only the number printed in the official appendix; never invent one."),
    )
    source_document = StringField(_l("Source document"), validators=[Length(max=200)])
    verified = BooleanField(_l("Checked against the official appendix"))
    sort_order = IntegerField(_l("Sort order"), validators=[Optional()], default=0)

    def __init__(self, *args, tree: CatalogueTree, item: CatalogueItem | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice("", "—")] + [
            SelectChoice(k.value, label(k)) for k in CatalogueKind
        ]
        if item is None:
            self.parent_id.choices = [SelectChoice("", _l("— none: a new domain group —"))] + [
                SelectChoice(node.id, f"{node.code} · {localized(node, 'name')}")
                for node in tree.by_id.values()
                if node.level != CatalogueLevel.ITEM
            ]
        else:
            # Code and place change through their own actions (re-code, move).
            del self.code
            del self.parent_id


class MoveForm(RecordForm):
    parent_id = SelectField(_l("New place in the tree"), coerce=optional_id)

    def __init__(self, *args, tree: CatalogueTree, item: CatalogueItem, **kwargs):
        super().__init__(*args, **kwargs)
        wanted = {
            CatalogueLevel.ITEM: CatalogueLevel.KIND,
            CatalogueLevel.KIND: CatalogueLevel.GROUP,
        }.get(item.level)
        self.parent_id.choices = [SelectChoice("", "—")] + (
            _nodes(tree, wanted, excluded=item.parent_id) if wanted else []
        )


class RecodeForm(RecordForm):
    code = StringField(_l("New code"), validators=[InputRequired(), Length(max=40)])


class MergeForm(RecordForm):
    target_id = SelectField(_l("Merge into"), coerce=optional_id)
    reason = TextAreaField(_l("Reason"), validators=[Length(max=4000)])

    def __init__(self, *args, tree: CatalogueTree, item: CatalogueItem, **kwargs):
        super().__init__(*args, **kwargs)
        self.target_id.choices = [SelectChoice("", "—")] + _nodes(
            tree, item.level, excluded=item.id
        )


class DeleteForm(RecordForm):
    """Deleting an unused entry: carries the version the curator saw."""


class IncubatorForm(RecordForm, ProvenanceFields):
    name_vi = StringField(_l("Name (Vietnamese)"), validators=[InputRequired(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[Length(max=200)])
    host_organisation = StringField(
        _l("Host organisation"), validators=[InputRequired(), Length(max=200)]
    )
    ward_code = SelectField(_l("Ward or commune"), coerce=optional_id)
    services_vi = TextAreaField(_l("Services (Vietnamese)"))
    services_en = TextAreaField(_l("Services (English)"))
    description_vi = TextAreaField(_l("Description (Vietnamese)"))
    description_en = TextAreaField(_l("Description (English)"))
    max_startup_age_years = IntegerField(
        _l("Maximum start-up age (years)"), validators=[Optional()]
    )
    capacity = IntegerField(_l("Capacity (start-ups)"), validators=[Optional()])
    contact = StringField(_l("Contact"), validators=[Length(max=300)])
    website = StringField(_l("Website"), validators=[Length(max=200)])
    focus_item_ids = SelectMultipleField(_l("Focus groups and entries"), coerce=int)

    def __init__(self, *args, tree: CatalogueTree, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.ward_code.choices = [SelectChoice("", "—"), *ward_choices()]
        self.focus_item_ids.choices = catalogue_choices(tree)
        self.set_provenance_choices(record)


class AgencyForm(RecordForm):
    code = StringField(_l("Code"), validators=[InputRequired(), Length(max=20)])
    name_vi = StringField(_l("Name (Vietnamese)"), validators=[InputRequired(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[Length(max=200)])
    website = StringField(_l("Website"), validators=[Length(max=200)])
    email = StringField(_l("Email"), validators=[Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Length(max=40)])
    superior_name = StringField(_l("Superior body"), validators=[Length(max=200)])
    abbreviation = StringField(_l("Abbreviation in document symbols"), validators=[Length(max=20)])
    place_name = StringField(_l("Place name in document dates"), validators=[Length(max=100)])
    signer_position = TextAreaField(_l("Signer's position"), validators=[Length(max=200)])
    signer_name = StringField(_l("Signer's name"), validators=[Length(max=200)])
    recipients = TextAreaField(_l("Recipients (one per line)"), validators=[Length(max=2000)])


class IndustryCodeForm(RecordForm):
    """`version` is the row version the form was filled in from (see RecordForm), so the VSIC
    version travels as `vsic_version` and reaches the service as `version`."""

    code = StringField(_l("Code"), validators=[InputRequired(), Length(max=20)])
    vsic_version = SelectField(
        _l("VSIC version"),
        choices=[
            SelectChoice("2025", _l("VSIC 2025 (Decision 36/2025/QĐ-TTg, from 15/11/2025)")),
            SelectChoice("2018", _l("VSIC 2018 (Decision 27/2018/QĐ-TTg)")),
        ],
    )
    name_vi = StringField(_l("Name (Vietnamese)"), validators=[InputRequired(), Length(max=300)])
    name_en = StringField(_l("Name (English)"), validators=[Length(max=300)])

    @classmethod
    def of(cls, data: dict | None) -> "IndustryCodeForm":
        """The form filled in from a code's data (`industry_codes.data_of`), or a blank one."""
        if data is None:
            return cls()
        return cls(data={**data, "vsic_version": data["version"], "version": None})

    def service_data(self) -> dict:
        data = super().service_data()
        data["version"] = data.pop("vsic_version")
        return data
