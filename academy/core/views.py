"""Health check and error pages."""

from __future__ import annotations

import errno
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from academy.core.storage import StorageFullError, get_storage
from academy.core.uploads import format_size
from academy.extensions import db, login_manager

bp = Blueprint("core", __name__)


@bp.route("/livez")
def livez():
    """Liveness: the process answers (no database, no template). Load balancers and the
    benchmarks' bare-route baseline use it; /healthz also checks the database."""
    return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@bp.route("/healthz")
def healthz():
    """Readiness: the database answers and takes writes, and files can be stored. A
    database that answers reads but refuses writes (read-only file or replica, a disk
    full) would pass a bare ``SELECT 1`` while every form fails; the write is made in a
    transaction that is rolled back, so a probe changes nothing."""
    checks: dict[str, str] = {}
    reasons: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        checks["database"], reasons["database"] = "unreachable", exc.__class__.__name__
    else:
        try:
            # No row matches: the statement still needs the write lock (SQLite) or a
            # read-write transaction (PostgreSQL), which is what is being checked.
            db.session.execute(text("UPDATE alembic_version SET version_num = version_num WHERE 1 = 0"))
            checks["database"] = "ok"
        except SQLAlchemyError as exc:
            checks["database"], reasons["database"] = "not writable", exc.__class__.__name__
        finally:
            db.session.rollback()
    try:
        get_storage().check_writable()
        checks["storage"] = "ok"
    except OSError as exc:
        checks["storage"] = "not writable"
        reasons["storage"] = errno.errorcode.get(exc.errno or 0, exc.__class__.__name__)
    failed = [name for name, state in checks.items() if state != "ok"]
    if failed:
        for name in failed:
            current_app.logger.warning("health check: %s %s: %s", name, checks[name], reasons[name])
        # "reason": the first failure's, as before this check listed each one
        return jsonify(status="error", **checks, failed=failed, reasons=reasons, reason=reasons[failed[0]]), 503
    return jsonify(status="ok", **checks)


def wants_json() -> bool:
    return request.path.endswith(".json") or request.accept_mimetypes.best == "application/json"


def _form_page() -> str | None:
    """This address, when it also shows a page (GET): where the form being sent lives."""
    rule = request.url_rule
    if rule is None or "GET" not in (rule.methods or ()):
        return None
    return request.full_path.rstrip("?")


def _referrer() -> str | None:
    """The page the request came from, if it is one of ours (a same-site path)."""
    ref = urlsplit(request.referrer or "")
    if ref.netloc != request.host or ref.scheme not in ("http", "https") or not ref.path.startswith("/"):
        return None
    return ref.path + (f"?{ref.query}" if ref.query else "")


def register_error_handlers(app) -> None:
    def page(code: int):
        def handler(exc):
            if wants_json():
                return jsonify(error=code), code
            return render_template("errors/error.html", code=code), code

        return handler

    for code in (400, 403, 404, 405, 429, 500):
        app.register_error_handler(code, page(code))

    @app.errorhandler(413)
    def too_large(exc):
        # The body was refused unread: nothing typed in the form arrived, so the page
        # says how much fits and leads back to the form (the browser's Back keeps what
        # was typed; the form page itself shows the saved draft).
        limit = request.max_content_length
        if wants_json():
            return jsonify(error=413, message="request too large", limit_bytes=limit), 413
        return render_template("errors/error.html", code=413, limit=format_size(limit) if limit else None,
                               back=_form_page()), 413

    @app.errorhandler(CSRFError)
    def form_expired(exc):
        # The session's CSRF token is gone (the session ended, cookies were cleared) or the
        # page was cached: the form must be loaded again. Where the form has a page of its
        # own (the same address, by GET) the learner lands there with the message.
        if wants_json():
            return jsonify(error=400, message="the form has expired (CSRF token missing or invalid)"), 400
        message = _("This form has expired. Reload the page and try again.")
        own_page = _form_page()
        if request.method == "POST" and own_page == request.full_path.rstrip("?"):
            flash(message, "error")
            return redirect(own_page, 303)
        return render_template("errors/error.html", code=400, title=message, back=own_page or _referrer()), 400

    @app.errorhandler(StorageFullError)
    def storage_full(exc):
        db.session.rollback()  # the row describing the file must not outlive the missing file
        app.logger.error("storage full: %s", exc)
        if wants_json():
            return jsonify(error=507, message="storage full"), 507
        return render_template("errors/error.html", code=507), 507

    @app.errorhandler(OperationalError)
    def database_unavailable(exc):
        try:
            db.session.rollback()
        except SQLAlchemyError:
            db.session.remove()
        # The driver's own message ("database is locked", "connection refused"), never the
        # statement or its parameters, which may hold personal data.
        app.logger.error("database unavailable: %s: %s", exc.__class__.__name__, str(getattr(exc, "orig", ""))[:200])
        # The page must render without the database: objects loaded so far are expired by
        # the rollback, and reading them (current_user in the header) would query again.
        g._login_user = login_manager.anonymous_user()
        if wants_json():
            resp = jsonify(error=503)
        else:
            resp = app.make_response(render_template("errors/error.html", code=503))
        resp.status_code = 503
        resp.headers["Retry-After"] = "30"
        return resp
