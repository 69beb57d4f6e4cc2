"""Page numbers of long lists, and the result window: only the first RESULT_WINDOW results
(configuration) of a list or a search can be browsed page by page, as in Elasticsearch, so that
no request makes the database skip thousands of rows; people narrow the filters instead."""

from flask import current_app, request
from flask_babel import gettext as _

from app.errors import NotFound
from app.i18n import format_number
from app.parsing import parse_int


def result_window() -> int:
    return current_app.config["RESULT_WINDOW"]


def last_page(per_page: int) -> int:
    """The last page that starts inside the result window."""
    return max(1, -(-result_window() // per_page))


def requested_page(per_page: int) -> int:
    """The page asked for in `?page=`: not a page number is a 404; past the window, a 404 that
    says why."""
    page = parse_int(request.args.get("page", "1"), low=1)
    if page is None:
        raise NotFound()
    if page > last_page(per_page):
        raise NotFound(window_message())
    return page


def browsable_pages(total: int, per_page: int) -> int:
    """How many pages the pager offers: all of them, up to the result window."""
    return max(1, min(-(-total // per_page), last_page(per_page)))


def window_message() -> str:
    return _(
        "Only the first %(count)s results can be browsed. "
        "Narrow the filters or the search to see the others.",
        count=format_number(result_window()),
    )
