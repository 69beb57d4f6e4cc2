"""Logging: the level from LOG_LEVEL, and a request id on every line logged while a request is
served, so that one request's lines can be found among several workers'. The id comes from the
proxy's `X-Request-Id` when it is a plain token (anything else is replaced, so a client cannot
forge log lines), else a new one; the response carries it back."""

import logging
import re
import uuid

from flask import Flask, g, has_request_context, request

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


def _record_factory(previous):
    def make(*args, **kwargs):
        record = previous(*args, **kwargs)
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return record

    make.adds_request_id = True
    return make


def init_app(app: Flask) -> None:
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "adds_request_id", False):  # once per process, not per app
        logging.setLogRecordFactory(_record_factory(factory))
    root = logging.getLogger()
    if not any(getattr(h, "cnmt", False) for h in root.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.cnmt = True
        root.addHandler(handler)
    root.setLevel(app.config.get("LOG_LEVEL", "INFO"))

    @app.before_request
    def assign_request_id():
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex

    @app.after_request
    def return_request_id(response):
        if "request_id" in g:
            response.headers["X-Request-Id"] = g.request_id
        return response
