"""Security headers on every response."""

from __future__ import annotations

from flask import current_app, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-src https://www.youtube-nocookie.com https://player.vimeo.com; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def register_security_headers(app) -> None:
    @app.after_request
    def security_headers(response):
        h = response.headers
        h.setdefault("Content-Security-Policy", CSP)
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        # request.is_secure is true behind a TLS-terminating proxy only with PROXY_COUNT set.
        hsts = current_app.config.get("HSTS_SECONDS", 0)
        if request.is_secure and hsts:
            h.setdefault("Strict-Transport-Security", f"max-age={hsts}; includeSubDomains")
        if response.mimetype == "text/html":
            h.setdefault("Cache-Control", "no-store" if request.cookies else "no-cache")
            h.add("Vary", "Cookie")
        return response
