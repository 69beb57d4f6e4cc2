"""Marketplace pages: the public list and detail pages, the firm's own requests and offers and
their forms, answers to requests, curators' review, and one-click unsubscribe."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.authorization import authorize, can
from app.catalogue.service import catalogue_tree, group_names
from app.domain.places import wards_of_province
from app.errors import Conflict, Forbidden, NotFound, ValidationError
from app.extensions import csrf
from app.forms import bind_errors
from app.marketplace import alerts, matching, responses, revisions, service
from app.marketplace.forms import ActionForm, DecisionForm, ListingForm, ResponseForm
from app.matching.service import records_of
from app.models import (
    Firm,
    FirmStatus,
    MarketKind,
    MarketListing,
    MarketSide,
    ResponseState,
    ReviewState,
)
from app.models.base import utcnow
from app.page_cache import for_visitors
from app.pagination import requested_page
from app.parsing import parse_id, parse_int
from app.record_editor import form_status, save_form

bp = Blueprint("marketplace", __name__)


@bp.get("/marketplace")
@for_visitors
def index():
    filters = service.Filters.from_args(request.args, parse_int)
    page = service.browse(filters, requested_page(service.PER_PAGE))
    return render_template(
        "marketplace/index.html",
        filters=filters,
        page=page,
        tree=catalogue_tree(),
        wards=wards_of_province(),
        kinds=list(MarketKind),
    )


@bp.get("/marketplace/<int:listing_id>")
def detail(listing_id: int):
    now = utcnow()
    listing = service.get_listing(current_user, listing_id, now)
    live = listing.is_live(now)
    private = service.may_see_private(current_user, listing)
    matches = None
    if live or private:
        if listing.side == MarketSide.REQUEST:
            matches = matching.for_request(listing, now)
        else:
            matches = {"request": matching.for_offer(listing, now)}
    respond_firms = []
    if live and listing.side == MarketSide.REQUEST and current_user.is_authenticated:
        respond_firms = [
            f
            for f in service.firms_for_listing(current_user)
            if f.id != listing.firm_id
            and f.status == FirmStatus.PUBLISHED
            and can(current_user, "market.respond", f)
        ]
    revision = service.latest_revision(listing) if private else None
    pending = revision is not None and revision.state == ReviewState.PENDING
    response_form = None
    if respond_firms:
        response_form = ResponseForm(formdata=None)
        response_form.firm_id.choices = [
            (f.id, f.trade_name or f.legal_name) for f in respond_firms
        ]
    return render_template(
        "marketplace/detail.html",
        listing=listing,
        live=live,
        owner=can(current_user, "market.manage", listing.firm),
        reviewer=can(current_user, "market.review"),
        matches=matches,
        answers=responses.answers_to(current_user, listing),
        mine=responses.my_answers(current_user, listing),
        response_form=response_form,
        action_form=ActionForm(formdata=None),
        decision_form=DecisionForm(formdata=None, version=listing.version),
        change_form=DecisionForm(formdata=None, version=listing.version),
        group_names=group_names(),
        records=_records(matches),
        history=service.history(current_user, listing),
        revision=revision,
        changes=revisions.changes(listing, revision) if pending else [],
    )


def _records(matches) -> dict:
    """The firms and listings behind the matches shown, for their links."""
    if not matches:
        return {}
    found = {}
    if matches.get("supplier"):
        found["supplier"] = records_of(Firm, matches["supplier"][:10])
    for key in ("offer", "request"):
        if matches.get(key):
            found[key] = records_of(MarketListing, matches[key][:10])
    return found


# The firm's own requests and offers --------------------------------------------------------


@bp.get("/my/marketplace")
@login_required
def mine():
    firms = service.firms_for_listing(current_user)
    return render_template(
        "marketplace/mine.html",
        listings=service.my_listings(current_user),
        firms=firms,
        subscriptions={f.id: alerts.subscription(f) for f in firms},
        sent=responses.answers_sent(current_user),
        action_form=ActionForm(formdata=None),
        now=utcnow(),
    )


def _side_arg() -> MarketSide:
    side = request.args.get("side", "request")
    if side not in {s.value for s in MarketSide}:
        abort(404)
    return MarketSide(side)


@bp.route("/marketplace/new", methods=["GET", "POST"])
@login_required
def new():
    side = _side_arg()
    firms = [
        f for f in service.firms_for_listing(current_user) if can(current_user, "market.list", f)
    ]
    if not firms and request.method == "POST":
        raise Forbidden(_("Only the people who manage a firm's listing can post for it."))
    if not firms:
        flash(
            _("List your firm first: requests and offers are published in a firm's name."), "info"
        )
        return redirect(url_for("marketplace.mine"))
    form = ListingForm()
    form.set_choices(side, firms)
    status = form_status()
    if form.validate_on_submit():
        try:
            listing, status = save_form(
                form,
                lambda: service.create_listing(
                    current_user, form.firm_id.data or 0, side, form.service_data()
                ),
            )
        except NotFound as error:  # the firm chosen is gone
            bind_errors(form, error)
            listing, status = None, 400
        if listing is not None:
            flash(_("Saved as a draft. Submit it for review when it is ready."), "success")
            return redirect(url_for("marketplace.detail", listing_id=listing.id))
    page = render_template(
        "marketplace/form.html", form=form, side=side, listing=None, tree=catalogue_tree()
    )
    return page, status


@bp.route("/marketplace/<int:listing_id>/edit", methods=["GET", "POST"])
@login_required
def edit(listing_id: int):
    listing = service.get_listing(current_user, listing_id)
    authorize(current_user, "market.manage", listing.firm)
    form = ListingForm()
    form.set_choices(listing.side, [listing.firm])
    if request.method == "GET":
        form.fill_from(listing, service.editing_content(listing))
    status = form_status()
    if form.validate_on_submit():
        _saved, status = save_form(
            form,
            lambda: service.update_listing(
                current_user, listing.id, form.service_data(), form.version.data
            ),
            lambda: listing.version,
        )
        if status == 200:
            if service.pending_revision(listing) is not None:
                flash(
                    _(
                        "Your change is waiting for a curator's review. Until it is approved, "
                        "the marketplace shows the published version."
                    ),
                    "success",
                )
            else:
                flash(_("Saved."), "success")
            return redirect(url_for("marketplace.detail", listing_id=listing.id))
    tree = catalogue_tree()
    page = render_template(
        "marketplace/form.html", form=form, side=listing.side, listing=listing, tree=tree
    )
    return page, status


OWNER_ACTIONS = {
    "submit": (service.submit_listing, _l("Submitted. A curator will review it.")),
    "withdraw": (service.withdraw_listing, _l("Archived: it is no longer on the marketplace.")),
    "renew": (service.renew_listing, _l("Renewed: it stays on the marketplace for 12 months.")),
    "withdraw-change": (
        service.withdraw_change,
        _l("Your change is withdrawn: the published version stays as it is."),
    ),
}


OWNER_URL = "/marketplace/<int:listing_id>/<any(submit, withdraw, renew, 'withdraw-change'):action>"


@bp.post(OWNER_URL)
@login_required
def owner_action(listing_id: int, action: str):
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    function, done = OWNER_ACTIONS[action]
    try:
        function(current_user, listing_id, form.version.data)
    except (ValidationError, Conflict) as error:
        flash(error.message, "error")
    else:
        flash(str(done), "success")
    return redirect(url_for("marketplace.detail", listing_id=listing_id))


@bp.post("/my/marketplace/alerts/<int:firm_id>/<any(on, off):state>")
@login_required
def set_alerts(firm_id: int, state: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    alerts.set_alerts(current_user, firm_id, state == "on")
    if state == "on":
        flash(
            _("You will get an e-mail when a new request fits what this firm supplies."), "success"
        )
    else:
        flash(_("E-mails about new requests are off for this firm."), "success")
    return redirect(url_for("marketplace.mine"))


# Answers to requests -------------------------------------------------------------------------


@bp.post("/marketplace/<int:listing_id>/answers")
@login_required
def respond(listing_id: int):
    form = ResponseForm()
    form.firm_id.choices = []
    if not form.validate_on_submit() or not form.firm_id.data:
        flash(_("Write your proposal and choose the firm that answers."), "error")
        return redirect(url_for("marketplace.detail", listing_id=listing_id))
    try:
        responses.respond(current_user, listing_id, form.firm_id.data, form.message.data)
    except (ValidationError, Conflict) as error:
        flash(error.message, "error")
    else:
        flash(_("Answer sent. The requester will see it and may accept it."), "success")
    return redirect(url_for("marketplace.detail", listing_id=listing_id))


@bp.post("/marketplace/answers/<int:response_id>/<any(shortlist, accept, decline):decision>")
@login_required
def decide(response_id: int, decision: str):
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        response = responses.decide(current_user, response_id, decision, form.version.data)
    except (ValidationError, Conflict) as error:
        flash(error.message, "error")
        return redirect(request.referrer or url_for("marketplace.mine"))
    if response.state == ResponseState.ACCEPTED:
        flash(_("Accepted: you and the supplier now see each other's contact details."), "success")
    else:
        flash(_("Saved."), "success")
    return redirect(url_for("marketplace.detail", listing_id=response.listing_id))


@bp.post("/marketplace/answers/<int:response_id>/deal")
@login_required
def report_deal(response_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        response = responses.report_deal(current_user, response_id)
    except (ValidationError, Conflict) as error:
        flash(error.message, "error")
        return redirect(url_for("marketplace.mine"))
    flash(_("Thank you: the deal is recorded."), "success")
    return redirect(url_for("marketplace.detail", listing_id=response.listing_id))


# Curators ---------------------------------------------------------------------------------


@bp.get("/curation/marketplace")
@login_required
def queue():
    return render_template(
        "marketplace/queue.html",
        listings=service.review_queue(current_user),
        changes=revisions.waiting(current_user),
    )


DECISIONS = {
    "approve": _l("Published."),
    "request_changes": _l("Sent back to the firm with your reason."),
    "reject": _l("Rejected."),
    "archive": _l("Archived."),
}


REVIEW_URL = "/curation/marketplace/<int:listing_id>/<any(approve, request_changes, reject, archive):decision>"  # noqa: E501


@bp.post(REVIEW_URL)
@login_required
def review(listing_id: int, decision: str):
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if decision == "approve":
            listing = service.approve_listing(current_user, listing_id, form.version.data)
        else:
            action = getattr(
                service, f"{decision}_listing" if decision != "request_changes" else decision
            )
            listing = action(current_user, listing_id, form.version.data, form.reason.data)
    except (ValidationError, Conflict) as error:
        flash(error.message, "error")
        return redirect(url_for("marketplace.detail", listing_id=listing_id))
    if decision == "approve" and listing.side == MarketSide.REQUEST:
        alerts.send_request_alerts()
    flash(str(DECISIONS[decision]), "success")
    return redirect(url_for("marketplace.queue"))


CHANGE_DECISIONS = {
    "approve": _l("The change is published."),
    "reject": _l("The change is refused; the firm reads your reason."),
}


@bp.post("/curation/marketplace/changes/<int:revision_id>/<any(approve, reject):decision>")
@login_required
def review_change(revision_id: int, decision: str):
    authorize(current_user, "market.review")
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    revision = revisions.get(revision_id)
    try:
        if decision == "approve":
            revisions.approve_change(current_user, revision_id, form.version.data)
        else:
            revisions.reject_change(current_user, revision_id, form.version.data, form.reason.data)
    except (ValidationError, Conflict) as error:
        flash(error.message, "error")
        return redirect(url_for("marketplace.detail", listing_id=revision.listing_id))
    flash(str(CHANGE_DECISIONS[decision]), "success")
    return redirect(url_for("marketplace.queue"))


# Unsubscribe ------------------------------------------------------------------------------


@bp.route("/marketplace/alerts/<firm_id>/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed link is the credential; mail programs POST to it for one-click
def unsubscribe(firm_id: str, token: str):
    if request.method == "GET":  # mail scanners open links: only a POST changes anything
        subscription = alerts.subscription_of_link(parse_id(firm_id), token)
        return render_template(
            "marketplace/unsubscribe.html", subscription=subscription, done=False
        )
    subscription = alerts.unsubscribe(parse_id(firm_id), token)
    return render_template("marketplace/unsubscribe.html", subscription=subscription, done=True)
