"""Curation: review queue and decisions on listings, revisions and claims; agency data."""

from flask import Blueprint

bp = Blueprint("curation", __name__, url_prefix="/curation")

from app.curation import views  # noqa: E402,F401
