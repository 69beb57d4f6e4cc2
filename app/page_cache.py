"""Whole public pages kept for visitors who are not signed in.

A public page is the same for every visitor who is not signed in: it depends on the URL, the
language, the data and the day (programmes open and close by date), nothing else. So each worker
keeps the pages it rendered for such visitors in memory, keyed by all of those, and serves them
again without running the view. The data is the data generation (`app.generation`: every commit
that changes directory data moves it) and the search index's generation (the index follows the
database a moment later); when either moves, or the day changes, every kept page is dropped.
Both are read before the page is, so a kept page is never older than its key.

`PAGE_CACHE_BYTES` bounds each worker's memory (least recently used pages go first; 0 turns the
cache off). A view opts in with `@for_visitors`. Never kept nor served: requests from a signed-in
user or with a remember-me cookie or an Authorization header, requests with messages waiting to
be shown, methods other than GET and HEAD. Never kept: any answer but a 200, and a page whose
rendering changed the session (a CSRF token, a message shown) — such a page is not the same for
everyone.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, Response, current_app, g, request, session
from werkzeug.datastructures import Headers

from app.domain import clock
from app.i18n import current_language

# Flask-Login's keys: the signed-in user in the session, and the remember-me cookie's default
# name (REMEMBER_COOKIE_NAME overrides it).
USER_KEY = "_user_id"
FLASHES_KEY = "_flashes"
KEPT_HEADERS = ("Content-Type", "Content-Language", "Cache-Control")

_VISITOR_VIEWS = "page_cache_views"


def for_visitors(view: Callable) -> Callable:
    """Mark a public view whose page may be kept for visitors who are not signed in: it must
    depend on nothing but the URL, the language, the directory data and the day."""
    view.page_cache = True
    return view


@dataclass(frozen=True)
class Page:
    body: bytes
    headers: tuple[tuple[str, str], ...]

    def response(self) -> Response:
        return Response(self.body, status=200, headers=Headers(list(self.headers)))


class PageCache:
    """Pages of one data state, least recently used first out, at most `capacity` bytes."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self.size = 0
        self.state: tuple | None = None
        self.pages: OrderedDict[tuple, Page] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, state: tuple, key: tuple) -> Page | None:
        with self.lock:
            if state != self.state:
                self.state, self.size = state, 0
                self.pages.clear()
                return None
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def put(self, state: tuple, key: tuple, page: Page) -> None:
        cost = _cost(key, page)
        with self.lock:
            if state != self.state or cost > self.capacity or key in self.pages:
                return
            self.pages[key] = page
            self.size += cost
            while self.size > self.capacity:
                dropped = self.pages.popitem(last=False)
                self.size -= _cost(*dropped)


def _cost(key: tuple, page: Page) -> int:
    """Bytes a kept page takes: its body and its key (a query string can be kilobytes)."""
    return len(page.body) + sum(len(part) for part in key if isinstance(part, str | bytes))


def _may_use_cache() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    if request.method not in ("GET", "HEAD") or not getattr(view, "page_cache", False):
        return False
    remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    return not (
        USER_KEY in session
        or FLASHES_KEY in session
        or remember_cookie in request.cookies
        or "Authorization" in request.headers
    )


def _serve_kept_page():
    cache: PageCache = current_app.extensions["page_cache"]
    if not _may_use_cache():
        return None
    # The data's state first, then the page: the page is at least as new as its key.
    state = (*current_app.extensions["page_cache_data_state"](), clock.today())
    # The language may come from ?lang=, which also remembers it in the session.
    key = (request.path, request.query_string, current_language())
    page = cache.get(state, key)
    if page is not None:
        return page.response()
    g.page_cache_entry = (state, key, dict(session))
    return None


def _keep_page(response: Response) -> Response:
    entry = g.pop("page_cache_entry", None)
    if entry is None or request.method != "GET":
        return response
    state, key, session_before = entry
    if (
        response.status_code != 200
        or response.direct_passthrough
        or response.is_streamed
        or "Set-Cookie" in response.headers
        or dict(session) != session_before
    ):
        return response
    headers = tuple(
        (name, response.headers[name]) for name in KEPT_HEADERS if name in response.headers
    )
    current_app.extensions["page_cache"].put(state, key, Page(response.get_data(), headers))
    return response


def init_app(app: Flask, data_state: Callable[[], tuple]) -> None:
    """`data_state()` returns what public pages are built from, read before their data (counters
    that move with every change to it: app.search.engine.public_data_state)."""
    capacity = int(app.config.get("PAGE_CACHE_BYTES", 0))
    if capacity <= 0:
        return
    app.extensions["page_cache"] = PageCache(capacity)
    app.extensions["page_cache_data_state"] = data_state
    app.before_request(_serve_kept_page)
    app.after_request(_keep_page)
