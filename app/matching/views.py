"""Matching pages: "Matches for my firm", "Firms that fit" for agencies, interest follow-up."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.catalogue.service import group_names
from app.curation.agency_data import get_programme_for_edit, get_zone_for_edit
from app.curation.display import listing_fields
from app.errors import Conflict, ValidationError
from app.firms import data as firm_data
from app.firms import self_service
from app.matching import interests, service
from app.matching.forms import InterestForm, InterestStatusForm
from app.models import Firm, Incubator, InterestStatus, Programme, Zone

bp = Blueprint("matching", __name__)

TARGETS = {"programme": Programme, "zone": Zone, "incubator": Incubator}  # interest targets
TABS = {**TARGETS, "supplier": Firm, "buyer": Firm}
FIRMS_SHOWN = 100


@bp.get("/my/firms/<int:firm_id>/matches")
@login_required
def for_firm(firm_id: int):
    firm = self_service.get_my_firm(current_user, firm_id)
    tab = request.args.get("tab", "programme")
    if tab not in TABS:
        tab = "programme"
    results = service.match_firm(firm.id)
    return render_template(
        "matching/for_firm.html",
        firm=firm,
        tab=tab,
        results=results,
        records=service.records_of(TABS[tab], results[tab]),
        interest_kinds=TARGETS,
        registered=interests.registered_targets(firm),
        group_names=group_names(),
        form=InterestForm(),
        unknown_fields=sorted(
            {
                r.params["field"]
                for matches in results.values()
                for m in matches
                for r in m.reasons
                if r.state == "unknown" and "field" in r.params
            }
        ),
    )


@bp.post("/my/firms/<int:firm_id>/interest")
@login_required
def register_interest(firm_id: int):
    firm = self_service.get_my_firm(current_user, firm_id)
    form = InterestForm()
    if not form.validate_on_submit() or form.target_kind.data not in TARGETS:
        abort(400)
    try:
        interests.register_interest(
            current_user, firm, form.target_kind.data, form.target_id.data, form.message.data or ""
        )
    except (ValidationError, Conflict) as error:
        flash(error.message, "error")
    else:
        flash(_("Interest registered: the agency has been told and will contact you."), "success")
    return redirect(url_for("matching.for_firm", firm_id=firm.id, tab=form.target_kind.data))


def _firms_that_fit(kind: str, record, matches):
    shown = matches[:FIRMS_SHOWN]
    return render_template(
        "matching/firms_that_fit.html",
        kind=kind,
        record=record,
        matches=shown,
        total=len(matches),
        firms=service.records_of(Firm, shown),
        group_names=group_names(),
    )


@bp.get("/curation/programmes/<int:programme_id>/matches")
@login_required
def programme_firms(programme_id: int):
    programme = get_programme_for_edit(current_user, programme_id)
    return _firms_that_fit("programme", programme, service.match_programme(programme.id))


@bp.get("/curation/zones/<int:zone_id>/matches")
@login_required
def zone_firms(zone_id: int):
    zone = get_zone_for_edit(current_user, zone_id)
    return _firms_that_fit("zone", zone, service.match_zone(zone.id))


@bp.get("/curation/interests")
@login_required
def interests_list():
    rows = interests.interests_for(current_user)
    funnel = {status: 0 for status in InterestStatus}
    for interest, _target in rows:
        funnel[interest.status] += 1
    return render_template(
        "matching/interests.html",
        rows=rows,
        funnel=funnel,
        statuses=list(InterestStatus),
        form=InterestStatusForm(),
    )


@bp.get("/curation/interests/firms/<int:firm_id>")
@login_required
def interested_firm(firm_id: int):
    firm, rows = interests.firm_for_follow_up(current_user, firm_id)
    return render_template(
        "matching/interested_firm.html",
        firm=firm,
        rows=rows,
        fields=listing_fields(firm_data.snapshot(firm)),
    )


@bp.post("/curation/interests/<int:interest_id>/status")
@login_required
def interest_status(interest_id: int):
    form = InterestStatusForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        interests.set_interest_status(current_user, interest_id, form.status.data)
    except (ValidationError, Conflict) as error:
        flash(error.message, "error")
    else:
        flash(_("Status saved."), "success")
    return redirect(url_for("matching.interests_list"))
