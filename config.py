"""Application settings, read from environment variables.

`Config` is the embedded default (SQLite + Whoosh under instance/); `TestConfig` and
`ProductionConfig` adjust it. Nothing secret lives in this file.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", BASE_DIR / "instance"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'cnmt.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "whoosh")
    SEARCH_INDEX_DIR = os.environ.get("SEARCH_INDEX_DIR", str(INSTANCE_DIR / "search_index"))
    # "inline": the web process drains the outbox after each commit (embedded default);
    # "worker": only `flask search worker` writes the index (production with several workers).
    SEARCH_SYNC = os.environ.get("SEARCH_SYNC", "inline")
    # The site's public address, for links in mail sent by commands (no request to take it from).
    SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:5000")
    LOGO_DIR = os.environ.get("LOGO_DIR", str(INSTANCE_DIR / "logos"))
    MAX_CONTENT_LENGTH = 4 * 1024 * 1024
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "file")
    MAIL_FILE_DIR = os.environ.get("MAIL_FILE_DIR", str(INSTANCE_DIR / "mail"))
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "cnmt@quangngai.invalid")
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")
    FIRMS_PER_PAGE = int(os.environ.get("FIRMS_PER_PAGE", "20"))
    # Lists and searches can be browsed up to this many results (deeper pages are refused).
    RESULT_WINDOW = int(os.environ.get("RESULT_WINDOW", "1000"))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = True


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True

    def __init__(self) -> None:
        if self.SECRET_KEY == Config.SECRET_KEY:
            raise RuntimeError("Set SECRET_KEY in the environment for production.")


CONFIGS = {"default": Config, "testing": TestConfig, "production": ProductionConfig}
