"""The REST API and the xAPI sender under load, on a throwaway SQLite database.

    .venv/bin/python -m bench.api [--enrolments 10000] [--page 100] [--clients 2]
                                  [--backlog 100000] [--batch 1000]

1. The progress list: 10,000 enrolments paged through GET /api/v1/enrolments/ by
   ``--clients`` concurrent clients against gunicorn (the production server), each reading
   the whole list with its own token: requests per second and the p50/p95 latency.
2. Statements per second to Ralph (the LRS of tests/xapi, from .venv/ralph: `make
   test-tools`) from a backlog of ``--backlog`` statements in the outbox, sent by the
   queue's task ``send_pending`` a batch at a time. Ralph's file-system backend writes each
   target file once, so every batch goes to an LRS account with its own target.

Each figure comes with a baseline measured in the same run, on the same machine: the
progress list beside the bare route /livez read by the same clients from the same server as
often as the list was paged, and the sender beside the same batches POSTed straight to the
same Ralph (no outbox, no queue task). Prints figures and the ratios, never asserts: timings
vary with the machine.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import shutil
import statistics
import subprocess
import threading
import time
import urllib.request
import uuid
from datetime import UTC, datetime

from bench.common import OUT, app_for, start_server
from bench.population import write_course_package
from tests.live import free_port

RALPH = OUT.parent.parent / ".venv" / "ralph" / "bin" / "python"
RALPH_PASSWORD = "bench"  # noqa: S105 - a throwaway LRS on 127.0.0.1


def build(enrolments: int) -> tuple[str, object, list[str]]:
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from academy.api.services import create_token
    from academy.auth.models import User
    from academy.core.enums import EnrollmentStatus
    from academy.courses.models import Enrollment
    from academy.courses.package import load_package
    from academy.courses.services import import_package
    from academy.extensions import db

    root = OUT / "api"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    url = f"sqlite:///{root / 'api.db'}"
    app = app_for(url, root)
    secrets = []
    with app.app_context():
        upgrade()
        course, _ = import_package(load_package(write_course_package(root / "course", "API1", 2, 3)))
        now = datetime.now(UTC)
        db.session.execute(insert(User), [
            {"email": f"learner{i}@bench.example.org", "full_name": f"Learner {i}", "password_hash": "x",
             "gender": "woman", "country_code": "KE", "preferred_language": "en", "is_active_account": True,
             "session_version": 1, "created_at": now, "updated_at": now} for i in range(enrolments)])
        ids = db.session.scalars(select(User.id).order_by(User.id)).all()
        db.session.execute(insert(Enrollment), [
            {"user_id": uid, "course_id": course.id, "language": "en", "status": EnrollmentStatus.IN_PROGRESS,
             "enrolled_at": now, "progress_percent": i % 101} for i, uid in enumerate(ids)])
        for n in range(8):
            secrets.append(create_token(name=f"bench {n}", scopes=["read:progress"])[1])
        db.session.commit()
    return url, app, secrets


def page_through(base: str, secret: str, page: int, latencies: list[float]) -> int:
    host = base.removeprefix("http://")
    conn = http.client.HTTPConnection(host, timeout=60)
    cursor, seen = None, 0
    while True:
        path = f"/api/v1/enrolments/?limit={page}" + (f"&cursor={cursor}" if cursor else "")
        started = time.perf_counter()
        conn.request("GET", path, headers={"Authorization": f"Bearer {secret}"})
        resp = conn.getresponse()
        body = json.loads(resp.read())
        latencies.append(time.perf_counter() - started)
        if resp.status != 200:
            raise RuntimeError(f"{path}: {resp.status} {body}")
        seen += len(body["data"])
        cursor = body["next_cursor"]
        if cursor is None:
            conn.close()
            return seen


def read_bare(base: str, requests: int, latencies: list[float]) -> int:
    conn = http.client.HTTPConnection(base.removeprefix("http://"), timeout=60)
    for _ in range(requests):
        started = time.perf_counter()
        conn.request("GET", "/livez")
        resp = conn.getresponse()
        resp.read()
        latencies.append(time.perf_counter() - started)
        if resp.status != 200:
            raise RuntimeError(f"/livez: {resp.status}")
    conn.close()
    return 0


def concurrently(clients: int, work) -> float:
    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def p95_ms(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[int(len(ordered) * 0.95) - 1] * 1000


def api_figures(url: str, root, secrets: list[str], page: int, clients: int) -> None:
    server = start_server(url, root, ACADEMY_API_RATE_LIMIT="100000000 per hour")
    try:
        page_through(server.base, secrets[0], page, [])  # warm every worker
        latencies: list[float] = []
        counts: list[int] = []
        wall = concurrently(clients, lambda n: counts.append(page_through(server.base, secrets[n], page, latencies)))
        bare: list[float] = []
        per_client = len(latencies) // clients
        read_bare(server.base, per_client, [])  # the same warm-up for the baseline
        bare_wall = concurrently(clients, lambda n: read_bare(server.base, per_client, bare))
    finally:
        server.stop()
    rps, bare_rps = len(latencies) / wall, len(bare) / bare_wall
    print(f"progress list: {clients} clients each paged {counts[0]:,} enrolments, {page} per page: "
          f"{len(latencies)} requests in {wall:.1f} s = {rps:.0f} requests/s, "
          f"{sum(counts) / wall:,.0f} enrolments/s; p50 {statistics.median(latencies) * 1000:.0f} ms, "
          f"p95 {p95_ms(latencies):.0f} ms")
    print(f"  baseline, the bare route /livez, same server and clients: {bare_rps:.0f} requests/s, "
          f"p95 {p95_ms(bare):.1f} ms; a page of the list = {rps / bare_rps:.3f} x bare")


def start_ralph(home, accounts: int) -> tuple[subprocess.Popen, int]:
    if not RALPH.exists():
        raise SystemExit("Ralph needs .venv/ralph: run `make test-tools`")
    code = ("import bcrypt, json, sys; h = bcrypt.hashpw(sys.argv[2].encode(), bcrypt.gensalt(4)).decode(); "
            "json.dump([{'username': f'lrs{i}', 'hash': h, 'scopes': ['all'], 'target': f't{i}', "
            "'agent': {'mbox': f'mailto:lrs{i}@bench.example.org'}} for i in range(int(sys.argv[1]))], sys.stdout)")
    (home / "auth.json").write_text(subprocess.run([str(RALPH), "-c", code, str(accounts), RALPH_PASSWORD], check=True,
                                                   capture_output=True, text=True).stdout)
    for i in range(accounts):
        (home / f"t{i}").mkdir()
    port = free_port()
    env = {**os.environ, "RALPH_RUNSERVER_BACKEND": "fs", "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(home),
           "RALPH_AUTH_FILE": str(home / "auth.json"), "RALPH_APP_DIR": str(home)}
    proc = subprocess.Popen([str(RALPH), "-m", "uvicorn", "ralph.api:app", "--host", "127.0.0.1", "--port", str(port),
                             "--log-level", "warning"], cwd=home, env=env)
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/__heartbeat__", timeout=1)  # noqa: S310
            break
        except OSError:
            time.sleep(0.2)
    return proc, port


def statement(n: int, when: str) -> dict:
    return {"id": str(uuid.uuid4()), "actor": {"objectType": "Agent", "account": {
        "homePage": "http://127.0.0.1/", "name": str(n % 5000)}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
        "object": {"objectType": "Activity", "id": f"http://127.0.0.1/courses/api1/lessons/m1/m1l{n % 3 + 1}",
                   "definition": {"type": "http://adlnet.gov/expapi/activities/lesson",
                                  "name": {"en": "Lesson", "fr": "Leçon"}}},
        "result": {"completion": True}, "context": {"platform": "Academy", "language": "en"},
        "timestamp": when, "version": "1.0.3"}


def post_straight(port: int, account: str, statements: list[dict]) -> None:
    """One batch POSTed to Ralph as any xAPI client would, with nothing of Academy's around it."""
    auth = base64.b64encode(f"{account}:{RALPH_PASSWORD}".encode()).decode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("POST", "/xAPI/statements", body=json.dumps(statements).encode(), headers={
        "Authorization": f"Basic {auth}", "Content-Type": "application/json", "X-Experience-API-Version": "1.0.3"})
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    if resp.status != 200:
        raise RuntimeError(f"Ralph answered {resp.status}: {body[:300]!r}")


