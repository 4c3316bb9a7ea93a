"""Shared benchmark machinery: a populated database, gunicorn, minted sessions, a
closed-loop load generator. Everything runs on 127.0.0.1 and stops by itself."""

from __future__ import annotations

import hashlib
import http.client
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
sys.path.insert(0, str(REPO))

from tests.live import SECRET, Server, fresh_postgres_database  # noqa: E402

FLASK = Path(sys.executable).parent / "flask"


def bench_env(url: str, instance: Path) -> dict:
    return {**os.environ, "ACADEMY_ENV": "production", "SECRET_KEY": SECRET, "ACADEMY_DATABASE_URL": url,
            "ACADEMY_INSTANCE_DIR": str(instance), "ACADEMY_SECURE_COOKIES": "0"}


def app_for(url: str, instance: Path):
    from academy import create_app

    return create_app({"ACADEMY_ENV": "production", "SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url,
                       "INSTANCE_DIR": str(instance), "STORAGE_DIR": str(instance / "server" / "storage"),
                       "REQUEST_LOG": False})


def ensure_certificates(app, n: int = 50) -> int:
    """Certificates for the verify page: issued for completed enrolments if none exist yet
    (and if the certificates feature is installed)."""
    try:
        from academy.certificates.models import Certificate
        from academy.certificates.services import issue_for_enrollment
    except ImportError:
        return 0
    from sqlalchemy import func, select

    from academy.core.enums import EnrollmentStatus
    from academy.courses.models import Enrollment
    from academy.extensions import db

    with app.app_context():
        have = db.session.scalar(select(func.count()).select_from(Certificate))
        if not have:
            for enrollment in db.session.scalars(select(Enrollment).where(
                    Enrollment.status == EnrollmentStatus.COMPLETED).order_by(Enrollment.id).limit(n)):
                issue_for_enrollment(enrollment)
            db.session.commit()
            have = db.session.scalar(select(func.count()).select_from(Certificate))
        db.session.remove()
        db.engine.dispose()
    return have


def ensure_quiz_course(app, user_ids: list[int] | None = None) -> str | None:
    """DL177 (the course with quizzes; the synthetic population has none) imported, and the
    given learners enrolled in it. Returns its slug, or None without the assessments feature."""
    try:
        from academy.assessments.models import Quiz  # noqa: F401  (the feature is installed)
    except ImportError:
        return None
    from sqlalchemy import select

    from academy.auth.models import User
    from academy.courses.models import Course
    from academy.courses.package import load_package
    from academy.courses.services import enroll, import_package
    from academy.demo import PACKAGES_DIR
    from academy.extensions import db

    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.code == "DL177"))
        if course is None:
            course, _summary = import_package(load_package(PACKAGES_DIR / "dl177"))
            db.session.commit()
        for user in db.session.scalars(select(User).where(User.id.in_(user_ids or []))):
            enroll(user, course, "en")
        db.session.commit()
        slug = course.slug
        db.session.remove()
        db.engine.dispose()
    return slug


def ensure_admin(app) -> int:
    """An admin in the population (bench-data makes learners only), for the admin pages."""
    from sqlalchemy import select

    from academy.auth.models import User, UserRole
    from academy.auth.services import create_user
    from academy.core.enums import Role
    from academy.extensions import db

    with app.app_context():
        uid = db.session.scalar(select(UserRole.user_id).where(UserRole.role == Role.ADMIN).limit(1))
        if uid is None:
            user = db.session.scalar(select(User).where(User.email == "bench-admin@example.org"))
            if user is None:
                user = create_user(email="bench-admin@example.org", full_name="Bench Admin",
                                   password=secrets.token_urlsafe(24), gender="woman", country_code="CH",
                                   institution_other="WIPO Academy", roles=[Role.ADMIN])
            db.session.commit()
            uid = user.id
        db.session.remove()
        db.engine.dispose()
    return uid


