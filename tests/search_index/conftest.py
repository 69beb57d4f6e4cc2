"""Fixtures for the search_index tests: document factory, synonyms, and backends on tmp_path."""

from datetime import datetime
from pathlib import Path

import pytest

from search_index import Synonyms, WhooshBackend

SYNONYMS_FILE = Path(__file__).resolve().parents[2] / "seed" / "search_synonyms.txt"


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
def backend(tmp_path, synonyms) -> WhooshBackend:
    backend = WhooshBackend(tmp_path / "index", synonyms=synonyms)
    yield backend
    backend.close()


@pytest.fixture
def index_with(backend):
    """Apply documents to a fresh backend and return it."""

    def index_with(*docs):
        backend.apply(list(docs))
        return backend

    return index_with
