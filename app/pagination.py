"""Reading a page number from the query string: anything that is not a page is a 404."""

from flask import request
from werkzeug.exceptions import NotFound


def requested_page() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        raise NotFound()
    return int(raw)
