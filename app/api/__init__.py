"""The public JSON API, version 1, under /api/v1, documented by an OpenAPI 3.1 document generated
from this code (/api/v1/openapi.json, read at /api/v1/docs).

Built on flask-smorest: its resources are plain Flask views on blueprints, so the API lives in the
same app as the pages, and their marshmallow schemas both parse requests and write the OpenAPI
document — the document cannot drift from what the code does. (APIFlask would replace the Flask
application class; spectree would bring pydantic as a second way to declare data.)

Every resource calls the same service actions as the web pages. Conventions (`app.api.http`):
- JSON with stable ids and slugs, ISO 8601 dates, money as integers of đồng;
- lists paginated by page with the site's hard cap (RESULT_WINDOW), `next`/`prev` in the body
  and a `Link` header;
- public reads carry an `ETag` (and `Last-Modified` for one record), answer a matching
  `If-None-Match` with 304 before doing any work, and allow any origin (CORS, GET only);
- personal reads and every write need a personal API token (`Authorization: Bearer`, created
  on the profile page) with the right scope; session cookies are never read here, so there is
  no CSRF surface, and each token has its own rate limit;
- errors are RFC 9457 problem details (`application/problem+json`, `app.errors.problem`) in
  the language asked for (`?lang=`, else Accept-Language, else Vietnamese).
"""

from http import HTTPStatus
from importlib import import_module

from flask import Flask
from flask_smorest import Api as SmorestApi
from flask_smorest.utils import prepare_response

from app.api import docs, http
from app.api.http import PREFIX
from app.api.schemas import ProblemSchema
from app.errors import PROBLEM_TYPE
from app.extensions import csrf
from app.security import limiter

# The resource modules, one blueprint each, in the order of the document.
RESOURCES = (
    "firms",
    "catalogue",
    "programmes",
    "places",
    "search",
    "statistics",
    "account",
    "curation",
)


class Api(SmorestApi):
    """flask-smorest's Api, minus its error handlers (app.errors answers every error, as problem
    details under /api/v1/) and with the error responses documented as problem details."""

    def _register_error_handlers(self):
        pass

    def _register_responses(self):
        for status in (304, 400, 401, 403, 404, 409, 412, 415, 422, 428, 429):
            phrase = HTTPStatus(status)
            response = {"description": phrase.phrase}
            if status != 304:
                response["schema"] = ProblemSchema
            prepare_response(response, self.spec, PROBLEM_TYPE)
            self.spec.components.response(phrase.name, response, lazy=True)
        # Any other error an operation may answer (a malformed body, a rate limit, …).
        response = {"description": "An error, as problem details.", "schema": ProblemSchema}
        prepare_response(response, self.spec, PROBLEM_TYPE)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)


def init_app(app: Flask) -> None:
    app.config.update(
        API_TITLE="Quảng Ngãi environmental industry directory",
        API_VERSION="1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX=PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
    )
    api = Api(app, spec_kwargs=_spec_kwargs(app))
    app.extensions["api_v1"] = api
    api.spec.components.security_scheme(
        "token", {"type": "http", "scheme": "bearer", "description": "A personal API token."}
    )
    for name in RESOURCES:
        blp = import_module(f"app.api.{name}").blp
        csrf.exempt(blp)  # session cookies authorize nothing here: tokens do
        limiter.limit(http.rate_limit, key_func=http.limit_key)(blp)
        api.register_blueprint(blp)
    http.init_app(app)
    app.register_blueprint(docs.bp)


def _spec_kwargs(app: Flask) -> dict:
    return {
        "info": {
            "description": (
                "Firms of the environmental industry in Quảng Ngãi, the Decision 980 catalogue, "
                "support programmes, industrial zones and clusters, incubators, search and "
                "public statistics, published by Sở Công Thương Quảng Ngãi. Personal reads and "
                "writes need a personal API token (profile page), sent as "
                "`Authorization: Bearer <token>`."
            ),
        },
        "servers": [{"url": app.config["SITE_URL"].rstrip("/")}],
    }
