"""In-process CPU cost of the quiz, verify, admin and statistics pages next to /livez.

    .venv/bin/python -m bench.inprocess_admin [--scale 1] [-n 50] [--profile PAGE]

Builds the app on the cached SQLite population (bench/out/sqlite-<scale>), mints session
cookies like bench.pages, and times N GETs of each page through the WSGI app with
time.process_time (CPU of this process: Python, Jinja and SQLite, no network, no
gunicorn). Prints figures only; it asserts nothing about timings. ``--profile PAGE``
prints a cProfile of that page's N requests (cumulative time, top 40).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time

from bench.common import (
    app_for,
    ensure_admin,
    ensure_certificates,
    ensure_quiz_course,
    mint_session,
    sqlite_database,
)
from bench.pages import enrolled_sample, page_paths

PAGES = ["bare route (/livez)", "quiz page", "verify page", "admin dashboard", "statistics dashboard"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("-n", type=int, default=50)
    parser.add_argument("--profile", default="")
    parser.add_argument("--show-queries", action="store_true")
    parser.add_argument("--only", default="", help="pages whose name contains this (plus /livez)")
    args = parser.parse_args()
    os.environ["ACADEMY_RATELIMIT_ENABLED"] = "0"  # as bench.pages' server: measure the page, not the 429
    url, instance = sqlite_database(args.scale, False)
    app = app_for(url, instance)
    ensure_certificates(app)
    ensure_admin(app)
    ensure_quiz_course(app, [uid for uid, *_r in enrolled_sample(url, 10)])
    pages = page_paths(url, app, 10)
    client = app.test_client()
    statements: list[str] = []
    if args.show_queries:
        from sqlalchemy import event

        from academy.extensions import db

        with app.app_context():
            event.listen(db.engine, "before_cursor_execute",
                         lambda c, cur, stmt, *a: statements.append(stmt))

    gzip = {"Accept-Encoding": "gzip"}  # as bench.pages' clients: compression is part of the cost
    sizes: dict[str, tuple[int, int]] = {}

    def get(uid: int, path: str) -> int:
        client.set_cookie("session", mint_session(app, uid), domain="localhost")
        resp = client.get(path, headers=gzip)
        sizes[path] = (len(resp.get_data()), len(client.get(path).get_data()))
        return resp.status_code

    print(f"{'page':<22} {'status':>6} {'cpu ms/req':>10} {'wall ms/req':>11} {'queries':>7} {'KB gzip/plain':>14}")
    for page in PAGES:
        if args.only and args.only not in page and not page.startswith("bare"):
            continue
        if page not in pages:
            print(f"{page:<22} (not in this app)")
            continue
        uid, path = pages[page][0]
        status = get(uid, path)  # warm: caches, templates, first connection
        get(uid, path)
        statements.clear()
        get(uid, path)
        n_queries = len(statements)
        if args.show_queries:
            print(f"--- {page}", *statements, sep="\n")
        profiler = cProfile.Profile() if args.profile and args.profile in page else None
        cookie = mint_session(app, uid)
        client.set_cookie("session", cookie, domain="localhost")
        c0, w0 = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        for _ in range(args.n):
            client.get(path, headers=gzip)
        if profiler:
            profiler.disable()
        cpu = (time.process_time() - c0) / args.n * 1000
        wall = (time.perf_counter() - w0) / args.n * 1000
        zipped, plain = sizes[path]
        print(f"{page:<22} {status:>6} {cpu:10.2f} {wall:11.2f} {n_queries if args.show_queries else '':>7} "
              f"{zipped / 1024:6.1f}/{plain / 1024:6.1f}", flush=True)
        if profiler:
            pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(40)
    return 0


if __name__ == "__main__":
    sys.exit(main())