def has_command(name: str) -> bool:
    out = subprocess.run([str(FLASK), "--app", "wsgi", "academy", "--help"], capture_output=True, text=True,
                         env=bench_env("sqlite://", OUT), cwd=REPO)
    return f" {name} " in out.stdout


def populate(url: str, instance: Path, scale: float) -> None:
    """Migrate and fill an empty database: `academy bench-data` when the app has it,
    else bench/population.py."""
    env = bench_env(url, instance)
    subprocess.run([str(FLASK), "--app", "wsgi", "db", "upgrade"], check=True, env=env, cwd=REPO,
                   capture_output=True)
    started = time.monotonic()
    if has_command("bench-data"):
        args = [str(FLASK), "--app", "wsgi", "academy", "bench-data"]
        if scale != 1.0:
            args += ["--learners", str(max(1, int(110_000 * scale))),
                     "--enrolments", str(int(250_000 * scale))]
        subprocess.run(args, check=True, env=env, cwd=REPO)
    else:
        from bench.population import generate

        app = app_for(url, instance)
        with app.app_context():
            generate(scale)
            from academy.extensions import db

            db.session.remove()
            db.engine.dispose()
    print(f"population ready in {time.monotonic() - started:.0f} s")


def sqlite_database(scale: float, fresh: bool) -> tuple[str, Path]:
    """A populated SQLite file, kept in bench/out between runs (same scale)."""
    instance = OUT / f"sqlite-{scale:g}"
    db_file = instance / "academy.db"
    url = f"sqlite:///{db_file}"
    if fresh and instance.exists():
        shutil.rmtree(instance)
    if not db_file.exists():
        instance.mkdir(parents=True, exist_ok=True)
        print(f"building the SQLite population (scale {scale:g}) in {db_file}")
        populate(url, instance, scale)
    else:  # a cached population: bring its schema up to date with the code
        subprocess.run([str(FLASK), "--app", "wsgi", "db", "upgrade"], check=True, env=bench_env(url, instance),
                       cwd=REPO, capture_output=True)
    return url, instance


def postgres_database(base_url: str, scale: float, name: str, reuse: bool = False) -> tuple[str, Path]:
    """A populated database ``name`` next to ``base_url``'s; with ``reuse``, one left by an
    earlier run at the same scale is kept (and upgraded) instead of rebuilt."""
    from sqlalchemy.engine import make_url

    instance = OUT / f"pg-{scale:g}"
    instance.mkdir(parents=True, exist_ok=True)
    url = make_url(base_url).set(database=name).render_as_string(hide_password=False)
    marker = instance / f"{name}.populated"
    if reuse and marker.exists():
        try:
            sample(url, 'SELECT 1 FROM "user" LIMIT 1')
        except Exception:  # noqa: BLE001 - gone (a throwaway cluster): build it again
            marker.unlink()
        else:
            subprocess.run([str(FLASK), "--app", "wsgi", "db", "upgrade"], check=True,
                           env=bench_env(url, instance), cwd=REPO, capture_output=True)
            return url, instance
    url = fresh_postgres_database(base_url, name)
    print(f"building the PostgreSQL population (scale {scale:g})")
    populate(url, instance, scale)
    marker.touch()
    return url, instance


def start_server(url: str, instance: Path, workers: int | None = None, **env: str) -> Server:
    extra = {"ACADEMY_RATELIMIT_ENABLED": "0", **env}
    from academy.core.serving import default_workers

    server = Server(url, instance / "server", workers or default_workers(url, os.cpu_count() or 1), **extra)
    server.wait_ready(180)
    return server


