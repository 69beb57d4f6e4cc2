"""What every public read of the API does alike: CORS for any origin, an ETag answered 304 when it
matches, problems in the language asked for, and no 5xx whatever the query."""

import json
import re

import pytest

from tests.api.conftest import problem, revalidated

PUBLIC_READS = [
    "/api/v1/catalogue",
    "/api/v1/catalogue/NT",
    "/api/v1/catalogue/NT.CN.01",
    "/api/v1/programmes",
    "/api/v1/programmes?status=open",
    "/api/v1/programmes/ho-tro-dnnvv-tu-van-dao-tao",
    "/api/v1/zones",
    "/api/v1/zones/kkt-dung-quat",
    "/api/v1/incubators",
    "/api/v1/incubators/vuon-uom-cnmt-mau-ccn",
    "/api/v1/statistics",
]


@pytest.mark.parametrize("url", PUBLIC_READS)
def test_public_reads_answer_any_origin_and_may_be_cached(api, url):
    response = api.get(url, headers={"Origin": "https://example.org"})

    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    assert response.cache_control.public and response.cache_control.max_age
    assert "Accept-Language" in response.vary


@pytest.mark.parametrize("url", PUBLIC_READS)
def test_a_matching_etag_is_answered_304_without_a_body(api, url):
    again = revalidated(api, url)

    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["Access-Control-Allow-Origin"] == "*"


def test_an_etag_is_per_language(api):
    english = api.get("/api/v1/statistics?lang=en")

    again = api.get("/api/v1/statistics", headers={"If-None-Match": english.headers["ETag"]})

    assert again.status_code == 200


def test_problems_are_in_the_language_asked_for(api):
    vietnamese = problem(api.get("/api/v1/zones/nowhere"), 404)
    english = problem(api.get("/api/v1/zones/nowhere?lang=en"), 404)
    by_header = problem(api.get("/api/v1/zones/nowhere", headers={"Accept-Language": "en"}), 404)

    assert english == by_header
    assert english["title"] == "Page not found" and vietnamese["title"] != english["title"]
    bad = problem(api.get("/api/v1/programmes?status=nope&lang=en"), 422)
    assert bad["errors"]["status"] == ["Must be one of: open, forecast, closed."]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/firms?page=0",
        "/api/v1/firms?per_page=100000",
        "/api/v1/firms?page=99999999999999999999",
        "/api/v1/programmes?status=" + "x" * 10000,
        "/api/v1/programmes?support=%00nope",
        "/api/v1/programmes?agency=%00X",
        "/api/v1/catalogue/%C2%9F",
        "/api/v1/catalogue/..%2F..",
        "/api/v1/zones/" + "z" * 10000,
        "/api/v1/incubators/%00",
    ],
)
def test_hostile_input_is_a_client_error_never_a_server_error(api, url):
    response = api.get(url)

    assert 400 <= response.status_code < 500
    problem(response, response.status_code)


def test_extra_query_parameters_are_ignored(api):
    plain = api.get("/api/v1/zones").get_json()

    assert api.get("/api/v1/zones?page=0&utm_source=x&callback=evil").get_json() == plain


def test_every_reference_in_the_openapi_document_resolves(api):
    document = api.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]

    refs = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(document)))

    assert refs and refs <= set(schemas), refs - set(schemas)
    for path in ("/api/v1/catalogue/{code}", "/api/v1/programmes", "/api/v1/zones/{slug}"):
        assert document["paths"][path]["get"]["summary"]
