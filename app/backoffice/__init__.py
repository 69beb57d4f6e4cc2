"""Back office: statistics, list exports, the yearly data update and the yearly report."""

from flask import Blueprint

bp = Blueprint("backoffice", __name__)

from app.backoffice import views  # noqa: E402,F401
