"""CPU time per request of the learner pages, in one process, next to the bare route.

    .venv/bin/python -m bench.inprocess [--scale 1] [-n 300] [--profile lesson]

Opens the cached SQLite population (bench/out/sqlite-<scale>, built by bench.pages),
mints session cookies like the load benchmark, and calls the WSGI app directly (no
sockets), so the figures are the app's own work: Flask, SQL, templates, compression.
It prints figures and never asserts: timings vary with the machine.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import time

from bench.common import app_for, mint_session, sqlite_database
from bench.pages import enrolled_sample


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("-n", type=int, default=50, help="requests per page and round")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--calls", action="store_true", help="count Python calls per request instead")
    parser.add_argument("--profile", default="", help="a page name to profile with cProfile")
    parser.add_argument("--no-gzip", action="store_true", help="without Accept-Encoding: gzip")
    args = parser.parse_args()

    url, instance = sqlite_database(args.scale, fresh=False)
    app = app_for(url, instance)
    enrolled = enrolled_sample(url, 20)
    cookies = {uid: mint_session(app, uid) for uid, *_ in enrolled}
    pages = {
        "livez": [(uid, "/livez") for uid, *_ in enrolled],
        "catalogue": [(uid, "/") for uid, *_ in enrolled],
        "course home": [(uid, f"/learn/{slug}/") for uid, slug, _m, _l in enrolled],
        "lesson": [(uid, f"/learn/{slug}/{m}/{les}") for uid, slug, m, les in enrolled],
        "dashboard": [(uid, "/dashboard") for uid, *_ in enrolled],
    }
    headers = [] if args.no_gzip else [("Accept-Encoding", "gzip, deflate")]
    client = app.test_client()

    def get(uid: int, path: str) -> int:
        client.set_cookie("session", cookies[uid])
        response = client.get(path, headers=headers)
        response.close()
        # Keep what the server set (the CSRF secret the first page adds), as a browser
        # and bench.pages' clients do: else every request would re-sign the cookie.
        kept = client.get_cookie("session")
        if kept is not None:
            cookies[uid] = kept.value
        return response.status_code

    for name, requests in pages.items():
        for uid, path in requests:  # warm: caches, templates, connections
            status = get(uid, path)
            if status != 200:
                print(f"{name}: {path} answered {status}")

    # As gunicorn.conf.py's when_ready does in the master: the warmed heap leaves the
    # collector's sight, so a collection does not walk it at every few hundred allocations.
    gc.collect()
    gc.freeze()

    def run(requests: list[tuple[int, str]], n: int) -> tuple[float, float]:
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        for i in range(n):
            uid, path = requests[i % len(requests)]
            get(uid, path)
        return (time.process_time() - started_cpu) * 1000 / n, (time.perf_counter() - started_wall) * 1000 / n

    if args.calls:
        # Python function calls per request: a deterministic measure of the work, unlike
        # times on a machine that others share.
        for name, requests in pages.items():
            profiler = cProfile.Profile()
            profiler.enable()
            run(requests, args.n)
            profiler.disable()
            calls = pstats.Stats(profiler).total_calls / args.n
            print(f"{name:12s} {calls:8.0f} Python calls per request")
        return

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        cpu, wall = run(pages[args.profile], args.n)
        profiler.disable()
        print(f"{args.profile}: {cpu:.2f} ms CPU per request under cProfile")
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats(os.environ.get("SORT", "cumulative"))
        stats.print_stats(int(os.environ.get("ROWS", "45")))
        print(out.getvalue())
        return

    # Rounds interleave the pages and each page keeps its best round: the machine is
    # shared, and others' work only ever adds time, to whichever page runs at that moment.
    best: dict[str, tuple[float, float]] = {}
    for _round in range(args.rounds):
        for name, requests in pages.items():
            figures = run(requests, args.n)
            best[name] = min(best.get(name, figures), figures)
    bare = best["livez"][0]
    for name, (cpu, wall) in best.items():
        print(f"{name:12s} {cpu:6.2f} ms CPU  {wall:6.2f} ms wall  {cpu / bare:5.1f}× /livez"
              f"  (best of {args.rounds} rounds of {args.n})")


if __name__ == "__main__":
    main()
