"""Account pages (see the package docstring): thin views over `app.accounts.service`."""

import json

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts import personal_data, service
from app.accounts.forms import (
    ActionForm,
    ChangePasswordForm,
    DeleteAccountForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
)
from app.accounts.permissions import needs_email_verification
from app.accounts.redirects import safe_next
from app.accounts.tokens import DEVICE_MAX_AGE, TokenError, make_device_token
from app.authorization import authorize
from app.errors import TooManyAttempts, ValidationError
from app.forms import bind_errors
from app.i18n import current_language
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


@bp.app_context_processor
def account_helpers():
    return {"needs_email_verification": needs_email_verification}


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
    destination = safe_next(form.next.data) or url_for("accounts.profile")
    if current_user.is_authenticated and request.method == "GET":
        return redirect(destination)
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
            response = redirect(destination)
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


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user if request.method == "GET" else None)
    if request.method == "GET":
        form.language.data = current_user.preferred_language
    if form.validate_on_submit():
        try:
            service.update_profile(current_user, name=form.name.data, language=form.language.data)
        except ValidationError as error:
            bind_errors(form, error)
        else:
            session["lang"] = current_user.preferred_language
            flash(_("Your profile has been saved."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form, action_form=ActionForm())


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
