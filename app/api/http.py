"""How the API answers (see app/api/__init__.py): who is calling, conditional GETs and caching of
public reads, CORS, and pages of results."""

import hashlib
from functools import wraps

from flask import Flask, Response, current_app, g, request
from flask_babel import gettext as _

from app.accounts.api_tokens import authenticate
from app.domain import clock
from app.errors import Forbidden, NotFound, Unauthenticated
from app.i18n import current_language
from app.pagination import browsable_pages, last_page, window_message
from app.search.engine import public_data_state
from app.urls import public_url

PREFIX = "/api/v1"
PUBLIC_MAX_AGE = 60  # seconds a client or proxy may reuse a public answer without asking
CORS_HEADERS = "Accept, Accept-Language, If-None-Match, If-Modified-Since"
EXPOSED_HEADERS = "ETag, Last-Modified, Link, Retry-After, Content-Language"


def rate_limit() -> str:
    """Requests allowed per token (or client address): the API_RATE_LIMIT setting."""
    return current_app.config["API_RATE_LIMIT"]


def token():
    """The personal API token the request came with (None without an Authorization header);
    a header that is not a valid bearer token is refused."""
    if "api_token" not in g:
        header = request.headers.get("Authorization", "")
        scheme, _space, secret = header.partition(" ")
        if not header:
            g.api_token = None
        elif scheme.lower() != "bearer" or not secret.strip():
            raise Unauthenticated(_("Send the token as: Authorization: Bearer <token>."))
        else:
            g.api_token = authenticate(secret.strip())
    return g.api_token


def caller(scope: str = "read"):
    """The account of the request's token, which must allow `scope` ("read" or "write")."""
    found = token()
    if found is None:
        raise Unauthenticated()
    if not found.allows(scope):
        raise Forbidden(
            _("This token may only read. Create a token with the write scope to change data.")
        )
    g.api_private = True
    return found.user


def requires(scope: str):
    """A personal operation: the token is checked (and must allow `scope`) before anything
    else is read, and the document says the operation needs one."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            caller(scope)
            return view(*args, **kwargs)

        doc = wrapper.__dict__.setdefault("_apidoc", {}).setdefault("manual_doc", {})
        doc["security"] = [{"token": []}]
        return wrapper

    return decorator


def limit_key() -> str:
    """Whom a request counts against: its token (by digest, without a database read), else its
    client address."""
    header = request.headers.get("Authorization", "")
    if header:
        return "api-token:" + hashlib.sha256(header.encode()).hexdigest()
    from flask_limiter.util import get_remote_address

    return "api-address:" + get_remote_address()


def _public_etag() -> str:
    """A validator of a public answer, known before it is built: the answer depends only on the
    URL, the language, the directory data and the search index (their generations) and the day
    (programmes open and close by date)."""
    state = (public_data_state(), clock.today().isoformat(), current_language(), request.full_path)
    return hashlib.sha256(repr(state).encode()).hexdigest()[:32]


def public(view):
    """A public read: the same answer for every caller. A matching If-None-Match is answered 304
    before the view runs; the answer may be cached for PUBLIC_MAX_AGE seconds by anyone."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        token()  # a token that is sent must be valid, even where none is needed
        etag = _public_etag()
        if request.if_none_match.contains_weak(etag):
            response = Response(status=304)
        else:
            response = current_app.make_response(view(*args, **kwargs))
        response.set_etag(etag, weak=True)
        response.cache_control.public = True
        response.cache_control.max_age = PUBLIC_MAX_AGE
        response.vary.add("Accept-Language")
        return response.make_conditional(request)

    return wrapper


def personal(response: Response) -> Response:
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


def page_args(page: int, per_page: int) -> None:
    """Refuse a page past the result window, as the pages do."""
    if page > last_page(per_page):
        raise NotFound(window_message())


def page_body(items, total: int, page: int, per_page: int) -> tuple[dict, dict]:
    """A page's body and its Link header: addresses on SITE_URL, the same query otherwise."""
    pages = browsable_pages(total, per_page)
    if page > pages and page > 1:
        raise NotFound(window_message())
    link = {"next": page + 1 if page < pages else None, "prev": page - 1 if page > 1 else None}
    urls = {rel: _page_url(number) if number else None for rel, number in link.items()}
    body = {"items": items, "total": total, "page": page, "per_page": per_page, "pages": pages}
    body.update(urls)
    header = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in urls.items() if url)
    return body, ({"Link": header} if header else {})


def _page_url(number: int) -> str:
    args = request.args.to_dict(flat=False)
    args["page"] = [str(number)]
    return public_url(request.endpoint, **(request.view_args or {}), **args)


def init_app(app: Flask) -> None:
    @app.after_request
    def cross_origin(response: Response) -> Response:
        """Any site may read public data (GET), never with credentials; a cross-site request
        with a token is stopped by its preflight, which allows no Authorization header."""
        if not request.path.startswith(PREFIX + "/") or g.get("api_private"):
            return response
        if request.method in ("GET", "HEAD", "OPTIONS"):
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, HEAD"
            response.headers["Access-Control-Allow-Headers"] = CORS_HEADERS
            response.headers["Access-Control-Max-Age"] = "86400"
        return response
