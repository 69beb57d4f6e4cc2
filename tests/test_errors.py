"""Domain errors and unexpected failures map to HTML or JSON error pages in one place."""

import pytest
import sqlalchemy as sa

from app.errors import Conflict, Forbidden, NotFound, Unauthenticated, ValidationError
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


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("vi", "Mã truy cập API bị thiếu, không hợp lệ"),
        ("en", "The API token is missing, invalid"),
    ],
)
def test_unauthenticated_asks_for_a_bearer_token_in_the_users_language(
    failing_app, language, message
):
    @failing_app.get("/api/v1/refused")
    def refused():
        raise Unauthenticated()

    response = failing_app.test_client().get(f"/api/v1/refused?lang={language}")

    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json["detail"].startswith(message)


def test_validation_message_is_shown(failing_app):
    html = failing_app.test_client().get("/boom/validation").get_data(as_text=True)
    assert "Tax code is wrong" in html


def test_unexpected_error_is_a_500_page_and_rolls_back(failing_app):
    response = failing_app.test_client().get("/crash?lang=vi")
    assert response.status_code == 500
    assert '<html lang="vi">' in response.get_data(as_text=True)
    with failing_app.app_context():
        assert db.session.scalar(sa.select(Agency).where(Agency.code == "HALF")) is None
