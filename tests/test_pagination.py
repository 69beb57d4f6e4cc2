"""Long lists and searches can be browsed only within the result window: deeper pages are a
404 that says to narrow the search, and the pager stops at the window."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Firm, FirmStatus, User
from tests.conftest import login_as

WINDOW_NOTE = "Only the first 10 results can be browsed"


@pytest.fixture
def small_window(seeded_app):
    seeded_app.config.update(RESULT_WINDOW=10, FIRMS_PER_PAGE=5)
    published = db.session.scalar(
        sa.select(sa.func.count()).select_from(Firm).where(Firm.status == FirmStatus.PUBLISHED)
    )
    assert published > 10, "the sample data must be longer than the window"


def login(client, email: str) -> None:
    login_as(client, db.session.scalar(sa.select(User).where(User.email == email)))


@pytest.mark.usefixtures("small_window")
@pytest.mark.parametrize(
    ("email", "url"),
    [(None, "/firms"), ("investor@demo.cnmt.vn", "/investor/firms")],
)
def test_firm_lists_stop_at_the_result_window(client, email, url):
    if email:
        login(client, email)

    last = client.get(f"{url}?page=2&lang=en")
    beyond = client.get(f"{url}?page=3&lang=en")

    assert last.status_code == 200
    html = last.get_data(as_text=True)
    assert "Page 2 of 2" in html and 'rel="next"' not in html
    assert WINDOW_NOTE in html
    assert beyond.status_code == 404
    assert WINDOW_NOTE in beyond.get_data(as_text=True)


def test_search_stops_at_the_result_window(seeded_app, client):
    seeded_app.config["RESULT_WINDOW"] = 20
    response = client.get("/search?q=&kind=firm&page=2&lang=en")
    assert response.status_code == 404
    assert "Only the first 20 results can be browsed" in response.get_data(as_text=True)


def test_review_queue_stops_at_the_result_window(seeded_app, client):
    seeded_app.config["RESULT_WINDOW"] = 25
    login(client, "curator@demo.cnmt.vn")
    response = client.get("/curation/?page=2&lang=en")
    assert response.status_code == 404
    assert "Only the first 25 results can be browsed" in response.get_data(as_text=True)


def test_lists_shorter_than_the_window_show_no_note(client):
    assert "can be browsed" not in client.get("/firms?lang=en").get_data(as_text=True)
