"""Failed log-ins slow down the one who fails, not the owner elsewhere: counters per account and
source and per address, kept in the database for every worker, with growing delays."""

import os
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask_babel import force_locale, ngettext

from app.accounts import throttle
from app.extensions import db
from app.models import AuditEvent, LoginThrottle
from app.models.base import utcnow
from tests.conftest import csrf_token, make_app

ROOT = Path(__file__).resolve().parent.parent.parent
EMAIL = "business@demo.cnmt.vn"
PASSWORD = "demo-business-2026"
ATTACKER = "203.0.113.9"
OWNER = "198.51.100.7"


def log_in_from(client, address: str, password: str, email: str = EMAIL, **options):
    data = {"email": email, "password": password, "csrf_token": csrf_token(client, "/login")}
    return client.post("/login", data=data, environ_base={"REMOTE_ADDR": address}, **options)


def fail(client, times: int, address: str = ATTACKER, email: str = EMAIL, **options) -> None:
    for _ in range(times):
        response = log_in_from(client, address, "wrong-password-attempt", email, **options)
        assert response.status_code == 200


def test_failures_from_another_address_do_not_lock_the_owner_out(seeded_app):
    fail(seeded_app.test_client(), 5)

    assert log_in_from(seeded_app.test_client(), OWNER, PASSWORD).status_code == 302


def test_the_failing_address_is_refused_even_with_the_right_password_and_told_when_to_retry(
    seeded_app,
):
    client = seeded_app.test_client()
    fail(client, 5)

    response = log_in_from(client, ATTACKER, PASSWORD)

    assert response.status_code == 429
    wait = int(response.headers["Retry-After"])
    assert 0 < wait <= 60
    with force_locale("vi"):
        told = ngettext(
            "Too many failed log-in attempts. Try again in %(num)d minute, at %(time)s.",
            "Too many failed log-in attempts. Try again in %(num)d minutes, at %(time)s.",
            1,
            time="",
        )
    assert told.removesuffix(".") in response.get_data(as_text=True)


def test_failures_from_one_address_across_accounts_are_refused(seeded_app):
    client = seeded_app.test_client()
    for number in range(10):
        log_in_from(client, ATTACKER, "wrong-password-attempt", f"guess{number}@example.vn")

    assert log_in_from(client, ATTACKER, PASSWORD).status_code == 429
    assert log_in_from(client, OWNER, PASSWORD).status_code == 302


def test_successful_logins_do_not_count(seeded_app):
    client = seeded_app.test_client()
    for _ in range(8):
        assert log_in_from(client, ATTACKER, PASSWORD).status_code == 302
        client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})

    assert log_in_from(seeded_app.test_client(), ATTACKER, PASSWORD).status_code == 302


def test_a_known_device_logs_in_while_its_address_is_refused(seeded_app):
    owner = seeded_app.test_client()
    assert log_in_from(owner, OWNER, PASSWORD).status_code == 302
    owner.post("/logout", data={"csrf_token": csrf_token(owner, "/account")})
    someone_else = seeded_app.test_client()  # behind the same address
    fail(someone_else, 5, address=OWNER)
    for number in range(5):
        fail(someone_else, 1, address=OWNER, email=f"guess{number}@example.vn")

    assert log_in_from(owner, OWNER, PASSWORD).status_code == 302


def test_a_known_device_is_throttled_on_its_own_counter(seeded_app):
    owner = seeded_app.test_client()
    assert log_in_from(owner, OWNER, PASSWORD).status_code == 302
    owner.post("/logout", data={"csrf_token": csrf_token(owner, "/account")})
    fail(owner, 5, address=OWNER)

    assert log_in_from(owner, OWNER, PASSWORD).status_code == 429
    assert log_in_from(seeded_app.test_client(), ATTACKER, PASSWORD).status_code == 302


def test_a_successful_log_in_clears_the_count_for_that_account_and_source(seeded_app):
    fail(seeded_app.test_client(), 4)
    assert log_in_from(seeded_app.test_client(), ATTACKER, PASSWORD).status_code == 302
    fail(seeded_app.test_client(), 4)

    assert log_in_from(seeded_app.test_client(), ATTACKER, PASSWORD).status_code == 302


