"""Public directory pages: the firm list with filters, and a firm's page."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.authorization import authorize
from app.backoffice.returns import open_years, returns_due
from app.catalogue.service import catalogue_tree
from app.domain import clock
from app.domain.enterprise import EnterpriseType
from app.domain.firm_size import SectorGroup, SizeClass
from app.domain.places import ward_province, wards_of_province
from app.domain.tax_code import TaxCodeError, normalize_tax_code
from app.errors import Conflict, ValidationError
from app.firms import renewals, self_service
from app.firms.forms import ClaimForm, FirmForm, InviteForm, LogoForm, RemoveMemberForm, SubmitForm
from app.firms.service import (
    FirmFilters,
    current_industry_codes,
    get_published_firm,
    list_published_firms,
    size_of,
)
from app.forms import bind_errors
from app.investors.introductions import pending_introductions
from app.labels import label
from app.models import Firm
from app.page_cache import for_visitors
from app.pagination import requested_page
from app.parsing import lenient_amount
from app.places.service import public_zones
from app.products.service import public_products_of_firm

bp = Blueprint("firms", __name__)


@bp.get("/firms")
@for_visitors
def index():
    filters = FirmFilters.from_args(request.args)
    per_page = current_app.config["FIRMS_PER_PAGE"]
    pagination = list_published_firms(filters, requested_page(per_page), per_page)
    return render_template(
        "firms/index.html",
        pagination=pagination,
        filters=filters,
        tree=catalogue_tree(),
        wards=wards_of_province(),
        sizes=list(SizeClass),
        zones=public_zones(),
    )


@bp.get("/firms/<slug>")
@for_visitors
def detail(slug: str):
    firm = get_published_firm(slug)
    return render_template(
        "firms/detail.html",
        firm=firm,
        tree=catalogue_tree(),
        claim=self_service.claim_offer(current_user, firm),
        products=public_products_of_firm(firm),
        today=clock.today(),
    )


# Business self-service --------------------------------------------------------------------------


def _form_context(form: FirmForm, notes: dict, firm: Firm | None = None) -> dict:
    return {
        "form": form,
        "notes": notes,
        "firm": firm,
        "tree": catalogue_tree(),
        "size_url": url_for("firms.size_preview"),
    }


def _choices(form: FirmForm) -> None:
    form.set_choices(
        catalogue_tree(),
        current_industry_codes(),
        public_zones(),
    )


@bp.get("/my/firms")
@login_required
def mine():
    return render_template(
        "firms/mine.html",
        firms=self_service.my_firms(current_user),
        claims=self_service.pending_claims(current_user),
        introductions=pending_introductions(current_user),
        returns_due=returns_due(current_user),
    )


@bp.route("/my/firms/new", methods=["GET", "POST"])
@login_required
def create():
    authorize(current_user, "firm.create")
    form = FirmForm()
    _choices(form)
    notes = dict(request.form)
    if form.validate_on_submit():
        try:
            firm = self_service.create_firm(
                current_user, form.tax_code.data, form.to_data(request.form)
            )
        except self_service.TaxCodeTaken as taken:
            flash(taken.message, "info")
            return redirect(url_for("firms.claim", firm_id=taken.firm.id))
        except ValidationError as error:
            bind_errors(form, error)
        else:
            flash(
                _("Your draft listing is saved. Submit it for review when it is complete."),
                "success",
            )
            return redirect(url_for("firms.manage", firm_id=firm.id))
    return render_template("firms/form.html", **_form_context(form, notes)), (
        400 if form.errors else 200
    )


@bp.get("/my/firms/<int:firm_id>")
@login_required
def manage(firm_id: int):
    firm = self_service.get_my_firm(current_user, firm_id)
    return render_template(
        "firms/manage.html",
        firm=firm,
        tree=catalogue_tree(),
        revision=self_service.pending_revision(firm),
        problems=self_service.submission_problems(firm),
        submit_form=SubmitForm(version=firm.version),
        invite_form=InviteForm(),
        remove_form=RemoveMemberForm(),
        logo_form=LogoForm(),
        reporting_years=open_years() if firm.status == "published" else [],
        confirm_by=renewals.due_on(firm),
        confirm_soon=renewals.due_soon(firm),
    )


@bp.route("/my/firms/<int:firm_id>/edit", methods=["GET", "POST"])
@login_required
def edit(firm_id: int):
    firm = self_service.get_my_firm(current_user, firm_id)
    form = FirmForm()
    _choices(form)
    notes = dict(request.form)
    if request.method == "GET":
        form.fill_from(self_service.current_content(firm), notes)
        form.version.data = firm.version
        form.province.data = ward_province(firm.ward_code)
        _choices(form)
        form.ward_code.data = str(firm.ward_code) if firm.ward_code else ""
    elif form.validate_on_submit():
        try:
            revision = self_service.update_firm(
                current_user, firm, form.to_data(request.form), form.version.data
            )
        except ValidationError as error:
            bind_errors(form, error)
        except Conflict as conflict:
            flash(conflict.message, "error")
            # The writer now knows about the other save: saving this form again replaces it.
            form.version.data = firm.version
            return render_template("firms/form.html", **_form_context(form, notes, firm)), 409
        else:
            if revision is not None:
                flash(
                    _(
                        "Your changes are waiting for a curator; "
                        "the public still sees the approved listing."
                    ),
                    "success",
                )
            else:
                flash(_("Saved."), "success")
            return redirect(url_for("firms.manage", firm_id=firm.id))
    status = 400 if form.errors else 200
    return render_template("firms/form.html", **_form_context(form, notes, firm)), status


@bp.post("/my/firms/<int:firm_id>/submit")
@login_required
def submit(firm_id: int):
    firm = self_service.get_my_firm(current_user, firm_id)
    form = SubmitForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        self_service.submit_firm(current_user, firm, form.version.data)
    except (ValidationError, Conflict) as error:
        flash(error.message, "error")
    else:
        flash(_("Submitted. A curator of Sở Công Thương will review your listing."), "success")
    return redirect(url_for("firms.manage", firm_id=firm.id))


@bp.post("/my/firms/<int:firm_id>/confirm")
@login_required
def confirm(firm_id: int):
    """The yearly confirmation of a published listing, or the renewal of a lapsed one."""
    firm = self_service.get_my_firm(current_user, firm_id)
    form = SubmitForm()
    if not form.validate_on_submit():
        abort(400)
    renewing = renewals.is_lapsed(firm)
    try:
        renewals.confirm_listing(current_user, firm, form.version.data)
    except Conflict as error:
        flash(error.message, "error")
    else:
        flash(
            _("Renewed: the listing is public again.")
            if renewing
            else _("Thank you: the listing is confirmed for another year."),
            "success",
        )
    return redirect(url_for("firms.manage", firm_id=firm.id) + "#confirmation")


@bp.route("/my/firms/claim/<int:firm_id>", methods=["GET", "POST"])
@login_required
def claim(firm_id: int):
    firm = self_service.claimable_firm(firm_id)
    form = ClaimForm()
    if form.validate_on_submit():
        try:
            self_service.claim_firm(current_user, firm.id, form.evidence.data)
        except ValidationError as error:
            flash(error.message, "error")
        else:
            flash(
                _(
                    "Your claim was sent to Sở Công Thương. "
                    "You will get an e-mail with the decision."
                ),
                "success",
            )
            return redirect(url_for("firms.mine"))
    return render_template("firms/claim.html", form=form, firm=firm), (400 if form.errors else 200)


@bp.post("/my/firms/<int:firm_id>/members")
@login_required
def invite(firm_id: int):
    firm = self_service.get_my_firm(current_user, firm_id)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            self_service.invite_editor(current_user, firm, form.email.data)
        except ValidationError as error:
            flash(error.message, "error")
        else:
            flash(_("Invitation sent."), "success")
    else:
        flash(_("Enter a valid e-mail address."), "error")
    return redirect(url_for("firms.manage", firm_id=firm.id) + "#members")


@bp.post("/my/firms/<int:firm_id>/members/remove")
@login_required
def remove_member(firm_id: int):
    firm = self_service.get_my_firm(current_user, firm_id)
    form = RemoveMemberForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        self_service.remove_member(current_user, firm, form.user_id.data)
    except ValidationError as error:
        flash(error.message, "error")
    else:
        flash(_("Removed."), "success")
    return redirect(url_for("firms.manage", firm_id=firm.id) + "#members")


@bp.post("/my/firms/<int:firm_id>/logo")
@login_required
def logo_upload(firm_id: int):
    firm = self_service.get_my_firm(current_user, firm_id)
    form = LogoForm()
    if form.validate_on_submit():
        try:
            self_service.upload_logo(current_user, firm, form.logo.data)
        except ValidationError as error:
            flash(error.message, "error")
        else:
            flash(_("Logo saved."), "success")
    else:
        flash(_("Choose an image file to upload."), "error")
    return redirect(url_for("firms.manage", firm_id=firm.id))


@bp.get("/firms/<slug>/logo.png")
def logo(slug: str):
    firm = get_published_firm(slug)
    if not firm.logo_path:
        abort(404)
    return send_from_directory(self_service.logo_folder(), firm.logo_path, mimetype="image/png")


@bp.get("/firms/size-class")
def size_preview():
    """The Decree 80 size class for figures typed in the form (used by the form's script)."""

    def number(name: str) -> int | None:
        return lenient_amount(request.args.get(name, ""))

    def choice(name: str, options) -> str | None:
        value = request.args.get(name)
        return value if value in {option.value for option in options} else None

    try:
        tax_code = normalize_tax_code(request.args.get("tax_code", ""))
    except TaxCodeError:
        tax_code = None
    result = size_of(
        choice("kind", EnterpriseType),
        tax_code,
        choice("sector", SectorGroup),
        number("employees"),
        number("revenue"),
        number("capital"),
    )
    return jsonify(
        size_class=str(result) if result else None, label=label(result) if result else ""
    )
