"""Forms of the investor pages: profile, shortlists, saved searches, introductions."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional
from wtforms.validators import ValidationError as FieldError

from app.domain.places import wards_of_province
from app.forms import Form, MultiCheckboxField, vietnamese_choices
from app.i18n import localized
from app.labels import label
from app.models import AlertFrequency, InvestmentType, InvestorType
from app.parsing import HiddenIntegerField, MoneyField, optional_id


class ProfileForm(Form):
    organisation = StringField(_l("Organisation"), validators=[InputRequired(), Length(max=200)])
    investor_type = SelectField(_l("Kind of investor"), validators=[InputRequired()])
    ticket_min_vnd = MoneyField(_l("Smallest ticket (đồng)"))
    ticket_max_vnd = MoneyField(_l("Largest ticket (đồng)"))
    groups = MultiCheckboxField(_l("Environmental domains you invest in"))
    investment_types = MultiCheckboxField(_l("Kinds of investment you make"))
    wards = SelectMultipleField(_l("Wards and communes you follow"), coerce=int)
    zones = SelectMultipleField(_l("Zones and clusters you follow"), coerce=int)
    description = TextAreaField(
        _l("About you, in a few sentences"),
        description=_l("Firms read this before they accept an introduction."),
        validators=[Optional(), Length(max=2000)],
    )

    def set_choices(self, groups, zones) -> None:
        self.investor_type.choices = [("", "—")] + [(t.value, label(t)) for t in InvestorType]
        self.groups.choices = [(g.code, localized(g, "name")) for g in groups]
        self.investment_types.choices = [(t.value, label(t)) for t in InvestmentType]
        self.wards.choices = vietnamese_choices(wards_of_province())
        self.zones.choices = [(z.id, localized(z, "name")) for z in zones]

    def validate_ticket_max_vnd(self, field):
        low = self.ticket_min_vnd.data
        if field.data is not None and low is not None and field.data < low:
            raise FieldError(_l("The upper amount must not be below the lower one."))

    def fill_from(self, profile) -> None:
        for name in ("organisation", "ticket_min_vnd", "ticket_max_vnd", "description"):
            getattr(self, name).data = getattr(profile, name)
        self.investor_type.data = str(profile.investor_type)
        self.groups.data = list(profile.groups)
        self.investment_types.data = list(profile.investment_types)
        self.wards.data = list(profile.wards)
        self.zones.data = list(profile.zones)

    def to_data(self) -> dict:
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}


class ShortlistForm(Form):
    name = StringField(_l("Name of the new list"), validators=[InputRequired(), Length(max=120)])


class AddToShortlistForm(Form):
    """Add a firm to an existing list or to a new one (a new name wins). Pages show one per
    firm, so each gets the prefix `firm<id>` (see `for_firm`) to keep field ids unique."""

    shortlist_id = SelectField(_l("Add to list"), coerce=optional_id, validators=[Optional()])
    new_name = StringField(_l("or a new list named"), validators=[Optional(), Length(max=120)])

    def set_choices(self, shortlists) -> None:
        self.shortlist_id.choices = [("", "—")] + [(s.id, s.name) for s in shortlists]

    @classmethod
    def for_firm(cls, firm_id: int, shortlists, **kwargs) -> "AddToShortlistForm":
        form = cls(prefix=f"firm{firm_id}", **kwargs)
        form.set_choices(shortlists)
        return form


class NoteForm(Form):
    note = TextAreaField(_l("Private note"), validators=[Optional(), Length(max=2000)])


class ActionForm(Form):
    """A button that changes something: only the CSRF token."""


class SaveSearchForm(Form):
    name = StringField(_l("Name of this search"), validators=[InputRequired(), Length(max=120)])
    frequency = RadioField(_l("E-mail alerts"), default=AlertFrequency.OFF.value)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.frequency.choices = frequency_choices()


class AlertFrequencyForm(Form):
    frequency = SelectField(_l("E-mail alerts"), validators=[InputRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.frequency.choices = frequency_choices()


def frequency_choices() -> list[tuple[str, str]]:
    return [
        (AlertFrequency.OFF.value, _l("No e-mail")),
        (AlertFrequency.DAILY.value, _l("Daily: an e-mail on days with new or changed firms")),
        (AlertFrequency.WEEKLY.value, _l("Weekly: at most one e-mail a week")),
    ]


class IntroductionForm(Form):
    firm_id = HiddenIntegerField(validators=[InputRequired()])
    message = TextAreaField(
        _l("Your message to the firm"),
        description=_l(
            "Say who you are and what you would like to discuss. The firm sees your name, "
            "e-mail and organisation only if it accepts."
        ),
        validators=[InputRequired(), Length(min=10, max=2000)],
    )
