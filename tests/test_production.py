"""Production behaviour inside one process: logs, compression and caching, security
headers on every route, session lifetimes, the 503 path, a full disk."""

from __future__ import annotations

import errno
import gzip
import json
import logging
import os
import socket
import sqlite3
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from academy.core import sessions
from academy.core.serving import JsonLineFormatter, request_log
from academy.extensions import db
from tests.access import ROLES
from tests.conftest import PG_URL, TEST_PASSWORD, login, make_test_app
from tests.test_access import ALL_ROWS, build_world

# ---------------------------------------------------------------- request logs


@pytest.fixture
def logged_lines(app):
    lines: list[dict] = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(json.loads(JsonLineFormatter().format(record)))

    handler = Collect()
    request_log.addHandler(handler)
    app.config["REQUEST_LOG"] = True
    yield lines
    app.config["REQUEST_LOG"] = False
    request_log.removeHandler(handler)


def test_every_request_is_logged_as_one_json_line_without_secrets(client, make_user, logged_lines):
    user = make_user()
    client.post("/login?next=/dashboard&token=abc123", data={"email": user.email, "password": TEST_PASSWORD})
    client.get("/dashboard")
    client.get("/reset-password/s3cr3t-reset-token")
    login_line, dashboard_line, reset_line = logged_lines
    assert login_line["method"] == "POST" and login_line["path"] == "/login" and login_line["status"] == 302
    assert dashboard_line == {**dashboard_line, "path": "/dashboard", "status": 200, "user_id": user.id}
    assert isinstance(dashboard_line["duration_ms"], float) and dashboard_line["ts"].endswith("Z")
    assert reset_line["path"] == "/reset-password/REDACTED"
    everything = json.dumps(logged_lines)
    for secret in (TEST_PASSWORD, "abc123", "s3cr3t-reset-token", "token="):
        assert secret not in everything


# ---------------------------------------------------------------- compression and static caching


def test_pages_are_compressed_with_brotli_or_gzip_for_clients_that_accept_it(client, mini_course):
    import brotli

    plain = client.get("/")
    assert "Content-Encoding" not in plain.headers
    zipped = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == plain.data
    assert len(zipped.data) < len(plain.data) / 2
    squeezed = client.get("/", headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert squeezed.headers["Content-Encoding"] == "br"
    assert brotli.decompress(squeezed.data) == plain.data


def test_fingerprinted_static_files_are_cached_for_a_year_and_compressed(app, client):
    from academy.core.template_helpers import static_url

    with app.test_request_context():
        url = static_url("css/academy.css")
    assert "?v=" in url
    resp = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert resp.headers["Content-Encoding"] == "gzip"
    css = gzip.decompress(resp.data).decode()
    assert "{" in css
    etag = resp.headers["ETag"]
    with client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": etag}) as again:
        assert again.status_code == 304 and again.data == b""
    with client.get("/static/css/academy.css") as bare:
        assert bare.headers["Cache-Control"] == "public, max-age=3600"


def test_a_small_or_binary_response_is_left_alone(client):
    resp = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in resp.headers and resp.get_json()["status"] == "ok"


# ---------------------------------------------------------------- security headers on every route


def _check_headers(resp, where: str, https: bool = False) -> None:
    h = resp.headers
    csp = h.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp, where
    script_src = next((d for d in csp.split(";") if d.strip().startswith(("script-src", "default-src"))), "")
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src, where
    assert h.get("X-Content-Type-Options") == "nosniff", where
    assert h.get("X-Frame-Options") == "DENY", where
    assert h.get("Referrer-Policy") == "strict-origin-when-cross-origin", where
    if https:
        assert h.get("Strict-Transport-Security", "").startswith("max-age="), where
    else:
        assert "Strict-Transport-Security" not in h, where


@pytest.mark.parametrize("https", [False, True], ids=["http", "https"])
def test_every_route_answers_with_the_security_headers(app, client, make_user, import_course, https):
    w = build_world(make_user, import_course)
    base = "https://localhost" if https else "http://localhost"
    users = {"anon": None, "learner": w.learner, "other": w.other, "instructor": w.instructor, "admin": w.admin,
             "coordinator": w.coordinator}
    seen = set()
    for role in ROLES:
        for row in ALL_ROWS:
            c = app.test_client()
            if users[role] is not None:
                c.post(base + "/login", data={"email": users[role].email, "password": TEST_PASSWORD})
            resp = c.open(base + row.url(w), method=row.method, data=row.data(w) if row.data else None)
            _check_headers(resp, f"{row.method} {row.url(w)} as {role} -> {resp.status_code}", https)
            seen.add(row.endpoint)
    for path in ("/static/css/academy.css", "/no/such/page"):
        with client.get(base + path) as resp:
            _check_headers(resp, path, https)
    routes = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint != "static"}
    assert routes <= seen


