"""Academy: courses, certification and certificates for TISC staff."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from academy.config import load_config
from academy.core.uploads import AcademyRequest
from academy.extensions import babel, cache, compress, csrf, db, limiter, login_manager, migrate


def create_app(config_override: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    app.request_class = AcademyRequest  # routes may declare their own body cap (academy.core.uploads)
    configure_settings(app, config_override)
    configure_logging(app)
    configure_passwords(app)
    configure_extensions(app)
    configure_i18n(app)
    configure_blueprints(app)
    configure_features(app)
    configure_templates(app)
    configure_security(app)
    configure_serving(app)
    configure_transactions(app)
    configure_queue(app)
    configure_cli(app)
    return app


def configure_settings(app: Flask, override: dict | None) -> None:
    app.config.update(load_config(override))
    app.instance_path = app.config["INSTANCE_DIR"]


def configure_passwords(app: Flask) -> None:
    from academy.auth.passwords import configure_hasher

    configure_hasher(fast=app.config.get("FAST_PASSWORD_HASHING", False))


def configure_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app.logger.setLevel(logging.INFO)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    # WAL lets readers run beside the single writer; foreign keys are off by default in SQLite.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Reads through a memory map of the database file (shared by every worker through
        # the OS page cache) instead of a read() and a copy per page, and a larger private
        # cache: page views are reads spread over big tables (progress, enrolments).
        cursor.execute("PRAGMA mmap_size=268435456")
        cursor.execute("PRAGMA cache_size=-16384")
        # The busy timeout comes from connect_args["timeout"] (SQLITE_BUSY_TIMEOUT).
        cursor.close()


@event.listens_for(Engine, "savepoint")
def _sqlite_begin_before_savepoint(conn, name):
    # pysqlite sends BEGIN only before INSERT/UPDATE/DELETE, never before SAVEPOINT. A
    # savepoint opened as a transaction's first write would start a transaction of its own
    # and RELEASE would commit it, out of reach of the request's rollback. Open the outer
    # transaction first (deferred, as pysqlite would), so it stays one unit of work.
    if conn.dialect.name != "sqlite":
        return
    dbapi_connection = conn.connection.dbapi_connection
    if not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN")


def configure_extensions(app: Flask) -> None:
    import academy.models  # noqa: F401  (every model registered before migrations look)

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.config["SQLALCHEMY_DATABASE_URI"][len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    db.init_app(app)
    from academy.core.dbping import ping_idle_connections
    from academy.core.storage import track_transactions

    track_transactions(db.session)

    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name != "sqlite" and not app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping"):
                ping_idle_connections(engine, app.config["DB_PING_IDLE_SECONDS"])
    migrations = Path(__file__).resolve().parent.parent / "migrations"
    migrate.init_app(app, db, directory=str(migrations), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    limiter.init_app(app)
    cache.init_app(app)


def configure_i18n(app: Flask) -> None:
    from flask_babel import lazy_gettext

    from academy.core.i18n import select_locale

    babel.init_app(app, locale_selector=select_locale)
    login_manager.login_message = lazy_gettext("Please log in to see this page.")
    login_manager.login_message_category = "info"


def configure_blueprints(app: Flask) -> None:
    from academy.admin.invitations import bp as invitations_bp
    from academy.admin.views import bp as admin_bp
    from academy.announcements.views import bp as announcements_bp
    from academy.assessments.exercise_views import bp as exercises_bp
    from academy.assessments.views import bp as assessments_bp
    from academy.assignments.views import bp as assignments_bp
    from academy.auth.views import bp as auth_bp
    from academy.certificates.views import admin_bp as certificates_admin_bp
    from academy.certificates.views import bp as certificates_bp
    from academy.certification.views import bp as certification_bp
    from academy.coordinators.views import bp as coordinators_bp
    from academy.core.views import bp as core_bp
    from academy.core.views import register_error_handlers
    from academy.courses.views import bp as courses_bp
    from academy.jobs.views import bp as jobs_bp
    from academy.nudges.views import bp as nudges_bp
    from academy.offline.views import bp as offline_bp
    from academy.preferences.views import bp as preferences_bp
    from academy.reports.views import bp as reports_bp
    from academy.stats.views import bp as stats_bp
    from academy.surveys.views import bp as surveys_bp

    for bp in (core_bp, auth_bp, courses_bp, admin_bp, invitations_bp, assessments_bp, stats_bp,
               certification_bp, certificates_bp, certificates_admin_bp, jobs_bp, assignments_bp, exercises_bp,
               surveys_bp, nudges_bp, preferences_bp, announcements_bp, coordinators_bp, reports_bp,
               offline_bp):
        app.register_blueprint(bp)
    register_error_handlers(app)


def configure_features(app: Flask) -> None:
    """Each feature connects its receivers to the signals of academy.core.signals. The
    order is the order in which receivers answer: it orders what several features add to
    one page (the header's menu on equal ranks, the sections of a person's admin page)."""
    from academy import (
        admin,
        api,
        assessments,
        assignments,
        certificates,
        certification,
        coordinators,
        jobs,
        nudges,
        offline,
        reports,
        stats,
        surveys,
        xapi,
    )

    for feature in (assessments, admin, certification, stats, certificates, jobs, assignments, surveys, nudges,
                    coordinators, reports, offline, api, xapi):
        feature.init_app(app)


def configure_templates(app: Flask) -> None:
    from academy.core import template_helpers

    template_helpers.register(app)


def configure_security(app: Flask) -> None:
    from academy.core.security import register_host_check, register_security_headers
    from academy.core.sessions import register_session_lifetimes

    register_session_lifetimes(app)
    register_security_headers(app)
    register_host_check(app)


def configure_serving(app: Flask) -> None:
    from academy.core.baseurl import check_flask_run
    from academy.core.serving import register_request_log, register_static_caching, wrap_proxy

    check_flask_run(app)  # gunicorn checks its binds in gunicorn.conf.py

    # after_request handlers run last-registered first: compression sees the final response.
    compress.init_app(app)
    register_static_caching(app)
    register_request_log(app)
    wrap_proxy(app)


def configure_transactions(app: Flask) -> None:
    from academy.core import transactions

    transactions.init_app(app)  # after every other after_request handler (see the module)


def configure_queue(app: Flask) -> None:
    from academy.core import queue

    queue.init_app(app)


def configure_cli(app: Flask) -> None:
    from academy.cli import academy_cli, add_feature_commands

    add_feature_commands()
    app.cli.add_command(academy_cli)
