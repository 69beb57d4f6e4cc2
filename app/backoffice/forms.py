"""Back-office forms: opening a reporting year, re-opening a return, a firm's yearly return.

The forms check the shape of the input; the services enforce the rules and report them back
onto the fields through ValidationError.errors.
"""

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.forms import Form
from app.labels import label
from app.models import WorkforceLevel
from app.parsing import FieldList, IntegerField, MoneyField

BLANK_WORKFORCE_ROWS = 3


class OpenYearForm(Form):
    year = IntegerField(_l("Year the figures describe"), validators=[InputRequired()])
    deadline = DateField(_l("Deadline for firms"), validators=[InputRequired()])


class ReasonForm(Form):
    reason = TextAreaField(_l("Reason"), validators=[InputRequired(), Length(max=4000)])


class ConfirmForm(Form):
    """An action without fields: only the CSRF token."""


class MergeOccupationsForm(Form):
    source = SelectField(_l("Merge the occupation"), validators=[InputRequired()])
    target = SelectField(_l("into"), validators=[InputRequired()])

    def __init__(self, *args, occupations, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(o.key, o.name) for o in occupations]
        self.source.choices = self.target.choices = choices


class WorkforceRowForm(Form):
    class Meta:
        csrf = False

    occupation = StringField(_l("Occupation or skill"), validators=[Length(max=200)])
    level = SelectField(_l("Level"), default="", validate_choice=True)
    number_needed = IntegerField(
        _l("Number needed"), validators=[Optional(), NumberRange(min=1, max=1_000_000)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.level.choices = [("", "—")] + [(level.value, label(level)) for level in WorkforceLevel]


def _amount(text):
    return MoneyField(text, description=_l("In đồng, e.g. 1.500.000.000 or 1,5 tỷ."))


class ReturnForm(Form):
    revenue_vnd = _amount(_l("Revenue"))
    insured_employees = IntegerField(
        _l("Employees with social insurance (yearly average)"),
        validators=[Optional(), NumberRange(min=0)],
    )
    capital_vnd = _amount(_l("Total capital"))
    env_output_vnd = _amount(_l("Output of environmental goods and services"))
    exports_vnd = _amount(_l("Exports"))
    rnd_vnd = _amount(_l("Spending on R&D and technology transfer"))
    certifications = TextAreaField(
        _l("Certifications gained this year"), validators=[Length(max=4000)]
    )
    workforce_needs = FieldList(FormField(WorkforceRowForm), min_entries=BLANK_WORKFORCE_ROWS)

    def add_blank_rows(self) -> None:
        filled = sum(1 for row in self.workforce_needs if row.form.occupation.data)
        while len(self.workforce_needs) < filled + BLANK_WORKFORCE_ROWS:
            self.workforce_needs.append_entry()

    def to_data(self) -> dict:
        data = {
            name: self[name].data
            for name in (
                "revenue_vnd",
                "insured_employees",
                "capital_vnd",
                "env_output_vnd",
                "exports_vnd",
                "rnd_vnd",
                "certifications",
            )
        }
        data["workforce"] = [
            {
                "occupation": row.form.occupation.data,
                "level": row.form.level.data,
                "number_needed": row.form.number_needed.data,
            }
            for row in self.workforce_needs
        ]
        return data