def test_behind_a_reverse_proxy_the_forwarded_scheme_counts_only_when_trusted(tmp_path, database_url):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    direct = make_test_app(tmp_path / "direct", database_url).test_client().get("/healthz", headers=forwarded)
    assert "Strict-Transport-Security" not in direct.headers  # anyone could send that header
    proxied_app = make_test_app(tmp_path / "proxied", database_url, PROXY_COUNT=1)
    resp = proxied_app.test_client().get("/healthz", headers=forwarded)
    assert resp.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"
    off = make_test_app(tmp_path / "off", database_url, PROXY_COUNT=1, HSTS_SECONDS=0)
    assert "Strict-Transport-Security" not in off.test_client().get("/healthz", headers=forwarded).headers


def test_cookies_are_secure_httponly_and_lax_behind_https(tmp_path, database_url, app, make_user):
    user = make_user()
    secure_app = make_test_app(tmp_path, database_url, SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    resp = secure_app.test_client().post("https://localhost/login", data={
        "email": user.email, "password": TEST_PASSWORD, "remember": "y"})
    cookies = resp.headers.getlist("Set-Cookie")
    assert {c.split("=", 1)[0] for c in cookies} >= {"session", "remember_token"}
    for cookie in cookies:
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie


def test_rate_limit_counters_live_where_the_environment_says(monkeypatch):
    from academy.config import load_config
    from academy.extensions import limiter

    assert load_config({"ACADEMY_ENV": "testing"})["RATELIMIT_STORAGE_URI"] == "memory://"
    monkeypatch.setenv("ACADEMY_RATELIMIT_STORAGE_URI", "redis://cache.internal:6379/0")
    assert load_config({"ACADEMY_ENV": "testing"})["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/0"
    assert limiter._storage_uri is None  # nothing pinned in code: the config decides


# ---------------------------------------------------------------- session lifetimes


@pytest.fixture
def clock(monkeypatch):
    now = [1_900_000_000]
    monkeypatch.setattr(sessions, "_now", lambda: now[0])
    return now


def test_an_idle_session_expires(app, client, make_user, clock):
    login(client, make_user())
    idle = app.config["SESSION_IDLE_TIMEOUT"]
    clock[0] += idle - 60
    assert client.get("/dashboard").status_code == 200  # in use: the idle clock restarts
    clock[0] += idle - 60
    assert client.get("/dashboard").status_code == 200
    clock[0] += idle + 1
    resp = client.get("/dashboard")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_a_forms_token_lasts_a_working_day_then_expires(app, client, make_user, monkeypatch):
    """A learner on a slow link may read a lesson for hours before sending its form; a token
    from yesterday is refused (Flask-WTF's own time limit, not a token that never expires)."""
    import time as time_module

    from tests.conftest import csrf_token_from

    assert app.config["WTF_CSRF_TIME_LIMIT"] == 8 * 3600
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    start = time_module.time()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    monkeypatch.setattr(time_module, "time", lambda: start + 7 * 3600)
    assert client.post("/language", data={"lang": "fr", "next": "/", "csrf_token": token}).status_code == 302
    monkeypatch.setattr(time_module, "time", lambda: start + 9 * 3600)
    assert client.post("/language", data={"lang": "en", "next": "/", "csrf_token": token}).status_code == 400


def test_a_session_in_constant_use_still_ends_at_its_absolute_lifetime(app, client, make_user, clock):
    login(client, make_user())
    absolute = app.config["PERMANENT_SESSION_LIFETIME"]
    absolute = int(absolute.total_seconds() if hasattr(absolute, "total_seconds") else absolute)
    step = app.config["SESSION_IDLE_TIMEOUT"] // 2
    for _ in range(absolute // step):
        clock[0] += step
        assert client.get("/dashboard").status_code == 200
    clock[0] += step
    assert client.get("/dashboard").status_code == 302


def test_a_page_view_leaves_the_session_cookie_alone_until_the_idle_clock_moves(app, client, make_user, clock):
    """Re-signing the cookie on every response cost each page view a JSON dump, an HMAC
    and a Set-Cookie; the cookie is rewritten when the idle clock (_seen) moves, once a
    minute of use, and that rewrite pushes its expiry forward."""
    login(client, make_user())
    client.get("/dashboard")  # the first page adds the CSRF secret to the session
    assert "Set-Cookie" not in client.get("/dashboard").headers
    clock[0] += sessions.SEEN_RESOLUTION - 1
    assert "Set-Cookie" not in client.get("/dashboard").headers
    clock[0] += 1
    refreshed = client.get("/dashboard").headers.get("Set-Cookie", "")
    assert refreshed.startswith("session=") and "Expires=" in refreshed  # still a permanent cookie
    assert "Set-Cookie" not in client.get("/dashboard").headers


def _signed_session(app, data: dict, at: int) -> str:
    from unittest import mock

    serializer = app.session_interface.get_signing_serializer(app)
    with mock.patch("time.time", return_value=at):
        return serializer.dumps(data)


def test_remember_me_outlives_the_session_until_the_password_changes(app, make_user, clock):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    laptop.post("/login", data={"email": user.email, "password": TEST_PASSWORD, "remember": "y"})
    phone.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    clock[0] += app.config["SESSION_IDLE_TIMEOUT"] + 1
    assert laptop.get("/dashboard").status_code == 200  # logged back in by the remember-me cookie
    assert phone.get("/dashboard").status_code == 302
    phone.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    resp = phone.post("/account/password", data={
        "current_password": TEST_PASSWORD, "password": "a brand new passphrase", "confirm": "a brand new passphrase"})
    assert resp.status_code == 302
    assert phone.get("/dashboard").status_code == 200  # the session that changed it stays
    assert laptop.get("/dashboard").status_code == 302  # session and remember-me cookie: both dead
    clock[0] += app.config["SESSION_IDLE_TIMEOUT"] + 1
    assert laptop.get("/dashboard").status_code == 302


def test_log_out_everywhere_revokes_every_session_and_remember_me_cookie(app, make_user):
    user = make_user()
    devices = [app.test_client() for _ in range(3)]
    for device in devices:
        device.post("/login", data={"email": user.email, "password": TEST_PASSWORD, "remember": "y"})
        assert device.get("/dashboard").status_code == 200
    remember = devices[1].get_cookie("remember_token").value
    assert devices[0].post("/account/logout-everywhere").status_code == 302
    for device in devices:
        assert device.get("/dashboard").status_code == 302
    thief = app.test_client()
    thief.set_cookie("remember_token", remember)
    assert thief.get("/dashboard").status_code == 302  # a copied cookie is worthless too


# ---------------------------------------------------------------- database briefly unavailable


class FlakyProxy:
    """A TCP proxy to the database that can be cut and restored, like a network blip or a
    database restart seen from the app."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.is_down = False
        self.conns: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _addr = self.listener.accept()
            except OSError:
                return
            if self.is_down:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src, dst):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def down(self):
        self.is_down = True
        with self.lock:
            for s in self.conns:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self.conns.clear()

    def up(self):
        self.is_down = False

    def close(self):
        self.down()
        self.listener.close()


def _assert_friendly_503(resp):
    assert resp.status_code == 503
    assert resp.headers["Retry-After"]
    html = resp.get_data(as_text=True)
    assert "briefly unavailable" in html and "Nothing you saved has been lost" in html


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL connection loss (the PostgreSQL leg)")
def test_postgres_outage_gives_a_friendly_503_and_the_app_recovers_alone(tmp_path, app, make_user, mini_course):
    url = make_url(PG_URL)
    proxy = FlakyProxy(url.host, url.port)
    try:
        via_proxy = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        flaky_app = make_test_app(tmp_path, via_proxy)
        client = flaky_app.test_client()
        login(client, make_user())
        assert client.get("/dashboard").status_code == 200
        proxy.down()
        _assert_friendly_503(client.get("/dashboard"))
        _assert_friendly_503(client.get("/courses/mini/"))
        assert client.get("/healthz").status_code == 503
        proxy.up()
        assert client.get("/dashboard").status_code == 200  # same process, same pool: no restart
        assert client.get("/healthz").status_code == 200
    finally:
        proxy.close()
        with flaky_app.app_context():
            db.engine.dispose()


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL connection pool (the PostgreSQL leg)")
def test_postgres_connections_are_checked_after_sitting_idle_not_on_every_request(tmp_path, app, monkeypatch):
    from sqlalchemy import create_engine, text

    def pooled_backend(an_app) -> int:
        with an_app.app_context():
            pid = db.session.execute(text("select pg_backend_pid()")).scalar()
            db.session.remove()  # back to the pool
            return pid

    def kill(pid: int) -> None:
        engine = create_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(text("select pg_terminate_backend(:pid)"), {"pid": pid})
        engine.dispose()

    def counted_pings(an_app) -> list:
        pings = []
        with an_app.app_context():
            dialect = db.engine.dialect
            real = dialect.do_ping
            monkeypatch.setattr(dialect, "do_ping", lambda conn: pings.append(1) or real(conn))
        return pings

    busy = make_test_app(tmp_path / "busy", PG_URL, DB_PING_IDLE_SECONDS=60)
    pings = counted_pings(busy)
    client = busy.test_client()
    for _ in range(5):
        assert client.get("/healthz").status_code == 200
    assert pings == []  # in constant use: no round trip spent on checks

    # Idle past the limit: a connection the server dropped is replaced before use.
    idle = make_test_app(tmp_path / "idle", PG_URL, DB_PING_IDLE_SECONDS=0)
    pings = counted_pings(idle)
    kill(pooled_backend(idle))
    assert idle.test_client().get("/healthz").status_code == 200
    assert pings

    # Used a moment ago and dropped since: that one request fails politely, the pool is
    # renewed, and the next request is served.
    kill(pooled_backend(busy))
    assert client.get("/healthz").status_code == 503
    assert client.get("/healthz").status_code == 200
    for an_app in (busy, idle):
        with an_app.app_context():
            db.engine.dispose()


@pytest.mark.skipif(bool(PG_URL), reason="SQLite lock contention (the SQLite leg)")
def test_sqlite_locked_past_the_busy_timeout_gives_a_friendly_503_then_recovers(
        tmp_path, app, database_url, make_user, mini_course):
    from academy.courses.services import enroll

    user = make_user()
    enroll(user, mini_course, "en")
    db.session.commit()
    impatient = make_test_app(tmp_path, database_url, SQLITE_BUSY_TIMEOUT=0.2)
    client = impatient.test_client()
    login(client, user)
    holder = sqlite3.connect(make_url(database_url).database, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")  # another process holding the write lock for long
        _assert_friendly_503(client.post("/learn/mini/one/first/complete"))
        assert client.get("/dashboard").status_code == 200  # readers are not blocked (WAL)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert client.post("/learn/mini/one/first/complete").status_code == 302
    with impatient.app_context():
        db.engine.dispose()


# ---------------------------------------------------------------- a full disk


def _fill_disk_after(monkeypatch, nbytes: int):
    import academy.core.storage as storage_module

    real_fdopen = os.fdopen

    class FullDisk:
        def __init__(self, f):
            self.f, self.written = f, 0

        def write(self, data):
            if self.written + len(data) > nbytes:
                self.f.write(bytes(data[: nbytes - self.written]))
                raise OSError(errno.ENOSPC, "No space left on device")
            self.written += len(data)
            return self.f.write(data)

        def __getattr__(self, name):
            return getattr(self.f, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

    monkeypatch.setattr(storage_module.os, "fdopen", lambda fd, mode: FullDisk(real_fdopen(fd, mode)))


def test_a_full_disk_refuses_the_file_and_leaves_nothing_half_written(app_ctx, app, monkeypatch):
    from academy.core.storage import StorageFullError, get_storage

    store = get_storage()
    store.put("evidence/report.pdf", b"the first version")
    _fill_disk_after(monkeypatch, 1000)
    with pytest.raises(StorageFullError):
        store.put("evidence/report.pdf", b"x" * 5000)
    with pytest.raises(StorageFullError):
        store.put("evidence/new.pdf", b"y" * 5000)
    assert store.get("evidence/report.pdf") == b"the first version"  # the old file is intact
    assert list(store.keys()) == ["evidence/report.pdf"]
    assert sorted(os.listdir(store.path("evidence"))) == ["report.pdf"]  # no temporary file left


def test_an_upload_on_a_full_disk_gets_a_clear_message_and_no_record(tmp_path, app, database_url, monkeypatch,
                                                                      make_user):
    from flask import request

    from academy.auth.models import User
    from academy.core.storage import get_storage

    uploads = make_test_app(tmp_path, database_url, STORAGE_DIR=app.config["STORAGE_DIR"])

    @uploads.post("/_upload")
    def upload():  # an upload view as features write them: a row, then the file
        user = db.session.get(User, int(request.form["user_id"]))
        user.institution_other = "changed by the upload"
        db.session.flush()
        get_storage().put("evidence/upload.bin", request.files["file"].stream)
        db.session.commit()
        return "stored"

    user = make_user()
    _fill_disk_after(monkeypatch, 4096)
    import io

    resp = uploads.test_client().post("/_upload", data={
        "user_id": str(user.id), "file": (io.BytesIO(b"z" * 100_000), "evidence.bin")})
    assert resp.status_code == 507
    assert "Nothing was saved" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).institution_other == "Test institute"
    with uploads.app_context():
        assert list(get_storage().keys()) == []


def test_a_course_package_upload_on_a_full_disk_is_refused_clearly(app, app_ctx, make_user, login_as, monkeypatch):
    from academy.courses.models import Course
    from tests.conftest import FIXTURES
    from tests.test_admin_courses import upload, zip_folder

    admin_client = login_as(make_user("admin"))
    _fill_disk_after(monkeypatch, 2048)
    resp = upload(admin_client, zip_folder(FIXTURES / "mini"))
    assert resp.status_code == 507
    assert "Nothing was saved" in resp.get_data(as_text=True)
    uploads_dir = os.path.join(app.config["STORAGE_DIR"], "package-uploads")
    assert not os.path.exists(uploads_dir) or os.listdir(uploads_dir) == []
    assert db.session.scalar(select(func.count()).select_from(Course)) == 0
    monkeypatch.undo()  # room again: the same upload goes through
    assert upload(admin_client, zip_folder(FIXTURES / "mini")).status_code == 302


@pytest.mark.parametrize(("header", "encoding"), [
    ("gzip, deflate, br, zstd", "br"), ("gzip", "gzip"), ("br, gzip;q=0.5", "br"), ("gzip;q=0, br", "br"),
    ("br;q=0, gzip", "gzip"), ("x-gzip", None), ("deflate", None), ("", None), ("*;q=0.1", "br"),
])
def test_compression_follows_accept_encoding(client, mini_course, header, encoding):
    resp = client.get("/", headers={"Accept-Encoding": header} if header else {})
    assert resp.headers.get("Content-Encoding") == encoding


def test_gunicorn_workers_default_to_the_cores_unless_the_database_is_another_machine():
    from academy.core.serving import default_workers

    assert default_workers(None, 2) == default_workers("sqlite:////srv/academy.db", 2) == 2
    assert default_workers("sqlite:////srv/academy.db", 1) == 2, "never one worker alone"
    assert default_workers("sqlite:////srv/academy.db", 8) == 8
    # A PostgreSQL server on this host shares the cores; one elsewhere makes workers wait.
    assert default_workers("postgresql+psycopg://academy@127.0.0.1:5432/academy", 2) == 2
    assert default_workers("postgresql+psycopg:///academy?host=/run/postgresql", 2) == 2
    assert default_workers("postgresql+psycopg://academy@db/academy", 2) == 5
