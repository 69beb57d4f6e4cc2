"""/healthz: 200 with the index generation and the outbox backlog when the worker can serve,
503 with what failed when it cannot."""

import pytest

from app.extensions import db
from app.models import SearchOutbox
from app.models.base import utcnow
from tests.conftest import make_app


def test_a_healthy_worker_reports_its_index_and_backlog(client, seeded_app):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["search_index"] == "ok"
    assert body["outbox_backlog"] == 0 and body["search_generation"]
    db.session.add(
        SearchOutbox(entity_kind="firm", entity_id=1, operation="upsert", created_at=utcnow())
    )
    db.session.commit()
    assert client.get("/healthz").get_json()["outbox_backlog"] == 1


@pytest.mark.parametrize("server", ["sqlite", "postgresql"])
def test_a_worker_whose_database_is_down_answers_503(tmp_path, server):
    if server == "sqlite":
        folder = tmp_path / "not-a-database"
        folder.mkdir()  # SQLite cannot open a folder: every query fails as with a server gone
        database = f"sqlite:///{folder}"
    else:  # nothing listens on port 1: the connection is refused, as when the server is down
        database = "postgresql+psycopg://cnmt@127.0.0.1:1/cnmt"
    app = make_app(tmp_path, database)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable" and body["database"] == "unavailable"
