"""Reference-data pages for curators: the catalogue tree and its entries, incubators, agencies,
VSIC industry codes, and the history of each. Views parse, call one service, and render."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.authorization import authorize
from app.catalogue.service import CatalogueTree
from app.confirmation import Confirmation, ask, confirmed
from app.errors import Conflict, ValidationError
from app.forms import RecordForm, bind_errors
from app.i18n import localized
from app.parsing import parse_id
from app.record_editor import RecordEditor, form_status
from app.refdata import agencies as agency_service
from app.refdata import catalogue as catalogue_service
from app.refdata import incubators as incubator_service
from app.refdata import industry_codes as industry_code_service
from app.refdata import service
from app.refdata.forms import (
    AgencyForm,
    CatalogueItemForm,
    DeleteForm,
    IncubatorForm,
    IndustryCodeForm,
    MergeForm,
    MoveForm,
    RecodeForm,
)
from app.transaction import version_of

bp = Blueprint("refdata", __name__, url_prefix="/curation/refdata")


# Catalogue ------------------------------------------------------------------------------------


def _entry_name(item) -> str:
    return f"{item.code} {localized(item, 'name')}"


CANNOT_BE_UNDONE = _l("This cannot be undone.")


@bp.get("/catalogue")
@login_required
def catalogue():
    authorize(current_user, "refdata.manage")
    return render_template("refdata/catalogue.html", tree=CatalogueTree.load())


@bp.route("/catalogue/new", methods=["GET", "POST"])
@login_required
def new_item():
    authorize(current_user, "refdata.manage")
    form = CatalogueItemForm(tree=CatalogueTree.load())
    if request.method == "GET":
        form.parent_id.data = parse_id(request.args.get("parent"))
    if form.validate_on_submit():
        try:
            item = catalogue_service.create_catalogue_item(current_user, form.service_data())
        except ValidationError as error:
            bind_errors(form, error)
            return render_template("refdata/item_new.html", form=form), 400
        flash(_("Saved."), "success")
        return redirect(url_for("refdata.edit_item", item_id=item.id))
    return render_template("refdata/item_new.html", form=form), form_status()


def _render_item(item, status: int = 200, **forms):
    tree = CatalogueTree.load()
    forms.setdefault("form", CatalogueItemForm(formdata=None, obj=item, tree=tree, item=item))
    forms.setdefault("move_form", MoveForm(formdata=None, prefix="move", tree=tree, item=item))
    forms.setdefault("recode_form", RecodeForm(formdata=None, prefix="recode"))
    forms.setdefault("merge_form", MergeForm(formdata=None, prefix="merge", tree=tree, item=item))
    forms.setdefault("delete_form", DeleteForm(formdata=None, prefix="delete"))
    for form in forms.values():
        if not form.version.data:
            form.version.data = item.version
    html = render_template(
        "refdata/item_form.html",
        item=item,
        path=tree.ancestors(tree.by_id[item.id]),
        links=catalogue_service.catalogue_links(item),
        **forms,
    )
    return html, status


def _refused(item_id: int, name: str, form, error) -> tuple:
    """Re-show the entry page with the refused form's input and the reason."""
    item = catalogue_service.get_catalogue_item(current_user, item_id)
    if isinstance(error, Conflict):
        flash(error.message, "error")
        # The curator now knows about the other save: saving again replaces it.
        form.version.data = item.version
        return _render_item(item, 409, **{name: form})
    bind_errors(form, error)
    return _render_item(item, 400, **{name: form})


@bp.route("/catalogue/<int:item_id>", methods=["GET", "POST"])
@login_required
def edit_item(item_id: int):
    item = catalogue_service.get_catalogue_item(current_user, item_id)
    if request.method == "GET":
        return _render_item(item)
    form = CatalogueItemForm(tree=CatalogueTree.load(), item=item)
    if not form.validate_on_submit():
        return _render_item(item, 400, form=form)
    try:
        catalogue_service.update_catalogue_item(
            current_user, item_id, form.service_data(), form.version.data
        )
    except (ValidationError, Conflict) as error:
        return _refused(item_id, "form", form, error)
    flash(_("Saved."), "success")
    return redirect(url_for("refdata.edit_item", item_id=item_id))


@bp.post("/catalogue/<int:item_id>/move")
@login_required
def move_item(item_id: int):
    item = catalogue_service.get_catalogue_item(current_user, item_id)
    form = MoveForm(prefix="move", tree=CatalogueTree.load(), item=item)
    if not form.validate_on_submit():
        return _render_item(item, 400, move_form=form)
    try:
        catalogue_service.move_catalogue_item(
            current_user, item_id, form.parent_id.data, form.version.data
        )
    except (ValidationError, Conflict) as error:
        return _refused(item_id, "move_form", form, error)
    flash(_("Moved. Everything that pointed at the entry still does."), "success")
    return redirect(url_for("refdata.edit_item", item_id=item_id))


