"""Investors: profile and recommendations, firm discovery, shortlists, saved searches with
alerts, and introduction requests to firms."""

from flask import Blueprint

bp = Blueprint("investors", __name__)

from app.investors import views  # noqa: E402,F401
