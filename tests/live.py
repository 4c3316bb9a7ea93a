"""Real gunicorn servers for tests, and a small cookie-keeping HTTP client to drive them."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
FLASK = Path(sys.executable).parent / "flask"
SECRET = "live-test-secret-" + "s" * 40


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_postgres_database(base_url: str, name: str) -> str:
    """A new, empty database next to the test one in the throwaway cluster; its URL."""
    engine = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


def server_env(database_url: str, instance_dir: Path, **extra: str) -> dict:
    env = {
        **os.environ,
        "ACADEMY_ENV": "production",
        "SECRET_KEY": SECRET,
        "ACADEMY_DATABASE_URL": database_url,
        "ACADEMY_INSTANCE_DIR": str(instance_dir),
        "ACADEMY_STORAGE_DIR": str(instance_dir / "storage"),
        "ACADEMY_SECURE_COOKIES": "0",  # plain HTTP on 127.0.0.1
        "ACADEMY_RATELIMIT_ENABLED": "0",
        "ACADEMY_MAIL_BACKEND": "console",
        "ACADEMY_WORKERS": "2",
    }
    env.update(extra)
    return env


class Server:
    """A gunicorn process with the repo's gunicorn.conf.py on a free port."""

    def __init__(self, database_url: str, instance_dir: Path, workers: int = 2, **extra: str) -> None:
        port = free_port()
        instance_dir.mkdir(parents=True, exist_ok=True)
        env = server_env(database_url, instance_dir, ACADEMY_BIND=f"127.0.0.1:{port}",
                         ACADEMY_WORKERS=str(workers),
                         **{"ACADEMY_BASE_URL": f"http://127.0.0.1:{port}", **extra})
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = instance_dir / f"gunicorn-{port}.log"
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen([str(GUNICORN), "-c", str(REPO / "gunicorn.conf.py"), "wsgi:app"],
                                         cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log[-3000:]}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as resp:  # noqa: S310
                    if resp.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not come up: {self.log[-3000:]}")
            time.sleep(0.2)

    def worker_pids(self) -> list[int]:
        out = subprocess.run(["ps", "--ppid", str(self.proc.pid), "-o", "pid="], capture_output=True, text=True)
        return [int(p) for p in out.stdout.split()]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@contextmanager
def gunicorn(database_url: str, instance_dir: Path, workers: int = 2, **extra: str):
    """One server, up and answering; yields it."""
    server = Server(database_url, instance_dir, workers, **extra)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@contextmanager
def gunicorns(*specs: tuple):
    """Several servers booted side by side: specs are (database_url, instance_dir, {extra env})."""
    servers = []
    try:
        for url, instance_dir, extra in specs:
            servers.append(Server(url, instance_dir, **extra))
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Keeps cookies like a browser; never follows redirects (tests look at them)."""

    def __init__(self, base: str, jar: http.cookiejar.CookieJar | None = None) -> None:
        self.base = base
        self.jar = jar if jar is not None else http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)
        self.csrf = ""

    def request(self, method: str, path: str, data: dict | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers or {})
        try:
            with self.opener.open(req, timeout=60) as resp:
                return resp.status, resp.read().decode("utf-8", "replace"), resp.headers
        except urllib.error.HTTPError as err:
            with err:
                return err.code, err.read().decode("utf-8", "replace"), err.headers

    def get(self, path: str, **kw):
        return self.request("GET", path, **kw)

    def post(self, path: str, data: dict | None = None, **kw):
        return self.request("POST", path, data={"csrf_token": self.csrf, **(data or {})}, **kw)

    def login(self, email: str, password: str) -> None:
        status, html, _h = self.get("/login")
        assert status == 200, status
        self.csrf = csrf_from(html)
        status, html, _h = self.post("/login", {"email": email, "password": password})
        assert status == 302, (status, html[:500])
        status, html, _h = self.get("/dashboard")
        assert status == 200, status
        self.csrf = csrf_from(html)  # a new session after login: a new token


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


class Consumer:
    """A queue consumer (`flask academy worker`), its output in a log file."""

    def __init__(self, database_url: str, instance_dir: Path, workers: int = 1, **extra: str) -> None:
        instance_dir.mkdir(parents=True, exist_ok=True)
        # ACADEMY_QUEUE_URL comes in ``extra``: the queue file the web servers write to.
        env = server_env(database_url, instance_dir, ACADEMY_QUEUE_IMMEDIATE="0", **extra)
        self.log_path = instance_dir / f"consumer-{time.monotonic_ns()}.log"
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen([str(FLASK), "--app", "wsgi", "academy", "worker", "--threads",
                                          "--workers", str(workers)],
                                         cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # Huey's graceful stop: running tasks finish
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@contextmanager
def consumer(database_url: str, instance_dir: Path, **extra: str):
    worker = Consumer(database_url, instance_dir, **extra)
    try:
        yield worker
    finally:
        worker.stop()


def wait_for(predicate, timeout: float = 120, interval: float = 0.2, what: str = "the condition"):
    """Poll ``predicate`` until it returns something true; its value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(interval)
