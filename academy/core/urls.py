"""Absolute links for what leaves the request: e-mails, certificates, credentials.

They are built on ACADEMY_BASE_URL (config ``BASE_URL``), never on the request's
``Host`` header: a password-reset asked for with ``Host: evil.example`` must not mail a
working token to evil.example (host-header poisoning).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    """The absolute URL of ``endpoint`` on the configured base URL."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def app_path(endpoint: str, **values) -> str:
    """The path of ``endpoint`` from the application's root, as notifications store their link
    (the app adds the base URL, prefix included, when it mails one); needs no request."""
    return current_app.url_map.bind("localhost").build(endpoint, values)
