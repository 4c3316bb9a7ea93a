"""Security headers on every response."""

from __future__ import annotations

from flask import request
from werkzeug.exceptions import SecurityError

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-src https://www.youtube-nocookie.com https://player.vimeo.com; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


# Every response gets these unless the view set its own (e.g. a stricter CSP).
DEFAULT_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
_DEFAULT_NAMES = frozenset(name.lower() for name, _value in DEFAULT_HEADERS)


def register_security_headers(app) -> None:
    hsts = app.config.get("HSTS_SECONDS", 0)
    hsts_header = ("Strict-Transport-Security", f"max-age={hsts}; includeSubDomains")

    @app.after_request
    def security_headers(response):
        # One look at the names already set, then one extend: a setdefault per header
        # costs a case-insensitive scan and a KeyError raised and caught for each miss,
        # on every response.
        h = response.headers
        present = {name.lower() for name in h.keys()}
        if present.isdisjoint(_DEFAULT_NAMES):
            h.extend(DEFAULT_HEADERS)
        else:
            h.extend([pair for pair in DEFAULT_HEADERS if pair[0].lower() not in present])
        # request.is_secure is true behind a TLS-terminating proxy only with PROXY_COUNT set.
        if hsts and request.is_secure and "strict-transport-security" not in present:
            h.add(*hsts_header)
        if response.mimetype == "text/html":
            if "cache-control" not in present:
                h.add("Cache-Control", "no-store" if request.cookies else "no-cache")
            h.add("Vary", "Cookie")
        return response


def register_host_check(app) -> None:
    """A request for a host outside TRUSTED_HOSTS (production) gets a bare 400.

    Flask refuses it before routing, so no URL can be built for it: the site's error page
    (navigation, language links) cannot be rendered, and nothing the request names should
    be echoed either."""

    @app.errorhandler(SecurityError)
    def untrusted_host(error):
        return "Bad Request: unknown host.\n", 400, {"Content-Type": "text/plain; charset=utf-8"}
