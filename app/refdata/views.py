"""Reference-data pages for curators: the catalogue tree and its entries, incubators, agencies,
and the history of each. Views parse, call one service, and render."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.authorization import authorize
from app.catalogue.service import CatalogueTree
from app.errors import Conflict, ValidationError
from app.forms import bind_errors
from app.i18n import localized
from app.parsing import parse_id
from app.refdata import service
from app.refdata.forms import (
    AgencyForm,
    CatalogueItemForm,
    DeleteForm,
    IncubatorForm,
    MergeForm,
    MoveForm,
    RecodeForm,
)

bp = Blueprint("refdata", __name__, url_prefix="/curation/refdata")


def _status() -> int:
    return 400 if request.method == "POST" else 200


# Catalogue ------------------------------------------------------------------------------------


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
            item = service.create_catalogue_item(current_user, form.service_data())
        except ValidationError as error:
            bind_errors(form, error)
            return render_template("refdata/item_new.html", form=form), 400
        flash(_("Saved."), "success")
        return redirect(url_for("refdata.edit_item", item_id=item.id))
    return render_template("refdata/item_new.html", form=form), _status()


def _render_item(item, status: int = 200, **forms):
    tree = CatalogueTree.load()
    forms.setdefault("form", CatalogueItemForm(formdata=None, obj=item, tree=tree, item=item))
    forms.setdefault("move_form", MoveForm(formdata=None, prefix="move", tree=tree, item=item))
    forms.setdefault("recode_form", RecodeForm(formdata=None, prefix="recode"))
    forms.setdefault("merge_form", MergeForm(formdata=None, prefix="merge", tree=tree, item=item))
    forms.setdefault("delete_form", DeleteForm(formdata=None, prefix="delete"))
    for form in forms.values():
        if not form.version.data:
            form.version.data = service.edit_token(item)
    html = render_template(
        "refdata/item_form.html",
        item=item,
        path=tree.ancestors(tree.by_id[item.id]),
        links=service.catalogue_links(item),
        **forms,
    )
    return html, status


def _refused(item_id: int, name: str, form, error) -> tuple:
    """Re-show the entry page with the refused form's input and the reason."""
    item = service.get_catalogue_item(current_user, item_id)
    if isinstance(error, Conflict):
        flash(error.message, "error")
        # The curator now knows about the other save: saving again replaces it.
        form.version.data = service.edit_token(item)
        return _render_item(item, 409, **{name: form})
    bind_errors(form, error)
    return _render_item(item, 400, **{name: form})


@bp.route("/catalogue/<int:item_id>", methods=["GET", "POST"])
@login_required
def edit_item(item_id: int):
    item = service.get_catalogue_item(current_user, item_id)
    if request.method == "GET":
        return _render_item(item)
    form = CatalogueItemForm(tree=CatalogueTree.load(), item=item)
    if not form.validate_on_submit():
        return _render_item(item, 400, form=form)
    try:
        service.update_catalogue_item(current_user, item_id, form.service_data(), form.version.data)
    except (ValidationError, Conflict) as error:
        return _refused(item_id, "form", form, error)
    flash(_("Saved."), "success")
    return redirect(url_for("refdata.edit_item", item_id=item_id))


@bp.post("/catalogue/<int:item_id>/move")
@login_required
def move_item(item_id: int):
    item = service.get_catalogue_item(current_user, item_id)
    form = MoveForm(prefix="move", tree=CatalogueTree.load(), item=item)
    if not form.validate_on_submit():
        return _render_item(item, 400, move_form=form)
    try:
        service.move_catalogue_item(current_user, item_id, form.parent_id.data, form.version.data)
    except (ValidationError, Conflict) as error:
        return _refused(item_id, "move_form", form, error)
    flash(_("Moved. Everything that pointed at the entry still does."), "success")
    return redirect(url_for("refdata.edit_item", item_id=item_id))


@bp.post("/catalogue/<int:item_id>/recode")
@login_required
def recode_item(item_id: int):
    item = service.get_catalogue_item(current_user, item_id)
    form = RecodeForm(prefix="recode")
    if not form.validate_on_submit():
        return _render_item(item, 400, recode_form=form)
    try:
        service.recode_catalogue_item(current_user, item_id, form.code.data, form.version.data)
    except (ValidationError, Conflict) as error:
        return _refused(item_id, "recode_form", form, error)
    flash(_("Code changed. Everything that pointed at the entry still does."), "success")
    return redirect(url_for("refdata.edit_item", item_id=item_id))


