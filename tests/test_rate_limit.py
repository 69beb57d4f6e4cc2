"""The rate limiter's counts in the database (`RATELIMIT_STORAGE_URI=database://`): one limit for
every worker process, counted per client address behind a trusted proxy."""

import http.client
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from app.models import RateLimitCounter
from tests.conftest import make_app

ROOT = Path(__file__).resolve().parent.parent
EXPORT = "/exports/zones.csv"  # limited to 10 a minute per client address
CLIENT, OTHER_CLIENT, WARMING_CLIENT = "203.0.113.9", "198.51.100.7", "198.51.100.8"


def test_counts_are_kept_in_the_database(seeded_app, tmp_path):
    database = seeded_app.config["SQLALCHEMY_DATABASE_URI"]
    client = make_app(tmp_path / "a", database, RATELIMIT_STORAGE_URI="database://").test_client()

    statuses = [client.get(EXPORT).status_code for _ in range(11)]

    assert statuses == [200] * 10 + [429]
    assert db.session.scalar(sa.select(sa.func.max(RateLimitCounter.hits))) == 11


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str, forwarded_for: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"X-Forwarded-For": forwarded_for})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_four_gunicorn_workers_behind_a_proxy_share_one_limit_per_client(seeded_app, tmp_path):
    port = free_port()
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "APP_CONFIG": "production",
        "DATABASE_URL": seeded_app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "a-secret-key-for-this-test-only-0123456789",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "INSTANCE_DIR": str(tmp_path / "instance"),
        "SEARCH_INDEX_DIR": seeded_app.config["SEARCH_INDEX_DIR"],
        "EXPORT_CACHE_DIR": str(tmp_path / "exports"),
        "TRUSTED_PROXY_COUNT": "1",  # production's default storage: database://
    }
    db.session.remove()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "4", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=environment,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(port, "/healthz", "192.0.2.1") == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "gunicorn did not start"
            time.sleep(0.2)

        # Built once first: a download asked for while another worker builds it is refused
        # with 503 (export_cache.Busy), which would take one of the ten allowed requests.
        assert get(port, EXPORT, WARMING_CLIENT) == 200
        with ThreadPoolExecutor(8) as pool:  # eight at a time: every worker takes some
            statuses = list(pool.map(lambda _: get(port, EXPORT, CLIENT), range(32)))
        other = get(port, EXPORT, OTHER_CLIENT)
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert Counter(statuses) == {200: 10, 429: 22}
    assert other == 200  # the proxy's own address is not what is limited
