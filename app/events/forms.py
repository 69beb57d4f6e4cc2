"""Event forms: the organiser's event form, a guest's registration, publication and check-in.
The forms check the shape of the input; the services enforce the rules."""

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from app.accounts.service import MAX_EMAIL_LENGTH, MAX_NAME_LENGTH
from app.events.service import KIND_LABELS, MAX_CAPACITY
from app.forms import Form, RecordForm, VersionField
from app.i18n import localized
from app.parsing import IntegerField

LOCAL_TIME = "%Y-%m-%dT%H:%M"


class EventForm(RecordForm):
    agency_id = SelectField(_l("Organising agency"), coerce=int, validators=[Optional()])
    kind = SelectField(_l("Kind of event"))  # the service refuses anything else
    title_vi = StringField(_l("Title (Vietnamese)"), validators=[InputRequired(), Length(max=300)])
    title_en = StringField(_l("Title (English)"), validators=[Length(max=300)])
    description_vi = TextAreaField(
        _l("Description (Vietnamese)"),
        description=_l("Plain text; a blank line between paragraphs."),
    )
    description_en = TextAreaField(_l("Description (English)"))
    starts_at = DateTimeLocalField(
        _l("Starts at"),
        format=LOCAL_TIME,
        validators=[InputRequired()],
        description=_l("Quảng Ngãi time (Asia/Ho_Chi_Minh)."),
    )
    ends_at = DateTimeLocalField(_l("Ends at"), format=LOCAL_TIME, validators=[InputRequired()])
    registration_deadline = DateTimeLocalField(
        _l("Registration closes at"),
        format=LOCAL_TIME,
        validators=[Optional()],
        description=_l("Empty: registration stays open until the event starts."),
    )
    place = StringField(_l("Place"), validators=[Length(max=300)])
    online_url = StringField(
        _l("Link to join online"),
        validators=[Length(max=300)],
        description=_l("An address starting with https:// (or http://)."),
    )
    capacity = IntegerField(
        _l("Seats"),
        validators=[Optional()],
        minimum=1,
        maximum=MAX_CAPACITY,
        description=_l("Empty: no limit. When the seats are taken, people join a waiting list."),
    )
    contact = StringField(_l("Contact"), validators=[Length(max=300)])

    def set_choices(self, agencies) -> None:
        self.kind.choices = [SelectChoice(kind.value, text) for kind, text in KIND_LABELS.items()]
        if agencies is None:
            del self.agency_id
        else:
            self.agency_id.choices = [
                (a.id, f"{a.code} · {localized(a, 'name')}") for a in agencies
            ]


class GuestRegistrationForm(Form):
    name = StringField(
        _l("Your name"),
        validators=[InputRequired(), Length(max=MAX_NAME_LENGTH)],
        render_kw={"autocomplete": "name"},
    )
    organisation = StringField(
        _l("Organisation (optional)"),
        validators=[Length(max=200)],
        render_kw={"autocomplete": "organization"},
    )
    email = StringField(
        _l("E-mail"),
        validators=[InputRequired(), Length(max=MAX_EMAIL_LENGTH)],
        render_kw={"autocomplete": "email", "type": "email"},
    )


class StateForm(Form):
    """Publish, unpublish, archive or restore an event."""

    version = VersionField()
    reason = TextAreaField(_l("Reason"), validators=[Length(max=4000)])


class ActionForm(Form):
    """A button that only needs the CSRF token (register, cancel, check in)."""
