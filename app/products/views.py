"""Product pages: the public listing and a product's page; a business's products, photos and
certificates; the curators' queue of certificates and their list of labels."""

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.authorization import authorize
from app.catalogue.service import catalogue_tree
from app.domain import clock
from app.errors import Conflict, ValidationError
from app.firms.self_service import get_my_firm
from app.page_cache import for_visitors
from app.pagination import requested_page
from app.products import service
from app.products.forms import (
    CertificateForm,
    DecisionForm,
    LabelForm,
    PhotoForm,
    ProductForm,
    RemovePhotoForm,
    VersionForm,
)
from app.record_editor import form_status, save_form

bp = Blueprint("products", __name__, cli_group="products")
PER_PAGE = 20


# Public ---------------------------------------------------------------------------------------


@bp.get("/products")
@for_visitors
def index():
    filters = service.ProductFilters.from_args(request.args)
    listing = service.list_public_products(filters, requested_page(PER_PAGE), PER_PAGE)
    if listing.page > listing.pages:
        abort(404)
    return render_template(
        "products/index.html",
        listing=listing,
        filters=filters,
        labels=service.labels_by_code(),
        today=clock.today(),
    )


@bp.get("/products/<slug>")
@for_visitors
def detail(slug: str):
    product = service.get_public_product(slug)
    return render_template(
        "products/detail.html", product=product, tree=catalogue_tree(), today=clock.today()
    )


@bp.get("/products/<slug>/photos/<int:photo_id>.jpg")
def photo(slug: str, photo_id: int):
    stored = service.public_photo(slug, photo_id)
    return send_from_directory(service.photo_folder(), stored.path, mimetype="image/jpeg")


# A business's products ------------------------------------------------------------------------


@bp.get("/my/firms/<int:firm_id>/products")
@login_required
def mine(firm_id: int):
    firm = get_my_firm(current_user, firm_id)
    return render_template(
        "products/mine.html",
        firm=firm,
        products=service.products_of_firm(firm),
        today=clock.today(),
    )


def _product_form() -> ProductForm:
    form = ProductForm()
    form.set_choices(service.catalogue_items())
    return form


@bp.route("/my/firms/<int:firm_id>/products/new", methods=["GET", "POST"])
@login_required
def create(firm_id: int):
    firm = get_my_firm(current_user, firm_id)
    authorize(current_user, "product.create", firm)
    form = _product_form()
    status = form_status()
    if form.validate_on_submit():
        product, status = save_form(
            form, lambda: service.create_product(current_user, firm, form.to_data())
        )
        if product is not None:
            flash(_("Product saved. Add photos and its labels or certificates."), "success")
            return redirect(url_for("products.manage", product_id=product.id))
    return render_template("products/form.html", form=form, firm=firm, product=None), status


@bp.get("/my/products/<int:product_id>")
@login_required
def manage(product_id: int):
    product = service.get_my_product(current_user, product_id)
    return render_template(
        "products/manage.html",
        product=product,
        photo_form=PhotoForm(),
        remove_photo_form=RemovePhotoForm(),
        delete_form=VersionForm(version=product.version),
        max_photos=service.MAX_PHOTOS,
        today=clock.today(),
    )


@bp.route("/my/products/<int:product_id>/edit", methods=["GET", "POST"])
@login_required
def edit(product_id: int):
    product = service.get_my_product(current_user, product_id)
    form = _product_form()
    status = form_status()
    if request.method == "GET":
        form.fill_from(product)
    elif form.validate_on_submit():
        _saved, status = save_form(
            form,
            lambda: service.update_product(
                current_user, product, form.to_data(), form.version.data
            ),
            lambda: product.version,
        )
        if status == 200:
            flash(_("Saved."), "success")
            return redirect(url_for("products.manage", product_id=product.id))
    return render_template(
        "products/form.html", form=form, firm=product.firm, product=product
    ), status


@bp.post("/my/products/<int:product_id>/delete")
@login_required
def delete(product_id: int):
    product = service.get_my_product(current_user, product_id)
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    firm_id = product.firm_id
    try:
        service.delete_product(current_user, product, form.version.data)
    except Conflict as conflict:
        flash(conflict.message, "error")
        return redirect(url_for("products.manage", product_id=product_id))
    flash(_("Product deleted."), "success")
    return redirect(url_for("products.mine", firm_id=firm_id))


@bp.post("/my/products/<int:product_id>/photos")
@login_required
def add_photo(product_id: int):
    product = service.get_my_product(current_user, product_id)
    form = PhotoForm()
    if form.validate_on_submit():
        try:
            service.add_photo(
                current_user, product, form.photo.data, form.alt_vi.data, form.alt_en.data
            )
        except ValidationError as error:
            flash(error.message, "error")
        else:
            flash(_("Photo added."), "success")
    else:
        flash(_("Choose an image file and describe what it shows."), "error")
    return redirect(url_for("products.manage", product_id=product.id) + "#photos")


@bp.post("/my/products/<int:product_id>/photos/remove")
@login_required
def remove_photo(product_id: int):
    product = service.get_my_product(current_user, product_id)
    form = RemovePhotoForm()
    if not form.validate_on_submit():
        abort(400)
    service.remove_photo(current_user, product, form.photo_id.data)
    flash(_("Photo removed."), "success")
    return redirect(url_for("products.manage", product_id=product.id) + "#photos")


