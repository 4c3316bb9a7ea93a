"""Benchmark: N learners submitting a 10-question quiz at once against a real gunicorn.

    .venv/bin/python bench/quiz_submit.py [--learners 50] [--rounds 3] [--duplicates 1]
        [--workers 4] [--threads 2] [--database-url postgresql+psycopg://...]

What it does, all in one run:
1. makes a fresh database (SQLite in a temporary folder unless --database-url is given),
   migrates it, imports a one-module course whose quiz has 10 questions of every type,
   and creates and enrols the learners;
2. starts gunicorn on 127.0.0.1 (a free port) with the production settings;
3. measures the same server on a trivial route (GET /healthz: one ``SELECT 1``) with
   as many concurrent clients as there are learners;
4. for each round, every learner logs in (once), starts an attempt and loads its page
   (untimed), then all learners submit their answers at the same moment, each sending
   ``--duplicates`` extra copies of the submit in parallel (a double click);
5. prints submits/s, p50/p95 submit latency and the trivial route's requests/s, then
   checks the database: every submitted attempt graded exactly once with all 10 answers
   and the full score. Lost or duplicated attempts must be 0 (exit status 1 otherwise).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = secrets.token_urlsafe(16)  # the learners' password, new every run

QUIZ = """questions:
  - {key: q1, type: single_choice, prompt: "Who grants a patent?",
     options: [{key: a, text: "A patent office", correct: true}, {key: b, text: "The inventor"}]}
  - {key: q2, type: single_choice, prompt: "Which document defines the scope?",
     options: [{key: a, text: "The abstract"}, {key: b, text: "The claims", correct: true}]}
  - {key: q3, type: single_choice, prompt: "Where is WIPO?",
     options: [{key: a, text: "Geneva", correct: true}, {key: b, text: "Vienna"}, {key: c, text: "Rome"}]}
  - {key: q4, type: multiple_choice, prompt: "Patentability requirements?",
     options: [{key: a, text: "Novelty", correct: true}, {key: b, text: "Inventive step", correct: true},
               {key: c, text: "Fame"}]}
  - {key: q5, type: multiple_choice, scoring: partial, prompt: "Free patent databases?",
     options: [{key: a, text: "PATENTSCOPE", correct: true}, {key: b, text: "Espacenet", correct: true},
               {key: c, text: "A paid one"}]}
  - {key: q6, type: true_false, prompt: "Patents are territorial.", answer: true}
  - {key: q7, type: short_answer, prompt: "Acronym of the Patent Cooperation Treaty?", accepted: ["PCT"]}
  - {key: q8, type: numeric, prompt: "Minimum term in years?", answer: 20, tolerance: 0}
  - {key: q9, type: matching, prompt: "Match the INID codes.",
     pairs: [{left: "(22)", right: "Filing date"}, {left: "(54)", right: "Title"}, {left: "(72)", right: "Inventor"}]}
  - {key: q10, type: ordering, prompt: "Order the steps.", items: ["Priority", "PCT filing", "Publication"]}
"""

# The right answer to each question, as form fields (matching/ordering rows by index).
RIGHT = {
    "q1": [("", "a")], "q2": [("", "b")], "q3": [("", "a")], "q4": [("", "a"), ("", "b")],
    "q5": [("", "a"), ("", "b")], "q6": [("", "true")], "q7": [("", "PCT")], "q8": [("", "20")],
    "q9": [("-0", "0"), ("-1", "1"), ("-2", "2")], "q10": [("-0", "1"), ("-1", "2"), ("-2", "3")],
}

MANIFEST = """code: BENCH1
slug: bench
default_language: en
languages: [en]
title: {en: "Benchmark course"}
modules:
  - key: m
    title: {en: "Benchmark module"}
    lessons: [{key: l}]
    quiz: {pass_mark: 50, max_attempts: null, shuffle_questions: false, shuffle_options: false,
           questions_per_page: 10, show_answers: after_each_attempt}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def prepare(env: dict, learners: int, workdir: Path) -> None:
    """Migrate, import the benchmark course and create the enrolled learners (in this process)."""
    os.environ.update(env)
    pkg = workdir / "package"
    (pkg / "en" / "m").mkdir(parents=True)
    (pkg / "course.yaml").write_text(MANIFEST)
    (pkg / "en" / "m" / "l.md").write_text("---\ntitle: Lesson\n---\nText.\n")
    (pkg / "en" / "m" / "quiz.yaml").write_text(QUIZ)

    from flask_migrate import upgrade

    from academy import create_app
    from academy.auth.services import create_user
    from academy.core.enums import Role
    from academy.courses.package import load_package
    from academy.courses.services import enroll, import_package
    from academy.extensions import db

    app = create_app({"FAST_PASSWORD_HASHING": True})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        course, _summary = import_package(load_package(pkg))
        for i in range(learners):
            user = create_user(email=f"bench{i}@example.org", full_name=f"Bench Learner {i}", password=PASSWORD,
                               gender="woman", country_code="KE", institution_other="Bench",
                               preferred_language="en", roles=[Role.LEARNER])
            enroll(user, course, "en")
        db.session.commit()
        db.engine.dispose()


