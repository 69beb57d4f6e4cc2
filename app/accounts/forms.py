"""Account forms: the shape of what people type (the rules that must always hold are in service)."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from app.accounts.api_tokens import DEFAULT_LIFETIME_DAYS, LIFETIMES_DAYS
from app.accounts.api_tokens import MAX_NAME_LENGTH as MAX_TOKEN_NAME_LENGTH
from app.accounts.passwords import password_problems
from app.accounts.service import EMAIL_SHAPE, MAX_EMAIL_LENGTH, MAX_NAME_LENGTH
from app.forms import Form, vietnamese_choices
from app.models import ApiScope, Role

LANGUAGE_CHOICES = [
    SelectChoice("vi", "Tiếng Việt", render_kw={"lang": "vi"}),
    SelectChoice("en", "English", render_kw={"lang": "en"}),
]
REQUIRED = _l("Please fill in this field.")


def _email_field(label=None) -> EmailField:
    return EmailField(
        label or _l("E-mail address"),
        validators=[
            DataRequired(REQUIRED),
            Length(max=MAX_EMAIL_LENGTH, message=_l("This address is too long.")),
            Regexp(EMAIL_SHAPE, message=_l("Enter a valid e-mail address.")),
        ],
        render_kw={"autocomplete": "email", "maxlength": MAX_EMAIL_LENGTH},
    )


def _name_field() -> StringField:
    return StringField(
        _l("Your name"),
        validators=[
            DataRequired(REQUIRED),
            Length(max=MAX_NAME_LENGTH, message=_l("This name is too long.")),
        ],
        render_kw={"autocomplete": "name", "maxlength": MAX_NAME_LENGTH},
    )


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(REQUIRED)],
        description=_l(
            "At least 10 characters, hard to guess: not a common password or word, not your "
            "name or e-mail address. A few unrelated words make a good one."
        ),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(REQUIRED),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


def _language_field() -> SelectField:
    return SelectField(_l("Preferred language"), choices=LANGUAGE_CHOICES, default="vi")


class RegisterForm(Form):
    name = _name_field()
    email = _email_field()
    password, password_confirm = _new_password_fields()
    role = RadioField(
        _l("I am signing up as"),
        choices=[
            SelectChoice(Role.BUSINESS.value, _l("A business: I want to list and manage my firm")),
            SelectChoice(
                Role.INVESTOR.value, _l("An investor: I look for firms and projects to support")
            ),
        ],
        validators=[DataRequired(_l("Choose whether you sign up as a business or an investor."))],
    )
    language = _language_field()
    privacy_consent = BooleanField(
        _l(
            "I have read the privacy notice and agree that the platform keeps and uses my "
            "personal data as it describes."
        ),
        validators=[DataRequired(_l("To create an account, please accept the privacy notice."))],
    )

    def validate_password(self, field) -> None:
        # The service enforces the policy on every path; checking here too shows all problems
        # at once instead of after the other fields are fixed.
        problems = password_problems(field.data or "", self.email.data or "", self.name.data or "")
        if problems:
            raise ValidationError(" ".join(problems))


class LoginForm(Form):
    email = _email_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(REQUIRED)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class ForgotPasswordForm(Form):
    email = _email_field()


class ResetPasswordForm(Form):
    password, password_confirm = _new_password_fields()


class ChangePasswordForm(Form):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(REQUIRED)],
        render_kw={"autocomplete": "current-password"},
    )
    password, password_confirm = _new_password_fields()


class ProfileForm(Form):
    name = _name_field()
    language = _language_field()


class ActionForm(Form):
    """A button that changes something (log out, re-send the mail): only the CSRF token."""


ROLE_LABELS = {
    Role.BUSINESS: _l("Business"),
    Role.INVESTOR: _l("Investor"),
    Role.CURATOR: _l("Curator"),
    Role.ADMIN: _l("Administrator"),
}

# What the audit trail of an account records, as an administrator reads it.
EVENT_LABELS = {
    "user.create": _l("Account created"),
    "user.set_role": _l("Role changed"),
    "user.deactivate": _l("Deactivated"),
    "user.reactivate": _l("Reactivated"),
    "user.reset_password": _l("Password chosen from an e-mailed link"),
    "user.change_password": _l("Password changed"),
    "user.update_profile": _l("Profile changed"),
}


def _role_field(roles) -> SelectField:
    return SelectField(
        _l("Role"),
        choices=[SelectChoice("", _l("Choose a role"))]
        + [SelectChoice(role.value, ROLE_LABELS[role]) for role in roles],
        validators=[DataRequired(REQUIRED)],
    )


def _agency_field() -> SelectField:
    return SelectField(
        _l("Agency"),
        description=_l(
            "Curators belong to an agency: those of Sở Công Thương review listings, those of "
            "other agencies manage their agency's programmes and zones."
        ),
        validate_choice=False,  # the service names the agency that does not exist
    )


class StaffForm(Form):
    """A new curator or administrator: they choose their password from the e-mail."""

    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(REQUIRED),
            Length(max=MAX_NAME_LENGTH, message=_l("This name is too long.")),
        ],
        render_kw={"maxlength": MAX_NAME_LENGTH},
    )
    email = _email_field()
    role = _role_field((Role.CURATOR, Role.ADMIN))
    agency = _agency_field()

    def set_agencies(self, agencies) -> None:
        self.agency.choices = [SelectChoice("", _l("No agency (administrators only)"))]
        self.agency.choices += vietnamese_choices(
            (agency.code, f"{agency.code} · {agency.name_vi}") for agency in agencies
        )


class RoleForm(Form):
    role = _role_field(tuple(Role))
    agency = _agency_field()
    set_agencies = StaffForm.set_agencies


class DeleteAccountForm(Form):
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(REQUIRED)],
        description=_l("To confirm that it is you who deletes the account."),
        render_kw={"autocomplete": "current-password"},
    )


class ApiTokenForm(Form):
    """A new personal API token: what it is for, what it may do, how long it works."""

    name = StringField(
        _l("Token name"),
        validators=[
            DataRequired(_l("Give the token a name, for example the program that uses it.")),
            Length(max=MAX_TOKEN_NAME_LENGTH, message=_l("This name is too long.")),
        ],
        description=_l("So that you recognise it later, for example “Monthly report script”."),
        render_kw={"maxlength": MAX_TOKEN_NAME_LENGTH, "autocomplete": "off"},
    )
    scope = RadioField(
        _l("What it may do"),
        choices=[
            SelectChoice(ApiScope.READ.value, _l("Read only: look up data through the API")),
            SelectChoice(
                ApiScope.WRITE.value,
                _l("Read and write: also make the changes your account may make"),
            ),
        ],
        default=ApiScope.READ.value,
        validators=[DataRequired(_l("Choose whether the token may only read or also write."))],
    )
    days = RadioField(
        _l("Works for"),
        choices=[SelectChoice(str(days), _l("%(num)d days", num=days)) for days in LIFETIMES_DAYS],
        default=str(DEFAULT_LIFETIME_DAYS),
        validators=[DataRequired(_l("Choose how long the token works: 30, 90 or 365 days."))],
    )
