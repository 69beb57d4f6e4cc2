"""Investor pages (recommendations, profile, discovery, shortlists, saved searches,
introductions), the firms' answer page, the curators' funnel and one-click unsubscribe."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.accounts.redirects import safe_next
from app.authorization import authorize, can
from app.catalogue.service import catalogue_tree, group_names
from app.confirmation import Confirmation, ask, confirmed
from app.domain.firm_size import SizeClass
from app.domain.places import wards_of_province
from app.errors import Conflict, ValidationError
from app.extensions import csrf
from app.forms import bind_errors
from app.investors import alerts, exports, introductions, service
from app.investors.discovery import SORTS, Discovery, discover_firms, query_args
from app.investors.forms import (
    ActionForm,
    AddToShortlistForm,
    AlertFrequencyForm,
    IntroductionForm,
    NoteForm,
    ProfileForm,
    SaveSearchForm,
    ShortlistForm,
)
from app.models import AlertFrequency, IntroductionState, InvestmentType, SavedSearch, Shortlist
from app.pagination import requested_page
from app.parsing import parse_id
from app.places.service import public_zones
from app.security import DOWNLOAD_LIMIT, limiter

bp = Blueprint("investors", __name__, cli_group="alerts")


def _back(default: str) -> str:
    return safe_next(request.form.get("next")) or default


# Recommendations and profile ----------------------------------------------------------------


@bp.get("/investor")
@login_required
def home():
    if service.get_profile(current_user) is None:
        flash(_("Tell us what you invest in, and we will recommend firms that fit."), "info")
        return redirect(url_for("investors.profile"))
    matches, others, firms = service.recommended_firms(current_user)
    return render_template(
        "investors/home.html",
        matches=matches,
        others=others,
        firms=firms,
        group_names=group_names(),
    )


@bp.route("/investor/profile", methods=["GET", "POST"])
@login_required
def profile():
    existing = service.get_profile(current_user)
    form = ProfileForm()
    form.set_choices(catalogue_tree().groups, public_zones())
    if request.method == "GET" and existing is not None:
        form.fill_from(existing)
    if form.validate_on_submit():
        try:
            service.save_profile(current_user, form.to_data())
        except (ValidationError, Conflict) as error:
            bind_errors(form, error)
        else:
            flash(_("Your investor profile is saved."), "success")
            return redirect(url_for("investors.home"))
    status = 400 if form.errors else 200
    return render_template("investors/profile.html", form=form, existing=existing), status


# Discovery and saved searches ---------------------------------------------------------------


@bp.get("/investor/firms")
@login_required
def discover():
    authorize(current_user, "investor.workspace")
    discovery = Discovery.from_args(request.args)
    per_page = current_app.config["FIRMS_PER_PAGE"]
    page = requested_page(per_page)
    result = discover_firms(discovery, page, per_page)
    if page > result.pages:
        abort(404)
    shortlists = service.my_shortlists(current_user)
    return render_template(
        "investors/discover.html",
        discovery=discovery,
        filters=discovery.filters,
        result=result,
        sorts=SORTS,
        tree=catalogue_tree(),
        wards=wards_of_province(),
        sizes=list(SizeClass),
        zones=public_zones(),
        investment_types=list(InvestmentType),
        add_forms={
            firm.id: AddToShortlistForm.for_firm(firm.id, shortlists, formdata=None)
            for firm in result.items
        },
        on_lists={e.firm_id for s in shortlists for e in s.entries},
        save_form=SaveSearchForm(),
        saved_query=query_args(request.args),
    )


@bp.post("/investor/searches")
@login_required
def save_search():
    form = SaveSearchForm()
    if form.validate_on_submit():
        try:
            service.save_search(
                current_user, form.name.data, query_args(request.args), form.frequency.data
            )
        except (ValidationError, Conflict) as error:
            flash(error.message, "error")
        else:
            flash(_("Search saved."), "success")
            return redirect(url_for("investors.searches"))
    else:
        authorize(current_user, "investor.workspace")
        flash(_("Give the search a name and choose whether to get e-mail alerts."), "error")
    return redirect(url_for("investors.discover", **query_args(request.args)))


@bp.get("/investor/searches")
@login_required
def searches():
    return render_template(
        "investors/searches.html",
        searches=service.my_saved_searches(current_user),
        deleted=service.recently_deleted(current_user, SavedSearch),
        frequency_form=AlertFrequencyForm(),
        action_form=ActionForm(),
    )


@bp.post("/investor/searches/<int:search_id>/alerts")
@login_required
def search_alerts(search_id: int):
    form = AlertFrequencyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service.set_alert_frequency(current_user, search_id, form.frequency.data)
    except (ValidationError, Conflict) as error:
        flash(error.message, "error")
    else:
        flash(_("Alert setting saved."), "success")
    return redirect(url_for("investors.searches"))


def _restorable_for() -> str:
    return _(
        "You can restore it under “Recently deleted” for %(days)d days.",
        days=service.RESTORE_DAYS,
    )


@bp.post("/investor/searches/<int:search_id>/delete")
@login_required
def delete_search(search_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    search = service.get_my_saved_search(current_user, search_id)
    if not confirmed():
        alerts_stop = search.frequency != AlertFrequency.OFF
        return ask(
            Confirmation(
                question=_("Delete the saved search “%(name)s”?", name=search.name),
                consequences=(
                    *([_("Its e-mail alerts stop.")] if alerts_stop else []),
                    _restorable_for(),
                ),
                button=_("Delete the search"),
                cancel=url_for("investors.searches"),
            )
        )
    service.delete_saved_search(current_user, search_id)
    flash(
        _("Saved search “%(name)s” deleted.", name=search.name) + " " + _restorable_for(), "success"
    )
    return redirect(url_for("investors.searches"))


@bp.post("/investor/searches/<int:search_id>/restore")
@login_required
def restore_search(search_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    search = service.restore_saved_search(current_user, search_id)
    flash(_("Saved search “%(name)s” restored.", name=search.name), "success")
    return redirect(url_for("investors.searches"))


# The id is read in the view: a link mangled in a mail program gets the page that says so.
@bp.route("/investor/alerts/<search_id>/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed link is the credential; mail programs POST to it for one-click
def unsubscribe(search_id: str, token: str):
    if request.method == "GET":  # mail scanners open links: only a POST changes anything
        search = alerts.search_of_link(parse_id(search_id), token)
        return render_template("investors/unsubscribe.html", search=search)
    search = alerts.unsubscribe(parse_id(search_id), token)
    return render_template("investors/unsubscribed.html", search=search)


# Shortlists ---------------------------------------------------------------------------------


@bp.route("/investor/shortlists", methods=["GET", "POST"])
@login_required
def shortlists():
    form = ShortlistForm()
    if request.method == "POST":
        authorize(current_user, "investor.workspace")
        if form.validate_on_submit():
            try:
                shortlist = service.create_shortlist(current_user, form.name.data)
            except (ValidationError, Conflict) as error:
                bind_errors(form, error)
            else:
                flash(_("List created."), "success")
                return redirect(url_for("investors.shortlist", shortlist_id=shortlist.id))
    return render_template(
        "investors/shortlists.html",
        shortlists=service.my_shortlists(current_user),
        deleted=service.recently_deleted(current_user, Shortlist),
        form=form,
        action_form=ActionForm(formdata=None),
    ), (400 if form.errors else 200)


@bp.post("/investor/firms/<int:firm_id>/shortlist")
@login_required
def add_to_shortlist(firm_id: int):
    form = AddToShortlistForm.for_firm(firm_id, service.my_shortlists(current_user))
    if not form.validate_on_submit():
        flash(_("Choose a list or name a new one."), "error")
        return redirect(_back(url_for("investors.discover")))
    try:
        shortlist = service.add_to_shortlist(
            current_user,
            firm_id,
            form.shortlist_id.data,
            form.new_name.data or "",
        )
    except (ValidationError, Conflict) as error:
        flash(error.message, "error")
    else:
        flash(_("Added to “%(list)s”.", list=shortlist.name), "success")
    return redirect(_back(url_for("investors.shortlists")))


@bp.get("/investor/shortlists/<int:shortlist_id>")
@login_required
def shortlist(shortlist_id: int):
    return render_template(
        "investors/shortlist.html",
        shortlist=service.get_my_shortlist(current_user, shortlist_id),
        note_form=NoteForm(),
        action_form=ActionForm(),
    )


@bp.post("/investor/shortlists/<int:shortlist_id>/delete")
@login_required
def delete_shortlist(shortlist_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    shortlist = service.get_my_shortlist(current_user, shortlist_id)
    if not confirmed():
        firms = len(shortlist.entries)
        notes = sum(1 for entry in shortlist.entries if entry.note)
        consequences = [ngettext("It holds %(num)d firm.", "It holds %(num)d firms.", firms)]
        if notes:
            consequences.append(
                ngettext(
                    "Your %(num)d private note on them goes with it.",
                    "Your %(num)d private notes on them go with it.",
                    notes,
                )
            )
        return ask(
            Confirmation(
                question=_("Delete the list “%(name)s”?", name=shortlist.name),
                consequences=(*consequences, _restorable_for()),
                button=_("Delete the list"),
                cancel=url_for("investors.shortlist", shortlist_id=shortlist.id),
            )
        )
    service.delete_shortlist(current_user, shortlist_id)
    flash(_("List “%(name)s” deleted.", name=shortlist.name) + " " + _restorable_for(), "success")
    return redirect(url_for("investors.shortlists"))


@bp.post("/investor/shortlists/<int:shortlist_id>/restore")
@login_required
def restore_shortlist(shortlist_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    shortlist = service.restore_shortlist(current_user, shortlist_id)
    flash(_("List “%(name)s” restored, with its notes.", name=shortlist.name), "success")
    return redirect(url_for("investors.shortlist", shortlist_id=shortlist.id))


@bp.post("/investor/shortlists/<int:shortlist_id>/firms/<int:firm_id>/remove")
@login_required
def remove_from_shortlist(shortlist_id: int, firm_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    service.remove_from_shortlist(current_user, shortlist_id, firm_id)
    flash(_("Removed from the list."), "success")
    return redirect(_back(url_for("investors.shortlist", shortlist_id=shortlist_id)))


@bp.post("/investor/shortlists/<int:shortlist_id>/firms/<int:firm_id>/note")
@login_required
def save_note(shortlist_id: int, firm_id: int):
    form = NoteForm()
    if not form.validate_on_submit():
        abort(400)
    service.save_note(current_user, shortlist_id, firm_id, form.note.data or "")
    flash(_("Note saved."), "success")
    return redirect(url_for("investors.shortlist", shortlist_id=shortlist_id))


@bp.get("/investor/shortlists/<int:shortlist_id>/export.<any(csv, xlsx):fmt>")
@login_required
@limiter.limit(DOWNLOAD_LIMIT)
def export_shortlist(shortlist_id: int, fmt: str):
    shortlist = service.get_my_shortlist(current_user, shortlist_id)
    if fmt == "csv":
        body = stream_with_context(exports.as_csv(shortlist))
        content_type = "text/csv; charset=utf-8"
    else:
        body = exports.as_xlsx(shortlist)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = current_app.response_class(body, content_type=content_type)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="shortlist-{shortlist.id}.{fmt}"'
    )
    return response


# Introductions ------------------------------------------------------------------------------


@bp.get("/investor/introductions")
@login_required
def introductions_list():
    return render_template(
        "investors/introductions.html",
        requests=introductions.my_introductions(current_user),
        limit=introductions.per_day_limit(),
    )


@bp.post("/investor/introductions")
@login_required
def request_introduction():
    authorize(current_user, "investor.workspace")
    form = IntroductionForm()
    back = _back(url_for("investors.introductions_list"))
    if not form.validate_on_submit() or not form.firm_id.data:
        flash(
            _("Tell the firm in a few words who you are and what you would like to discuss."),
            "error",
        )
        return redirect(back)
    try:
        introductions.request_introduction(current_user, form.firm_id.data, form.message.data)
    except (ValidationError, Conflict) as error:
        flash(error.message, "error")
    else:
        flash(_("Request sent. The firm will accept or decline it here."), "success")
    return redirect(back)


@bp.get("/my/introductions")
@login_required
def firm_introductions():
    requests, profiles = introductions.introductions_for_my_firms(current_user)
    return render_template(
        "investors/firm_introductions.html",
        requests=requests,
        profiles=profiles,
        form=ActionForm(),
    )


@bp.post("/my/introductions/<int:introduction_id>/<any(accept, decline):decision>")
@login_required
def answer_introduction(introduction_id: int, decision: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        introduction = introductions.answer_introduction(
            current_user, introduction_id, accept=decision == "accept"
        )
    except (ValidationError, Conflict) as error:
        flash(error.message, "error")
    else:
        if introduction.state == IntroductionState.ACCEPTED:
            flash(_("Accepted: you and the investor now see each other's contacts."), "success")
        else:
            flash(_("Declined. The investor has been told."), "success")
    return redirect(url_for("investors.firm_introductions"))


@bp.get("/curation/introductions")
@login_required
def funnel():
    by_month, by_group = introductions.introduction_funnel(current_user)
    return render_template(
        "investors/funnel.html", by_month=by_month, by_group=by_group, tree=catalogue_tree()
    )


# The block on a firm's public page ----------------------------------------------------------


@bp.app_template_global()
def investor_panel(firm) -> dict | None:
    """What `investors/_firm_actions.html` shows an investor on a firm's page."""
    if not can(current_user, "investor.workspace"):
        return None
    lists = service.my_shortlists(current_user)
    return {
        "add_form": AddToShortlistForm.for_firm(firm.id, lists, formdata=None),
        "on_lists": [s for s in lists if any(e.firm_id == firm.id for e in s.entries)],
        "introduction": introductions.latest_introduction(current_user, firm),
        "introduction_form": IntroductionForm(formdata=None, firm_id=firm.id),
    }