@bp.post("/catalogue/<int:item_id>/recode")
@login_required
def recode_item(item_id: int):
    item = catalogue_service.get_catalogue_item(current_user, item_id)
    form = RecodeForm(prefix="recode")
    if not form.validate_on_submit():
        return _render_item(item, 400, recode_form=form)
    try:
        catalogue_service.recode_catalogue_item(
            current_user, item_id, form.code.data, form.version.data
        )
    except (ValidationError, Conflict) as error:
        return _refused(item_id, "recode_form", form, error)
    flash(_("Code changed. Everything that pointed at the entry still does."), "success")
    return redirect(url_for("refdata.edit_item", item_id=item_id))


@bp.post("/catalogue/<int:item_id>/merge")
@login_required
def merge_item(item_id: int):
    item = catalogue_service.get_catalogue_item(current_user, item_id)
    tree = CatalogueTree.load()
    form = MergeForm(prefix="merge", tree=tree, item=item)
    if not form.validate_on_submit():
        return _render_item(item, 400, merge_form=form)
    try:
        if not confirmed():
            return _confirm_merge(item, tree.by_id.get(form.target_id.data))
        target = catalogue_service.merge_catalogue_items(
            current_user, item_id, form.target_id.data, form.version.data, form.reason.data
        )
    except (ValidationError, Conflict) as error:
        return _refused(item_id, "merge_form", form, error)
    flash(_("Merged: every link now points at this entry."), "success")
    return redirect(url_for("refdata.edit_item", item_id=target.id))


def _confirm_merge(item, target):
    if target is None:
        message = _("Choose the entry to merge into.")
        raise ValidationError(message, errors={"target_id": [message]})
    links = sum(catalogue_service.catalogue_links(item).values())
    return ask(
        Confirmation(
            question=_(
                "Merge “%(source)s” into “%(target)s”?",
                source=_entry_name(item),
                target=_entry_name(target),
            ),
            consequences=(
                _(
                    "What points at it (%(links)s link(s)) and the entries under it"
                    " (%(children)s) move to “%(target)s”.",
                    links=links,
                    children=len(item.children),
                    target=_entry_name(target),
                ),
                _("“%(source)s” is then deleted.", source=_entry_name(item)),
                str(CANNOT_BE_UNDONE),
            ),
            button=_("Merge"),
            cancel=url_for("refdata.edit_item", item_id=item.id),
        )
    )


@bp.post("/catalogue/<int:item_id>/delete")
@login_required
def delete_item(item_id: int):
    item = catalogue_service.get_catalogue_item(current_user, item_id)
    form = DeleteForm(prefix="delete")
    if not form.validate_on_submit():
        return _render_item(item, 400, delete_form=form)
    if not confirmed():
        return ask(
            Confirmation(
                question=_("Delete the catalogue entry “%(name)s”?", name=_entry_name(item)),
                consequences=(str(CANNOT_BE_UNDONE),),
                button=_("Delete the entry"),
                cancel=url_for("refdata.edit_item", item_id=item.id),
            )
        )
    try:
        catalogue_service.delete_catalogue_item(current_user, item_id, form.version.data)
    except (ValidationError, Conflict) as error:
        return _refused(item_id, "delete_form", form, error)
    flash(_("Deleted."), "success")
    return redirect(url_for("refdata.catalogue"))


# Incubators and agencies ----------------------------------------------------------------------

INCUBATORS = RecordEditor(
    template="refdata/incubator_form.html",
    endpoint="refdata.edit_incubator",
    form=lambda record: IncubatorForm(
        tree=CatalogueTree.load(),
        record=record,
        data=incubator_service.data_of(record) if record else None,
    ),
    get=incubator_service.get_incubator,
    create=incubator_service.create_incubator,
    update=incubator_service.update_incubator,
    create_action="refdata.manage",
)
AGENCIES = RecordEditor(
    template="refdata/agency_form.html",
    endpoint="refdata.edit_agency",
    form=lambda record: AgencyForm(data=agency_service.data_of(record) if record else None),
    get=agency_service.get_agency,
    create=agency_service.create_agency,
    update=agency_service.update_agency,
    create_action="refdata.manage",
)


@bp.get("/incubators")
@login_required
def incubators():
    records = incubator_service.list_incubators(current_user)
    return render_template("refdata/incubators.html", records=records)


