"""Which search backend the app uses: SEARCH_BACKEND, and a clear refusal when it cannot work."""

import pytest

from app.extensions import db
from app.search.engine import search_backend
from search_index import WhooshBackend


def use_backend(app, name: str) -> None:
    app.config["SEARCH_BACKEND"] = name
    previous = app.extensions.pop("search_backend", None)
    if previous is not None:
        previous.close()


def test_whoosh_backend_keeps_the_index_in_its_folder(app):
    use_backend(app, "whoosh")
    backend = search_backend(app)
    assert isinstance(backend, WhooshBackend)
    assert str(backend.path) == app.config["SEARCH_INDEX_DIR"]


def test_postgres_backend_keeps_the_index_in_the_apps_postgresql_database(app):
    use_backend(app, "postgres")
    if db.engine.dialect.name == "postgresql":
        backend = search_backend(app)
        assert type(backend).__name__ == "PostgresBackend"
        assert backend.engine is db.engine
        assert backend.search("nuoc").total == 0
    else:
        with pytest.raises(RuntimeError, match="must be PostgreSQL"):
            search_backend(app)


def test_an_unknown_backend_is_refused_by_name(app):
    use_backend(app, "elastic")
    with pytest.raises(RuntimeError, match="'elastic'"):
        search_backend(app)
