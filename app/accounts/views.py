"""Account pages (see the package docstring): thin views over `app.accounts.service`."""

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts import api_tokens, personal_data, service
from app.accounts.forms import (
    EVENT_LABELS,
    ROLE_LABELS,
    ActionForm,
    ApiTokenForm,
    ChangePasswordForm,
    DeleteAccountForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    RoleForm,
    StaffForm,
)
from app.accounts.permissions import needs_email_verification
from app.accounts.redirects import safe_next
from app.accounts.tokens import DEVICE_MAX_AGE, TokenError, make_device_token
from app.audit import events_of
from app.authorization import authorize, can
from app.confirmation import Confirmation, ask, confirmed
from app.errors import NotFound, TooManyAttempts, ValidationError
from app.forms import bind_errors
from app.i18n import current_language
from app.models import Role
from app.pagination import requested_page
from app.security import limiter

bp = Blueprint("accounts", __name__, cli_group="users")

KNOWN_DEVICE_COOKIE = "known_device"
MAIL_LIMIT_PER_IP = "5 per minute;30 per hour"


def _current_user_key() -> str:
    return f"user:{current_user.id}"


def _start_session(outcome: service.AccountOutcome) -> None:
    user = outcome.user
    login_user(user)
    session["lang"] = user.preferred_language
    _flash_joined(outcome)


def _flash_joined(outcome: service.AccountOutcome) -> None:
    for firm in outcome.joined_firms:
        flash(_("You can now edit the listing of %(firm)s.", firm=firm.display_name), "success")


def _landing(user) -> str:
    """Where each role's own work is, for after logging in: a business's firms (and their
    matches), an investor's recommendations, a reviewer's queue, an agency curator's
    programmes and zones, an administrator's dashboard."""
    if user.role == Role.ADMIN:
        return url_for("backoffice.dashboard")
    if can(user, "firm.review"):
        return url_for("curation.queue")
    if can(user, "agency_data.manage"):
        return url_for("curation.programmes")
    if user.role == Role.INVESTOR:
        return url_for("investors.home")
    if user.role == Role.BUSINESS:
        return url_for("firms.mine")
    return url_for("accounts.profile")


@bp.app_context_processor
def account_helpers():
    return {"needs_email_verification": needs_email_verification}


