"""Page benchmark: gunicorn on 127.0.0.1 over the bench population, logged-in clients.

    .venv/bin/python -m bench.pages [--seconds 20] [--clients 10,50] [--scale 1] [--fresh] [--warmup 3]

For SQLite, then PostgreSQL when ACADEMY_BENCH_DATABASE_URL (or ACADEMY_TEST_DATABASE_URL,
as `make bench` sets through scripts/with-postgres.sh) names a server: each page is
loaded by N closed-loop clients for S seconds (after a few unrecorded seconds of the
same load, so every worker's caches are warm), next to the bare route /livez on the same
server in the same run. Prints requests/s, p50, p95, errors and the ratio to the bare route.
Targets (issue 17, stock libraries and plain session reads): lesson ≥ 0.10 × bare
throughput at 10 and 50 clients and p95 ≤ 100 ms at 50 clients on SQLite; no page above
200 ms p95 at 50 clients on SQLite or PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import sys

from bench.common import (
    Client,
    Result,
    app_for,
    ensure_admin,
    ensure_certificates,
    ensure_quiz_course,
    load,
    mint_session,
    postgres_database,
    sample,
    sqlite_database,
    start_server,
)


def enrolled_sample(url: str, n: int) -> list[tuple]:
    """(user_id, course slug, first module key, first lesson key) for n enrolments."""
    return sample(url, """
        SELECT e.user_id, c.slug, m."key", l."key"
        FROM enrollment e JOIN course c ON c.id = e.course_id
        JOIN module m ON m.course_id = c.id AND m.position = (
            SELECT MIN(m2.position) FROM module m2 WHERE m2.course_id = c.id AND m2.is_retired = false)
        JOIN lesson l ON l.module_id = m.id AND l.position = (
            SELECT MIN(l2.position) FROM lesson l2 WHERE l2.module_id = m.id AND l2.is_retired = false)
        WHERE c.is_published = true
        ORDER BY e.id LIMIT :n""", n=n)


def page_paths(url: str, app, n: int) -> dict[str, list[tuple[int, str]]]:
    """{page: [(user_id, path)]}: which learner opens which URL."""
    enrolled = enrolled_sample(url, n)
    admin = sample(url, """SELECT u.id FROM "user" u JOIN user_role r ON r.user_id = u.id
                           WHERE r.role = 'admin' ORDER BY u.id LIMIT 1""")
    endpoints = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    pages: dict[str, list[tuple[int, str]]] = {
        "bare route (/livez)": [(uid, "/livez") for uid, *_ in enrolled],
        "catalogue": [(uid, "/") for uid, *_ in enrolled],
        "course home": [(uid, f"/learn/{slug}/") for uid, slug, _m, _l in enrolled],
        "lesson": [(uid, f"/learn/{slug}/{m}/{les}") for uid, slug, m, les in enrolled],
        "dashboard": [(uid, "/dashboard") for uid, *_ in enrolled],
    }
    quiz = _quiz_paths(url, enrolled, endpoints)
    if quiz:
        pages["quiz page"] = quiz
    verify = _verify_paths(url, enrolled, endpoints)
    if verify:
        pages["verify page"] = verify
    if admin and "admin.index" in endpoints:
        pages["admin dashboard"] = [(admin[0][0], "/admin/")] * len(enrolled)
    if "stats.dashboard" in endpoints and admin:
        pages["statistics dashboard"] = [(admin[0][0], endpoints["stats.dashboard"])] * len(enrolled)
    return pages


def _quiz_paths(url, enrolled, endpoints):
    """The first module's quiz page of DL177 (the population's courses have no quizzes):
    the sampled learners are enrolled in DL177 too (see ensure_quiz_course)."""
    if "assessments.quiz" not in endpoints:
        return None
    rows = sample(url, """SELECT c.slug, q."key" FROM quiz q JOIN course c ON c.id = q.course_id
                          JOIN module m ON m.id = q.module_id
                          WHERE c.code = 'DL177' AND q.is_retired = false ORDER BY m.position LIMIT 1""")
    if not rows:
        return None
    slug, key = rows[0]
    path = endpoints["assessments.quiz"].replace("<slug>", slug).replace("<quiz_key>", key)
    return [(uid, path) for uid, *_r in enrolled]


def _verify_paths(url, enrolled, endpoints):
    rule = next((r for e, r in endpoints.items() if e.startswith("certificates.") and "verify" in e
                 and r.count("<") == 1 and r.endswith(">")), None)
    if rule is None:
        return None
    try:
        codes = [c for (c,) in sample(url, "SELECT verification_code FROM certificate LIMIT 50")]
    except Exception:  # noqa: BLE001 - no certificate table yet
        codes = []
    if not codes:
        return None
    placeholder = rule[rule.index("<"):rule.index(">") + 1]
    return [(uid, rule.replace(placeholder, codes[i % len(codes)])) for i, (uid, *_r) in enumerate(enrolled)]


def run(label: str, url: str, instance, seconds: float, levels: list[int], warmup: float = 3,
        workers: int | None = None, only_pages: tuple[str, ...] = ()) -> list[Result]:
    app = app_for(url, instance)
    ensure_certificates(app)
    ensure_admin(app)
    ensure_quiz_course(app, [uid for uid, *_r in enrolled_sample(url, max(levels))])
    pages = page_paths(url, app, max(levels))
    if only_pages:  # the bare route always, as the baseline of the ratio
        pages = {name: rows for name, rows in pages.items() if name.startswith("bare") or name in only_pages}
    server = start_server(url, instance, workers)
    port = int(server.base.rsplit(":", 1)[1])
    results: list[Result] = []
    try:
        cookies = {uid: mint_session(app, uid) for rows in pages.values() for uid, _p in rows}
        for rows in pages.values():  # every page answers before any is measured
            Client(port, cookies[rows[0][0]]).request("GET", rows[0][1])
        for clients in levels:
            for page, rows in pages.items():
                chosen = rows[:clients]
                result = load(page, [Client(port, cookies[uid]) for uid, _p in chosen], [p for _u, p in chosen],
                              seconds, warmup=warmup)
                results.append(result)
                print(f"  [load {os.getloadavg()[0]:4.1f}] {label:<10} {clients:>3} clients  {page:<22} "
                      f"{result.rps:8.1f} req/s  "
                      f"p50 {result.p50:6.1f} ms  p95 {result.pct(0.95):6.1f} ms  errors {result.errors}",
                      flush=True)
    finally:
        server.stop()
    return results


def report(label: str, results: list[Result]) -> None:
    print(f"\n{label}: requests/s, p50 and p95 in ms, errors, throughput relative to the bare route")
    print("| clients | page | req/s | p50 ms | p95 ms | errors | × bare |\n|---|---|---|---|---|---|---|")
    for clients in sorted({r.clients for r in results}):
        level = [r for r in results if r.clients == clients]
        bare = next(r for r in level if r.name.startswith("bare"))
        for r in level:
            print(f"| {clients} | {r.name} | {r.rps:.0f} | {r.p50:.1f} | {r.pct(0.95):.1f} | {r.errors} | "
                  f"{r.rps / bare.rps:.2f} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", default="10,50")
    parser.add_argument("--scale", type=float, default=1.0, help="population size (1.0 = 110,000 learners)")
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached SQLite population")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--warmup", type=float, default=3,
                        help="seconds of unrecorded load per page and level before it is measured")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: as gunicorn.conf.py)")
    parser.add_argument("--pages", default="", help="comma-separated page names to measure (default: all)")
    args = parser.parse_args()
    levels = [int(x) for x in args.clients.split(",")]
    only_pages = tuple(name.strip() for name in args.pages.split(",") if name.strip())
    print(f"bench.pages: {os.cpu_count()} CPUs, {args.seconds:g} s per page and level, clients {levels}; "
          f"load average before: {os.getloadavg()[0]:.1f}")
    if args.only != "postgresql":
        url, instance = sqlite_database(args.scale, args.fresh)
        report("SQLite", run("sqlite", url, instance, args.seconds, levels, args.warmup, args.workers, only_pages))
    pg = os.environ.get("ACADEMY_BENCH_DATABASE_URL") or os.environ.get("ACADEMY_TEST_DATABASE_URL")
    if pg and args.only != "sqlite":
        url, instance = postgres_database(pg, args.scale, "academy_bench_pages", reuse=not args.fresh)
        report("PostgreSQL", run("postgresql", url, instance, args.seconds, levels, args.warmup, args.workers,
                                 only_pages))
    elif args.only != "sqlite":
        print("\n(no PostgreSQL: set ACADEMY_BENCH_DATABASE_URL, or run `make bench`)")
    print(f"load average after: {os.getloadavg()[0]:.1f} (other work on the machine slows every figure)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