def xapi_figures(app, backlog: int, batch: int) -> None:
    from sqlalchemy import func, insert, select

    from academy.extensions import db
    from academy.xapi import services
    from academy.xapi.models import XapiStatement

    home = OUT / "api" / "ralph"
    home.mkdir(parents=True)
    batches = -(-backlog // batch)
    straight = min(batches, 20)  # the baseline's batches, each to an account of its own like the sender's
    proc, port = start_ralph(home, batches + straight)
    try:
        with app.app_context():
            when = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
            for start in range(0, backlog, 5000):
                rows = [statement(n, when) for n in range(start, min(start + 5000, backlog))]
                db.session.execute(insert(XapiStatement), [
                    {"statement_id": s["id"], "verb": s["verb"]["id"], "statement": s} for s in rows])
            db.session.commit()
            services.BATCH = batch
            app.config.update(XAPI_LRS_URL=f"http://127.0.0.1:{port}/xAPI", XAPI_LRS_SECRET=RALPH_PASSWORD)
            started = time.perf_counter()
            sent = 0
            for i in range(batches):
                app.config["XAPI_LRS_KEY"] = f"lrs{i}"
                sent += services.send_pending(1)
            wall = time.perf_counter() - started
            left = db.session.scalar(select(func.count()).where(XapiStatement.sent_at.is_(None)))
        payloads = [[statement(n, when) for n in range(i * batch, (i + 1) * batch)] for i in range(straight)]
        base_started = time.perf_counter()
        for i, payload in enumerate(payloads):
            post_straight(port, f"lrs{batches + i}", payload)
        base_wall = time.perf_counter() - base_started
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print(f"xAPI: a backlog of {backlog:,} statements sent to Ralph in {batches} batches of {batch}: {sent:,} in "
          f"{wall:.1f} s = {sent / wall:,.0f} statements/s ({left} left unsent)")
    base_rate = straight * batch / base_wall
    print(f"  baseline, {straight} batches of {batch} POSTed straight to the same Ralph: "
          f"{base_rate:,.0f} statements/s; the sender = {sent / wall / base_rate:.2f} x straight")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enrolments", type=int, default=10_000)
    parser.add_argument("--page", type=int, default=100)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--backlog", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    url, app, secrets = build(args.enrolments)
    api_figures(url, OUT / "api", secrets, args.page, args.clients)
    xapi_figures(app, args.backlog, args.batch)


if __name__ == "__main__":
    main()
