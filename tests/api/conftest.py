"""What API tests share: a client on the seeded database, and checks of the API's conventions
(problem details, conditional GETs, CORS)."""

import pytest

PROBLEM = "application/problem+json"


@pytest.fixture
def api(client):
    """A client of the JSON API on a private copy of the seeded database (no session, no token)."""
    return client


def problem(response, status: int) -> dict:
    """The problem details of an error response, checked: its status, media type and body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status and body["title"] and "detail" in body
    return body


def revalidated(api, url: str, **headers):
    """Read `url`, then ask again with its ETag: the second answer (a 304 when nothing
    changed)."""
    first = api.get(url, headers=headers)
    assert first.status_code == 200 and first.headers["ETag"]
    return api.get(url, headers={**headers, "If-None-Match": first.headers["ETag"]})
