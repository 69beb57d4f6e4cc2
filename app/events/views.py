"""Event pages: the public list (filters: upcoming or past, kind, online or in place,
organiser), an event with its registration and calendar file, the pages of the signed links in
registration mail; and the organisers' pages under /curation/events (their events, the event
form, publication, the attendee list, its CSV and the printable check-in list)."""

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.confirmation import Confirmation, ask, confirmed
from app.errors import Conflict, NotFound, ValidationError
from app.events import feeds, organiser, registration, service
from app.events.forms import ActionForm, EventForm, GuestRegistrationForm, StateForm
from app.events.seats import seats_taken
from app.forms import bind_errors
from app.i18n import current_language, localized
from app.models.base import utcnow
from app.page_cache import for_visitors
from app.record_editor import RecordEditor
from app.security import limiter
from app.tabular import csv_bytes

bp = Blueprint("events", __name__)

# Guests register without an account: a few per address and hour is plenty for a person, and
# each sends a mail.
GUEST_LIMIT = "5 per minute;20 per hour"
CALENDAR_CACHE_CONTROL = "public, max-age=3600"


# The public pages -----------------------------------------------------------------------------


@bp.get("/events")
@for_visitors
def index():
    listing = service.list_public_events(service.EventFilters.from_args(request.args))
    return render_template(
        "events/index.html",
        listing=listing,
        kinds=service.KIND_LABELS,
        kind_label=service.kind_label,
        seats_left=service.seats_left,
    )


def _detail(event, guest_form=None, status: int = 200):
    taken = seats_taken(event.id)
    return (
        render_template(
            "events/detail.html",
            event=event,
            kind_label=service.kind_label,
            status_label=service.status_label,
            seats_left=service.seats_left(event, taken),
            taken=taken,
            is_open=event.registration_open_at(utcnow()),
            mine=registration.my_registration(current_user, event),
            guest_form=guest_form or GuestRegistrationForm(),
            action_form=ActionForm(),
        ),
        status,
    )


@bp.get("/events/<slug>")
@for_visitors
def detail(slug: str):
    return _detail(service.get_public_event(slug, current_user))


@bp.get("/events/<slug>/calendar.ics")
@for_visitors
def calendar(slug: str):
    event = service.get_public_event(slug)
    response = Response(feeds.event_calendar(event), mimetype="text/calendar")
    response.headers["Cache-Control"] = CALENDAR_CACHE_CONTROL
    response.headers["Content-Disposition"] = f'inline; filename="{event.slug}.ics"'
    return response


def _back_to(event):
    return redirect(url_for("events.detail", slug=event.slug))


@bp.post("/events/<slug>/register")
@login_required
def register(slug: str):
    event = service.get_public_event(slug)
    if not ActionForm().validate_on_submit():
        raise ValidationError(_("The form has expired. Please try again."))
    try:
        done = registration.register_user(current_user, event.id)
    except ValidationError as error:
        flash(error.message, "error")
        return _back_to(event)
    if done.status == "confirmed":
        flash(_("You are registered. We have sent the details to your e-mail address."), "success")
    else:
        flash(
            _(
                "The event is full: you are on the waiting list. We will e-mail you if a seat "
                "frees up."
            ),
            "info",
        )
    return _back_to(event)


@bp.post("/events/<slug>/register/guest")
@limiter.limit(GUEST_LIMIT)
def register_guest(slug: str):
    event = service.get_public_event(slug)
    form = GuestRegistrationForm()
    if not form.validate_on_submit():
        return _detail(event, form, 400)
    try:
        registration.register_guest(event.id, form.data, current_language())
    except ValidationError as error:
        bind_errors(form, error)
        return _detail(event, form, 400)
    flash(
        _(
            "Almost done: open the link we have sent to %(email)s to confirm your registration.",
            email=form.email.data.strip(),
        ),
        "success",
    )
    return _back_to(event)


@bp.post("/events/<slug>/cancel")
@login_required
def cancel(slug: str):
    event = service.get_public_event(slug)
    if not ActionForm().validate_on_submit():
        raise ValidationError(_("The form has expired. Please try again."))
    if registration.my_registration(current_user, event) is None:
        raise NotFound(_("You are not registered for this event."))
    if not confirmed():
        return ask(
            Confirmation(
                question=_(
                    "Cancel your registration for “%(title)s”?", title=localized(event, "title")
                ),
                consequences=(
                    _("Your seat or your place on the waiting list goes to someone else."),
                ),
                button=_("Cancel my registration"),
                cancel=url_for("events.detail", slug=event.slug),
            )
        )
    registration.cancel_own(current_user, event.id)
    flash(_("Your registration is cancelled."), "success")
    return _back_to(event)


