"""Home page with live counts and entry points for each kind of visitor; the pages every
government portal has (about, contact, help, privacy notice)."""

from flask import Blueprint, Response, current_app, jsonify, render_template
from flask_babel import lazy_gettext as _l

from app.accounts.service import PRIVACY_NOTICE_VERSION
from app.catalogue.service import count_catalogue_items
from app.errors import NotFound
from app.events.service import kind_label, upcoming_events
from app.firms.service import count_published_firms
from app.main import sitemap
from app.main.health import health
from app.page_cache import for_visitors
from app.places.service import count_incubators, count_public_zones
from app.programmes.service import count_open_programmes, open_programmes

bp = Blueprint("main", __name__)
# How many upcoming events and open programmes the home page shows.
HOME_EVENTS = 3
HOME_PROGRAMMES = 3


@bp.get("/")
@for_visitors
def home():
    counts = {
        "firms": count_published_firms(),
        "catalogue_items": count_catalogue_items(),
        "programmes": count_open_programmes(),
        "zones": count_public_zones(),
        "incubators": count_incubators(),
    }
    return render_template(
        "main/home.html",
        counts=counts,
        upcoming_events=upcoming_events(HOME_EVENTS),
        event_kind_label=kind_label,
        open_programmes=open_programmes(HOME_PROGRAMMES),
    )


def _contact() -> list[tuple]:
    """(label, value or None, setting) for each way to reach the office that runs the site."""
    return [
        (_l("Address"), current_app.config["CONTACT_ADDRESS"], "CONTACT_ADDRESS"),
        (_l("Telephone"), current_app.config["CONTACT_PHONE"], "CONTACT_PHONE"),
        (_l("E-mail"), current_app.config["CONTACT_EMAIL"], "CONTACT_EMAIL"),
    ]


@bp.get("/about")
@for_visitors
def about():
    return render_template("main/about.html")


@bp.get("/contact")
@for_visitors
def contact():
    return render_template("main/contact.html", contact=_contact())


@bp.get("/help")
@for_visitors
def help_page():
    return render_template("main/help.html")


@bp.get("/privacy")
@for_visitors
def privacy():
    return render_template("main/privacy.html", contact=_contact(), version=PRIVACY_NOTICE_VERSION)


@bp.get("/robots.txt")
def robots():
    return Response(sitemap.robots_txt(), mimetype="text/plain")


def _xml(template: str, entries: list[sitemap.Entry]) -> Response:
    return Response(render_template(template, entries=entries), mimetype="application/xml")


@bp.get("/sitemap.xml")
@for_visitors
def sitemap_xml():
    """The sitemap, or past SITEMAP_URLS_PER_FILE addresses the index of its numbered files."""
    parts = sitemap.files(sitemap.entries())
    if len(parts) > 1:
        return _xml("main/sitemap_index.xml", sitemap.index_entries(parts))
    return _xml("main/sitemap.xml", parts[0])


@bp.get("/sitemap-<int:number>.xml")
@for_visitors
def sitemap_part(number: int):
    parts = sitemap.files(sitemap.entries())
    if len(parts) < 2 or not 1 <= number <= len(parts):
        raise NotFound()
    return _xml("main/sitemap.xml", parts[number - 1])


@bp.get("/healthz")
def healthz():
    """200 when this worker can serve, else 503; the JSON body says what failed."""
    healthy, report = health(current_app)
    response = jsonify(report)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
