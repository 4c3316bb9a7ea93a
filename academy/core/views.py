"""Health check and error pages."""

from __future__ import annotations

import errno

from flask import Blueprint, current_app, g, jsonify, render_template, request
from sqlalchemy import text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from academy.core.storage import StorageFullError, get_storage
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


def register_error_handlers(app) -> None:
    def page(code: int):
        def handler(exc):
            if wants_json():
                return jsonify(error=code), code
            return render_template("errors/error.html", code=code), code

        return handler

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, page(code))

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