@bp.post("/catalogue/<int:item_id>/merge")
@login_required
def merge_item(item_id: int):
    item = service.get_catalogue_item(current_user, item_id)
    form = MergeForm(prefix="merge", tree=CatalogueTree.load(), item=item)
    if not form.validate_on_submit():
        return _render_item(item, 400, merge_form=form)
    try:
        target = service.merge_catalogue_items(
            current_user, item_id, form.target_id.data, form.version.data, form.reason.data
        )
    except (ValidationError, Conflict) as error:
        return _refused(item_id, "merge_form", form, error)
    flash(_("Merged: every link now points at this entry."), "success")
    return redirect(url_for("refdata.edit_item", item_id=target.id))


@bp.post("/catalogue/<int:item_id>/delete")
@login_required
def delete_item(item_id: int):
    item = service.get_catalogue_item(current_user, item_id)
    form = DeleteForm(prefix="delete")
    if not form.validate_on_submit():
        return _render_item(item, 400, delete_form=form)
    try:
        service.delete_catalogue_item(current_user, item_id, form.version.data)
    except (ValidationError, Conflict) as error:
        return _refused(item_id, "delete_form", form, error)
    flash(_("Deleted."), "success")
    return redirect(url_for("refdata.catalogue"))


# Incubators and agencies ----------------------------------------------------------------------

KINDS = {
    "incubator": {
        "form": lambda **kw: IncubatorForm(tree=CatalogueTree.load(), **kw),
        "list": service.list_incubators,
        "get": service.get_incubator,
        "create": service.create_incubator,
        "update": service.update_incubator,
    },
    "agency": {
        "form": AgencyForm,
        "list": service.list_agencies,
        "get": service.get_agency,
        "create": service.create_agency,
        "update": service.update_agency,
    },
}


def _render_record(kind: str, form, record=None, status: int = 200):
    return render_template(f"refdata/{kind}_form.html", form=form, record=record), status


def _new(kind: str):
    spec = KINDS[kind]
    authorize(current_user, "refdata.manage")
    form = spec["form"]()
    if form.validate_on_submit():
        try:
            record = spec["create"](current_user, form.service_data())
        except ValidationError as error:
            bind_errors(form, error)
            return _render_record(kind, form, status=400)
        flash(_("Saved."), "success")
        return redirect(url_for(f"refdata.edit_{kind}", record_id=record.id))
    return _render_record(kind, form, status=_status())


def _edit(kind: str, record_id: int):
    spec = KINDS[kind]
    record = spec["get"](current_user, record_id)
    form = spec["form"](obj=record)
    if request.method == "GET":
        form.version.data = service.edit_token(record)
        if kind == "incubator":
            form.focus_item_ids.data = [item.id for item in record.focus_items]
    if form.validate_on_submit():
        try:
            spec["update"](current_user, record_id, form.service_data(), form.version.data)
        except ValidationError as error:
            bind_errors(form, error)
            return _render_record(kind, form, spec["get"](current_user, record_id), 400)
        except Conflict as error:
            flash(error.message, "error")
            record = spec["get"](current_user, record_id)
            form.version.data = service.edit_token(record)
            return _render_record(kind, form, record, 409)
        flash(_("Saved."), "success")
        return redirect(url_for(f"refdata.edit_{kind}", record_id=record_id))
    return _render_record(kind, form, record, _status())


@bp.get("/incubators")
@login_required
def incubators():
    return render_template("refdata/incubators.html", records=service.list_incubators(current_user))


@bp.route("/incubators/new", methods=["GET", "POST"])
@login_required
def new_incubator():
    return _new("incubator")


@bp.route("/incubators/<int:record_id>", methods=["GET", "POST"])
@login_required
def edit_incubator(record_id: int):
    return _edit("incubator", record_id)


@bp.get("/agencies")
@login_required
def agencies():
    return render_template("refdata/agencies.html", records=service.list_agencies(current_user))


@bp.route("/agencies/new", methods=["GET", "POST"])
@login_required
def new_agency():
    return _new("agency")


@bp.route("/agencies/<int:record_id>", methods=["GET", "POST"])
@login_required
def edit_agency(record_id: int):
    return _edit("agency", record_id)


# History --------------------------------------------------------------------------------------

BACK_LINKS = {
    "catalogue_item": ("refdata.edit_item", "item_id"),
    "incubator": ("refdata.edit_incubator", "record_id"),
    "agency": ("refdata.edit_agency", "record_id"),
}


@bp.get("/history/<any(catalogue_item, incubator, agency):entity_kind>/<int:entity_id>")
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
