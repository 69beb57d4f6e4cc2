"""The application factory: binds extensions, areas, CLI commands and error handlers."""

from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

import flask_sqlalchemy.session
from flask import Flask
from flask_babel import lazy_gettext as _l

from app import i18n, logs, parsing, security
from app.errors import register_error_handlers
from app.extensions import babel, csrf, db, login_manager, migrate
from config import Config

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


# The areas, one blueprint each, in the order their routes are registered.
AREAS = (
    "main",
    "firms",
    "catalogue",
    "programmes",
    "events",
    "places",
    "search",
    "accounts",
    "curation",
    "matching",
    "backoffice",
    "investors",
    "imports",
    "refdata",
    "opendata",
    "marketplace",
    "news",
    "products",
)


def create_app(config: object | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_object(config or Config())
    parsing.init_app(app)
    _ensure_sqlite_folder(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(
        app,
        default_locale=app.config["BABEL_DEFAULT_LOCALE"],
        default_timezone=app.config["BABEL_DEFAULT_TIMEZONE"],
        locale_selector=i18n.select_locale,
    )
    i18n.init_app(app)
    security.init_app(app)
    logs.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"

    from app import models  # noqa: F401  (register every table with the metadata)
    from app.generation import register_generation_events
    from app.search.outbox import register_outbox_events
    from app.transaction import register_transaction_events

    register_transaction_events(flask_sqlalchemy.session.Session)
    register_outbox_events(flask_sqlalchemy.session.Session)
    register_generation_events(flask_sqlalchemy.session.Session)
    for area in AREAS:
        _register_area(app, area)
    from app import api

    api.init_app(app)

    from app.cli import register_cli

    register_cli(app)
    register_error_handlers(app)
    _register_template_helpers(app)
    from app import page_cache
    from app.news.service import visible_marker
    from app.search.engine import public_data_state

    # A scheduled article becomes public at its time, with no write to move the counters.
    page_cache.init_app(app, lambda: (*public_data_state(), visible_marker()))
    from app.accounts.service import user_for_session

    login_manager.user_loader(user_for_session)
    return app


def _register_area(app: Flask, area: str) -> None:
    """An area's views define its blueprint; its permissions module registers its actions with
    `app.authorization`, and its cli module (if any) adds commands to the blueprint."""
    for part in ("permissions", "cli"):
        if find_spec(f"app.{area}.{part}") is not None:
            import_module(f"app.{area}.{part}")
    app.register_blueprint(import_module(f"app.{area}.views").bp)


def _register_template_helpers(app: Flask) -> None:
    from app.authorization import can
    from app.curation.display import event_changes
    from app.domain.places import province_name_of_ward, ward_name
    from app.firms.service import firm_groups
    from app.labels import check_label, label
    from app.matching.reasons import missing_field_text, reason_text, score_band
    from app.navigation import main_nav, nav_badges
    from app.pagination import browsable_pages, result_window, window_message
    from app.sample_notice import mark_sample_data, shows_sample_data
    from app.urls import public_url

    helpers = {
        "label": label,
        "ward_name": ward_name,
        "province_name_of_ward": province_name_of_ward,
    }
    app.jinja_env.filters.update(helpers)
    app.jinja_env.globals.update(
        helpers,
        firm_groups=firm_groups,
        check_label=check_label,
        event_changes=event_changes,
        can=can,
        reason_text=reason_text,
        score_band=score_band,
        missing_field_text=missing_field_text,
        main_nav=main_nav,
        nav_badges=nav_badges,
        browsable_pages=browsable_pages,
        window_message=window_message,
        result_window=result_window,
        public_url=public_url,
        mark_sample_data=mark_sample_data,
        shows_sample_data=shows_sample_data,
    )


def _ensure_sqlite_folder(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and uri != "sqlite:///:memory:":
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
