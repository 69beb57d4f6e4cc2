"""Bulk import for curators: catalogue items, firms, programmes, zones and incubators from
CSV or XLSX files, checked row by row in a dry run before anything is written."""

from flask import Blueprint

bp = Blueprint("imports", __name__, url_prefix="/curation/imports")

from app.imports import views  # noqa: E402,F401
