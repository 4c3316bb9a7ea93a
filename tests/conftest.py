"""Test fixtures: one app per session on a migrated database, wiped after every test.

The suite runs on SQLite by default and on PostgreSQL when ACADEMY_TEST_DATABASE_URL is
set (``make test`` does both). Tests commit for real, so concurrency tests see what
other connections see; every table is emptied after each test.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
from pathlib import Path

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text

from academy import create_app
from academy.core import mail
from academy.extensions import db, limiter

FIXTURES = Path(__file__).parent / "fixtures"
PG_URL = os.environ.get("ACADEMY_TEST_DATABASE_URL")
TEST_PASSWORD = "correct horse battery staple"


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


class AcademyTestClient(FlaskClient):
    """When a test holds an app context, Flask reuses it (and its ``g``) for requests.
    Drop the per-request caches kept in ``g`` so each request logs in and picks its
    locale afresh, as it does in production."""

    def open(self, *args, **kwargs):
        if has_app_context():
            for key in ("_login_user", "_flask_babel", "unread_notifications", "database_unavailable"):
                g.pop(key, None)
        return super().open(*args, **kwargs)


def make_test_app(tmp_dir: Path, database_url: str, **override):
    config = {
        "ACADEMY_ENV": "testing",
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_DIR": str(tmp_dir),
        "STORAGE_DIR": str(tmp_dir / "storage"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MAIL_BACKEND": "memory",
        "FAST_PASSWORD_HASHING": True,
        "SERVER_NAME": None,
        "BASE_URL": "http://localhost",
    }
    config.update(override)
    app = create_app(config)
    app.test_client_class = AcademyTestClient
    _APPS.append(app)
    return app


_APPS: list = []


@pytest.fixture(scope="session", autouse=True)
def _dispose_engines():
    """Close every pooled connection at the end, so no driver warns about leaked ones."""
    yield
    for app in _APPS:
        with app.app_context():
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if PG_URL:
        _reset_postgres(PG_URL)
        return PG_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(tmp_path_factory, database_url):
    app = make_test_app(tmp_path_factory.mktemp("instance"), database_url)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    return app


def _wipe(app) -> None:
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables) if t.name != "alembic_version"]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
            else:
                # The audit log refuses DELETE (append-only triggers): lift them for the wipe
                # only, re-creating them from their own stored definitions.
                triggers = conn.execute(text(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_event'"
                )).all()
                for name, _sql in triggers:
                    conn.execute(text(f'DROP TRIGGER "{name}"'))
                for t in tables:
                    conn.execute(text(f'DELETE FROM "{t}"'))  # noqa: S608 - table names from metadata
                for _name, sql in triggers:
                    conn.execute(text(sql))


@pytest.fixture(autouse=True)
def _clean(request):
    yield
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        _wipe(app)
        storage = Path(app.config["STORAGE_DIR"])
        if storage.exists():
            shutil.rmtree(storage)
        mail.outbox.clear()
        if limiter.enabled and getattr(limiter, "_storage", None):
            limiter.reset()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def held_queue(app):
    """The queue as in production: what a request enqueues waits for a consumer (the test
    runs it with ``held_queue.execute(task)``) instead of running at once."""
    from academy.core.queue import get_huey

    huey = get_huey(app)
    huey.immediate = False
    huey.flush()
    yield huey
    huey.flush()
    huey.immediate = True


_counter = itertools.count(1)


@pytest.fixture
def make_user(app_ctx):
    from academy.auth.services import create_user
    from academy.core.enums import Role

    def factory(role: str = "learner", **fields):
        n = next(_counter)
        roles = [Role(r) for r in (role if isinstance(role, (list, tuple)) else [role])]
        if Role.LEARNER not in roles:
            roles.append(Role.LEARNER)
        data = {
            "email": f"user{n}@example.org",
            "full_name": f"Test User {n}",
            "password": TEST_PASSWORD,
            "gender": "woman",
            "country_code": "KE",
            "institution_other": "Test institute",
            "preferred_language": "en",
            "roles": roles,
        }
        data.update(fields)
        user = create_user(**data)
        db.session.commit()
        return user

    return factory


@pytest.fixture
def import_course(app_ctx):
    from academy.courses.package import load_package
    from academy.courses.services import import_package

    def factory(path: str | Path = FIXTURES / "mini"):
        course, _summary = import_package(load_package(path))
        db.session.commit()
        return course

    return factory


@pytest.fixture
def mini_course(import_course):
    return import_course()


def login(client, user_or_email, password: str = TEST_PASSWORD):
    email = user_or_email if isinstance(user_or_email, str) else user_or_email.email
    resp = client.post("/login", data={"email": email, "password": password})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    return resp


@pytest.fixture
def login_as(client):
    def do(user, password: str = TEST_PASSWORD):
        login(client, user, password)
        return client

    return do


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


# --- statistics -----------------------------------------------------------------------


@pytest.fixture
def pop(make_user, import_course):
    """The statistics tests' small known population (tests/stats_population.py)."""
    from tests.stats_population import build_population

    return build_population(make_user, import_course)


@pytest.fixture
def admin_client(make_user, login_as):
    """A client logged in as an admin (a man in CH, so he adds to known counts predictably)."""
    return login_as(make_user("admin", gender="man", country_code="CH", email="admin@example.org"))
