"""Health check and error pages."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request
from sqlalchemy import text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from academy.extensions import db

bp = Blueprint("core", __name__)


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        current_app.logger.warning("health check: database unreachable: %s", exc.__class__.__name__)
        return jsonify(status="error", database="unreachable", reason=exc.__class__.__name__), 503
    return jsonify(status="ok", database="ok")


def _wants_json() -> bool:
    return request.path.endswith(".json") or request.accept_mimetypes.best == "application/json"


def register_error_handlers(app) -> None:
    def page(code: int):
        def handler(exc):
            if _wants_json():
                return jsonify(error=code), code
            return render_template("errors/error.html", code=code), code

        return handler

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, page(code))

    @app.errorhandler(OperationalError)
    def database_unavailable(exc):
        db.session.rollback()
        app.logger.error("database unavailable: %s", exc.__class__.__name__)
        if _wants_json():
            return jsonify(error=503), 503
        return render_template("errors/error.html", code=503), 503
