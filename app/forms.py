"""What every form shares: the base `Form` (CSRF, WTForms' messages in the user's language,
field ids unique on the page), fields and choices used by several areas, and `bind_errors`,
which shows a service's rule violations on the form that sent the data.

WTForms ships no Vietnamese translation, so every form (see `Form`) asks Flask-Babel instead.
The list below marks WTForms' messages for extraction into `app/translations`.
"""

from typing import TYPE_CHECKING

from flask import flash, g, has_request_context
from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.domain.places import wards_of_province
from app.errors import DomainError
from app.i18n import localized
from app.labels import label
from app.models import Provenance
from app.parsing import parse_int

if TYPE_CHECKING:
    from app.catalogue.service import CatalogueTree

WTFORMS_MESSAGES = (
    _l("Field must be equal to %(other_name)s."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Date must be at least %(min)s."),
    _l("Date must be at most %(max)s."),
    _l("Date must be between %(min)s and %(max)s."),
    _l("This field is required."),
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("Invalid URL."),
    _l("Invalid value, must be one of: %(values)s."),
    _l("Invalid CSRF Token."),
    _l("CSRF token missing."),
    _l("CSRF failed."),
    _l("CSRF token expired."),
    _l("Invalid Choice: could not coerce."),
    _l("Not a valid choice."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _l("Not a valid datetime value."),
    _l("Not a valid date value."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
)


def N_(singular: str, plural: str) -> tuple[str, str]:
    """Marks a plural message for extraction (`pybabel extract -k N_:1,2`)."""
    return singular, plural


WTFORMS_PLURALS = (
    N_(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
    ),
    N_(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
    ),
    N_(
        "Field must be exactly %(max)d character long.",
        "Field must be exactly %(max)d characters long.",
    ),
    N_(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
    ),
)


class _Translations:
    """The object WTForms asks for messages; WTForms fills in the %(…)s values itself."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


TRANSLATIONS = _Translations()


class Form(FlaskForm):
    """Base of every form on the site: CSRF from Flask-WTF, messages in the user's language,
    and ids no other form of the page has: the first form built in a request keeps a field's
    name as its id (`reason`), later ones number it (`reason-2`), so each label and error
    names its own field on pages with several forms; hidden fields have none."""

    class Meta:
        def get_translations(self, form):
            return TRANSLATIONS

        def bind_field(self, form, unbound_field, options):
            if "id" not in unbound_field.kwargs:
                options["id"] = _unique_id(options.get("prefix", "") + options["name"])
            return unbound_field.bind(form=form, **options)

        def render_field(self, field, render_kw):
            # A hidden input has no label to point at it, and one form may be drawn many times
            # on a page (a button per row): it gets no id at all.
            if getattr(field.widget, "input_type", None) == "hidden":
                render_kw = {"id": False, **render_kw}
            return super().render_field(field, render_kw)


def _unique_id(name: str) -> str:
    if not has_request_context():
        return name
    taken = g.setdefault("form_field_ids", {})
    taken[name] = taken.get(name, 0) + 1
    return name if taken[name] == 1 else f"{name}-{taken[name]}"


class VersionField(HiddenField):
    """The version of the record the form was filled in from. Anything that is no version is
    None, which the service refuses as out of date (a Conflict)."""

    def process_formdata(self, valuelist):
        self.data = parse_int(valuelist[0]) if valuelist else None


class RecordForm(Form):
    """The edit form of a record: its fields are the service's data, plus the version."""

    version = VersionField()

    def service_data(self) -> dict:
        return {
            name: field.data
            for name, field in self._fields.items()
            if name not in ("csrf_token", "version")
        }


class ProvenanceFields:
    """Where a record's figures come from, on the edit forms of programmes, zones and
    incubators (the rules: `app.rules.check_provenance`). "Verified" is offered only to keep a
    verified record so: the "mark verified" action, not the form, makes one."""

    provenance = SelectField(_l("Kind"), default=Provenance.SAMPLE.value)
    source_document = StringField(
        _l("Source document (number and symbol)"), validators=[Length(max=200)]
    )
    source_date = DateField(_l("Date of the source document"), validators=[Optional()])
    source_url = StringField(_l("Link to the source document"), validators=[Length(max=300)])

    def set_provenance_choices(self, record) -> None:
        kinds = [Provenance.SAMPLE, Provenance.PUBLIC_SOURCE]
        if record is not None and record.provenance == Provenance.VERIFIED:
            kinds.append(Provenance.VERIFIED)
        self.provenance.choices = [SelectChoice(kind.value, label(kind)) for kind in kinds]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def catalogue_choices(tree: "CatalogueTree") -> list[SelectChoice]:
    """Groups, kinds and items of the tree, indented, in catalogue order."""
    choices = []

    def walk(items, depth):
        for item in items:
            indent = "\u00a0\u00a0" * depth
            choices.append(
                SelectChoice(item.id, f"{indent}{item.code} · {localized(item, 'name')}")
            )
            walk(tree.kids(item), depth + 1)

    walk(tree.groups, 0)
    return choices


def ward_choices() -> list[SelectChoice]:
    return vietnamese_choices(wards_of_province())


def vietnamese_choices(pairs) -> list[SelectChoice]:
    """Options whose labels are Vietnamese names (wards, provinces) in every language: marked
    lang="vi" so that screen readers on English pages read them as Vietnamese."""
    return [SelectChoice(value, text, render_kw={"lang": "vi"}) for value, text in pairs]


def _fields_by_name(form) -> dict:
    """Every field of the form by its full name, including rows of lists and sub-forms
    (`workforce_needs-2-occupation`), so services can name any field the user sees."""
    found = {}

    def walk(fields):
        for field in fields:
            found[field.name] = field
            entries = getattr(field, "entries", None)
            if entries is not None:
                walk(entries)
            elif hasattr(field, "form") and hasattr(field.form, "_fields"):
                walk(field.form)

    walk(form)
    return found


def bind_errors(form, error: DomainError) -> None:
    """Show a service's refusal on the form: each field's messages next to that field, and
    the summary (with any message no field of this form can show) at the top of the page."""
    fields = _fields_by_name(form)
    for name, messages in error.errors.items():
        field = fields.get(name)
        if field is not None:
            field.errors = [*list(field.errors or []), *messages]
        else:
            for message in messages:
                flash(message, "error")
    if error.message:
        flash(error.message, "error")
