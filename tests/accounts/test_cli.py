"""`flask users`: staff accounts are created, listed and deactivated from the command line."""

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, User
from tests.accounts.conftest import log_in

PASSWORD = "Cán-bộ-Sở-Công-Thương-2026"


def _create(runner, *args, password=PASSWORD):
    return runner.invoke(
        args=["users", "create", "--email", "Thu.Ha@SCT.example.vn", "--password-stdin", *args],
        input=password + "\n",
    )


def test_create_makes_a_verified_curator_of_an_agency(runner):
    result = _create(runner, "--role", "curator", "--agency", "SCT", "--name", "Lê Thu Hà")

    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "thu.ha@sct.example.vn"))
    assert (user.role, user.agency.code, user.name) == ("curator", "SCT", "Lê Thu Hà")
    assert user.email_verified_at is not None
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.create"))
    assert event.entity_id == user.id and event.after["role"] == "curator"


def test_list_shows_the_new_curator(runner):
    _create(runner, "--role", "curator", "--agency", "SCT")

    result = runner.invoke(args=["users", "list", "--role", "curator"])

    assert result.exit_code == 0
    line = next(line for line in result.output.splitlines() if "thu.ha@sct" in line)
    assert line.split("\t")[:3] == ["thu.ha@sct.example.vn", "curator", "SCT"]


def test_unknown_agency_is_a_clear_error(runner):
    result = _create(runner, "--role", "curator", "--agency", "NOPE")

    assert result.exit_code != 0
    assert "NOPE" in result.output and "SCT" in result.output
    assert db.session.scalar(sa.select(User).where(User.email == "thu.ha@sct.example.vn")) is None


def test_weak_password_is_refused(runner):
    result = _create(runner, "--role", "admin", password="password123")

    assert result.exit_code != 0
    assert db.session.scalar(sa.select(User).where(User.email == "thu.ha@sct.example.vn")) is None


def test_deactivate_stops_login_and_is_audited(runner, client):
    _create(runner, "--role", "admin")

    result = runner.invoke(args=["users", "deactivate", "--email", "thu.ha@sct.example.vn"])

    assert result.exit_code == 0, result.output
    assert log_in(client, "thu.ha@sct.example.vn", PASSWORD).status_code == 200
    assert client.get("/account").status_code == 302
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.deactivate"))


def test_set_role_is_audited(runner):
    result = runner.invoke(
        args=[
            "users",
            "set-role",
            "--email",
            "investor@demo.cnmt.vn",
            "--role",
            "curator",
            "--agency",
            "SKHCN",
        ]
    )

    assert result.exit_code == 0, result.output
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.set_role"))
    assert event.before == {"role": "investor", "agency": None}
    assert event.after == {"role": "curator", "agency": "SKHCN"}


def test_every_command_has_help(runner):
    for command in ("create", "list", "deactivate", "set-role"):
        result = runner.invoke(args=["users", command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output
