"""Forms of the marketplace: a request or offer, an answer, a curator's decision, buttons."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.domain.text import nfc
from app.forms import Form, VersionField, ward_choices
from app.labels import label
from app.models.marketplace import KINDS_OF_SIDE, MarketSide
from app.parsing import HiddenIntegerField, MoneyField, optional_id


def _strip(value):
    return nfc(value).strip() if isinstance(value, str) else value


class ListingForm(Form):
    """One form for both sides; the fields of the other side are left out of the page."""

    version = VersionField()
    firm_id = SelectField(_l("For the firm"), coerce=optional_id, validate_choice=False)
    title = StringField(
        _l("Title"), validators=[InputRequired(), Length(max=200)], filters=[_strip]
    )
    kind = SelectField(_l("Kind"), validators=[InputRequired()])
    description = TextAreaField(
        _l("Description"),
        description=_l("What exactly, how much, which standards, in what conditions."),
        validators=[InputRequired(), Length(max=5000)],
        filters=[_strip],
    )
    ward_code = SelectField(_l("Ward or commune"), coerce=optional_id, validate_choice=False)
    item_ids = SelectMultipleField(
        _l("Catalogue items (Decision 980)"), coerce=optional_id, validate_choice=False
    )
    budget_min_vnd = MoneyField(_l("Budget from (đồng)"))
    budget_max_vnd = MoneyField(_l("Budget up to (đồng)"))
    deadline = DateField(_l("Deadline"), validators=[Optional()])
    trl = SelectField(_l("Technology readiness level (TRL)"), coerce=optional_id)
    licensing_terms = TextAreaField(
        _l("Licensing or sale terms"),
        validators=[Optional(), Length(max=3000)],
        filters=[_strip],
    )

    def set_choices(self, side: MarketSide, firms) -> None:
        self.firm_id.choices = [(f.id, f.trade_name or f.legal_name) for f in firms]
        self.kind.choices = [("", "—")] + [(k.value, label(k)) for k in KINDS_OF_SIDE[side]]
        self.ward_code.choices = [("", "—"), *ward_choices()]
        self.trl.choices = [("", "—")] + [(n, str(n)) for n in range(1, 10)]

    def service_data(self) -> dict:
        return {
            "kind": self.kind.data,
            "title": self.title.data,
            "description": self.description.data,
            "ward_code": self.ward_code.data,
            "item_ids": [i for i in self.item_ids.data or [] if i],
            "budget_min_vnd": self.budget_min_vnd.data,
            "budget_max_vnd": self.budget_max_vnd.data,
            "deadline": self.deadline.data,
            "trl": self.trl.data,
            "licensing_terms": self.licensing_terms.data,
        }

    def fill_from(self, listing, content: dict) -> None:
        """The form for editing `listing`, showing `content` (`service.editing_content`)."""
        self.version.data = listing.version
        self.firm_id.data = listing.firm_id
        for name, value in content.items():
            getattr(self, name).data = value


class ResponseForm(Form):
    firm_id = SelectField(_l("Answer for the firm"), coerce=optional_id, validate_choice=False)
    message = TextAreaField(
        _l("Your proposal"),
        description=_l(
            "What you can supply, in what time, at about what price. Your contact details are "
            "shared only if the requester accepts."
        ),
        validators=[InputRequired(), Length(max=2000)],
        filters=[_strip],
    )


class DecisionForm(Form):
    version = VersionField()
    reason = TextAreaField(_l("Reason (shown to the firm)"), validators=[Optional()])


class ActionForm(Form):
    """A button: the CSRF token and the version the page showed."""

    version = HiddenIntegerField()
