"""What `/healthz` reports to a load balancer or a monitor: whether this worker can serve (its
database answers, its search index opens) and how far the index lags behind the database (the
search outbox's backlog). Nothing private: counts and a generation label only."""

import logging

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.models import SearchOutbox
from app.search.engine import search_backend

log = logging.getLogger(__name__)


def health(app: Flask) -> tuple[bool, dict]:
    """(healthy, the report's body)."""
    report: dict = {}
    healthy = True
    try:
        report["outbox_backlog"] = db.session.scalar(
            sa.select(sa.func.count()).select_from(SearchOutbox)
        )
        report["database"] = "ok"
    except SQLAlchemyError:
        log.exception("health check: the database does not answer")
        report["database"] = "unavailable"
        healthy = False
    try:
        report["search_generation"] = search_backend(app).generation()
        report["search_index"] = "ok"
    except Exception:  # any failure to open the index makes this worker unfit to serve
        log.exception("health check: the search index cannot be read")
        report["search_index"] = "unavailable"
        healthy = False
    return healthy, {"status": "ok" if healthy else "unavailable", **report}