@bp.before_app_request
def save_language_choice():
    """The language link, signed in: the choice goes into the profile, so that it holds on
    every device and for the e-mails the user is sent."""
    asked = request.args.get("lang")
    if (
        request.method == "GET"  # the link; a form posted to `?lang=` does its own write only
        and current_user.is_authenticated
        and asked in current_app.config["LANGUAGES"]
        and asked != current_user.preferred_language
    ):
        service.update_profile(current_user, name=current_user.name, language=asked)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(MAIL_LIMIT_PER_IP, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.profile"))
    form = RegisterForm()
    if request.method == "GET":
        form.language.data = current_language()
    if form.validate_on_submit():
        try:
            service.register_user(
                name=form.name.data,
                email=form.email.data,
                password=form.password.data,
                role=form.role.data,
                language=form.language.data,
                consent=form.privacy_consent.data,
            )
        except ValidationError as error:
            bind_errors(form, error)
        else:
            return render_template("accounts/check_email.html", email=form.email.data.strip())
    return render_template("accounts/register.html", form=form)


@bp.get("/verify/<token>")
def verify(token: str):
    try:
        outcome = service.verify_email(token)
    except TokenError as error:
        return render_template(
            "accounts/link_problem.html", expired=error.expired, purpose="verify"
        ), 400
    _flash_joined(outcome)
    return render_template("accounts/verified.html", user=outcome.user)


@bp.post("/verify/resend")
@login_required
@limiter.limit("3 per 10 minutes", key_func=_current_user_key)
def resend_verification():
    if service.resend_verification(current_user):
        flash(_("We sent a new confirmation link to %(email)s.", email=current_user.email), "info")
    else:
        flash(_("Your e-mail address is already confirmed."), "info")
    return redirect(url_for("accounts.profile"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    destination = safe_next(form.next.data)
    if current_user.is_authenticated and request.method == "GET":
        return redirect(destination or _landing(current_user))
    if form.validate_on_submit():
        try:
            outcome = service.authenticate(
                form.email.data,
                form.password.data,
                request.remote_addr or "",
                request.cookies.get(KNOWN_DEVICE_COOKIE),
            )
        except TooManyAttempts as refusal:
            form.form_errors.append(refusal.message)
            page = render_template("accounts/login.html", form=form)
            return page, 429, {"Retry-After": str(refusal.retry_after)}
        except ValidationError as error:
            form.form_errors.append(error.message)
        else:
            _start_session(outcome)
            if outcome.user.email_verified_at is None:
                flash(_("Please confirm your e-mail address: open the link we mailed you."), "info")
            response = redirect(destination or _landing(outcome.user))
            _remember_device(response, outcome.user)
            return response
    return render_template("accounts/login.html", form=form)


def _remember_device(response, user) -> None:
    """Mark this browser as a known device of the account: it then has its own failure count."""
    response.set_cookie(
        KNOWN_DEVICE_COOKIE,
        make_device_token(user.email),
        max_age=DEVICE_MAX_AGE,
        path=url_for("accounts.login"),
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        service.log_out(current_user)
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("main.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(MAIL_LIMIT_PER_IP, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        service.request_password_reset(form.email.data)
        return render_template(
            "accounts/check_email.html", email=form.email.data.strip(), purpose="reset"
        )
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        service.user_for_reset_token(token)
    except TokenError as error:
        return render_template(
            "accounts/link_problem.html", expired=error.expired, purpose="reset"
        ), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            service.reset_password(token, form.password.data)
        except ValidationError as error:
            bind_errors(form, error)
        else:
            logout_user()
            flash(_("Your password has been changed. You can log in with it now."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


def _saved_profile_form() -> ProfileForm:
    form = ProfileForm(formdata=None, obj=current_user)
    form.language.data = current_user.preferred_language
    return form


def _render_profile(form: ProfileForm, token_form: ApiTokenForm | None = None, status=200):
    return (
        render_template(
            "accounts/profile.html",
            form=form,
            action_form=ActionForm(),
            token_form=token_form or ApiTokenForm(formdata=None),
            tokens=api_tokens.tokens_of(current_user),
            max_tokens=api_tokens.MAX_LIVE_TOKENS,
        ),
        status,
    )


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    if request.method == "GET":
        return _render_profile(_saved_profile_form())
    form = ProfileForm()
    if form.validate_on_submit():
        try:
            service.update_profile(current_user, name=form.name.data, language=form.language.data)
        except ValidationError as error:
            bind_errors(form, error)
        else:
            session["lang"] = current_user.preferred_language
            flash(_("Your profile has been saved."), "success")
            return redirect(url_for("accounts.profile"))
    return _render_profile(form)


@bp.post("/account/api-tokens")
@login_required
def create_api_token():
    """Make a token and show its secret this once: on this page only (a flash would keep it in
    the session cookie, which is signed but readable), never cached."""
    profile_form = _saved_profile_form()  # first, so that its fields keep their usual ids
    form = ApiTokenForm()
    if form.validate_on_submit():
        try:
            token, secret = api_tokens.create_token(
                current_user, form.name.data, form.scope.data, form.days.data
            )
        except ValidationError as error:
            bind_errors(form, error)
        else:
            response = make_response(
                render_template("accounts/api_token_created.html", token=token, secret=secret)
            )
            response.headers["Cache-Control"] = "no-store"
            return response
    return _render_profile(profile_form, form, 400)


@bp.post("/account/api-tokens/<int:token_id>/revoke")
@login_required
def revoke_api_token(token_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    token = api_tokens.get_token(current_user, token_id)
    if not confirmed():
        return ask(
            Confirmation(
                question=_("Revoke the API token “%(name)s”?", name=token.name),
                consequences=(
                    _("Programs that use it can no longer reach the API with it."),
                    _("A revoked token cannot be restored: for the API, create a new one."),
                ),
                button=_("Revoke the token"),
                cancel=url_for("accounts.profile", _anchor="api-tokens"),
            )
        )
    api_tokens.revoke_token(current_user, token_id)
    flash(_("API token “%(name)s” revoked.", name=token.name), "success")
    return redirect(url_for("accounts.profile", _anchor="api-tokens"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            service.change_password(current_user, form.current_password.data, form.password.data)
        except ValidationError as error:
            bind_errors(form, error)
        else:
            login_user(current_user._get_current_object())  # this device goes on, new token
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_password.html", form=form)


# Administrators: accounts ---------------------------------------------------------------------


@bp.get("/admin/users")
@login_required
def users():
    text, role = request.args.get("q", ""), request.args.get("role", "")
    page = service.find_users(current_user, text, role, requested_page(service.STAFF_PAGE_SIZE))
    if page.page > 1 and not page.items:
        raise NotFound()
    return render_template(
        "accounts/users.html", page=page, text=text, role=role, role_labels=ROLE_LABELS
    )


@bp.route("/admin/users/new", methods=["GET", "POST"])
@login_required
def new_staff():
    agencies = service.staff_agencies(current_user)
    form = StaffForm()
    form.set_agencies(agencies)
    if form.validate_on_submit():
        try:
            user = service.create_staff_user(
                current_user,
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                agency_code=form.agency.data or None,
            )
        except ValidationError as error:
            bind_errors(form, error)
        else:
            flash(
                _(
                    "Account created: %(email)s gets an e-mail to choose a password.",
                    email=user.email,
                ),
                "success",
            )
            return redirect(url_for("accounts.user_detail", user_id=user.id))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/new_staff.html", form=form), status


def _render_user(user_id: int, role_form: RoleForm | None = None, status: int = 200):
    user = service.get_user(current_user, user_id)
    if role_form is None:
        role_form = RoleForm(formdata=None, data={"role": user.role.value})
        role_form.agency.data = user.agency.code if user.agency else ""
    role_form.set_agencies(service.staff_agencies(current_user))
    return (
        render_template(
            "accounts/user.html",
            user=user,
            role_label=ROLE_LABELS[user.role],
            role_form=role_form,
            action_form=ActionForm(),
            last_admin=service.is_last_admin(user),
            events=events_of("user", user.id),
            event_labels=EVENT_LABELS,
        ),
        status,
    )


@bp.get("/admin/users/<int:user_id>")
@login_required
def user_detail(user_id: int):
    return _render_user(user_id)


@bp.post("/admin/users/<int:user_id>/role")
@login_required
def set_role(user_id: int):
    user = service.get_user(current_user, user_id)
    form = RoleForm()
    form.set_agencies(service.staff_agencies(current_user))
    if form.validate_on_submit():
        try:
            service.set_user_role(
                current_user,
                email=user.email,
                role=form.role.data,
                agency_code=form.agency.data or None,
            )
        except ValidationError as error:
            bind_errors(form, error)
        else:
            flash(_("Role saved."), "success")
            return redirect(url_for("accounts.user_detail", user_id=user_id))
    return _render_user(user_id, form, 400)


ACTIVATIONS = {"deactivate": service.deactivate_user, "reactivate": service.reactivate_user}


@bp.post("/admin/users/<int:user_id>/<any(deactivate, reactivate):action>")
@login_required
def set_active(user_id: int, action: str):
    user = service.get_user(current_user, user_id)
    if not ActionForm().validate_on_submit():
        return _render_user(user_id, status=400)
    try:
        ACTIVATIONS[action](current_user, email=user.email)
    except ValidationError as error:
        flash(error.message, "error")
    else:
        if action == "deactivate":
            flash(_("The account is deactivated: it can no longer log in."), "success")
        else:
            flash(_("The account is active again."), "success")
    return redirect(url_for("accounts.user_detail", user_id=user_id))


@bp.get("/account/data.json")
@login_required
def export_data():
    """The signed-in person's own data, as a JSON file to keep (Decree 13/2023/NĐ-CP)."""
    data = personal_data.export_personal_data(current_user)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="cnmt-my-data.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    authorize(current_user, "account.delete")
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            personal_data.delete_account(current_user, form.password.data)
        except ValidationError as error:
            bind_errors(form, error)
        else:
            logout_user()
            flash(_("Your account and your personal data have been deleted."), "success")
            return redirect(url_for("main.home"))
    only_owned = personal_data.firms_only_owned_by(current_user)
    return render_template("accounts/delete_account.html", form=form, only_owned=only_owned)
