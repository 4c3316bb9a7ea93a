"""How responses leave the app: request logs, static caching, reverse proxies.

Compression is Flask-Compress's (configured in academy.config).

Kept in the app rather than in gunicorn so ``flask run``, the test client and gunicorn
behave the same, and a deployment without a reverse proxy is still fast and observable.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC

from flask import Flask, g, request, session
from sqlalchemy.engine import make_url
from werkzeug.middleware.proxy_fix import ProxyFix

request_log = logging.getLogger("academy.request")

# A fingerprinted URL (static_url() adds ?v=<hash>) never changes content: cache it for a year.
IMMUTABLE = "public, max-age=31536000, immutable"
# Parts of a URL that are secrets: never written to the log.
SECRET_ARG_NAMES = ("token", "secret", "password", "key")


class JsonLineFormatter(logging.Formatter):
    """One JSON object per line: what log shippers (journald, Loki, CloudWatch) parse."""

    converter = time.gmtime

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": f"{self.formatTime(record, '%Y-%m-%dT%H:%M:%S')}.{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        fields = getattr(record, "fields", None)
        if fields:
            entry.update(fields)
        else:
            entry["message"] = record.getMessage()
        return json.dumps(entry, ensure_ascii=False, separators=(",", ":"))


class RequestLogHandler(logging.StreamHandler):
    """The request log's own handler (one per process, however many apps are built)."""


def configure_request_log(app: Flask) -> None:
    if not any(isinstance(h, RequestLogHandler) for h in request_log.handlers):
        handler = RequestLogHandler(sys.stderr)
        handler.setFormatter(JsonLineFormatter())
        request_log.addHandler(handler)
    request_log.setLevel(logging.INFO)
    request_log.propagate = False


def loggable_path() -> str:
    """The request path without its query string, with secret URL parts masked."""
    rule, args = request.url_rule, request.view_args or {}
    secret = [name for name in args if any(word in name.lower() for word in SECRET_ARG_NAMES)]
    if rule is None or not secret:
        return request.path
    from flask import url_for

    masked = {name: ("REDACTED" if name in secret else value) for name, value in args.items()}
    try:
        return url_for(request.endpoint, **masked)
    except Exception:  # noqa: BLE001 - logging must never break a response
        return rule.rule


def _user_id() -> int | None:
    # Only what this request already loaded: logging must not cost a query.
    user = g.get("_login_user")
    if user is not None and getattr(user, "is_authenticated", False):
        return user.id
    raw = session.get("_user_id") if session else None
    if raw:
        try:
            return int(str(raw).split(":", 1)[0])
        except ValueError:
            return None
    return None


def register_request_log(app: Flask) -> None:
    configure_request_log(app)

    @app.before_request
    def _start_timer():
        g.request_started = time.perf_counter()

    @app.after_request
    def _log_request(response):
        if not app.config.get("REQUEST_LOG", True):
            return response
        started = g.get("request_started")
        duration = (time.perf_counter() - started) * 1000 if started else None
        request_log.info("request", extra={"fields": {
            "method": request.method,
            "path": loggable_path(),
            "route": request.url_rule.rule if request.url_rule else None,
            "status": response.status_code,
            "duration_ms": round(duration, 2) if duration is not None else None,
            "user_id": _user_id(),
            "remote_addr": request.remote_addr,
            "bytes": response.calculate_content_length(),
        }})
        return response


def default_workers(database_url: str | None, cpus: int) -> int:
    """gunicorn's sync workers when ACADEMY_WORKERS does not say.

    A page view is CPU from start to end unless the database is another machine: SQLite
    runs inside the worker, and a PostgreSQL server on the same host takes its share of
    the same cores. Workers beyond the cores then only take turns on them, each turn on a
    cache the other worker's heap has just evicted. On the 2-core benchmark machine
    (bench.pages, 50 clients, 2026-12-07, alternating runs) the lesson page served 689 and
    886 req/s with 2 workers against 507 and 616 with 3 on SQLite, and the quiz page 405
    and 366 against 326 and 300 on a local PostgreSQL (5 workers were slower still). At
    least two, so one worker waiting on a write lock never stops the site. A PostgreSQL
    server elsewhere makes each worker wait on the network for part of every request:
    2 × CPUs + 1 keeps the cores busy then."""
    if not database_url or database_url.startswith("sqlite") or _is_local_database(database_url):
        return max(2, cpus)
    return cpus * 2 + 1


def _is_local_database(database_url: str) -> bool:
    try:
        host = make_url(database_url).host
    except ValueError:
        return False
    return not host or host.startswith("/") or host in ("localhost", "127.0.0.1", "::1")


def register_static_caching(app: Flask) -> None:
    compressible = frozenset(app.config.get("COMPRESS_MIMETYPES") or ())

    @app.after_request
    def _static_cache(response):
        if request.endpoint != "static" or response.status_code not in (200, 304):
            return response
        # A fingerprinted URL can be cached for a year; a bare one is revalidated hourly
        # (Flask sends static files with an ETag and answers If-None-Match with a 304).
        response.headers["Cache-Control"] = IMMUTABLE if request.args.get("v") else "public, max-age=3600"
        if response.status_code == 200 and response.direct_passthrough and response.mimetype in compressible:
            # Stylesheets and scripts (a few KB) are read whole, so Flask-Compress compresses
            # them: it leaves streamed responses (downloads) alone.
            source = response.response
            response.direct_passthrough = False
            response.get_data()
            if hasattr(source, "close"):
                source.close()  # read in full: the file need not wait for the response's end
        return response


def wrap_proxy(app: Flask) -> None:
    """Trust X-Forwarded-For/-Proto/-Host from ``PROXY_COUNT`` reverse proxies in front.

    Without this, behind nginx every request looks like plain HTTP from 127.0.0.1: no
    HSTS, no Secure-cookie checks, and rate limits keyed on the proxy's address.
    """
    hops = int(app.config.get("PROXY_COUNT") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)  # type: ignore[method-assign]


def warm_up(app: Flask) -> None:
    """Do once in the gunicorn master what every worker would otherwise do on its first
    requests: compile every template, load every message catalogue and CLDR locale.
    Forked workers share the result (and start answering fast at once)."""
    from datetime import datetime

    from flask_babel import force_locale, format_datetime, format_percent, get_translations

    from academy.core.i18n import country_choices

    for name in app.jinja_env.list_templates(extensions=("html", "txt", "xml")):
        app.jinja_env.get_template(name)
    with app.test_request_context("/"):
        for lang in app.config["LANGUAGES"]:
            with force_locale(lang):
                get_translations()
                format_percent(0.5)
                format_datetime(datetime.now(UTC))
                country_choices()