def test_each_failure_after_a_lock_doubles_the_delay_up_to_the_cap(seeded_app):
    attempt = throttle.Attempt(EMAIL, ATTACKER)
    now = utcnow()
    delays = []
    for _ in range(10):
        now = throttle.retry_at(attempt, now) or now
        throttle.record_failure(attempt, now)
        db.session.commit()
        retry = throttle.retry_at(attempt, now)
        delays.append((retry - now) // timedelta(minutes=1) if retry else 0)

    assert delays == [0, 0, 0, 0, 1, 2, 4, 8, 15, 15]


def test_counters_are_forgotten_an_hour_after_the_last_failure(seeded_app):
    start = utcnow()
    throttle.record_failure(throttle.Attempt(EMAIL, ATTACKER), start)
    throttle.record_failure(throttle.Attempt("x@example.vn", OWNER), start + timedelta(hours=2))
    db.session.commit()

    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginThrottle)) == 2


FAILING_WORKER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path

    from tests.conftest import csrf_token, make_app

    database, folder, address, email, go = sys.argv[1:]
    client = make_app(Path(folder), database).test_client()
    data = {"email": email, "password": "wrong", "csrf_token": csrf_token(client, "/login")}
    while not Path(go).exists():  # all four post at the same moment
        time.sleep(0.01)
    response = client.post("/login", data=data, environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 200, response.status_code
    """
)


def test_four_worker_processes_failing_at_once_share_one_throttle(seeded_app, tmp_path):
    database = seeded_app.config["SQLALCHEMY_DATABASE_URI"]
    script = tmp_path / "failing_worker.py"
    script.write_text(FAILING_WORKER)
    go = tmp_path / "go"
    db.session.remove()
    workers = [
        subprocess.Popen(
            [sys.executable, str(script), database, str(tmp_path / f"w{n}"), ATTACKER, EMAIL]
            + [str(go)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        for n in range(4)
    ]
    time.sleep(1)  # a head start for each worker to build its app; correctness never waits on it
    go.touch()
    assert [worker.wait(timeout=120) for worker in workers] == [0, 0, 0, 0]
    client = seeded_app.test_client()
    fail(client, 1)  # the fifth failure, counted with the four made by the other processes

    assert log_in_from(client, ATTACKER, PASSWORD).status_code == 429


def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted(seeded_app):
    client = seeded_app.test_client()
    fail(client, 5, address="10.0.0.2", headers={"X-Forwarded-For": ATTACKER})

    response = log_in_from(client, "10.0.0.2", PASSWORD, headers={"X-Forwarded-For": OWNER})

    assert response.status_code == 429
    assert failures_audited_from() == {"10.0.0.2"}


def failures_audited_from() -> set[str]:
    db.session.expire_all()
    return set(
        db.session.scalars(sa.select(AuditEvent.ip).where(AuditEvent.action == "user.login_failed"))
    )


def test_forwarded_for_names_the_source_behind_a_trusted_proxy(seeded_app, tmp_path):
    database = seeded_app.config["SQLALCHEMY_DATABASE_URI"]
    behind_proxy = make_app(tmp_path / "proxied", database, TRUSTED_PROXY_COUNT=1)
    client = behind_proxy.test_client()
    fail(client, 5, address="10.0.0.2", headers={"X-Forwarded-For": ATTACKER})

    owner = log_in_from(
        behind_proxy.test_client(), "10.0.0.2", PASSWORD, headers={"X-Forwarded-For": OWNER}
    )
    spoofed = log_in_from(
        behind_proxy.test_client(),
        "10.0.0.2",
        PASSWORD,
        headers={"X-Forwarded-For": f"{OWNER}, {ATTACKER}"},
    )

    assert owner.status_code == 302
    assert spoofed.status_code == 429
    assert failures_audited_from() == {ATTACKER}
