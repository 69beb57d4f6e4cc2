"""Places: economic zones, industrial parks and clusters, and incubators."""

from flask import Blueprint

bp = Blueprint("places", __name__)

from app.places import views  # noqa: E402,F401
