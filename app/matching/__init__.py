"""Matching: what fits a firm, which firms fit a programme or zone, and expressions of interest."""

from flask import Blueprint

bp = Blueprint("matching", __name__)

from app.matching import views  # noqa: E402,F401
