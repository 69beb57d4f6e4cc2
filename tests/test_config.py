"""Settings as a real process sees them: the secret key each configuration signs with, and the
hosts production answers. Each case starts Python in a subprocess with its own environment."""

import hashlib
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = (
    "APP_CONFIG",
    "SECRET_KEY",
    "SITE_URL",
    "TRUSTED_HOSTS",
    "DATABASE_URL",
    "INSTANCE_DIR",
    "SEARCH_INDEX_DIR",
    "LOGO_DIR",
    "NEWS_IMAGE_DIR",
    "MAIL_FILE_DIR",
)
STRONG_KEY = "3f1c9a2be8d94c6f0a7b5e1d2c3b4a5968f7e6d5c4b3a2918f7e6d5c4b3a2910"

# Sign a session with the public development key for an admin, as an attacker who read the
# repository would, and ask for a page that needs a login: 302 means it was refused.
FORGE_ADMIN_SESSION = """
import wsgi
from flask import Flask
from app.extensions import db
from app.models import Role, User

forger = Flask("forger")
forger.secret_key = "dev-only-not-secret"
signer = forger.session_interface.get_signing_serializer(forger)
with wsgi.app.app_context():
    db.create_all()
    admin = User(email="admin@example.vn", name="Admin", password_hash="x", role=Role.ADMIN)
    db.session.add(admin)
    db.session.commit()
    cookie = signer.dumps({"_user_id": admin.get_id(), "_fresh": True})
client = wsgi.app.test_client()
client.set_cookie("session", cookie)
print(client.get("/account").status_code)
"""

PRINT_KEY_DIGEST = """
import hashlib, wsgi
print(hashlib.sha256(wsgi.app.secret_key.encode()).hexdigest())
"""

ASK_WITH_TWO_HOSTS = """
import wsgi
from app.extensions import db
with wsgi.app.app_context():
    db.create_all()
client = wsgi.app.test_client()
print(client.get("/login", headers={"Host": "evil.example"}).status_code)
print(client.get("/login", base_url="https://cnmt.example.vn").status_code)
"""


def run_python(code: str, instance: Path, **settings: str) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if name not in SETTINGS}
    env.update(INSTANCE_DIR=str(instance), **settings)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_starts_with_a_strong_secret_key_from_the_environment(tmp_path):
    started = run_python("import wsgi", tmp_path, APP_CONFIG="production", SECRET_KEY=STRONG_KEY)

    assert started.returncode == 0, started.stderr


@pytest.mark.parametrize(
    "secret_key",
    [None, "", "dev-only-not-secret", "test-secret", "short-but-not-public"],
    ids=["unset", "empty", "public-dev-key", "public-test-key", "too-short"],
)
def test_production_refuses_to_start_without_a_strong_secret_key(tmp_path, secret_key):
    settings = {"APP_CONFIG": "production"}
    if secret_key is not None:
        settings["SECRET_KEY"] = secret_key

    started = run_python("import wsgi", tmp_path, **settings)

    assert started.returncode != 0
    assert "SECRET_KEY" in started.stderr and "openssl rand -hex 32" in started.stderr
    assert not (tmp_path / "secret_key").exists()


def test_the_default_configuration_refuses_the_public_development_key(tmp_path):
    started = run_python("import wsgi", tmp_path, SECRET_KEY="dev-only-not-secret")

    assert started.returncode != 0
    assert "SECRET_KEY" in started.stderr


def test_the_default_configuration_makes_one_private_key_per_instance(tmp_path):
    first = run_python(PRINT_KEY_DIGEST, tmp_path)
    second = run_python(PRINT_KEY_DIGEST, tmp_path)
    other_instance = run_python(PRINT_KEY_DIGEST, tmp_path / "other")

    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    assert len(key) >= 32
    assert first.stdout == second.stdout == hashlib.sha256(key.encode()).hexdigest() + "\n"
    assert other_instance.stdout != first.stdout


def test_a_session_forged_with_the_public_development_key_is_not_accepted(tmp_path):
    answered = run_python(FORGE_ADMIN_SESSION, tmp_path)

    assert answered.returncode == 0, answered.stderr
    assert answered.stdout.strip() == "302"


def test_production_answers_only_the_host_of_its_site_url(tmp_path):
    answered = run_python(
        ASK_WITH_TWO_HOSTS,
        tmp_path,
        APP_CONFIG="production",
        SECRET_KEY=STRONG_KEY,
        SITE_URL="https://cnmt.example.vn",
    )

    assert answered.returncode == 0, answered.stderr
    assert answered.stdout.split() == ["400", "200"]


def test_trusted_hosts_can_be_listed_in_the_environment(tmp_path):
    answered = run_python(
        ASK_WITH_TWO_HOSTS,
        tmp_path,
        APP_CONFIG="production",
        SECRET_KEY=STRONG_KEY,
        SITE_URL="https://cnmt.example.vn",
        TRUSTED_HOSTS="cnmt.example.vn, evil.example",
    )

    assert answered.returncode == 0, answered.stderr
    assert answered.stdout.split() == ["200", "200"]
