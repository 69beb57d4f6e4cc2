"""Home page with live counts and entry points for each kind of visitor."""

from flask import Blueprint, current_app, jsonify, render_template

from app.catalogue.service import count_catalogue_items
from app.firms.service import count_published_firms
from app.main.health import health
from app.page_cache import for_visitors
from app.places.service import count_incubators, count_public_zones
from app.programmes.service import count_open_programmes

bp = Blueprint("main", __name__)


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
    return render_template("main/home.html", counts=counts)


@bp.get("/healthz")
def healthz():
    """200 when this worker can serve, else 503; the JSON body says what failed."""
    healthy, report = health(current_app)
    response = jsonify(report)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
