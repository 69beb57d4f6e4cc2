"""Each request has an id: taken from the proxy's X-Request-Id when it is a plain token, made up
otherwise, sent back on the response and put on every line logged while serving it."""

import logging

from flask import Blueprint

from app.extensions import db


def test_a_request_id_is_made_sent_back_and_logged(seeded_app, caplog):
    probe = Blueprint("log_probe", __name__)

    @probe.get("/_log_probe")
    def log_probe():
        logging.getLogger("app.probe").warning("probe")
        return "ok"

    seeded_app.register_blueprint(probe)
    client = seeded_app.test_client()
    with caplog.at_level(logging.WARNING, logger="app.probe"):
        made = client.get("/_log_probe")
        kept = client.get("/_log_probe", headers={"X-Request-Id": "lb-7f3a.42"})
        forged = client.get("/_log_probe", headers={"X-Request-Id": "x] ERROR forged [" + "a" * 99})
    assert len(made.headers["X-Request-Id"]) == 32
    assert kept.headers["X-Request-Id"] == "lb-7f3a.42"
    assert (
        "\n" not in forged.headers["X-Request-Id"]
        and "forged" not in forged.headers["X-Request-Id"]
    )
    ids = [record.request_id for record in caplog.records if record.name == "app.probe"]
    assert ids == [
        made.headers["X-Request-Id"],
        "lb-7f3a.42",
        forged.headers["X-Request-Id"],
    ]


def test_lines_outside_a_request_say_so(seeded_app, caplog):
    with caplog.at_level(logging.WARNING, logger="app.probe"):
        logging.getLogger("app.probe").warning("outside")
    assert caplog.records[-1].request_id == "-"


def test_pooled_connections_are_checked_before_use(seeded_app):
    assert db.engine.pool._pre_ping
