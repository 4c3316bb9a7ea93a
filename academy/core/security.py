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


def register_security_headers(app) -> None:
    hsts = app.config.get("HSTS_SECONDS", 0)
    hsts_header = ("Strict-Transport-Security", f"max-age={hsts}; includeSubDomains")

    @app.after_request
    def security_headers(response):
        h = response.headers
        for name, value in DEFAULT_HEADERS:
            h.setdefault(name, value)
        # request.is_secure is true behind a TLS-terminating proxy only with PROXY_COUNT set.
        if hsts and request.is_secure:
            h.setdefault(*hsts_header)
        if response.mimetype == "text/html":
            # A page of one's own may be kept by the browser only where the view says so
            # (the lesson page: private, revalidated with its ETag).
            h.setdefault("Cache-Control", "no-store" if request.cookies else "no-cache")
            response.vary.add("Cookie")
        return response


def register_host_check(app) -> None:
    """A request for a host outside TRUSTED_HOSTS (production) gets a bare 400.

    Flask refuses it before routing, so no URL can be built for it: the site's error page
    (navigation, language links) cannot be rendered, and nothing the request names should
    be echoed either."""

    @app.errorhandler(SecurityError)
    def untrusted_host(error):
        return "Bad Request: unknown host.\n", 400, {"Content-Type": "text/plain; charset=utf-8"}
