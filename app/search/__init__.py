"""Search: the search page, suggestions, and keeping the index true through the outbox."""

from flask import Blueprint

bp = Blueprint("search", __name__)

from app.search import views  # noqa: E402,F401