@bp.route("/incubators/new", methods=["GET", "POST"])
@login_required
def new_incubator():
    return INCUBATORS.new()


@bp.route("/incubators/<int:record_id>", methods=["GET", "POST"])
@login_required
def edit_incubator(record_id: int):
    return INCUBATORS.edit(record_id)


@bp.post("/incubators/<int:record_id>/verify")
@login_required
def verify_incubator(record_id: int):
    form = RecordForm()
    try:
        incubator_service.verify_incubator(current_user, record_id, form.version.data)
    except (ValidationError, Conflict) as error:
        flash(error.message, "error")
    else:
        flash(_("Marked verified by your agency today."), "success")
    return redirect(url_for("refdata.edit_incubator", record_id=record_id))


@bp.get("/agencies")
@login_required
def agencies():
    records = agency_service.list_agencies(current_user)
    return render_template("refdata/agencies.html", records=records)


@bp.route("/agencies/new", methods=["GET", "POST"])
@login_required
def new_agency():
    return AGENCIES.new()


@bp.route("/agencies/<int:record_id>", methods=["GET", "POST"])
@login_required
def edit_agency(record_id: int):
    return AGENCIES.edit(record_id)


# VSIC industry codes ---------------------------------------------------------------------------

INDUSTRY_CODES = RecordEditor(
    template="refdata/industry_code_form.html",
    endpoint="refdata.edit_industry_code",
    form=lambda record: IndustryCodeForm.of(
        industry_code_service.data_of(record) if record else None
    ),
    get=industry_code_service.get_industry_code,
    create=industry_code_service.create_industry_code,
    update=industry_code_service.update_industry_code,
    create_action="industry_code.manage",
)


@bp.get("/industry-codes")
@login_required
def industry_codes():
    query = request.args.get("q", "")[:200]
    version = request.args.get("version", "")
    records = industry_code_service.list_industry_codes(current_user, query, version)
    return render_template(
        "refdata/industry_codes.html",
        records=records,
        query=query,
        version=version,
        versions=industry_code_service.VERSIONS,
    )


@bp.route("/industry-codes/new", methods=["GET", "POST"])
@login_required
def new_industry_code():
    return INDUSTRY_CODES.new()


@bp.route("/industry-codes/<int:record_id>", methods=["GET", "POST"])
@login_required
def edit_industry_code(record_id: int):
    return INDUSTRY_CODES.edit(record_id)


@bp.post("/industry-codes/<int:record_id>/delete")
@login_required
def delete_industry_code(record_id: int):
    record = industry_code_service.get_industry_code(current_user, record_id)
    form = DeleteForm()  # its CSRF token is checked for every POST (CSRFProtect)
    if not confirmed():
        return ask(
            Confirmation(
                question=_("Delete the industry code “%(name)s”?", name=_entry_name(record)),
                consequences=(str(CANNOT_BE_UNDONE),),
                button=_("Delete the code"),
                cancel=url_for("refdata.edit_industry_code", record_id=record_id),
            )
        )
    try:
        industry_code_service.delete_industry_code(current_user, record_id, form.version.data)
    except (ValidationError, Conflict) as error:
        flash(error.message, "error")
        edit_form = IndustryCodeForm.of(industry_code_service.data_of(record))
        edit_form.version.data = version_of(record)
        status = 409 if isinstance(error, Conflict) else 400
        html = render_template("refdata/industry_code_form.html", form=edit_form, record=record)
        return html, status
    flash(_("Deleted."), "success")
    return redirect(url_for("refdata.industry_codes"))


# History --------------------------------------------------------------------------------------

BACK_LINKS = {
    "catalogue_item": ("refdata.edit_item", "item_id"),
    "incubator": ("refdata.edit_incubator", "record_id"),
    "agency": ("refdata.edit_agency", "record_id"),
    "industry_code": ("refdata.edit_industry_code", "record_id"),
}


@bp.get(
    "/history/<any(catalogue_item, incubator, agency, industry_code):entity_kind>/<int:entity_id>"
)
@login_required
def history(entity_kind: str, entity_id: int):
    record, events = service.record_history(current_user, entity_kind, entity_id)
    if record is None:
        name = _("deleted entry #%(id)s", id=entity_id)
        back = None
    else:
        name = f"{record.code} · {localized(record, 'name')}" if hasattr(record, "code") else ""
        name = name or localized(record, "name")
        endpoint, argument = BACK_LINKS[entity_kind]
        back = url_for(endpoint, **{argument: entity_id})
    return render_template("curation/history.html", record_name=name, back=back, events=events)
