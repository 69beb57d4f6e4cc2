"""Fixtures for the search_index tests: document factory, synonyms, and backends — every backend
this run can reach (Whoosh and tantivy on tmp_path always; PostgreSQL when TEST_DATABASE_URL
names one)."""

import os
from datetime import datetime
from pathlib import Path

import pytest

from search_index import Synonyms, TantivyBackend, WhooshBackend

SYNONYMS_FILE = Path(__file__).resolve().parents[2] / "seed" / "search_synonyms.txt"
DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
# Only the backends this run can reach: PostgreSQL joins when the suite runs against it.
BACKENDS = ["whoosh", "tantivy"] + (["postgres"] if DATABASE_URL.startswith("postgresql") else [])


def build_doc(
    kind="firm",
    id=1,
    title="",
    body="",
    keywords="",
    title_en=None,
    body_en=None,
    facets=None,
    updated=None,
    closes=None,
    stored=None,
):
    return {
        "kind": kind,
        "id": id,
        "title": title,
        "title_en": title_en,
        "keywords": keywords,
        "body": body,
        "body_en": body_en,
        "facets": facets or {},
        "sort": {"updated": updated or datetime(2025, 1, 1), "closes": closes},
        "stored": stored if stored is not None else {"name": title},
    }


@pytest.fixture(scope="session")
def synonyms() -> Synonyms:
    return Synonyms.load(SYNONYMS_FILE)


@pytest.fixture
def make_doc():
    return build_doc


@pytest.fixture
def backend_factory(tmp_path, synonyms):
    """open(name, **options): a backend of kind `name` on this test's own store (a folder, or the
    database's search tables, emptied before and dropped after the test). Several backends
    opened on one name share the store, as the workers of one site do."""

    def open_backend(name: str, **options):
        options.setdefault("synonyms", synonyms)
        if name == "whoosh":
            backend = WhooshBackend(tmp_path / "index", **options)
        elif name == "tantivy":
            backend = TantivyBackend(tmp_path / "tantivy-index", **options)
        else:
            from search_index import PostgresBackend

            backend = PostgresBackend(DATABASE_URL, **options)
            if not databases:
                backend.drop_tables()  # left over by an interrupted run
            databases.append(backend)
        opened.append(backend)
        return backend

    opened, databases = [], []
    yield open_backend
    for backend in opened:
        backend.close()
    if databases:
        databases[0].drop_tables()


@pytest.fixture(params=BACKENDS)
def backend_name(request) -> str:
    return request.param


@pytest.fixture
def backend(backend_factory, backend_name):
    """A fresh backend of each kind this run can reach."""
    return backend_factory(backend_name)


@pytest.fixture
def whoosh_backend(backend_factory) -> WhooshBackend:
    return backend_factory("whoosh")


@pytest.fixture
def index_with(backend):
    """Apply documents to a fresh backend and return it."""

    def index_with(*docs):
        backend.apply(list(docs))
        return backend

    return index_with
