"""The API's conventions, on the seeded data: pages and links on SITE_URL, conditional GETs,
CORS for public reads only, problem details in the language asked for, the OpenAPI document,
and what a firm shows (drafts never; contacts only where the firm chose to)."""

import sqlalchemy as sa
from openapi_spec_validator import validate

from app.extensions import db
from app.models import Firm, FirmStatus
from tests.conftest import make_user

PROBLEM = "application/problem+json"


def published(**where) -> Firm:
    return db.session.scalars(
        sa.select(Firm).filter_by(status=FirmStatus.PUBLISHED, **where).order_by(Firm.id)
    ).first()


def test_the_openapi_document_is_valid_openapi_3_1_and_names_every_operation(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"] == "3.1.0"
    validate(spec)
    for path in ("/api/v1/firms", "/api/v1/firms/{slug}", "/api/v1/search", "/api/v1/suggest"):
        assert "get" in spec["paths"][path]
    patch = spec["paths"]["/api/v1/me/firms/{firm_id}"]["patch"]
    assert patch["security"] == [{"token": []}]
    problem = spec["components"]["responses"]["DEFAULT_ERROR"]["content"]
    assert list(problem) == [PROBLEM]


def test_the_docs_page_is_linked_from_the_footer_and_shows_every_operation(client):
    home = client.get("/").get_data(as_text=True)
    assert 'href="/api/docs"' in home
    spec = client.get("/api/v1/openapi.json").get_json()
    page = client.get("/api/docs?lang=en").get_data(as_text=True)
    assert 'href="/api/v1/openapi.json"' in page
    for path, item in spec["paths"].items():
        for method in set(item) - {"parameters"}:
            assert f"<code>{method.upper()} {path}</code>" in page
    for name in spec["components"]["schemas"]:
        assert f'id="schema-{name}"' in page
    assert "<script" not in page.split("<main", 1)[1].split("</main>")[0]


def test_the_console_loads_swagger_ui_from_this_site(client):
    page = client.get("/api/console").get_data(as_text=True)
    for asset in ("vendor/swagger-ui/swagger-ui-bundle.js", "vendor/swagger-ui/swagger-ui.css"):
        assert f"/static/{asset}" in page
        assert client.get(f"/static/{asset}").status_code == 200
    assert "https://" not in page.split("<main", 1)[1].split("</main>")[0]


def test_firms_come_in_pages_with_links_on_site_url(client, seeded_app):
    response = client.get("/api/v1/firms?per_page=5", headers={"Host": "evil.example"})
    body = response.get_json()
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(Firm).where(Firm.status == FirmStatus.PUBLISHED)
    )
    assert (body["total"], body["page"], body["per_page"], body["prev"]) == (total, 1, 5, None)
    assert len(body["items"]) == 5
    site = seeded_app.config["SITE_URL"]
    assert body["next"] == f"{site}/api/v1/firms?per_page=5&page=2"
    assert response.headers["Link"] == f'<{body["next"]}>; rel="next"'
    assert all(item["url"].startswith(f"{site}/firms/") for item in body["items"])
    last = client.get(f"/api/v1/firms?per_page=5&page={body['pages']}").get_json()
    assert last["next"] is None and last["prev"].endswith(f"page={body['pages'] - 1}")
    every = {
        item["id"]
        for page in range(1, body["pages"] + 1)
        for item in client.get(f"/api/v1/firms?per_page=5&page={page}").get_json()["items"]
    }
    assert len(every) == total


def test_the_directory_filters_are_those_of_the_firms_page(client):
    firm = published(seeking_investment=True)
    found = client.get(f"/api/v1/firms?seeking=true&ward={firm.ward_code}").get_json()
    assert found["items"] and all(item["seeking_investment"] for item in found["items"])
    assert firm.id in {item["id"] for item in found["items"]}
    assert all(item["ward"]["code"] == firm.ward_code for item in found["items"])
    page = client.get(f"/firms?seeking=yes&ward={firm.ward_code}").get_data(as_text=True)
    assert all(f"/firms/{item['slug']}" in page for item in found["items"])


def test_a_filter_that_names_nothing_is_refused_not_ignored(client):
    response = client.get("/api/v1/firms?zone=no-such-zone&lang=en")
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    assert response.get_json()["errors"] == {"zone": ["no-such-zone"]}


def test_one_firm_has_its_items_codes_ward_and_last_modified(client):
    firm = published()
    response = client.get(f"/api/v1/firms/{firm.slug}")
    body = response.get_json()
    assert body["id"] == firm.id and body["tax_code"] == firm.tax_code
    assert {o["code"] for o in body["offers"]} == {link.item.code for link in firm.offerings}
    assert body["ward"]["code"] == firm.ward_code and body["ward"]["name"]
    assert response.last_modified is not None
    again = client.get(
        f"/api/v1/firms/{firm.slug}",
        headers={"If-Modified-Since": response.headers["Last-Modified"]},
    )
    assert again.status_code == 304


