"""Support programmes: public list and programme pages."""

from flask import Blueprint

bp = Blueprint("programmes", __name__)

from app.programmes import views  # noqa: E402,F401
