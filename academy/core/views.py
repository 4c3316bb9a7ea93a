"""Health check and error pages."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, render_template, request
from sqlalchemy import text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from academy.core.storage import StorageFullError
from academy.extensions import db, login_manager

bp = Blueprint("core", __name__)


@bp.route("/livez")
def livez():
    """Liveness: the process answers (no database, no template). Load balancers and the
    benchmarks' bare-route baseline use it; /healthz also checks the database."""
    return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        current_app.logger.warning("health check: database unreachable: %s", exc.__class__.__name__)
        return jsonify(status="error", database="unreachable", reason=exc.__class__.__name__), 503
    return jsonify(status="ok", database="ok")


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