@bp.get("/my/products/<int:product_id>/photos/<int:photo_id>.jpg")
@login_required
def my_photo(product_id: int, photo_id: int):
    product = service.get_my_product(current_user, product_id)
    stored = next((p for p in product.photos if p.id == photo_id), None)
    if stored is None:
        abort(404)
    return send_from_directory(service.photo_folder(), stored.path, mimetype="image/jpeg")


def _certificate_form(current_label_id: int | None = None) -> CertificateForm:
    form = CertificateForm()
    form.set_choices(
        [label for label in service.all_labels() if label.active or label.id == current_label_id]
    )
    return form


@bp.route("/my/products/<int:product_id>/certificates/new", methods=["GET", "POST"])
@login_required
def add_certificate(product_id: int):
    product = service.get_my_product(current_user, product_id)
    authorize(current_user, "product.edit", product)
    form = _certificate_form()
    status = form_status()
    if form.validate_on_submit():
        _saved, status = save_form(
            form, lambda: service.add_certificate(current_user, product, form.to_data())
        )
        if status == 200:
            flash(_("Certificate saved. A curator of Sở Công Thương will verify it."), "success")
            return redirect(url_for("products.manage", product_id=product.id) + "#labels")
    return render_template(
        "products/certificate_form.html", form=form, product=product, certificate=None
    ), status


@bp.route("/my/certificates/<int:certificate_id>/edit", methods=["GET", "POST"])
@login_required
def edit_certificate(certificate_id: int):
    certificate = service.get_my_certificate(current_user, certificate_id)
    product = certificate.product
    form = _certificate_form(certificate.label_id)
    status = form_status()
    if request.method == "GET":
        form.fill_from(certificate)
    elif form.validate_on_submit():
        _saved, status = save_form(
            form,
            lambda: service.update_certificate(
                current_user, certificate, form.to_data(), form.version.data
            ),
            lambda: certificate.version,
        )
        if status == 200:
            flash(_("Saved. A curator of Sở Công Thương will verify the change."), "success")
            return redirect(url_for("products.manage", product_id=product.id) + "#labels")
    return render_template(
        "products/certificate_form.html",
        form=form,
        product=product,
        certificate=certificate,
        delete_form=VersionForm(version=certificate.version),
    ), status


@bp.post("/my/certificates/<int:certificate_id>/delete")
@login_required
def delete_certificate(certificate_id: int):
    certificate = service.get_my_certificate(current_user, certificate_id)
    product_id = certificate.product_id
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service.remove_certificate(current_user, certificate, form.version.data)
    except Conflict as conflict:
        flash(conflict.message, "error")
    else:
        flash(_("Certificate removed."), "success")
    return redirect(url_for("products.manage", product_id=product_id) + "#labels")


# Curators -------------------------------------------------------------------------------------


@bp.get("/curation/certificates")
@login_required
def review_queue():
    return render_template(
        "products/review_queue.html",
        certificates=service.certificates_to_review(current_user),
        form=DecisionForm(),
        today=clock.today(),
    )


@bp.post("/curation/certificates/<int:certificate_id>/<any(verify, reject):decision>")
@login_required
def decide(certificate_id: int, decision: str):
    certificate = service.certificate_for_review(current_user, certificate_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if decision == "verify":
            service.verify_certificate(current_user, certificate, form.version.data)
        else:
            service.reject_certificate(
                current_user, certificate, form.version.data, form.reason.data
            )
    except (ValidationError, Conflict) as error:
        flash(error.message, "error")
    else:
        flash(
            _("Certificate verified.") if decision == "verify" else _("Certificate rejected."),
            "success",
        )
    return redirect(url_for("products.review_queue"))


@bp.get("/curation/products")
@login_required
def moderation():
    return render_template(
        "products/moderation.html",
        products=service.products_to_moderate(current_user),
        form=DecisionForm(),
    )


@bp.post("/curation/products/<int:product_id>/<any(withdraw, restore):decision>")
@login_required
def moderate(product_id: int, decision: str):
    product = service.product_to_moderate(current_user, product_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if decision == "withdraw":
            service.withdraw_product(current_user, product, form.version.data, form.reason.data)
        else:
            service.restore_product(current_user, product, form.version.data)
    except (ValidationError, Conflict) as error:
        flash(error.message, "error")
    else:
        flash(
            _("Product withdrawn from the public.")
            if decision == "withdraw"
            else _("Product public again."),
            "success",
        )
    return redirect(url_for("products.moderation"))


@bp.get("/curation/labels")
@login_required
def labels():
    authorize(current_user, "label.manage")
    return render_template("products/labels.html", labels=service.all_labels())


@bp.route("/curation/labels/new", methods=["GET", "POST"])
@login_required
def new_label():
    authorize(current_user, "label.manage")
    return _label_page(None)


@bp.route("/curation/labels/<int:label_id>/edit", methods=["GET", "POST"])
@login_required
def edit_label(label_id: int):
    return _label_page(service.get_label(current_user, label_id))


def _label_page(label):
    form = LabelForm()
    form.set_choices()
    status = form_status()
    if request.method == "GET" and label is not None:
        form.fill_from(label)
    elif form.validate_on_submit():
        if label is None:
            _saved, status = save_form(
                form, lambda: service.create_label(current_user, form.to_data())
            )
        else:
            _saved, status = save_form(
                form,
                lambda: service.update_label(
                    current_user, label, form.to_data(), form.version.data
                ),
                lambda: label.version,
            )
        if status == 200:
            flash(_("Saved."), "success")
            return redirect(url_for("products.labels"))
    return render_template("products/label_form.html", form=form, eco_label=label), status
