"""Import pages: the list of kinds with their templates, and per kind the upload page that
shows the dry run's row-by-row report and applies a checked file."""

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import ValidationError
from app.imports import service
from app.imports.forms import UploadForm

bp = Blueprint("imports", __name__, url_prefix="/curation/imports")

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.get("/")
@login_required
def index():
    return render_template("imports/index.html", kinds=service.import_kinds(current_user))


@bp.get("/<kind>/template.<file_format>")
@login_required
def template(kind: str, file_format: str):
    filename, content = service.template_file(current_user, kind, file_format)
    return Response(
        content,
        mimetype=MIMETYPES[file_format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/<kind>")
@login_required
def upload(kind: str):
    import_kind = service.import_kind(current_user, kind)
    return render_template("imports/upload.html", kind=import_kind, form=UploadForm())


@bp.post("/<kind>")
@login_required
def submit(kind: str):
    import_kind = service.import_kind(current_user, kind)
    form = UploadForm()
    result, checked = None, None
    if form.validate_on_submit():
        try:
            if form.checked.data and not form.file.data:
                sheet = service.unsign_sheet(current_user, kind, form.checked.data)
            else:
                upload = form.file.data
                if not upload:
                    raise ValidationError(_("Choose a CSV or XLSX file."))
                sheet = service.read_file(current_user, kind, upload.filename, upload.read())
            if form.apply.data:
                result = service.apply_import(current_user, kind, sheet)
            else:
                result = service.dry_run(current_user, kind, sheet)
                checked = service.sign_sheet(current_user, kind, sheet) if result.ok else None
        except ValidationError as error:
            flash(error.message, "error")
    if result is not None and result.applied:
        flash(
            _(
                "Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.",
                created=result.created,
                updated=result.updated,
                unchanged=result.unchanged,
            ),
            "success",
        )
        return redirect(url_for("imports.upload", kind=kind))
    form.checked.data = checked or ""
    status = 200 if result is None or result.ok else 422
    return render_template(
        "imports/upload.html", kind=import_kind, form=form, result=result, checked=checked
    ), status
