"""Domain errors and unexpected failures map to HTML or JSON error pages in one place."""

import pytest
import sqlalchemy as sa

from app.errors import Conflict, Forbidden, NotFound, ValidationError
from app.extensions import db
from app.models import Agency

RAISED = {
    "validation": ValidationError("Tax code is wrong"),
    "forbidden": Forbidden(),
    "missing": NotFound(),
    "conflict": Conflict(),
}


@pytest.fixture
def failing_app(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom/<name>")
    def boom(name):
        raise RAISED[name]

    @app.get("/crash")
    def crash():
        db.session.add(Agency(code="HALF", name_vi="Chưa lưu"))
        db.session.flush()
        raise RuntimeError("unexpected")

    return app


@pytest.mark.parametrize(
    ("name", "status"),
    [("validation", 400), ("forbidden", 403), ("missing", 404), ("conflict", 409)],
)
def test_domain_errors_become_html_pages(failing_app, name, status):
    response = failing_app.test_client().get(f"/boom/{name}?lang=en")
    assert response.status_code == status
    assert f'<p class="error-code">{status}</p>' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("name", "status"),
    [("validation", 400), ("forbidden", 403), ("missing", 404), ("conflict", 409)],
)
def test_domain_errors_become_json_for_json_clients(failing_app, name, status):
    response = failing_app.test_client().get(
        f"/boom/{name}", headers={"Accept": "application/json"}
    )
    assert response.status_code == status
    assert response.json["error"]["status"] == status


def test_validation_message_is_shown(failing_app):
    html = failing_app.test_client().get("/boom/validation").get_data(as_text=True)
    assert "Tax code is wrong" in html


def test_unexpected_error_is_a_500_page_and_rolls_back(failing_app):
    response = failing_app.test_client().get("/crash?lang=vi")
    assert response.status_code == 500
    assert '<html lang="vi">' in response.get_data(as_text=True)
    with failing_app.app_context():
        assert db.session.scalar(sa.select(Agency).where(Agency.code == "HALF")) is None
