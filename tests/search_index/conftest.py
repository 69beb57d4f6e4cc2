"""Fixtures for the search_index tests: document factory, synonyms, and backends — every backend
this run can reach (Whoosh and tantivy on tmp_path always; PostgreSQL when TEST_DATABASE_URL
names one)."""

from datetime import datetime
from pathlib import Path

import pytest

from search_index import Synonyms, TantivyBackend, WhooshBackend
from tests.conftest import ON_POSTGRES

SYNONYMS_FILE = Path(__file__).resolve().parents[2] / "seed" / "search_synonyms.txt"
# Only the backends this run can reach: PostgreSQL joins when the suite runs against it.
BACKENDS = ["whoosh", "tantivy"] + (["postgres"] if ON_POSTGRES else [])


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
def backend_factory(tmp_path, synonyms, new_database):
    """open(name, **options): a backend of kind `name` on this test's own store (a folder, or a
    database made for this test and dropped after it, so parallel workers never share one).
    Several backends opened on one name share the store, as the workers of one site do."""
    database: list[str] = []

    def open_backend(name: str, **options):
        options.setdefault("synonyms", synonyms)
        if name == "whoosh":
            backend = WhooshBackend(tmp_path / "index", **options)
        elif name == "tantivy":
            backend = TantivyBackend(tmp_path / "tantivy-index", **options)
        else:
            from search_index import PostgresBackend

            if not database:
                database.append(new_database())
            backend = PostgresBackend(database[0], **options)
        opened.append(backend)
        return backend

    opened = []
    yield open_backend
    for backend in opened:
        backend.close()


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
