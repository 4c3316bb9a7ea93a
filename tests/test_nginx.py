"""Production behind nginx: the shipped deploy/nginx/academy.conf, rendered the way its
install notes say, run by Debian's nginx in front of a real gunicorn on 127.0.0.1."""

from __future__ import annotations

import datetime
import gzip
import http.client
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import PG_URL
from tests.live import REPO, Server, free_port, server_env

pytestmark = [
    pytest.mark.servers,
    pytest.mark.skipif(bool(PG_URL), reason="the proxy does not depend on the database: runs in the SQLite leg"),
]

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SITE = REPO / "deploy" / "nginx" / "academy.conf"
HOST = "localhost"
FLASK = Path(sys.executable).parent / "flask"


def _require_nginx() -> None:
    if os.access(NGINX, os.X_OK):
        return
    if os.environ.get("CI") == "true":
        pytest.fail("nginx not found (CI=true: failing). Install it: apt-get install nginx")
    pytest.skip("nginx not installed: apt-get install nginx (make sysdeps-test does)")


def render_site(upstream: str, http_port: int, https_port: int, cert: Path, key: Path) -> str:
    """The shipped site file with its placeholders filled in (as the sed line in its header
    does), listening on the test's free ports on 127.0.0.1 instead of 80 and 443 everywhere."""
    text = SITE.read_text()
    for placeholder, value in {
        "@SERVER_NAME@": HOST, "@ACADEMY_DIR@": str(REPO), "@UPSTREAM@": upstream,
        "@TLS_CERTIFICATE@": str(cert), "@TLS_CERTIFICATE_KEY@": str(key),
    }.items():
        assert placeholder in text, placeholder
        text = text.replace(placeholder, value)
    assert not re.search(r"@[A-Z_]+@", text), "a placeholder the install notes do not mention"
    text, ipv6 = re.subn(r"^\s*listen \[::\]:\d+[^;]*;\n", "", text, flags=re.M)
    text, plain = re.subn(r"^(\s*)listen 80\b", rf"\g<1>listen 127.0.0.1:{http_port}", text, flags=re.M)
    text, tls = re.subn(r"^(\s*)listen 443\b", rf"\g<1>listen 127.0.0.1:{https_port}", text, flags=re.M)
    assert (ipv6, plain, tls) == (4, 2, 2), "the site file's listen lines changed: update this test"
    return text


