"""Forms for registering interest and following it up."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.forms import Form
from app.labels import label
from app.models import InterestStatus
from app.parsing import IntegerField


class InterestForm(Form):
    target_kind = HiddenField(validators=[InputRequired()])
    target_id = IntegerField(validators=[InputRequired()])
    message = TextAreaField(
        _l("A short message (what you would like to do)"),
        validators=[Optional(), Length(max=2000)],
    )


class InterestStatusForm(Form):
    status = SelectField(_l("Status"), validators=[InputRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [(s.value, label(s)) for s in InterestStatus]
