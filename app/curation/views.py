"""Curator pages: the review queue, decisions on listings, revisions and claims, the audit
history, and agencies' programmes and zones. Views parse, call one service, and render."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.authorization import authorize, can
from app.catalogue.service import catalogue_tree
from app.confirmation import Confirmation, ask, confirmed
from app.curation import agency_data, claims, listings, revisions
from app.curation.checks import failed_codes, run_checks
from app.curation.display import listing_changes, listing_fields
from app.curation.forms import (
    ClaimDecisionForm,
    ProgrammeForm,
    ReasonForm,
    RequestChangesForm,
    StateForm,
    VersionForm,
    ZoneForm,
)
from app.curation.history import record_history
from app.curation.queue import QUEUE_PAGE_SIZE, QueueFilters, pending_requests, review_queue
from app.curation.review import clean_reason
from app.domain.places import wards_of_province
from app.errors import Conflict, ValidationError
from app.firms import data as firm_data
from app.forms import bind_errors
from app.i18n import localized
from app.pagination import requested_page
from app.parsing import parse_id, parse_int
from app.record_editor import RecordEditor

bp = Blueprint("curation", __name__, url_prefix="/curation")

# Queue ----------------------------------------------------------------------------------------


@bp.get("/")
@login_required
def queue():
    """The review queue; an agency's curator, who reviews no listings, gets their agency's home."""
    if not can(current_user, "firm.review") and can(current_user, "agency_data.manage"):
        overview = agency_data.agency_overview(current_user)
        return render_template("curation/agency_home.html", overview=overview)
    filters = QueueFilters.from_args(request.args)
    page = review_queue(current_user, filters, requested_page(QUEUE_PAGE_SIZE), QUEUE_PAGE_SIZE)
    return render_template(
        "curation/queue.html",
        page=page,
        filters=filters,
        tree=catalogue_tree(),
        wards=wards_of_province(),
    )


@bp.post("/bulk-approve")
@login_required
def bulk_approve():
    selections = []
    for value in request.form.getlist("selected"):
        firm_id, _sep, version = value.partition(":")
        if (firm := parse_id(firm_id)) and (seen := parse_int(version)) is not None:
            selections.append((firm, seen))
    result = listings.bulk_approve_listings(current_user, selections)
    if not selections:
        flash(_("Select at least one submitted listing to approve."), "error")
    else:
        flash(_("%(count)s listing(s) approved.", count=len(result.approved)), "success")
    for name, why in result.failed:
        flash(_("Not approved: %(name)s — %(why)s", name=name, why=why), "error")
    return redirect(url_for("curation.queue"))


# Listings -------------------------------------------------------------------------------------


def _told_why(form) -> str:
    """What a rejection or an archiving tells the business; refused without a reason."""
    reason = clean_reason(form.reason.data, required=True)
    return _("The business is e-mailed your reason: “%(reason)s”", reason=reason)


def _render_firm(firm_id: int, posted=None, status: int = 200):
    """The review page; `posted` = (form name, form) keeps what the curator typed. After a
    conflict the posted form takes the current version: the curator now sees what changed."""
    firm = listings.get_firm_for_review(current_user, firm_id)
    checks = run_checks(firm)
    forms = {
        "approve": VersionForm(formdata=None),
        "changes": RequestChangesForm(formdata=None, checks=failed_codes(checks)),
        "reject": ReasonForm(formdata=None),
        "verify": VersionForm(formdata=None),
        "archive": ReasonForm(formdata=None),
    }
    for form in forms.values():
        form.version.data = str(firm.version)
    if posted is not None:
        forms[posted[0]] = posted[1]
        if status == 409:
            posted[1].version.data = str(firm.version)
    # The business is told what to fix: only failed checks are offered (ticked to begin with).
    failed = failed_codes(checks)
    choices = forms["changes"].checks.choices
    forms["changes"].checks.choices = [choice for choice in choices if choice.value in failed]
    pending_revisions, pending_claims = pending_requests(firm)
    return (
        render_template(
            "curation/firm.html",
            firm=firm,
            checks=checks,
            fields=listing_fields(firm_data.snapshot(firm)),
            forms=forms,
            pending_revisions=pending_revisions,
            pending_claims=pending_claims,
        ),
        status,
    )


@bp.get("/firms/<int:firm_id>")
@login_required
def review_firm(firm_id: int):
    return _render_firm(firm_id)


def _decide_firm(
    firm_id: int, name: str, form, decide, success, target: str = "queue", confirm=None
):
    """Run one decision (for one that can hurt, `confirm(firm, form)` says what will happen,
    and it runs once confirmed); on a refused or invalid decision, show the page again with
    the input."""
    authorize(current_user, "firm.review")
    if not form.validate_on_submit():
        return _render_firm(firm_id, (name, form), 400)
    try:
        if confirm is not None and not confirmed():
            return ask(confirm(listings.get_firm_for_review(current_user, firm_id), form))
        firm = decide(form)
    except ValidationError as error:
        bind_errors(form, error)
        return _render_firm(firm_id, (name, form), 400)
    except Conflict as error:
        flash(error.message, "error")
        return _render_firm(firm_id, (name, form), 409)
    flash(success(firm), "success")
    if target == "firm":
        return redirect(url_for("curation.review_firm", firm_id=firm.id))
    return redirect(url_for("curation.queue"))


@bp.post("/firms/<int:firm_id>/approve")
@login_required
def approve_firm(firm_id: int):
    return _decide_firm(
        firm_id,
        "approve",
        VersionForm(),
        lambda f: listings.approve_listing(current_user, firm_id, f.seen_version),
        lambda firm: _("“%(name)s” is published.", name=firm.display_name),
    )


@bp.post("/firms/<int:firm_id>/request-changes")
@login_required
def request_changes(firm_id: int):
    return _decide_firm(
        firm_id,
        "changes",
        RequestChangesForm(),
        lambda f: listings.request_changes(
            current_user, firm_id, f.seen_version, f.reason.data, f.checks.data or []
        ),
        lambda firm: _("Changes requested from “%(name)s”.", name=firm.display_name),
    )


@bp.post("/firms/<int:firm_id>/reject")
@login_required
def reject_firm(firm_id: int):
    return _decide_firm(
        firm_id,
        "reject",
        ReasonForm(),
        lambda f: listings.reject_listing(current_user, firm_id, f.seen_version, f.reason.data),
        lambda firm: _("“%(name)s” is rejected.", name=firm.display_name),
        confirm=lambda firm, form: Confirmation(
            question=_("Reject the listing “%(name)s”?", name=firm.display_name),
            consequences=(_("It will not be published."), _told_why(form)),
            button=_("Reject the listing"),
            cancel=url_for("curation.review_firm", firm_id=firm.id),
        ),
    )


@bp.post("/firms/<int:firm_id>/verify")
@login_required
def verify_firm(firm_id: int):
    return _decide_firm(
        firm_id,
        "verify",
        VersionForm(),
        lambda f: listings.verify_firm(current_user, firm_id, f.seen_version),
        lambda firm: _("“%(name)s” is marked as verified.", name=firm.display_name),
        target="firm",
    )


@bp.post("/firms/<int:firm_id>/unverify")
@login_required
def unverify_firm(firm_id: int):
    return _decide_firm(
        firm_id,
        "verify",
        VersionForm(),
        lambda f: listings.verify_firm(current_user, firm_id, f.seen_version, verified=False),
        lambda firm: _("“%(name)s” is no longer marked as verified.", name=firm.display_name),
        target="firm",
    )


@bp.post("/firms/<int:firm_id>/archive")
@login_required
def archive_firm(firm_id: int):
    return _decide_firm(
        firm_id,
        "archive",
        ReasonForm(),
        lambda f: listings.archive_firm(current_user, firm_id, f.seen_version, f.reason.data),
        lambda firm: _("“%(name)s” is archived.", name=firm.display_name),
        target="firm",
        confirm=lambda firm, form: Confirmation(
            question=_("Archive “%(name)s”?", name=firm.display_name),
            consequences=(_("It leaves the public directory and search."), _told_why(form)),
            button=_("Archive the listing"),
            cancel=url_for("curation.review_firm", firm_id=firm.id),
        ),
    )


# Revisions ------------------------------------------------------------------------------------


def _render_revision(revision_id: int, posted=None, status: int = 200):
    revision = revisions.get_revision_for_review(current_user, revision_id)
    current, proposed = revisions.proposed_content(revision)
    forms = {"approve": VersionForm(formdata=None), "reject": ReasonForm(formdata=None)}
    for form in forms.values():
        form.version.data = str(revision.firm.version)
    if posted is not None:
        forms[posted[0]] = posted[1]
        if status == 409:
            posted[1].version.data = str(revision.firm.version)
    return (
        render_template(
            "curation/revision.html",
            revision=revision,
            firm=revision.firm,
            changes=listing_changes(current, proposed),
            forms=forms,
        ),
        status,
    )


@bp.get("/revisions/<int:revision_id>")
@login_required
def review_revision(revision_id: int):
    return _render_revision(revision_id)


def _decide_revision(revision_id: int, name: str, form, decide, success, confirm=None):
    authorize(current_user, "firm.review")
    if not form.validate_on_submit():
        return _render_revision(revision_id, (name, form), 400)
    try:
        if confirm is not None and not confirmed():
            revision = revisions.get_revision_for_review(current_user, revision_id)
            return ask(confirm(revision, form))
        revision = decide(form)
    except ValidationError as error:
        bind_errors(form, error)
        return _render_revision(revision_id, (name, form), 400)
    except Conflict as error:
        flash(error.message, "error")
        return _render_revision(revision_id, (name, form), 409)
    flash(success(revision.firm), "success")
    return redirect(url_for("curation.queue"))


@bp.post("/revisions/<int:revision_id>/approve")
@login_required
def approve_revision(revision_id: int):
    return _decide_revision(
        revision_id,
        "approve",
        VersionForm(),
        lambda f: revisions.approve_revision(current_user, revision_id, f.seen_version),
        lambda firm: _("The change to “%(name)s” is published.", name=firm.display_name),
    )


@bp.post("/revisions/<int:revision_id>/reject")
@login_required
def reject_revision(revision_id: int):
    return _decide_revision(
        revision_id,
        "reject",
        ReasonForm(),
        lambda f: revisions.reject_revision(
            current_user, revision_id, f.seen_version, f.reason.data
        ),
        lambda firm: _("The change to “%(name)s” is rejected.", name=firm.display_name),
        confirm=lambda revision, form: Confirmation(
            question=_("Reject the change to “%(name)s”?", name=revision.firm.display_name),
            consequences=(_("The public page stays as it is."), _told_why(form)),
            button=_("Reject the change"),
            cancel=url_for("curation.review_revision", revision_id=revision.id),
        ),
    )


# Claims ---------------------------------------------------------------------------------------


def _render_claim(claim_id: int, posted=None, status: int = 200):
    claim = claims.get_claim_for_review(current_user, claim_id)
    forms = {
        "approve": ClaimDecisionForm(formdata=None),
        "reject": ClaimDecisionForm(formdata=None),
    }
    if posted is not None:
        forms[posted[0]] = posted[1]
    return render_template("curation/claim.html", claim=claim, forms=forms), status


@bp.get("/claims/<int:claim_id>")
@login_required
def review_claim(claim_id: int):
    return _render_claim(claim_id)


def _decide_claim(claim_id: int, name: str, decide, success, confirm=None):
    authorize(current_user, "firm.review")
    form = ClaimDecisionForm()
    if not form.validate_on_submit():
        return _render_claim(claim_id, (name, form), 400)
    try:
        if confirm is not None and not confirmed():
            return ask(confirm(claims.get_claim_for_review(current_user, claim_id), form))
        claim = decide(form)
    except ValidationError as error:
        bind_errors(form, error)
        return _render_claim(claim_id, (name, form), 400)
    except Conflict as error:
        flash(error.message, "error")
        return _render_claim(claim_id, (name, form), 409)
    flash(success(claim.firm), "success")
    return redirect(url_for("curation.queue"))


@bp.post("/claims/<int:claim_id>/approve")
@login_required
def approve_claim(claim_id: int):
    return _decide_claim(
        claim_id,
        "approve",
        lambda f: claims.approve_claim(current_user, claim_id),
        lambda firm: _("The claimant now manages “%(name)s”.", name=firm.display_name),
    )


@bp.post("/claims/<int:claim_id>/reject")
@login_required
def reject_claim(claim_id: int):
    return _decide_claim(
        claim_id,
        "reject",
        lambda f: claims.reject_claim(current_user, claim_id, f.reason.data),
        lambda firm: _("The claim on “%(name)s” is rejected.", name=firm.display_name),
        confirm=lambda claim, form: Confirmation(
            question=_("Reject the claim on “%(name)s”?", name=claim.firm.display_name),
            consequences=(
                _("%(email)s will not manage the firm.", email=claim.user.email),
                _(
                    "They are e-mailed your reason: “%(reason)s”",
                    reason=clean_reason(form.reason.data, required=True),
                ),
            ),
            button=_("Reject the claim"),
            cancel=url_for("curation.review_claim", claim_id=claim.id),
        ),
    )


# History --------------------------------------------------------------------------------------


@bp.get("/history/<entity_kind>/<int:entity_id>")
@login_required
def history(entity_kind: str, entity_id: int):
    record, events = record_history(current_user, entity_kind, entity_id)
    names = {
        "firm": lambda: record.display_name,
        "programme": lambda: localized(record, "title"),
        "zone": lambda: localized(record, "name"),
    }
    back = (
        url_for("curation.review_firm", firm_id=record.id)
        if entity_kind == "firm"
        else url_for(f"curation.edit_{entity_kind}", record_id=record.id)
    )
    return render_template(
        "curation/history.html", record_name=names[entity_kind](), back=back, events=events
    )


# Programmes and zones -------------------------------------------------------------------------


def _record_form(form_class, data_of):
    """The form of a programme or zone, with its choices; a new one preselects the curator's
    agency."""

    def build(record):
        data = data_of(record) if record else {"agency_id": current_user.agency_id}
        form = form_class(data=data)
        zones, agencies = agency_data.choices(current_user)
        if isinstance(form, ZoneForm):
            form.set_choices(catalogue_tree(), zones, agencies, record)
        else:
            form.set_choices(catalogue_tree(), zones, agencies)
        form.set_provenance_choices(record)
        return form

    return build


def _created() -> str:
    return _("Saved. It is a draft until you publish it.")


EDITORS = {
    "programme": RecordEditor(
        template="curation/programme_form.html",
        endpoint="curation.edit_programme",
        form=_record_form(ProgrammeForm, agency_data.programme_data),
        get=agency_data.get_programme_for_edit,
        create=agency_data.create_programme,
        update=agency_data.update_programme,
        create_action="agency_data.manage",
        created=_created,
    ),
    "zone": RecordEditor(
        template="curation/zone_form.html",
        endpoint="curation.edit_zone",
        form=_record_form(ZoneForm, agency_data.zone_data),
        get=agency_data.get_zone_for_edit,
        create=agency_data.create_zone,
        update=agency_data.update_zone,
        create_action="agency_data.manage",
        created=_created,
    ),
}
LISTS = {"programme": agency_data.list_programmes, "zone": agency_data.list_zones}
STATE_CHANGES = {
    "programme": agency_data.change_programme_state,
    "zone": agency_data.change_zone_state,
}


def _list(kind: str):
    return render_template(f"curation/{kind}s.html", records=LISTS[kind](current_user))


def _change_state(kind: str, record_id: int, action: str):
    form = StateForm()
    try:
        if not form.validate_on_submit():
            raise ValidationError(_("The reason is too long."))
        if action == "archive" and not confirmed():
            record = EDITORS[kind].get(current_user, record_id)
            clean_reason(form.reason.data, required=True)
            name = localized(record, "title" if kind == "programme" else "name")
            return ask(
                Confirmation(
                    question=_("Archive “%(name)s”?", name=name),
                    consequences=(
                        _("It is no longer public; you can restore it from the archive later."),
                    ),
                    button=_("Archive"),
                    cancel=url_for(f"curation.edit_{kind}", record_id=record_id),
                )
            )
        STATE_CHANGES[kind](current_user, record_id, action, form.version.data, form.reason.data)
    except (ValidationError, Conflict) as error:
        flash(error.message, "error")
        return redirect(url_for(f"curation.edit_{kind}", record_id=record_id))
    messages = {
        "publish": _("Published: it is now public and searchable."),
        "unpublish": _("Unpublished: it is no longer public."),
        "archive": _("Archived: it is no longer public."),
        "restore": _("Restored from the archive (not yet public)."),
    }
    flash(messages[action], "success")
    return redirect(url_for(f"curation.edit_{kind}", record_id=record_id))


VERIFICATIONS = {"programme": agency_data.verify_programme, "zone": agency_data.verify_zone}


def _verify(kind: str, record_id: int):
    form = VersionForm()
    try:
        VERIFICATIONS[kind](current_user, record_id, form.seen_version)
    except (ValidationError, Conflict) as error:
        flash(error.message, "error")
    else:
        flash(_("Marked verified by your agency today."), "success")
    return redirect(url_for(f"curation.edit_{kind}", record_id=record_id))


@bp.get("/programmes")
@login_required
def programmes():
    return _list("programme")


@bp.route("/programmes/new", methods=["GET", "POST"])
@login_required
def new_programme():
    return EDITORS["programme"].new()


@bp.route("/programmes/<int:record_id>/edit", methods=["GET", "POST"])
@login_required
def edit_programme(record_id: int):
    return EDITORS["programme"].edit(record_id)


@bp.post("/programmes/<int:record_id>/<any(publish, unpublish, archive, restore):action>")
@login_required
def programme_state(record_id: int, action: str):
    return _change_state("programme", record_id, action)


@bp.post("/programmes/<int:record_id>/verify")
@login_required
def verify_programme(record_id: int):
    return _verify("programme", record_id)


@bp.get("/zones")
@login_required
def zones():
    return _list("zone")


@bp.route("/zones/new", methods=["GET", "POST"])
@login_required
def new_zone():
    return EDITORS["zone"].new()


@bp.route("/zones/<int:record_id>/edit", methods=["GET", "POST"])
@login_required
def edit_zone(record_id: int):
    return EDITORS["zone"].edit(record_id)


@bp.post("/zones/<int:record_id>/<any(publish, unpublish, archive, restore):action>")
@login_required
def zone_state(record_id: int, action: str):
    return _change_state("zone", record_id, action)


@bp.post("/zones/<int:record_id>/verify")
@login_required
def verify_zone(record_id: int):
    return _verify("zone", record_id)
