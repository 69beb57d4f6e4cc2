"""Security on every response (headers, CSP without inline code), the client's address behind
trusted proxies, the rate limiter (its storage from RATELIMIT_STORAGE_URI), and the signer of
the tokens in links the site mails."""

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from itsdangerous import URLSafeTimedSerializer
from werkzeug.middleware.proxy_fix import ProxyFix

from app import ratelimit  # registers the database:// storage with `limits`

limiter = Limiter(key_func=get_remote_address, default_limits=[])
# Downloads that read whole lists (10,000 firms cost seconds of CPU), per client address.
DOWNLOAD_LIMIT = "10 per minute;60 per hour"


def signer(salt: str) -> URLSafeTimedSerializer:
    """Signs and reads the timed tokens of mailed links with SECRET_KEY; each purpose has its
    own `salt`, so a token made for one never works for another."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def init_app(app: Flask) -> None:
    proxies = int(app.config.get("TRUSTED_PROXY_COUNT", 0))
    if proxies > 0:
        # Only the last `proxies` entries of X-Forwarded-For were written by our own proxies;
        # anything before them is whatever the client sent, so it is never trusted.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    if app.config["RATELIMIT_STORAGE_URI"].startswith(f"{ratelimit.SCHEME}://"):
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {"url": app.config["SQLALCHEMY_DATABASE_URI"]}
    # Retry-After on every 429, so well-behaved clients know when to come back.
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