def mint_session(app, user_id: int, session_version: int = 1) -> str:
    """A logged-in session cookie for ``user_id``, signed with the server's key.

    Logging thousands of simulated learners in through argon2 would measure password
    hashing, not the pages; the cookie is exactly what a real login leaves behind."""
    now = int(time.time())
    # Flask-Login's session identifier for a client at 127.0.0.1 with no User-Agent (the
    # load generator's), as its documentation describes it: SHA-512 of "address|agent".
    identifier = hashlib.sha512(b"127.0.0.1|None").hexdigest()
    with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        serializer = app.session_interface.get_signing_serializer(app)
        # Permanent, as the login view makes every session (session.permanent = True).
        return serializer.dumps({"_user_id": f"{user_id}:{session_version}", "_fresh": False,
                                 "_id": identifier, "_started": now, "_seen": now,
                                 "_permanent": True})


def sample(url: str, sql: str, **params) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]
    finally:
        engine.dispose()


class Client:
    """One simulated browser: its session cookie, its CSRF token; a new connection per
    request (gunicorn's sync workers close each one)."""

    def __init__(self, port: int, cookie: str) -> None:
        self.port, self.cookies, self.csrf = port, {"session": cookie}, ""
        self._requests: dict[str, bytes] = {}  # path -> the GET's bytes, for the load loop
        self.location = ""  # the last response's Location header

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                   "Accept-Encoding": "gzip"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            self.location = resp.getheader("Location", "")
            for header, value in resp.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
                    self._requests.clear()
            return resp.status, data
        finally:
            conn.close()

    def get(self, path: str) -> int:
        """A GET for the load loop, on a plain socket: status code only, cookies kept.

        http.client parses every header through the email package and costs the load
        generator about as much CPU per request as the server's bare route does; on a
        two-core machine that CPU is taken from the server under test. This sends the same
        request (the cookies, gzip accepted) and reads the answer to its end; the server
        closes the connection after each response (sync workers; "Connection: close")."""
        request = self._requests.get(path)
        if request is None:
            cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            request = self._requests[path] = (
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nCookie: {cookie}\r\n"
                "Accept-Encoding: gzip\r\nConnection: close\r\n\r\n").encode("latin-1")
        with socket.create_connection(("127.0.0.1", self.port), timeout=60) as sock:
            sock.sendall(request)
            chunks = []
            while chunk := sock.recv(262144):
                chunks.append(chunk)
        head = b"".join(chunks).partition(b"\r\n\r\n")[0]
        if not head.startswith(b"HTTP/1.1 "):
            raise OSError("no HTTP response")
        if b"\r\nset-cookie:" in head.lower():
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "set-cookie":
                    key, _, rest = value.strip().partition("=")
                    self.cookies[key] = rest.split(";", 1)[0]
            self._requests.clear()
        return int(head[9:12])

    def html(self, path: str) -> tuple[int, str]:
        import gzip

        status, data = self.request("GET", path)
        return status, gzip.decompress(data).decode() if data[:2] == b"\x1f\x8b" else data.decode()

    def fetch_csrf(self, path: str = "/account") -> None:
        import re

        status, html = self.html(path)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        if status != 200 or not match:
            raise RuntimeError(f"no CSRF token on {path} ({status})")
        self.csrf = match.group(1)


@dataclass
class Result:
    name: str
    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) * 1000 if self.latencies else float("nan")


def load(name: str, clients: list[Client], paths: list[str], seconds: float, warmup: float = 0) -> Result:
    """Closed loop: every client sends its next request as soon as the last one returns.

    ``warmup`` seconds of the same load run first, unrecorded: every worker process fills
    its caches (course structure, rendered pages) for these paths, as a server in service
    has, so the figures are the steady state rather than a worker's first minute."""
    if warmup > 0:
        load(name, clients, paths, warmup)
    result = Result(name, len(clients), seconds)
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def run(i: int, client: Client) -> None:
        path = paths[i % len(paths)]
        lat, errs = [], 0
        while time.perf_counter() < stop_at:
            t = time.perf_counter()
            try:
                ok = client.get(path) == 200
            except OSError:
                ok = False
            if ok:
                lat.append(time.perf_counter() - t)
            else:
                errs += 1
        with lock:
            result.latencies += lat
            result.errors += errs

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return result