def main_conf(tmp: Path, site: Path) -> str:
    """An nginx.conf like Debian's /etc/nginx/nginx.conf (its http-level defaults, which the
    site file must not clash with), with every path inside the test's directory."""
    user = "user root;" if os.geteuid() == 0 else ""  # workers must read the checkout and tmp
    temp = "\n".join(f"    {kind}_temp_path {tmp / kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""{user}
worker_processes 1;
pid {tmp / "nginx.pid"};
error_log {tmp / "error.log"} warn;
events {{ worker_connections 256; }}
http {{
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    access_log {tmp / "access.log"};
    gzip on;
{temp}
    include {site};
}}
"""


def self_signed(tmp: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@dataclass
class Stack:
    app: Server
    http_port: int
    https_port: int
    tls: ssl.SSLContext

    def fetch(self, path: str, method: str = "GET", headers: dict | None = None, body: bytes | None = None,
              timeout: float = 30, host: str = HOST):
        """One request through nginx over HTTPS: (status, headers, raw body)."""
        conn = http.client.HTTPSConnection(HOST, self.https_port, context=self.tls, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers={"Host": host, **(headers or {})})
            resp = conn.getresponse()
            return resp.status, resp.headers, resp.read()
        finally:
            conn.close()

    def tls_socket(self) -> socket.socket:
        return self.tls.wrap_socket(socket.create_connection(("127.0.0.1", self.https_port), timeout=30),
                                    server_hostname=HOST)

    def app_log_entries(self) -> list[dict]:
        """The requests gunicorn's app logged (one JSON line each)."""
        return [json.loads(line) for line in self.app.log.splitlines() if line.startswith('{"ts"')]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    _require_nginx()
    tmp = tmp_path_factory.mktemp("nginx")
    url = f"sqlite:///{tmp / 'academy.db'}"
    migrate = subprocess.run([str(FLASK), "--app", "wsgi", "db", "upgrade"], cwd=REPO, capture_output=True,
                             text=True, env=server_env(url, tmp / "migrate"), timeout=180)
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    # Two sync workers, as a small `make serve`. The worker timeout is raised so that a
    # stalled worker stays stalled for the whole test (gunicorn would kill it after 30 s),
    # and the app's own compression is off so the gzip seen below is nginx's.
    app = Server(url, tmp / "app", workers=2, ACADEMY_PROXY_COUNT="1", ACADEMY_SECURE_COOKIES="1",
                 ACADEMY_WORKER_TIMEOUT="120", ACADEMY_COMPRESS="0")
    nginx = None
    try:
        app.wait_ready()
        cert, key = self_signed(tmp)
        http_port, https_port = free_port(), free_port()
        site = tmp / "academy.conf"
        site.write_text(render_site(app.base.removeprefix("http://"), http_port, https_port, cert, key))
        conf = tmp / "nginx.conf"
        conf.write_text(main_conf(tmp, site))
        error_log = tmp / "error.log"
        with open(tmp / "nginx.out", "wb") as out:
            nginx = subprocess.Popen([NGINX, "-p", str(tmp), "-c", str(conf), "-e", str(error_log),
                                      "-g", "daemon off;"], stdout=out, stderr=subprocess.STDOUT)
        tls = ssl.create_default_context(cafile=str(cert))
        stack = Stack(app, http_port, https_port, tls)
        deadline = time.monotonic() + 30
        while True:
            if nginx.poll() is not None:
                raise RuntimeError(f"nginx exited: {(tmp / 'nginx.out').read_text()} {error_log.read_text()}")
            try:
                if stack.fetch("/livez", timeout=5)[0] == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield stack
    finally:
        if nginx is not None:
            nginx.terminate()
            try:
                nginx.wait(20)
            except subprocess.TimeoutExpired:
                nginx.kill()
                nginx.wait()
        app.stop()


def test_a_page_through_nginx_carries_the_apps_headers_and_the_public_address(stack):
    status, headers, body = stack.fetch("/login", headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    # nginx compressed the page (the app's own compression is off here).
    assert headers["Content-Encoding"] == "gzip"
    assert b"</html>" in gzip.decompress(body)
    # The app knows the request came over HTTPS (X-Forwarded-Proto, trusted with
    # ACADEMY_PROXY_COUNT=1): HSTS, and its session cookie is Secure.
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    cookies = headers.get_all("Set-Cookie") or []
    assert cookies and all("; Secure" in cookie for cookie in cookies)
    # Redirects and absolute links name the address the learner used, not gunicorn's.
    status, headers, _body = stack.fetch("/courses")
    assert status == 308
    assert headers["Location"] == f"https://{HOST}:{stack.https_port}/courses/"


def test_the_app_sees_the_learners_address_and_cannot_be_fooled_about_it(stack):
    stack.fetch("/livez", headers={"X-Forwarded-For": "203.0.113.9"})
    seen = {entry["remote_addr"] for entry in stack.app_log_entries() if entry["path"] == "/livez"}
    assert seen == {"127.0.0.1"}  # the test's own address, not the one it claimed


def test_plain_http_moves_to_https_and_unknown_host_names_get_no_answer(stack):
    conn = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=30)
    conn.request("GET", "/courses/?page=2", headers={"Host": HOST})
    resp = conn.getresponse()
    assert resp.status == 301 and resp.headers["Location"] == f"https://{HOST}/courses/?page=2"
    conn.close()
    # The app builds password-reset links from the Host header: another name never reaches it.
    conn = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=30)
    conn.request("GET", "/login", headers={"Host": "evil.example"})
    with pytest.raises(http.client.RemoteDisconnected):
        conn.getresponse()
    conn.close()
    with pytest.raises(http.client.RemoteDisconnected):
        stack.fetch("/login", host="evil.example")
    # Without the right name in the TLS handshake there is not even a certificate.
    with pytest.raises(ssl.SSLError):
        ssl.create_default_context().wrap_socket(
            socket.create_connection(("127.0.0.1", stack.https_port), timeout=30), server_hostname="evil.example")


