"""Application settings, read from environment variables.

`Config` is the embedded default (SQLite + Whoosh under instance/); `TestConfig` and
`ProductionConfig` adjust it. Nothing secret lives in this file: production takes SECRET_KEY from
the environment, the embedded default makes a private one per instance folder.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", BASE_DIR / "instance"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str) -> list[str] | None:
    """A comma-separated variable as a list; None when it is unset or empty."""
    items = [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]
    return items or None


# Keys published in this repository or its history: they sign nothing outside the test suite.
PUBLIC_SECRET_KEYS = frozenset({"dev-only-not-secret", "test-secret"})
MIN_SECRET_KEY_LENGTH = 32
SECRET_KEY_ADVICE = "Make one with `openssl rand -hex 32` and set it as SECRET_KEY."


def require_strong_secret_key(key: str | None, source: str = "SECRET_KEY") -> str:
    """`key` if it can sign sessions and links; a RuntimeError saying what to do otherwise."""
    if not key:
        problem = f"{source} is not set"
    elif key in PUBLIC_SECRET_KEYS:
        problem = f"{source} is a public development value"
    elif len(key) < MIN_SECRET_KEY_LENGTH:
        problem = f"{source} is shorter than {MIN_SECRET_KEY_LENGTH} characters"
    else:
        return key
    raise RuntimeError(f"{problem}: refusing to start. {SECRET_KEY_ADVICE}")


def require_site_url(address: str) -> str:
    """`address` if it is an absolute http(s) address (links are built on it); else ValueError."""
    parts = urlsplit(address)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{address!r} is not an absolute http(s) address (SITE_URL)")
    return address


def instance_secret_key(folder: Path) -> str:
    """The instance's own random key in `folder/secret_key` (mode 0600), made on first use.

    Several processes may start at once: each writes a candidate to a private temporary file and
    links it into place, which fails if another got there first; everyone then reads the winner.
    """
    path = folder / "secret_key"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        candidate = folder / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32) + "\n")
        try:
            os.link(candidate, path)
        except FileExistsError:
            pass
        finally:
            candidate.unlink()
    return require_strong_secret_key(path.read_text().strip(), source=str(path))


class Config:
    # Unset in the environment: the embedded default makes one per instance (see __init__).
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'cnmt.sqlite3'}"
    )
    # A connection dropped by the database server (restart, idle timeout) is replaced before
    # use instead of failing the request that draws it from the pool.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
    SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "whoosh")
    SEARCH_INDEX_DIR = os.environ.get("SEARCH_INDEX_DIR", str(INSTANCE_DIR / "search_index"))
    # "inline": the web process drains the outbox after each commit (embedded default);
    # "worker": only `flask search worker` writes the index (production with several workers).
    SEARCH_SYNC = os.environ.get("SEARCH_SYNC", "inline")
    # The site's public address: every absolute link (in mail above all) is built on it, never on
    # the Host a request came with (see app/urls.py).
    SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:5000")
    # Host names the site answers (others get 400). None answers any host, for local development;
    # production defaults to SITE_URL's host.
    TRUSTED_HOSTS = _env_list("TRUSTED_HOSTS")
    # How people reach the office of Sở Công Thương that runs the platform (contact, about and
    # privacy pages). Unset, the pages say plainly that the detail is not configured yet.
    CONTACT_ADDRESS = os.environ.get("CONTACT_ADDRESS")
    CONTACT_PHONE = os.environ.get("CONTACT_PHONE")
    CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL")
    # A sitemap file lists at most this many addresses (the sitemaps.org limit); past it,
    # /sitemap.xml is an index of numbered files.
    SITEMAP_URLS_PER_FILE = 50_000
    LOGO_DIR = os.environ.get("LOGO_DIR", str(INSTANCE_DIR / "logos"))
    NEWS_IMAGE_DIR = os.environ.get("NEWS_IMAGE_DIR", str(INSTANCE_DIR / "news_images"))
    # The licence of the open data (/open-data): the department's decision. The default, CC BY
    # 4.0, lets anyone reuse, share, combine and adapt the data, commercially too, provided they
    # name the source: the terms Article 18 of Decree 47/2020/NĐ-CP sets for the open data of
    # state agencies (as the national portal data.gov.vn quotes them), which also forbid selling
    # the data as published; the page says so.
    OPEN_DATA_LICENCE_NAME = os.environ.get("OPEN_DATA_LICENCE_NAME", "CC BY 4.0")
    OPEN_DATA_LICENCE_URL = os.environ.get(
        "OPEN_DATA_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/"
    )
    # Built XLSX exports, one file per list, filters, language and data generation.
    EXPORT_CACHE_DIR = os.environ.get("EXPORT_CACHE_DIR", str(INSTANCE_DIR / "exports"))
    # Public pages kept in each worker's memory for visitors who are not signed in, up to this
    # many bytes per worker (app/page_cache.py); 0 turns it off.
    PAGE_CACHE_BYTES = int(os.environ.get("PAGE_CACHE_BYTES", str(32 * 1024 * 1024)))
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
    # A published listing is confirmed by its business at least this often, or it lapses
    # (EEN's yearly rule; `flask listings remind` reminds before and lapses after).
    LISTING_CONFIRMATION_DAYS = int(os.environ.get("LISTING_CONFIRMATION_DAYS", "365"))
    # How many reverse proxies in front of the app append to X-Forwarded-For (0: none trusted).
    TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
    # Where Flask-Limiter keeps its counters: memory:// is per process (the embedded default,
    # one process); database:// is a table in DATABASE_URL, shared by every worker and server
    # (production's default); redis://… or memcached://… work with their driver installed.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # Requests to /api/v1 per API token (or, without one, per client address); Flask-Limiter's
    # syntax.
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120 per minute;3000 per hour")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False

    def __init__(self) -> None:
        require_site_url(self.SITE_URL)
        if self.SECRET_KEY:
            require_strong_secret_key(self.SECRET_KEY)
        else:
            self.SECRET_KEY = instance_secret_key(INSTANCE_DIR)


class TestConfig(Config):
    TESTING = True
    # Public on purpose: the one place a development key is accepted.
    SECRET_KEY = "dev-only-not-secret"
    SITE_URL = "http://cnmt.test"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = True

    def __init__(self) -> None:
        pass


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    # Several workers: the limits must be counted where all of them see the counts.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "database://")

    def __init__(self) -> None:
        # Never the instance file: every worker and host must sign with the same, managed key.
        require_strong_secret_key(self.SECRET_KEY)
        if self.TRUSTED_HOSTS is None:
            self.TRUSTED_HOSTS = [urlsplit(require_site_url(self.SITE_URL)).hostname]


CONFIGS = {"default": Config, "testing": TestConfig, "production": ProductionConfig}
