"""Statistics benchmark on the bench-data population.

    .venv/bin/python bench/stats.py [--database URL] [--learners 110000 --enrolments 250000]

Without --database (or ACADEMY_DATABASE_URL) it builds a SQLite population once with
`flask academy bench-data` in /tmp/academy-bench-stats/ and reuses it afterwards.

Measures, each as the median of --repeat runs:
1. dashboard aggregation (every dashboard figure's cross-tab, cache off) next to the same
   GROUP BY statements run through the bare DB-API driver: ratio, target <= 1.2;
2. the learner-level CSV export of all enrolments in rows/s, next to the sqlite3
   command-line tool's own CSV dump of the same query (psql's \\copy on PostgreSQL):
   ratio, target <= 2;
3. the peak RSS of a process doing that export, target <= 100 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.gettempdir()) / "academy-bench-stats"


def population_tag() -> str:
    """The schema head and the generator's source: a population built from either an
    older schema or an older generator is not the one to measure."""
    import hashlib

    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    heads = "+".join(sorted(ScriptDirectory.from_config(cfg).get_heads()))
    source = (ROOT / "bench" / "benchdata.py").read_bytes()
    return f"{heads}-{hashlib.sha256(source).hexdigest()[:8]}"


def ensure_population(url: str | None, learners: int, enrolments: int) -> str:
    if url:
        return url
    WORK.mkdir(exist_ok=True)
    db_file = WORK / f"bench-{learners}-{enrolments}-{population_tag()}.db"
    url = f"sqlite:///{db_file}"
    if not db_file.exists():
        # Built under a temporary name and renamed when complete, so an interrupted
        # build is never mistaken for a population.
        partial = db_file.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        print(f"building the population in {db_file} …", flush=True)
        env = {**os.environ, "ACADEMY_ENV": "development", "ACADEMY_INSTANCE_DIR": str(WORK),
               "ACADEMY_DATABASE_URL": f"sqlite:///{partial}"}
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "academy", "bench-data",
                        "--learners", str(learners), "--enrolments", str(enrolments)],
                       cwd=ROOT, env=env, check=True)
        partial.rename(db_file)
        print(f"population built in {time.perf_counter() - t:.1f}s", flush=True)
    return url


def make_app(url: str):
    os.environ.setdefault("ACADEMY_ENV", "development")
    os.environ.setdefault("ACADEMY_INSTANCE_DIR", str(WORK))
    WORK.mkdir(exist_ok=True)
    from academy import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "STATS_CACHE_SECONDS": 0, "ACADEMY_ENV": "development",
                       "INSTANCE_DIR": str(WORK)})


def raw_connection(url: str):
    if url.startswith("sqlite:///"):
        import sqlite3

        return sqlite3.connect(url[len("sqlite:///"):])
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))


def bench_dashboard(app, url: str, repeat: int) -> dict:
    """Times, each the median of ``repeat`` runs after a warm-up, of: the whole dashboard
    build (every figure: queries, labels, tables, charts), its aggregation alone (the
    query layer's ``grouped`` calls the figures make), and the same GROUP BY statements
    through the bare DB-API driver. CPU time is reported too: the machine is shared."""
    from flask import g
    from sqlalchemy import event

    from academy.extensions import db
    from academy.stats import figures, queries
    from academy.stats.queries import Filters

    statements: list[tuple[str, object]] = []
    groupings: list[tuple] = []
    agg_times, agg_cpu, full_times, full_cpu = [], [], [], []
    raw_times, raw_cpu = [], []
    conn = raw_connection(url)
    with app.test_request_context():
        supp = figures.auto_suppression()

        def capture(conn, cursor, statement, params, context, executemany):
            if "GROUP BY" in statement:
                statements.append((statement, params))

        real_grouped = queries.grouped

        def recording(fact, bases, filters):
            groupings.append((fact, bases, filters))
            return real_grouped(fact, bases, filters)

        for i in range(repeat + 1):
            g.pop("_stats_grouped", None)
            if i == 0:
                event.listen(db.engine, "before_cursor_execute", capture)
                queries.grouped = recording
            t, c = time.perf_counter(), time.process_time()
            figs = [figures.build_figure(name, Filters(), supp) for name in figures.DASHBOARD]
            full, full_c = time.perf_counter() - t, time.process_time() - c
            if i == 0:
                event.remove(db.engine, "before_cursor_execute", capture)
                queries.grouped = real_grouped
                continue  # warm-up: the page cache, the labels' queries
            full_times.append(full)
            full_cpu.append(full_c)
            # The aggregation alone: the same GROUP BYs through the query layer.
            g.pop("_stats_grouped", None)
            t, c = time.perf_counter(), time.process_time()
            for fact, bases, filters in dict.fromkeys(groupings):
                real_grouped(fact, bases, filters)
            agg_times.append(time.perf_counter() - t)
            agg_cpu.append(time.process_time() - c)
            # Then the same GROUP BYs through the bare driver, right after, so that the
            # load of a shared machine weighs on both sides of the ratio alike.
            t, c = time.perf_counter(), time.process_time()
            for statement, params in statements:
                cur = conn.cursor()
                cur.execute(statement, params)
                cur.fetchall()
                cur.close()
            raw_times.append(time.perf_counter() - t)
            raw_cpu.append(time.process_time() - c)
        assert figs
    conn.close()
    raw = statistics.median(raw_times)
    agg = statistics.median(agg_times)
    return {
        "group_by_statements": len(statements),
        "dashboard_aggregation_s": round(agg, 3),
        "dashboard_aggregation_cpu_s": round(statistics.median(agg_cpu), 3),
        "raw_sql_s": round(raw, 3),
        "raw_sql_cpu_s": round(statistics.median(raw_cpu), 3),
        "ratio": round(agg / raw, 2),
        # Meaningful on SQLite only, where the database works inside this process.
        "cpu_ratio": round(statistics.median(agg_cpu) / statistics.median(raw_cpu), 2),
        "whole_dashboard_build_s": round(statistics.median(full_times), 3),
        "whole_dashboard_build_cpu_s": round(statistics.median(full_cpu), 3),
    }


EXPORT_SCRIPT = r"""
import sys, time, json
from bench.stats import make_app, peak_rss_mb
app = make_app(sys.argv[1])
with app.app_context():
    from academy.extensions import db
    from academy.stats import exports
    from academy.stats.queries import Filters
    from sqlalchemy import select
    from academy.courses.models import Course
    # Connected and the ORM's mappers configured: the baseline is the app ready to serve.
    db.session.execute(select(Course.id).limit(1)).all()
    baseline = peak_rss_mb()
    t, c = time.perf_counter(), time.process_time()
    with open(sys.argv[2], "wb") as fh:
        for chunk in exports.csv_chunks(exports.learner_rows(Filters())):
            fh.write(chunk)
    elapsed, cpu = time.perf_counter() - t, time.process_time() - c
with open(sys.argv[2], "rb") as fh:
    rows = sum(1 for _ in fh) - 1
print(json.dumps({"seconds": elapsed, "cpu_seconds": cpu, "rows": rows, "baseline_rss_mb": baseline,
                  "peak_rss_mb": peak_rss_mb()}))
"""


def peak_rss_mb() -> float:
    """This process's peak RSS: VmHWM, which starts afresh at exec. (getrusage's ru_maxrss
    does not on Linux: a child reports its parent's peak if that was higher.)"""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bench_export(app, url: str, repeat: int) -> dict:
    """The learner-level CSV export of every enrolment, each run in a fresh child process
    (so its peak RSS is the export's, not this process's population or dashboard), next to
    the command-line tool's CSV dump of the same SQL. On a shared machine wall times wobble:
    for SQLite, whose work all happens in the measured process, CPU times are given too."""
    from sqlalchemy.dialects import postgresql, sqlite

    from academy.stats import exports
    from academy.stats.queries import Filters

    out = WORK / f"export-{os.getpid()}.csv"
    cli_out = WORK / f"cli-{os.getpid()}.csv"
    runs = []
    for i in range(repeat + 1):
        # The first run is a warm-up: it may compile modules to bytecode, which costs
        # memory no export pays once the .pyc files exist.
        proc = subprocess.run([sys.executable, "-c", EXPORT_SCRIPT, url, str(out)], cwd=ROOT, check=True,
                              capture_output=True, text=True)
        if i:
            runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    ours = statistics.median(r["seconds"] for r in runs)
    ours_cpu = statistics.median(r["cpu_seconds"] for r in runs)
    rows = runs[0]["rows"]
    peak = max(r["peak_rss_mb"] for r in runs)
    baseline = max(r["baseline_rss_mb"] for r in runs)

    with app.app_context():
        stmt = exports.learner_statement(Filters(), False)
        dialect = sqlite.dialect() if url.startswith("sqlite") else postgresql.dialect()
        sql = str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    cli_times, cli_cpu = [], []
    if url.startswith("sqlite:///"):
        tool = ensure_sqlite3()
        for _ in range(repeat):
            t, c = time.perf_counter(), _children_cpu()
            with open(cli_out, "wb") as fh:
                subprocess.run([tool, "-csv", "-header", url[len("sqlite:///"):], sql], stdout=fh, check=True)
            cli_times.append(time.perf_counter() - t)
            cli_cpu.append(_children_cpu() - c)
        tool_name = "sqlite3 -csv"
    else:
        tool = shutil.which("psql")
        for _ in range(repeat):
            t, c = time.perf_counter(), _children_cpu()
            subprocess.run([tool, url.replace("postgresql+psycopg://", "postgresql://"), "-q", "-c",
                            f"\\copy ({sql}) TO '{cli_out}' CSV HEADER"], check=True)
            cli_times.append(time.perf_counter() - t)
            cli_cpu.append(_children_cpu() - c)
        tool_name = "psql \\copy"
    out.unlink(missing_ok=True)
    cli_out.unlink(missing_ok=True)
    cli = statistics.median(cli_times)
    result = {
        "rows": rows,
        "export_s": round(ours, 3),
        "export_rows_per_s": round(rows / ours),
        f"{tool_name}_s": round(cli, 3),
        f"{tool_name}_rows_per_s": round(rows / cli),
        "ratio": round(ours / cli, 2),
        "peak_rss_mb": round(peak, 1),
        "baseline_rss_mb": round(baseline, 1),
        "export_rss_growth_mb": round(peak - baseline, 1),
    }
    if url.startswith("sqlite"):
        result.update(export_cpu_s=round(ours_cpu, 3), cli_cpu_s=round(statistics.median(cli_cpu), 3),
                      cpu_ratio=round(ours_cpu / statistics.median(cli_cpu), 2))
    return result


def ensure_sqlite3() -> str:
    tool = shutil.which("sqlite3")
    if tool:
        return tool
    print("installing Debian's sqlite3 …", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "sqlite3"], check=True)
    return shutil.which("sqlite3") or "sqlite3"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=os.environ.get("ACADEMY_DATABASE_URL"))
    parser.add_argument("--learners", type=int, default=110_000)
    parser.add_argument("--enrolments", type=int, default=250_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    url = ensure_population(args.database, args.learners, args.enrolments)
    app = make_app(url)
    print(f"database: {url}", flush=True)
    dash = bench_dashboard(app, url, args.repeat)
    print("dashboard:", json.dumps(dash), flush=True)
    exp = bench_export(app, url, max(1, args.repeat // 2))
    print("export:   ", json.dumps(exp), flush=True)
    print()
    print(f"{'measure':44s} {'result':>12s} {'target':>10s}")
    print(f"{'dashboard aggregation / raw SQL':44s} {dash['ratio']:>11.2f}x {'<= 1.2x':>10s}")
    if url.startswith("sqlite"):
        print(f"{'dashboard aggregation / raw SQL, CPU time':44s} {dash['cpu_ratio']:>11.2f}x {'<= 1.2x':>10s}")
    print(f"{'dashboard aggregation, seconds':44s} {dash['dashboard_aggregation_s']:>12.3f} {'< 1':>10s}")
    print(f"{'dashboard aggregation, CPU seconds':44s} {dash['dashboard_aggregation_cpu_s']:>12.3f}")
    print(f"{'whole dashboard build (labels, charts), s':44s} {dash['whole_dashboard_build_s']:>12.3f} {'< 1':>10s}")
    print(f"{'whole dashboard build, CPU seconds':44s} {dash['whole_dashboard_build_cpu_s']:>12.3f}")
    print(f"{'CSV export / command-line tool':44s} {exp['ratio']:>11.2f}x {'<= 2x':>10s}")
    if "cpu_ratio" in exp:
        print(f"{'CSV export / command-line tool, CPU time':44s} {exp['cpu_ratio']:>11.2f}x {'<= 2x':>10s}")
    print(f"{'CSV export rows/s':44s} {exp['export_rows_per_s']:>12,d}")
    print(f"{'export peak RSS, MB':44s} {exp['peak_rss_mb']:>12.1f} {'<= 100':>10s}")
    print(f"{'  of which the app before exporting, MB':44s} {exp['baseline_rss_mb']:>12.1f}")
    print(f"{'  the export itself, MB':44s} {exp['export_rss_growth_mb']:>12.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