def test_static_files_come_from_nginx_compressed_cached_for_a_year_and_revalidated(stack):
    page = stack.fetch("/login")[2].decode()
    css = re.search(r'href="(/static/css/academy\.css\?v=[0-9a-f]+)"', page).group(1)
    expected = (REPO / "academy" / "static" / "css" / "academy.css").read_bytes()

    status, headers, body = stack.fetch(css, headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip" and gzip.decompress(body) == expected
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in headers  # no app response: nginx read the file
    etag, last_modified = headers["ETag"], headers["Last-Modified"]
    assert etag.startswith('W/"')  # gzipped bytes differ from the file's: a weak validator

    # A learner coming back: the browser asks "changed?" and gets a 304 without a body.
    for condition in ({"If-None-Match": etag}, {"If-Modified-Since": last_modified}):
        status, headers, body = stack.fetch(css, headers={"Accept-Encoding": "gzip", **condition})
        assert (status, body) == (304, b""), condition
    status, headers, body = stack.fetch("/static/css/academy.css")  # unversioned: revalidated hourly
    assert status == 200 and body == expected and headers["Cache-Control"] == "public, max-age=3600"
    assert not [entry for entry in stack.app_log_entries() if entry["path"].startswith("/static/")]


def test_uploads_up_to_the_apps_limit_pass_nginx_and_larger_ones_stop_there(stack):
    from academy.config import load_config

    limit = load_config({"ACADEMY_ENV": "testing"})["MAX_CONTENT_LENGTH"]
    boundary = "academy-upload"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    # One byte under: under gunicorn, Werkzeug takes a body of exactly the limit as too large.
    body = head + b"x" * (limit - 1 - len(head) - len(tail)) + tail
    status, headers, _body = stack.fetch("/login", method="POST", body=body,
                                         headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    # The app answered (its own headers; a form without a CSRF token is sent back to its page
    # with "this form has expired"), not nginx.
    assert status == 303 and "Content-Security-Policy" in headers, status
    # One byte more: nginx refuses it from the headers alone, before any body is sent.
    sock = stack.tls_socket()
    sock.sendall(f"POST /login HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/octet-stream\r\n"
                 f"Content-Length: {limit + 1}\r\n\r\n".encode())
    resp = http.client.HTTPResponse(sock)
    resp.begin()
    assert resp.status == 413 and "Content-Security-Policy" not in resp.headers
    sock.close()


class SlowClients:
    """Four clients that start a request and never finish it: two in their headers, two in
    a form's body (a phone on a bad link, or anyone who wants to). Each sends a byte now and
    then, so no idle timeout (nginx's or the kernel's) ends them while the test runs."""

    def __init__(self, connect) -> None:
        self.sockets = []
        for i in range(4):
            sock = connect()
            if i % 2:
                sock.sendall(f"GET /login HTTP/1.1\r\nHost: {HOST}\r\nX-Slow: ".encode())
            else:
                sock.sendall(f"POST /login HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/x-www-form-urlencoded"
                             f"\r\nContent-Length: 1000\r\n\r\nemail=".encode() + b"a" * 400)
            self.sockets.append(sock)
        self.done = threading.Event()
        self.trickle = threading.Thread(target=self._trickle, daemon=True)
        self.trickle.start()

    def _trickle(self) -> None:
        while not self.done.wait(0.5):
            for sock in self.sockets:
                try:
                    sock.send(b"a")
                except OSError:
                    pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.trickle.join()
        for sock in self.sockets:
            sock.close()


def test_four_slow_clients_do_not_stall_a_fifth_behind_nginx(stack):
    app_port = int(stack.app.base.rsplit(":", 1)[1])

    # Exposed directly, gunicorn's two sync workers each wait on a half-sent request and
    # the fifth visitor waits behind them (until the worker timeout kills them).
    with SlowClients(lambda: socket.create_connection(("127.0.0.1", app_port), timeout=30)):
        direct = http.client.HTTPConnection("127.0.0.1", app_port, timeout=3)
        with pytest.raises(TimeoutError):
            direct.request("GET", "/livez")
            direct.getresponse()
        direct.close()
    stack.app.wait_ready()  # the workers are free again once those clients hang up

    # Behind nginx the same four are nginx's to wait for: gunicorn only ever gets complete
    # requests, and the fifth is answered (a generous bound, far from the usual milliseconds,
    # and well under the 120 s the workers would otherwise be stuck).
    with SlowClients(stack.tls_socket):
        time.sleep(0.5)  # let nginx take all four in before the fifth arrives
        status, _headers, body = stack.fetch("/login", timeout=20)
        assert status == 200 and b"</html>" in body
        assert stack.fetch("/healthz", timeout=20)[0] == 200
