"""Shared fixtures: an app per test on its own SQLite file, and a seeded copy made once."""

import contextvars
import re
import shutil
from contextlib import contextmanager
from pathlib import Path

import flask_sqlalchemy.session
import pytest
import sqlalchemy as sa
import sqlalchemy.orm
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db
from app.models import Role, User
from app.models.base import utcnow
from app.security import limiter
from config import TestConfig
from seed.loader import load_seed_data

SEED_DIR = Path(__file__).resolve().parent.parent / "seed"


class IsolatedClient(FlaskClient):
    """Runs each request outside the test's own app context, as in production: every request
    gets a fresh `g` and database session, while the test body keeps its context for checks."""

    def open(self, *args, **kwargs):
        # Buffered: a streamed body is read in the request's context too, as a server does.
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


def make_app(tmp_path: Path, database: Path, **settings):
    """An app on `database`, with files under `tmp_path`; `settings` override the config."""
    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{database}"
    config.SEARCH_INDEX_DIR = str(tmp_path / "search_index")
    config.MAIL_FILE_DIR = str(tmp_path / "mail")
    config.LOGO_DIR = str(tmp_path / "logos")
    config.EXPORT_CACHE_DIR = str(tmp_path / "exports")
    for name, value in settings.items():
        setattr(config, name, value)
    app = create_app(config)
    app.test_client_class = IsolatedClient
    limiter.reset()  # counters live in memory for the whole session: each app starts at zero
    return app


def _close_search(app) -> None:
    backend = app.extensions.pop("search_backend", None)
    if backend is not None:
        backend.close()


@pytest.fixture(scope="session")
def seeded_database(tmp_path_factory) -> Path:
    """A database file with the schema and all seed data, built once per test session."""
    folder = tmp_path_factory.mktemp("seeded")
    database = folder / "seeded.sqlite3"
    app = make_app(folder, database)
    with app.app_context():
        db.create_all()
        load_seed_data(SEED_DIR)
        db.engine.dispose()
    _close_search(app)
    return database


@pytest.fixture
def app(tmp_path):
    """An app with an empty schema."""
    app = make_app(tmp_path, tmp_path / "test.sqlite3")
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()
    _close_search(app)


@pytest.fixture
def seeded_app(tmp_path, seeded_database):
    """An app on a private copy of the seeded database."""
    database = tmp_path / "test.sqlite3"
    shutil.copyfile(seeded_database, database)
    shutil.copytree(seeded_database.parent / "search_index", tmp_path / "search_index")
    app = make_app(tmp_path, database)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    _close_search(app)


@pytest.fixture
def client(seeded_app):
    return seeded_app.test_client()


@pytest.fixture
def runner(seeded_app):
    return seeded_app.test_cli_runner()


def make_user(email: str, role: Role = Role.BUSINESS, *, verified: bool = True, **fields) -> User:
    """A new account, saved. Verified unless asked: listing, claiming, introductions and alerts
    need a confirmed address, so that is what an account in use has."""
    fields.setdefault("name", email)
    account = User(
        email=email,
        role=role,
        password_hash="x",
        email_verified_at=utcnow() if verified else None,
        **fields,
    )
    db.session.add(account)
    db.session.commit()
    return account


def login_as(client, user) -> None:
    """Start a logged-in session for `user` (tests of login itself go through the login form)."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def csrf_token(client, url: str, headers: dict | None = None) -> str:
    """The CSRF token from the first form on the page at `url`."""
    html = client.get(url, headers=headers).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, f"no CSRF token on {url}"
    return match.group(1)


@contextmanager
def concurrent_write(*changes):
    """Another client makes `changes` and commits, at the worst moment for this process: after
    an action has read and checked what it will write and before its first write (its next
    flush with changes). A change is a new model object to add, or a function given the other
    client's session (to edit a row: its version moves on as for any edit). Shows that a race
    ends in a clear refusal, never a 500 or a lost write."""
    fired = []

    def write_first(session, flush_context, instances):
        if fired:
            return
        fired.append(True)
        with sa.orm.Session(db.engine) as other:
            for change in changes:
                change(other) if callable(change) else other.add(change)
            other.commit()

    session_class = flask_sqlalchemy.session.Session
    sa.event.listen(session_class, "before_flush", write_first)
    try:
        yield fired
    finally:
        sa.event.remove(session_class, "before_flush", write_first)
