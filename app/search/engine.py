"""One search backend per process, created on first use from the app's settings:
SEARCH_BACKEND "whoosh" or "tantivy" (files in SEARCH_INDEX_DIR) or "postgres" (tables in the
app's own PostgreSQL database, shared by every host)."""

from pathlib import Path

from flask import Flask, current_app

from app.domain.places import place_names
from app.extensions import db
from app.generation import current_generation
from search_index import SearchBackend, Synonyms, TantivyBackend, WhooshBackend, Words

SYNONYMS_FILE = Path(__file__).resolve().parent.parent.parent / "seed" / "search_synonyms.txt"
BACKENDS = ("whoosh", "tantivy", "postgres")


def uses_database_index(app: Flask) -> bool:
    """True when the index lives in the database (several hosts share it)."""
    return app.config["SEARCH_BACKEND"] == "postgres"


def search_backend(app: Flask) -> SearchBackend:
    backend = app.extensions.get("search_backend")
    if backend is None:
        name = app.config["SEARCH_BACKEND"]
        options = {
            "synonyms": Synonyms.load(SYNONYMS_FILE),
            "words": Words.bundled().extended(place_names()),
            "cache": app.config.get("SEARCH_CACHE", True),
        }
        if name == "whoosh":
            backend = WhooshBackend(app.config["SEARCH_INDEX_DIR"], **options)
        elif name == "tantivy":
            backend = TantivyBackend(app.config["SEARCH_INDEX_DIR"], **options)
        elif name == "postgres":
            from search_index.postgres_backend import PostgresBackend

            with app.app_context():
                engine = db.engine
            if engine.dialect.name != "postgresql":
                raise RuntimeError(
                    "SEARCH_BACKEND=postgres keeps the index in the application's database, "
                    f"which must be PostgreSQL (DATABASE_URL is {engine.dialect.name}); "
                    "use SEARCH_BACKEND=whoosh or a postgresql:// DATABASE_URL."
                )
            backend = PostgresBackend(engine, **options)
        else:
            raise RuntimeError(f"Unknown SEARCH_BACKEND {name!r}; choose one of {BACKENDS}.")
        app.extensions["search_backend"] = backend
    return backend


def public_data_state() -> tuple[int, str]:
    """What public pages are built from, as two counters read before the pages' data: the
    data generation (every commit changing directory data) and the search index's generation
    (which follows the database a moment later). Pages kept for visitors depend on both."""
    return current_generation(), search_backend(current_app).generation()


def is_migrated_object(object_, name, type_, reflected, compare_to) -> bool:
    """Alembic's include_object: the search index's own tables are derived data that the
    PostgreSQL backend creates itself, never part of the migrations."""
    from search_index.postgres_backend import TABLES

    table = name if type_ == "table" else getattr(getattr(object_, "table", None), "name", None)
    return table not in TABLES
