"""Shared fixtures: an app per test on a database of its own, and a seeded copy made once.

The suite runs on SQLite (a file per test) unless TEST_DATABASE_URL names a PostgreSQL database
(`make test-postgres`): then each test gets a database of its own on that server, cloned from a
template made once per run (`CREATE DATABASE … TEMPLATE`, about 0.1 s), and dropped after it.
"""

import contextvars
import itertools
import os
import re
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import flask_sqlalchemy.session
import pytest
import sqlalchemy as sa
import sqlalchemy.orm
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from app import create_app
from app.extensions import db
from app.models import Role, User
from app.models.base import utcnow
from app.security import limiter
from config import TestConfig
from seed.loader import load_seed_data

SEED_DIR = Path(__file__).resolve().parent.parent / "seed"
SERVER_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = SERVER_URL.startswith("postgresql")


class Databases:
    """Databases for tests: `new()` an empty one, `new(template=url)` a copy of another (whose
    connections must be closed). URLs in, URLs out; on SQLite the URL names a file in `folder`."""

    _numbers = itertools.count(1)

    def __init__(self):
        if ON_POSTGRES:
            self.server = make_url(SERVER_URL)
            self.admin = sa.create_engine(
                self.server.set(database="postgres"),
                isolation_level="AUTOCOMMIT",
                poolclass=NullPool,
            )

    def new(self, folder: Path, template: str | None = None, name: str = "test") -> str:
        if not ON_POSTGRES:
            path = folder / f"{name}.sqlite3"
            if template:
                shutil.copyfile(make_url(template).database, path)
            return f"sqlite:///{path}"
        database = f"{self.server.database}_{os.getpid()}_{next(self._numbers)}"
        source = make_url(template).database if template else "template0"
        self._run(f'CREATE DATABASE "{database}" TEMPLATE "{source}"')
        return self.server.set(database=database).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        if ON_POSTGRES:
            self._run(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    def reset(self, url: str, template: str) -> None:
        """Make the database at `url` a fresh copy of `template` again."""
        if ON_POSTGRES:
            name = make_url(url).database
            self.drop(url)
            self._run(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(template).database}"')
        else:
            shutil.copyfile(make_url(template).database, make_url(url).database)

    def _run(self, statement: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(sa.text(statement))


DATABASES = Databases()


@pytest.fixture
def new_database(tmp_path):
    """Make empty databases (or copies of `template`) for this test; dropped at its end."""
    made: list[str] = []

    def new(template: str | None = None) -> str:
        made.append(DATABASES.new(tmp_path, template, name=f"db{len(made)}"))
        return made[-1]

    yield new
    for url in made:
        DATABASES.drop(url)


class IsolatedClient(FlaskClient):
    """Runs each request outside the test's own app context, as in production: every request
    gets a fresh `g` and database session, while the test body keeps its context for checks."""

    def open(self, *args, **kwargs):
        # Buffered: a streamed body is read in the request's context too, as a server does.
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


def make_app(tmp_path: Path, database: str, **settings):
    """An app on the database at URL `database`, with files under `tmp_path`; `settings`
    override the config."""
    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = database
    config.SEARCH_INDEX_DIR = str(tmp_path / "search_index")
    config.MAIL_FILE_DIR = str(tmp_path / "mail")
    config.LOGO_DIR = str(tmp_path / "logos")
    config.NEWS_IMAGE_DIR = str(tmp_path / "news_images")
    config.EXPORT_CACHE_DIR = str(tmp_path / "exports")
    for name, value in settings.items():
        setattr(config, name, value)
    app = create_app(config)
    app.test_client_class = IsolatedClient
    limiter.reset()  # counters live in memory for the whole session: each app starts at zero
    APPS_MADE.append(app)
    return app


APPS_MADE: list = []


@pytest.fixture(autouse=True)
def _close_connections():
    """After each test, close the pooled connections of every app it made (a connection left
    to the garbage collector is a ResourceWarning on PostgreSQL, failing a later test)."""
    yield
    while APPS_MADE:
        app = APPS_MADE.pop()
        with app.app_context():
            db.engine.dispose()
        _close_search(app)


def _close_search(app) -> None:
    backend = app.extensions.pop("search_backend", None)
    if backend is not None:
        backend.close()


def _template(folder: Path, build) -> str:
    """A database made once per run by `build()` (in an app context), to copy for each test."""
    database = DATABASES.new(folder, name="template")
    app = make_app(folder, database)
    with app.app_context():
        db.create_all()
        build()
        db.engine.dispose()
    _close_search(app)
    return database


@pytest.fixture(scope="session")
def schema_database(tmp_path_factory):
    """A database with the schema and nothing in it."""
    database = _template(tmp_path_factory.mktemp("schema"), lambda: None)
    yield database
    DATABASES.drop(database)


@dataclass(frozen=True)
class Seeded:
    database: str  # its URL
    index: Path  # its search index folder


@pytest.fixture(scope="session")
def seeded_database(tmp_path_factory) -> Seeded:
    """A database with the schema and all seed data, and its search index."""
    folder = tmp_path_factory.mktemp("seeded")
    database = _template(folder, lambda: load_seed_data(SEED_DIR))
    yield Seeded(database, folder / "search_index")
    DATABASES.drop(database)


@contextmanager
def _running(app):
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    _close_search(app)


@pytest.fixture
def app(tmp_path, new_database, schema_database):
    """An app with an empty schema."""
    with _running(make_app(tmp_path, new_database(schema_database))) as app:
        yield app


@pytest.fixture
def seeded_app(tmp_path, new_database, seeded_database):
    """An app on a private copy of the seeded database and its search index."""
    if seeded_database.index.exists():  # SEARCH_BACKEND=postgres keeps it in the database
        shutil.copytree(seeded_database.index, tmp_path / "search_index")
    with _running(make_app(tmp_path, new_database(seeded_database.database))) as app:
        yield app


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
