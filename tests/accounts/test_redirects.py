"""`next` after log-in only ever leads to a page of this site."""

import pytest

from app.accounts.redirects import safe_next
from tests.accounts.conftest import log_in

OPEN_REDIRECTS = [
    "//evil.example",
    "//evil.example/path",
    "https://evil.example",
    "http:evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "javascript:alert(1)",
    "evil.example",
    "",
]


@pytest.mark.parametrize("url", OPEN_REDIRECTS)
def test_safe_next_refuses_anything_that_could_leave_the_site(url):
    assert safe_next(url) is None


@pytest.mark.parametrize("url", ["/", "/firms?page=2", "/account", "/firms/a-b#contact"])
def test_safe_next_keeps_local_paths(url):
    assert safe_next(url) == url


@pytest.mark.parametrize(
    "url", ["//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)"]
)
def test_login_with_a_foreign_next_lands_on_a_local_page(client, url):
    response = log_in(client, "business@demo.cnmt.vn", "demo-business-2026", next_url=url)

    assert response.status_code == 302
    assert response.headers["Location"] == "/my/firms"


def test_login_follows_a_local_next(client):
    response = log_in(client, "business@demo.cnmt.vn", "demo-business-2026", next_url="/firms")

    assert response.headers["Location"] == "/firms"


def test_login_page_drops_a_foreign_next_from_its_form(client):
    html = client.get("/login?next=//evil.example").get_data(as_text=True)

    assert 'name="next" type="hidden" value=""' in html
