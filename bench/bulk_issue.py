"""Bulk certificate issuance through the task queue: gunicorn and queue consumers, as
`make serve` runs them, on a throwaway SQLite database and SQLite queue.

    .venv/bin/python bench/bulk_issue.py [--count 10000] [--consumers 2]

Builds ``--count`` completed enrolments of DL177 without a certificate, in its seven
languages (Chinese and Arabic among them) with names in their scripts, starts gunicorn and
``--consumers`` consumers (one worker each: one process per core), then an admin asks for
the bulk issue through the form. Prints how long that request took (target <= 200 ms: it
only queues the job), the total time until the job is done, PDFs/s, the peak RSS of each
consumer, and the load average (the machine is shared). Target: 10,000 certificates in
<= 10 minutes on 2 cores. Every enrolment must end with exactly one certificate.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live import Browser, Consumer, gunicorn  # noqa: E402

PASSWORD = "bench bulk issue password"  # noqa: S105 - a throwaway database
NAMES = {
    "en": "Jane Wanjiku Mwangi", "fr": "Hérimanana Rakotomalala", "es": "María Fernanda Quispe Huamán",
    "pt": "João Carlos Albuquerque", "ru": "Екатерина Александровна Смирнова", "zh": "王小明",
    "ar": "فاطمة عبد الرحمن القحطاني",
}


def build(work: Path, count: int) -> tuple[str, str, int]:
    from flask_migrate import upgrade

    from academy import create_app
    from academy.auth.models import User, UserRole
    from academy.auth.passwords import hash_password
    from academy.auth.services import create_user
    from academy.core.enums import EnrollmentStatus, Gender, Role
    from academy.core.models import utcnow
    from academy.courses.models import Enrollment
    from academy.courses.package import load_package
    from academy.courses.services import import_package
    from academy.extensions import db

    url = f"sqlite:///{work / 'academy.db'}"
    queue_url = f"sqlite:///{work / 'queue.db'}"
    app = create_app({"ACADEMY_ENV": "development", "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": str(work),
                      "STORAGE_DIR": str(work / "storage"), "QUEUE_URL": queue_url, "QUEUE_IMMEDIATE": False,
                      "FAST_PASSWORD_HASHING": True})
    with app.app_context():
        upgrade()
        course, _summary = import_package(load_package(ROOT / "academy" / "courses" / "packages" / "dl177"))
        create_user(email="admin@example.org", full_name="Bench Admin", password=PASSWORD, gender="man",
                    country_code="CH", institution_other="Academy", roles=[Role.ADMIN, Role.LEARNER])
        languages = sorted(v.language for v in course.versions)
        password_hash = hash_password(PASSWORD)  # one hash for every learner: the bench times PDFs
        now = utcnow()
        for start in range(0, count, 1000):
            for i in range(start, min(count, start + 1000)):
                lang = languages[i % len(languages)]
                user = User(email=f"bulk{i}@example.org", full_name=f"{NAMES.get(lang, NAMES['en'])} {i}",
                            password_hash=password_hash, gender=Gender.WOMAN, country_code="KE",
                            institution_other="Bench", preferred_language=lang)
                user.role_rows = [UserRole(role=Role.LEARNER)]
                db.session.add(user)
                db.session.add(Enrollment(user=user, course_id=course.id, language=lang,
                                          status=EnrollmentStatus.COMPLETED, enrolled_at=now, completed_at=now,
                                          progress_percent=100))
            db.session.commit()
        course_id = course.id
        db.session.remove()
    return url, queue_url, course_id


def peak_rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--consumers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="academy-bench-bulk-"))
    try:
        t = time.perf_counter()
        url, queue_url, course_id = build(work, args.count)
        print(f"{args.count} completed enrolments built in {time.perf_counter() - t:.1f}s ({work})", flush=True)
        shared = {"ACADEMY_QUEUE_URL": queue_url, "ACADEMY_STORAGE_DIR": str(work / "storage"),
                  "ACADEMY_REQUEST_LOG": "0"}
        with gunicorn(url, work / "web", workers=1, **shared) as server:
            consumers = [Consumer(url, work / f"consumer{i}", **shared) for i in range(args.consumers)]
            peaks = [0.0] * len(consumers)
            stop = threading.Event()

            def watch() -> None:
                while not stop.wait(0.5):
                    for n, c in enumerate(consumers):
                        peaks[n] = max(peaks[n], peak_rss_mb(c.proc.pid))

            watcher = threading.Thread(target=watch, daemon=True)
            watcher.start()
            try:
                time.sleep(3)  # the consumers start (imports, app) before the clock runs
                admin = Browser(server.base)
                admin.login("admin@example.org", PASSWORD)
                status, html, _h = admin.get("/admin/certificates/issue")
                admin.csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
                load_before = os.getloadavg()
                t0 = time.perf_counter()
                status, _html, headers = admin.post("/admin/certificates/issue",
                                                    {"course_id": str(course_id), "design": "classic",
                                                     "paper": "a4", "group": ""})
                request_ms = (time.perf_counter() - t0) * 1000
                assert status == 302, status
                state_url = headers["Location"].replace(server.base, "") + ".json"
                import json

                last = None
                while True:
                    state = json.loads(admin.get(state_url)[1])
                    if state["status"] in ("done", "failed"):
                        break
                    if state["done"] != last:
                        last = state["done"]
                        print(f"  {time.perf_counter() - t0:7.1f}s  {state['done']}/{state['total']}", flush=True)
                    time.sleep(2)
                total_s = time.perf_counter() - t0
                load_after = os.getloadavg()
            finally:
                stop.set()
                watcher.join()
                for c in consumers:
                    c.stop()
        assert state["status"] == "done", state
        from sqlalchemy import create_engine, text

        engine = create_engine(url)
        with engine.connect() as conn:
            certs, enrolments = conn.execute(text(
                "SELECT count(*), count(DISTINCT enrollment_id) FROM certificate")).one()
            languages = conn.execute(text("SELECT count(DISTINCT language) FROM certificate")).scalar()
        engine.dispose()
        assert certs == enrolments == args.count, (certs, enrolments)
        print()
        print(f"{'measure':44s} {'result':>12s} {'target':>10s}")
        print(f"{'certificates issued (one per enrolment)':44s} {certs:>12,d} {args.count:>10,d}")
        print(f"{'languages':44s} {languages:>12d}")
        print(f"{'request that started it, ms':44s} {request_ms:>12.0f} {'<= 200':>10s}")
        print(f"{'total time, s':44s} {total_s:>12.1f} {'<= 600':>10s} (for 10,000)")
        print(f"{'PDFs/s':44s} {certs / total_s:>12.1f} {'>= 16.7':>10s}")
        for n, peak in enumerate(peaks):
            print(f"{f'consumer {n + 1} peak RSS, MB':44s} {peak:>12.1f}")
        print(f"{'load average before / after (1 min)':44s} {load_before[0]:>5.2f} / {load_after[0]:.2f}")
        print(f"{'cores':44s} {os.cpu_count():>12d}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
