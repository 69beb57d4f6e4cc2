"""One search backend per process, created on first use from the app's settings."""

from pathlib import Path

from flask import Flask

from search_index import SearchBackend, Synonyms, WhooshBackend

SYNONYMS_FILE = Path(__file__).resolve().parent.parent.parent / "seed" / "search_synonyms.txt"


def search_backend(app: Flask) -> SearchBackend:
    backend = app.extensions.get("search_backend")
    if backend is None:
        name = app.config["SEARCH_BACKEND"]
        if name != "whoosh":
            raise RuntimeError(f"Unknown SEARCH_BACKEND {name!r}; this build supports 'whoosh'.")
        backend = WhooshBackend(
            app.config["SEARCH_INDEX_DIR"],
            synonyms=Synonyms.load(SYNONYMS_FILE),
            cache=app.config.get("SEARCH_CACHE", True),
        )
        app.extensions["search_backend"] = backend
    return backend