def test_contacts_show_only_where_the_firm_chose_to(client):
    hidden = published(show_contact=False)
    hidden.email = "private-contact@example.vn"
    db.session.commit()
    body = client.get(f"/api/v1/firms/{hidden.slug}").get_data(as_text=True)
    assert "private-contact@example.vn" not in body
    assert client.get(f"/api/v1/firms/{hidden.slug}").get_json()["contact"] is None
    shown = published(show_contact=True)
    assert client.get(f"/api/v1/firms/{shown.slug}").get_json()["contact"]["email"] == shown.email


def test_drafts_and_unknown_slugs_are_not_found(client):
    draft = db.session.scalars(sa.select(Firm).where(Firm.status != FirmStatus.PUBLISHED)).first()
    assert draft is not None
    for slug in (draft.slug, "no-such-firm"):
        response = client.get(f"/api/v1/firms/{slug}?lang=en")
        assert response.status_code == 404
        assert response.mimetype == PROBLEM
        assert response.get_json()["title"] == "Page not found"
    listed = {i["id"] for i in client.get("/api/v1/firms?per_page=100").get_json()["items"]}
    assert draft.id not in listed


def test_a_matching_etag_is_answered_304_and_a_data_change_makes_a_new_one(client):
    first = client.get("/api/v1/firms?per_page=3")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, max-age=60"
    again = client.get("/api/v1/firms?per_page=3", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    other_language = client.get("/api/v1/firms?per_page=3&lang=en", headers={"If-None-Match": etag})
    assert other_language.status_code == 200
    firm = published()
    firm.trade_name = "Tên mới"
    db.session.commit()
    changed = client.get("/api/v1/firms?per_page=3", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_public_reads_allow_any_origin_and_personal_ones_do_not(client):
    response = client.get("/api/v1/firms", headers={"Origin": "https://zone.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    preflight = client.options(
        "/api/v1/firms",
        headers={"Origin": "https://zone.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD"
    assert "Authorization" not in preflight.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Origin" not in client.get("/firms").headers


def test_errors_are_problem_details_in_the_language_asked_for(client):
    vietnamese = client.get("/api/v1/firms?page=0").get_json()
    english = client.get("/api/v1/firms?page=0", headers={"Accept-Language": "en"}).get_json()
    assert english["errors"] == {"page": ["Must be greater than or equal to 1."]}
    assert vietnamese["errors"] == {"page": ["Phải lớn hơn hoặc bằng 1."]}
    assert english["status"] == 422 and english["title"] == "Invalid data"
    assert client.get("/api/v1/firms?page=0&lang=en").get_json() == english


def test_the_api_never_touches_the_session(client):
    response = client.get("/api/v1/firms?lang=en")
    assert "Set-Cookie" not in response.headers
    assert 'lang="vi"' in client.get("/").get_data(as_text=True)


def test_session_cookies_authorize_nothing(client):
    from tests.conftest import login_as

    login_as(client, make_user("owner@example.vn"))
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'


def test_hostile_inputs_get_a_problem_never_a_server_error(client):
    for url in (
        "/api/v1/firms?q=" + "x" * 5000,
        "/api/v1/firms?per_page=101",
        "/api/v1/firms?page=99999999999999999999",
        "/api/v1/firms?since=yesterday",
        "/api/v1/firms?group=NOPE&ward=abc",
        "/api/v1/firms?amount_min=-1",
        "/api/v1/search?kind=everything&q=a",
        "/api/v1/search",
        "/api/v1/suggest",
        "/api/v1/firms/%00",
        "/api/v1/no-such-resource",
    ):
        response = client.get(url)
        assert 400 <= response.status_code < 500, url
        assert response.mimetype == PROBLEM, url
    assert client.get("/api/v1/search?q=%22((").status_code == 200  # nothing found
    malformed = client.patch(
        "/api/v1/me/firms/1", data="{", headers={"Content-Type": "application/json"}
    )
    assert malformed.status_code == 401  # no token: nothing is read


def test_search_has_the_pages_query_language_facets_and_links(client, seeded_app):
    body = client.get("/api/v1/search?q=nuoc+thai&kind=firm&per_page=3").get_json()
    assert body["total"] > 3 and len(body["items"]) == 3
    assert {hit["kind"] for hit in body["items"]} == {"firm"}
    assert body["facets"]["group"] and body["kinds"]["firm"] == body["total"]
    accented = client.get("/api/v1/search?q=nước+thải&kind=firm&per_page=3").get_json()
    assert accented["total"] == body["total"]
    page = client.get("/search?q=nuoc+thai&kind=firm").get_data(as_text=True)
    assert all(
        hit["url"].removeprefix(seeded_app.config["SITE_URL"]) in page for hit in body["items"]
    )
    suggestions = client.get("/api/v1/suggest?q=nuoc").get_json()["items"]
    assert suggestions and all(
        s["url"].startswith(seeded_app.config["SITE_URL"]) for s in suggestions
    )
