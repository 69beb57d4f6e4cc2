"""Back-office pages: public statistics and downloads, the curator dashboard, the yearly data
update (curators and businesses) and the yearly report. Views parse, call one service, render."""

import os

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.backoffice import export_cache, exports, occupations, report, returns, statistics
from app.backoffice.charts import bar_chart
from app.backoffice.forms import (
    ConfirmForm,
    MergeOccupationsForm,
    OpenYearForm,
    ReasonForm,
    ReturnForm,
)
from app.confirmation import Confirmation, ask, confirmed
from app.domain import clock
from app.errors import Conflict, ValidationError, render_error
from app.forms import bind_errors
from app.security import DOWNLOAD_LIMIT, limiter
from app.tabular import Table, csv_bytes, xlsx_bytes

bp = Blueprint("backoffice", __name__, cli_group="reports")

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIMETYPES = {"csv": "text/csv", "xlsx": XLSX}


@bp.context_processor
def backoffice_helpers():
    return {"bar_chart": bar_chart, "today": clock.today()}


def _download(content, content_type: str, filename: str) -> Response:
    """`content`: bytes, or an iterable of bytes to stream."""
    response = Response(content, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# Statistics and exports -----------------------------------------------------------------------


@bp.get("/statistics")
def statistics_page():
    by_event, by_kind = statistics.event_attendance()
    return render_template(
        "backoffice/statistics.html",
        figures=statistics.public_figures(),
        attendance_by_event=by_event,
        attendance_by_kind=by_kind,
        market_funnel=statistics.marketplace_funnel(current_user),
    )


@bp.get("/statistics/<key>.csv")
def figure_csv(key: str):
    figure = statistics.figure_for_download(current_user, key)
    table = Table(
        figure.title,
        [figure.label_heading, _("Count")],
        [[bar.label, bar.value] for bar in figure.rows],
        [_("Total"), figure.total],
    )
    return _download(csv_bytes(table), CSV, f"cnmt-{figure.key}.csv")


@bp.get("/exports/<kind>.<fmt>")
@limiter.limit(DOWNLOAD_LIMIT)
def export(kind: str, fmt: str):
    try:
        file = exports.export_file(current_user, kind, fmt, request.args)
    except export_cache.Busy:
        message = _("Another list is being prepared for download. Please try again in a moment.")
        response = make_response(render_error(429, message))
        response.headers["Retry-After"] = str(export_cache.RETRY_AFTER_SECONDS)
        return response
    filename = f"cnmt-{kind}-{clock.today().isoformat()}.{fmt}"
    response = send_file(
        file, mimetype=MIMETYPES[fmt], as_attachment=True, download_name=filename, etag=False
    )
    response.content_length = os.fstat(file.fileno()).st_size
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/curation/dashboard")
@login_required
def dashboard():
    figures = statistics.dashboard_figures(current_user)
    return render_template("backoffice/dashboard.html", figures=figures)


# Yearly data update: curators -----------------------------------------------------------------


@bp.route("/curation/reports", methods=["GET", "POST"])
@login_required
def reports():
    years = returns.list_reporting_years(current_user)
    form = OpenYearForm()
    if form.validate_on_submit():
        try:
            opened = returns.open_reporting_year(current_user, form.year.data, form.deadline.data)
        except ValidationError as error:
            bind_errors(form, error)
        else:
            asked = returns.response_total(opened)
            flash(
                _(
                    "Reporting year %(year)s is open: %(mailed)s firms e-mailed, %(skipped)s "
                    "skipped (no member with a confirmed e-mail address; see the to-do list).",
                    year=opened.year,
                    mailed=asked.can_answer,
                    skipped=asked.firms - asked.can_answer,
                ),
                "success",
            )
            return redirect(url_for("backoffice.report_year", year=opened.year))
    elif request.method == "GET":
        form.year.data = clock.today().year - 1
    status = 400 if form.errors else 200
    return render_template("backoffice/reports.html", years=years, form=form), status


def _render_year(year: int, reopen: tuple[int, ReasonForm] | None = None, status: int = 200):
    progress = returns.year_progress(current_user, year)
    return (
        render_template(
            "backoffice/report_year.html",
            progress=progress,
            reopen=reopen,
            reason_form=ReasonForm(formdata=None),
            close_form=ConfirmForm(),
        ),
        status,
    )


@bp.get("/curation/reports/<int:year>")
@login_required
def report_year(year: int):
    return _render_year(year)


@bp.post("/curation/reports/<int:year>/close")
@login_required
def close_year(year: int):
    form = ConfirmForm()
    if form.validate_on_submit():
        if not confirmed():
            total = returns.year_progress(current_user, year).total
            return ask(
                Confirmation(
                    question=_("Close the reporting year %(year)s?", year=year),
                    consequences=(
                        _(
                            "No return for %(year)s can be submitted or changed any more:"
                            " %(submitted)s of %(firms)s firms have submitted theirs.",
                            year=year,
                            submitted=total.submitted,
                            firms=total.firms,
                        ),
                        _("The report is computed one last time and kept as it is."),
                        _("This cannot be undone."),
                    ),
                    button=_("Close the year"),
                    cancel=url_for("backoffice.report_year", year=year),
                )
            )
        try:
            report.close_reporting_year(current_user, year)
        except Conflict as error:
            flash(error.message, "error")
        else:
            flash(_("Reporting year %(year)s is closed.", year=year))
    return redirect(url_for("backoffice.report_year", year=year))


@bp.post("/curation/reports/<int:year>/returns/<int:return_id>/reopen")
@login_required
def reopen_return(year: int, return_id: int):
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            returns.reopen_return(current_user, return_id, form.reason.data)
        except ValidationError as error:
            bind_errors(form, error)
        except Conflict as error:
            flash(error.message, "error")
            return redirect(url_for("backoffice.report_year", year=year))
        else:
            flash(_("The return is re-opened; the firm has been e-mailed."))
            return redirect(url_for("backoffice.report_year", year=year))
    return _render_year(year, reopen=(return_id, form), status=400)


@bp.post("/curation/reports/<int:year>/remind")
@login_required
def remind(year: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    sent = returns.remind_now(current_user, year)
    if not sent.years:
        flash(_("No reminder sent: the year is closed or its deadline has passed."), "error")
    elif sent.firms:
        flash(
            ngettext(
                "Reminders sent: %(num)d firm e-mailed (%(messages)d messages).",
                "Reminders sent: %(num)d firms e-mailed (%(messages)d messages).",
                sent.firms,
                messages=sent.messages,
            ),
            "success",
        )
    else:
        flash(_("No reminder sent: the firms that have not answered were reminded today."))
    if sent.unreachable:
        flash(
            ngettext(
                "%(num)d firm skipped: no member has a confirmed e-mail address.",
                "%(num)d firms skipped: no member has a confirmed e-mail address.",
                len(sent.unreachable),
            ),
            "error",
        )
    return redirect(url_for("backoffice.report_year", year=year))


@bp.get("/curation/reports/<int:year>.xlsx")
@login_required
def report_xlsx(year: int):
    yearly = report.build_report(current_user, year)
    return _download(xlsx_bytes(yearly.tables), XLSX, f"bao-cao-cnmt-{year}.xlsx")


@bp.get("/curation/reports/<int:year>/print")
@login_required
def report_print(year: int):
    yearly = report.build_report(current_user, year)
    with force_locale("vi"):  # an official document: Vietnamese, and its numbers 1.234.567
        return render_template(
            "backoffice/report_print.html", report=yearly, vietnamese_date=report.vietnamese_date
        )


@bp.route("/curation/reports/occupations", methods=["GET", "POST"])
@login_required
def merge_occupations():
    listed = occupations.list_occupations(current_user)
    form = MergeOccupationsForm(occupations=listed)
    if form.validate_on_submit():
        try:
            if not confirmed():
                return _confirm_merge(listed, form.source.data, form.target.data)
            changed = occupations.merge_occupations(
                current_user, form.source.data, form.target.data
            )
        except ValidationError as error:
            bind_errors(form, error)
        else:
            flash(_("Occupations merged: %(count)s needs renamed.", count=changed), "success")
            return redirect(url_for("backoffice.merge_occupations"))
    status = 400 if form.errors else 200
    return render_template("backoffice/occupations.html", occupations=listed, form=form), status


def _confirm_merge(listed, source: str, target: str):
    by_key = {occupation.key: occupation for occupation in listed}
    if source == target:
        message = _("Choose a different occupation to merge into.")
        raise ValidationError(message, errors={"target": [message]})
    merged, into = by_key[source], by_key[target]
    return ask(
        Confirmation(
            question=_(
                "Merge “%(source)s” into “%(target)s”?", source=merged.name, target=into.name
            ),
            consequences=(
                _(
                    "Its %(needs)s need(s) in the firms' returns are renamed “%(target)s”.",
                    needs=merged.needs,
                    target=into.name,
                ),
                _("This cannot be undone."),
            ),
            button=_("Merge"),
            cancel=url_for("backoffice.merge_occupations"),
        )
    )


# Yearly data update: businesses ---------------------------------------------------------------


@bp.route("/my/firms/<int:firm_id>/returns/<int:year>", methods=["GET", "POST"])
@login_required
def yearly_return(firm_id: int, year: int):
    current = returns.get_return(current_user, firm_id, year)
    editable = returns.can_edit_return(current)
    from_listing = returns.figures_from_listing(current)
    form = ReturnForm(obj=current if request.method == "GET" else None)
    if request.method == "GET":
        for name, value in from_listing.items():
            form[name].data = value
    if request.method == "POST" and not editable:
        flash(_("This return can no longer be changed."), "error")
        return redirect(url_for("backoffice.yearly_return", firm_id=firm_id, year=year))
    if form.validate_on_submit():
        submit = request.form.get("action") == "submit"
        try:
            returns.save_return(current_user, firm_id, year, form.to_data(), submit=submit)
        except ValidationError as error:
            bind_errors(form, error)
        except Conflict as error:
            flash(error.message, "error")
        else:
            if submit:
                flash(_("Thank you: your return for %(year)s is submitted.", year=year), "success")
            else:
                flash(_("Your return is saved as a draft."), "success")
            return redirect(url_for("backoffice.yearly_return", firm_id=firm_id, year=year))
    form.add_blank_rows()
    status = 400 if request.method == "POST" else 200
    return (
        render_template(
            "backoffice/return_form.html",
            form=form,
            yearly_return=current,
            firm=current.firm,
            editable=editable,
            from_listing=from_listing,
        ),
        status,
    )
