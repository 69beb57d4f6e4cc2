"""Only SCT curators and administrators may import; others get 403, anonymous users log in."""

import io

import pytest

from tests.conftest import csrf_token
from tests.curation.helpers import ADMIN, BUSINESS, CURATOR, CURATOR_KHCN, INVESTOR, anonymous_token
from tests.imports.helpers import as_user

PAGES = [
    "/curation/imports/",
    "/curation/imports/firms",
    "/curation/imports/catalogue/template.csv",
    "/curation/imports/zones/template.xlsx",
]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize(
    "email, status",
    [(BUSINESS, 403), (INVESTOR, 403), (CURATOR_KHCN, 403), (CURATOR, 200), (ADMIN, 200)],
)
def test_import_pages_are_for_reviewers_only(client, url, email, status):
    as_user(client, email)

    assert client.get(url).status_code == status


@pytest.mark.parametrize("email", [BUSINESS, INVESTOR, CURATOR_KHCN])
def test_others_cannot_post_an_import(client, email):
    as_user(client, CURATOR)
    token = csrf_token(client, "/curation/imports/firms")
    as_user(client, email)

    response = client.post(
        "/curation/imports/firms",
        data={"csrf_token": token, "file": (io.BytesIO(b"tax_code,legal_name\n"), "f.csv")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 403


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_users_are_sent_to_log_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert "/login" in response.location


def test_anonymous_post_is_sent_to_log_in(client):
    token = anonymous_token(client)

    response = client.post("/curation/imports/firms", data={"csrf_token": token})

    assert response.status_code == 302 and "/login" in response.location
