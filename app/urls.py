"""Absolute links to the site (in mail above all), always on its public address, SITE_URL.

Never on the Host a request came with: the client chooses that header, and a password-reset link
built from it would carry a genuine token to whatever site the attacker named. Requests and
commands build links the same way; a command can aim them elsewhere with `use_site_url`.
"""

from urllib.parse import urlsplit

from flask import current_app

from config import require_site_url


def public_url(endpoint: str, /, **values) -> str:
    """The absolute address of `endpoint` (a full `area.view` name) on SITE_URL."""
    app = current_app
    site = urlsplit(require_site_url(app.config["SITE_URL"]))
    adapter = app.url_map.bind(site.netloc, script_name=site.path or "/", url_scheme=site.scheme)
    app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)


def use_site_url(address: str) -> None:
    """Build this process's links on `address` instead of the SITE_URL setting (commands)."""
    current_app.config["SITE_URL"] = require_site_url(address)
