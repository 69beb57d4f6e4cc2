"""The Decision 980 catalogue: the public tree and item pages."""

from flask import Blueprint

bp = Blueprint("catalogue", __name__)

from app.catalogue import views  # noqa: E402,F401