class Learner:
    def __init__(self, base: str, index: int):
        self.base = base
        self.email = f"bench{index}@example.org"
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())
        self.attempt_url: str | None = None
        self.form: list[tuple[str, str]] = []

    def request(self, path: str, data: list[tuple[str, str]] | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body)
        try:
            with self.opener.open(req, timeout=120) as resp:
                return resp.status, resp.headers.get("Location", ""), resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Location", ""), exc.read().decode(errors="replace")

    @staticmethod
    def csrf(html: str) -> str:
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        if not match:
            raise RuntimeError("no CSRF token in the page")
        return match.group(1)

    def login(self) -> None:
        _s, _l, html = self.request("/login")
        status, _l, _b = self.request("/login", [("csrf_token", self.csrf(html)), ("email", self.email),
                                                 ("password", PASSWORD)])
        if status != 302:
            raise RuntimeError(f"login failed: {status}")

    def start(self) -> None:
        _s, _l, html = self.request("/learn/bench/quiz/m")
        status, location, _b = self.request("/learn/bench/quiz/m/start", [("csrf_token", self.csrf(html))])
        if status != 302 or "/attempts/" not in location:
            raise RuntimeError(f"start failed: {status} {location}")
        self.attempt_url = urllib.parse.urlsplit(location).path
        _s, _l, html = self.request(self.attempt_url)
        ids = re.findall(r'data-question="(\d+)"', html)
        if len(ids) != 10:
            raise RuntimeError(f"expected 10 questions on the page, found {len(ids)}")
        fields = [("csrf_token", self.csrf(html)), ("page", "1"), ("action", "submit")]
        for qid, key in zip(ids, [f"q{n}" for n in range(1, 11)], strict=True):
            fields += [(f"q{qid}{suffix}", value) for suffix, value in RIGHT[key]]
        self.form = fields

    def submit(self) -> tuple[float, int, str]:
        t0 = time.perf_counter()
        status, location, _b = self.request(self.attempt_url, self.form)
        return time.perf_counter() - t0, status, location


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def run_threads(count: int, target) -> None:
    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def trivial_throughput(base: str, clients: int, seconds: float) -> tuple[float, float, int]:
    """Requests/s and p50 latency of GET /healthz with ``clients`` concurrent clients."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker(_i: int) -> None:
        opener = urllib.request.build_opener()
        mine = []
        while time.perf_counter() < stop_at:
            t0 = time.perf_counter()
            try:
                with opener.open(base + "/healthz", timeout=30) as resp:
                    resp.read()
                mine.append(time.perf_counter() - t0)
            except OSError:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    t0 = time.perf_counter()
    run_threads(clients, worker)
    elapsed = time.perf_counter() - t0
    return len(latencies) / elapsed, statistics.median(latencies) if latencies else 0.0, errors[0]


def verify(env: dict, expected_attempts: int, learners: int) -> tuple[int, int, int]:
    """(graded attempts, lost, duplicated) straight from the database."""
    code = (
        "from sqlalchemy import func, select\n"
        "from academy import create_app\n"
        "from academy.assessments.models import AttemptAnswer, QuizAttempt\n"
        "from academy.extensions import db\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    rows = db.session.execute(select(QuizAttempt.enrollment_id, QuizAttempt.number, QuizAttempt.state,"
        " QuizAttempt.score, func.count(AttemptAnswer.id)).outerjoin(AttemptAnswer,"
        " AttemptAnswer.attempt_id == QuizAttempt.id).group_by(QuizAttempt.id)).all()\n"
        "    for r in rows: print(r[0], r[1], r[2].value, r[3], r[4])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    rows = [line.split() for line in out.stdout.splitlines() if line.strip()]
    graded = [r for r in rows if r[2] == "graded"]
    good = [r for r in graded if float(r[3]) == 100.0 and int(r[4]) == 10]
    duplicated = sum(max(0, int(r[4]) - 10) for r in rows)  # extra answer rows
    # Attempt numbers are unique per learner by constraint; more attempts than submits is a duplicate.
    duplicated += max(0, len(rows) - expected_attempts)
    lost = expected_attempts - len(good)
    return len(graded), max(0, lost), duplicated


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duplicates", type=int, default=1, help="extra copies of each submit sent at once")
    parser.add_argument("--workers", type=int, default=max(2, 2 * (os.cpu_count() or 1)))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--trivial-seconds", type=float, default=5.0)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary folder")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="academy-bench-"))
    port = free_port()
    env = {
        **os.environ,
        "ACADEMY_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ACADEMY_INSTANCE_DIR": str(workdir / "instance"),
        "ACADEMY_DATABASE_URL": args.database_url or f"sqlite:///{workdir / 'bench.db'}",
        "ACADEMY_RATELIMIT_ENABLED": "false",
        "ACADEMY_SECURE_COOKIES": "false",
        "ACADEMY_MAIL_BACKEND": "memory",
        "ACADEMY_BASE_URL": f"http://127.0.0.1:{port}",
    }
    print(f"database: {env['ACADEMY_DATABASE_URL']}")
    prepare(env, args.learners, workdir)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(args.workers), "--threads", str(args.threads),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as resp:  # noqa: S310
                    if resp.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not come up")
        print(f"gunicorn: {args.workers} workers x {args.threads} threads on {base}")

        rps, p50_trivial, trivial_errors = trivial_throughput(base, args.learners, args.trivial_seconds)
        learners = [Learner(base, i) for i in range(args.learners)]
        run_threads(len(learners), lambda i: learners[i].login())

        latencies: list[float] = []
        bad_responses: list[str] = []
        submit_seconds = 0.0
        lock = threading.Lock()
        for _round in range(args.rounds):
            run_threads(len(learners), lambda i: learners[i].start())
            copies = 1 + args.duplicates
            barrier = threading.Barrier(len(learners) * copies)

            def submit(i: int, copies: int = copies, barrier: threading.Barrier = barrier) -> None:
                learner = learners[i // copies]
                barrier.wait()
                took, status, location = learner.submit()
                with lock:
                    latencies.append(took)
                    if status != 302 or not location.endswith("/result"):
                        bad_responses.append(f"{status} {location}")

            t0 = time.perf_counter()
            run_threads(len(learners) * copies, submit)
            submit_seconds += time.perf_counter() - t0

        expected = args.learners * args.rounds
        graded, lost, duplicated = verify(env, expected, args.learners)
        print()
        print(f"trivial route  GET /healthz     {rps:8.1f} req/s   p50 {1000 * p50_trivial:6.1f} ms"
              f"   ({args.learners} clients, {args.trivial_seconds:.0f} s, {trivial_errors} errors)")
        print(f"quiz submit    {expected} attempts     {expected / submit_seconds:8.1f} submits/s"
              f"   p50 {1000 * percentile(latencies, 0.5):6.1f} ms   p95 {1000 * percentile(latencies, 0.95):6.1f} ms"
              f"   ({len(latencies)} POSTs incl. {args.duplicates} duplicate(s) each)")
        print(f"graded attempts: {graded} of {expected}   lost: {lost}   duplicated: {duplicated}"
              f"   error responses: {len(bad_responses)}")
        for line in bad_responses[:5]:
            print("  unexpected response:", line)
        return 0 if lost == 0 and duplicated == 0 and not bad_responses else 1
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
