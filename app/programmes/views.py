"""Public programme pages: the list (filtered by status, agency and kind of support) and a
programme with its next steps (eligibility, interest, how to apply); their Atom feed and
calendars (.ics) of opening days and deadlines."""

from flask import Blueprint, Response, render_template, request
from flask_login import current_user

from app.catalogue.service import catalogue_tree, group_names
from app.domain.places import ward_name
from app.page_cache import for_visitors
from app.programmes import feeds
from app.programmes.service import (
    ProgrammeFilters,
    eligibility_of_my_firms,
    get_public_programme,
    programmes_by_status,
)

bp = Blueprint("programmes", __name__)

# Feeds and calendars follow the data; readers poll them: an hour in any cache is fine.
CACHE_CONTROL = "public, max-age=3600"


def _feed_response(body: bytes, mimetype: str, filename: str | None = None) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Cache-Control"] = CACHE_CONTROL
    if filename:
        response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@bp.get("/programmes")
@for_visitors
def index():
    listing = programmes_by_status(ProgrammeFilters.from_args(request.args))
    return render_template("programmes/index.html", listing=listing)


@bp.get("/programmes/<slug>")
@for_visitors
def detail(slug: str):
    programme = get_public_programme(slug)
    return render_template(
        "programmes/detail.html",
        programme=programme,
        tree=catalogue_tree(),
        ward_name=ward_name,
        checks=eligibility_of_my_firms(current_user, programme),
        group_names=group_names(),
        has_dates=feeds.has_dates(programme),
    )


@bp.get("/programmes/feed.atom")
@for_visitors
def feed():
    return _feed_response(feeds.atom_feed(), "application/atom+xml")


@bp.get("/programmes/calendar.ics")
@for_visitors
def calendar():
    return _feed_response(feeds.all_programmes_calendar(), "text/calendar", "cnmt-programmes.ics")


@bp.get("/programmes/<slug>/calendar.ics")
@for_visitors
def programme_calendar(slug: str):
    programme = get_public_programme(slug)
    return _feed_response(
        feeds.programme_calendar(programme), "text/calendar", f"{programme.slug}.ics"
    )