def _link_page(kind: str, registration_id: int, token: str):
    """A signed link from a mail: a page with one button (mail scanners open links, and must
    not confirm or cancel anything), whose form posts back to the same address."""
    found = registration.link_registration(kind, registration_id, token)
    form = ActionForm()
    if request.method == "POST" and form.validate_on_submit():
        if kind == "confirm":
            done = registration.confirm_guest(registration_id, token)
            if done.status == "confirmed":
                message = _("Your registration is confirmed. We have e-mailed you the details.")
            else:
                message = _(
                    "The event is full: you are on the waiting list. We will e-mail you if a "
                    "seat frees up."
                )
        else:
            registration.cancel_by_link(registration_id, token)
            message = _("Your registration is cancelled.")
        flash(message, "success")
        return _back_to(found.event)
    return render_template("events/link.html", kind=kind, registration=found, form=form)


@bp.route("/events/registrations/<int:registration_id>/confirm/<token>", methods=["GET", "POST"])
def confirm(registration_id: int, token: str):
    return _link_page("confirm", registration_id, token)


@bp.route("/events/registrations/<int:registration_id>/cancel/<token>", methods=["GET", "POST"])
def cancel_link(registration_id: int, token: str):
    return _link_page("cancel", registration_id, token)


# The organisers' pages ------------------------------------------------------------------------


def _event_form(record):
    data = service.event_data(record) if record else {"agency_id": current_user.agency_id}
    form = EventForm(data=data)
    form.set_choices(service.agency_choices(current_user))
    return form


EDITOR = RecordEditor(
    template="events/form.html",
    endpoint="events.edit",
    form=_event_form,
    get=service.get_event_for_edit,
    create=service.create_event,
    update=service.update_event,
    create_action="events.create",
    created=lambda: _("Saved. It is a draft until you publish it."),
)


@bp.get("/curation/events")
@login_required
def manage():
    return render_template(
        "events/manage.html",
        events=service.list_events_to_manage(current_user),
        kind_label=service.kind_label,
    )


@bp.route("/curation/events/new", methods=["GET", "POST"])
@login_required
def new():
    return EDITOR.new()


@bp.route("/curation/events/<int:record_id>/edit", methods=["GET", "POST"])
@login_required
def edit(record_id: int):
    return EDITOR.edit(record_id)


@bp.post("/curation/events/<int:record_id>/<any(publish, unpublish, archive, restore):action>")
@login_required
def change_state(record_id: int, action: str):
    form = StateForm()
    try:
        if not form.validate_on_submit():
            raise ValidationError(_("The reason is too long."))
        if action == "archive" and not confirmed():
            event = service.get_event_for_edit(current_user, record_id)
            if not (form.reason.data or "").strip():
                raise ValidationError(_("Give a reason for archiving."))
            return ask(
                Confirmation(
                    question=_("Archive “%(name)s”?", name=localized(event, "title")),
                    consequences=(
                        _("It is no longer public; you can restore it from the archive later."),
                    ),
                    button=_("Archive"),
                    cancel=url_for("events.edit", record_id=record_id),
                )
            )
        service.change_event_state(
            current_user, record_id, action, form.version.data, form.reason.data
        )
    except (ValidationError, Conflict) as error:
        flash(error.message, "error")
        return redirect(url_for("events.edit", record_id=record_id))
    messages = {
        "publish": _("Published: it is now public."),
        "unpublish": _("Unpublished: it is no longer public."),
        "archive": _("Archived: it is no longer public."),
        "restore": _("Restored from the archive (not yet public)."),
    }
    flash(messages[action], "success")
    return redirect(url_for("events.edit", record_id=record_id))


@bp.get("/curation/events/<int:event_id>/attendees")
@login_required
def attendees(event_id: int):
    return render_template(
        "events/attendees.html",
        found=organiser.attendees(current_user, event_id),
        status_label=service.status_label,
        form=ActionForm(),
    )


@bp.get("/curation/events/<int:event_id>/attendees.csv")
@login_required
def attendees_csv(event_id: int):
    table = organiser.attendee_table(current_user, event_id)
    response = Response(csv_bytes(table), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="event-{event_id}-attendees.csv"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/curation/events/<int:event_id>/check-in")
@login_required
def check_in_list(event_id: int):
    return render_template(
        "events/check_in.html", found=organiser.attendees(current_user, event_id)
    )


@bp.post(
    "/curation/events/<int:event_id>/attendees/<int:registration_id>/"
    "<any(check_in, undo_check_in):action>"
)
@login_required
def attendance(event_id: int, registration_id: int, action: str):
    if not ActionForm().validate_on_submit():
        raise ValidationError(_("The form has expired. Please try again."))
    try:
        organiser.set_attendance(current_user, event_id, registration_id, action == "check_in")
    except ValidationError as error:
        flash(error.message, "error")
    return redirect(
        url_for("events.attendees", event_id=event_id) + f"#registration-{registration_id}"
    )
