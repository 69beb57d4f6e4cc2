"""Reference data for curators: the 980 catalogue tree, business incubators and agencies."""

from flask import Blueprint

bp = Blueprint("refdata", __name__, url_prefix="/curation/refdata")

from app.refdata import views  # noqa: E402,F401
