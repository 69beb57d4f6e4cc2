"""Firms: the public directory (and, later, business self-service)."""

from flask import Blueprint

bp = Blueprint("firms", __name__)

from app.firms import views  # noqa: E402,F401
