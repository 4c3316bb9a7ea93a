"""Soak: 200 simulated learners for 60 s against gunicorn, a worker killed mid-run.

    .venv/bin/python -m bench.soak [--learners 200] [--seconds 60] [--only sqlite|postgresql]

Each learner enrols, then works through lessons (open the lesson, mark it complete) with a
short think time; half of them take DL177 (imported into the population: it has quizzes)
and, at the end of each module, start its quiz, answer it and submit (one in five submits
is sent twice, like a double click). Halfway through, one gunicorn worker gets SIGKILL (gunicorn starts a
new one). Afterwards every write the server acknowledged (a 302 or 200 to a POST) is
looked up in the database, and duplicates are counted. Prints requests, errors (5xx and
dropped connections: the killed worker's requests), refusals (4xx), lost writes (must
be 0) and duplicates (must be 0). SQLite first, then PostgreSQL when
ACADEMY_BENCH_DATABASE_URL or ACADEMY_TEST_DATABASE_URL is set (`make bench` sets it).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import sqlite3
import sys
import threading
import time
from collections import Counter
from urllib.parse import urlencode

from bench.common import (
    OUT,
    Client,
    app_for,
    ensure_quiz_course,
    mint_session,
    postgres_database,
    sample,
    sqlite_database,
    start_server,
)

SOAK_SCALE = 0.01  # the soak measures writes, not data size: a small population is enough


def learners_and_lessons(url: str, n: int) -> tuple[list[int], dict[str, list[tuple[str, str]]]]:
    users = [uid for (uid,) in sample(url, """
        SELECT u.id FROM "user" u JOIN user_role r ON r.user_id = u.id AND r.role = 'learner'
        WHERE u.email LIKE '%bench.example' OR u.email LIKE 'learner%' ORDER BY u.id LIMIT :n""", n=n)]
    lessons: dict[str, list[tuple[str, str]]] = {}
    for slug, module_key, lesson_key in sample(url, """
            SELECT c.slug, m."key", l."key" FROM course c JOIN module m ON m.course_id = c.id
            JOIN lesson l ON l.module_id = m.id
            WHERE c.is_published = true AND m.is_retired = false AND l.is_retired = false
            ORDER BY c.slug, m.position, l.position"""):
        lessons.setdefault(slug, []).append((module_key, lesson_key))
    return users, lessons


def module_quizzes(url: str, slug: str | None) -> dict[str, str]:
    """{module key: quiz key} for the course with quizzes."""
    if slug is None:
        return {}
    return dict(sample(url, """SELECT m."key", q."key" FROM quiz q JOIN module m ON m.id = q.module_id
                               JOIN course c ON c.id = q.course_id
                               WHERE c.slug = :slug AND q.is_retired = false""", slug=slug))


_CHOICE = re.compile(r'type="(?:radio|checkbox)" id="[^"]+" name="(q\d+)" value="([^"]+)"')


class Soak:
    def __init__(self, port: int, seconds: float) -> None:
        self.port, self.seconds = port, seconds
        self.lock = threading.Lock()
        self.stats = Counter()
        self.acknowledged: list[tuple[int, str, str, str]] = []  # (user, slug, module, lesson)
        self.quiz_acks: list[int] = []  # attempt ids whose submit the server acknowledged
        self.quizzes: dict[str, str] = {}  # {module key: quiz key} of the quiz course
        self.quiz_slug: str | None = None

    def count(self, key: str, n: int = 1) -> None:
        with self.lock:
            self.stats[key] += n

    def call(self, client: Client, method: str, path: str, data: dict | None = None) -> int | None:
        body = urlencode({"csrf_token": client.csrf, **(data or {})}) if method == "POST" else None
        try:
            status, _ = client.request(method, path, body)
        except OSError:
            self.count("requests")
            self.count("errors")
            return None
        self.count("requests")
        if status >= 500:
            self.count("errors")
        elif status >= 400:
            self.count("refused")
        return status

    def learner(self, uid: int, cookie: str, slug: str, lessons: list[tuple[str, str]], stop_at: float,
                rng: random.Random) -> None:
        client = Client(self.port, cookie)
        try:
            client.fetch_csrf()
        except (OSError, RuntimeError):
            self.count("errors")
            return
        self.call(client, "POST", f"/courses/{slug}/enrol", {"language": "en"})
        i = 0
        while time.monotonic() < stop_at:
            module_key, lesson_key = lessons[i % len(lessons)]
            status = self.call(client, "GET", f"/learn/{slug}/{module_key}/{lesson_key}")
            if status == 302:  # a locked module (its quiz not passed yet): start over from module 1
                i = 0
                continue
            status = self.call(client, "POST", f"/learn/{slug}/{module_key}/{lesson_key}/complete")
            if status in (200, 302):
                with self.lock:
                    self.acknowledged.append((uid, slug, module_key, lesson_key))
            i += 1
            last_of_module = i % len(lessons) == 0 or lessons[i % len(lessons)][0] != module_key
            if slug == self.quiz_slug and last_of_module and module_key in self.quizzes:
                self.take_quiz(client, slug, self.quizzes[module_key], rng)
            time.sleep(rng.uniform(0.05, 0.5))  # think time

    def take_quiz(self, client: Client, slug: str, quiz_key: str, rng: random.Random) -> None:
        """Start (or resume) the module quiz, answer the first page, submit: sometimes twice,
        as a double click does. An acknowledged submit must leave exactly one graded attempt."""
        if self.call(client, "POST", f"/learn/{slug}/quiz/{quiz_key}/start") != 302:
            return
        match = re.search(r"/attempts/(\d+)$", client.location)
        if not match:  # refused (e.g. the module is not complete yet): back to the quiz page
            return
        attempt_id = int(match.group(1))
        try:
            status, html = client.html(f"/attempts/{attempt_id}")
        except OSError:
            self.count("requests")
            self.count("errors")
            return
        self.count("requests")
        if status != 200:
            return
        answers: dict[str, str] = {}
        for name, value in _CHOICE.findall(html):
            if name not in answers or rng.random() < 0.3:
                answers[name] = value
        time.sleep(rng.uniform(0.05, 0.3))
        clicks = 2 if rng.random() < 0.2 else 1
        for _click in range(clicks):
            status = self.call(client, "POST", f"/attempts/{attempt_id}", {**answers, "page": "1", "action": "submit"})
            if status == 302 and client.location.endswith("/result"):
                with self.lock:
                    self.quiz_acks.append(attempt_id)

    def run(self, app, users: list[int], lessons: dict, server) -> None:
        rng = random.Random(9)
        slugs = sorted(k for k in lessons if k != self.quiz_slug)
        stop_at = time.monotonic() + self.seconds
        threads = []
        for n, uid in enumerate(users):
            # Half the learners take the course with quizzes, the others the synthetic courses.
            slug = self.quiz_slug if self.quiz_slug and n % 2 == 0 else rng.choice(slugs)
            t = threading.Thread(target=self.learner, args=(uid, mint_session(app, uid), slug, lessons[slug],
                                                             stop_at, random.Random(uid)))
            threads.append(t)
        for t in threads:
            t.start()
        time.sleep(self.seconds / 2)
        victim = server.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        print(f"  killed worker {victim} with SIGKILL at {self.seconds / 2:.0f} s", flush=True)
        for t in threads:
            t.join(self.seconds + 120)


def verify(url: str, soak: Soak) -> tuple[int, int]:
    """(lost writes, duplicates): acknowledged completions missing from the database, and
    (enrolment, lesson) pairs stored more than once."""
    done = set(sample(url, """
        SELECT e.user_id, c.slug, m."key", l."key" FROM lesson_progress p
        JOIN enrollment e ON e.id = p.enrollment_id JOIN course c ON c.id = e.course_id
        JOIN lesson l ON l.id = p.lesson_id JOIN module m ON m.id = l.module_id
        WHERE p.completed_at IS NOT NULL"""))
    lost = sum(1 for ack in set(soak.acknowledged) if ack not in done)
    duplicates = sum(n - 1 for (n,) in sample(url, """
        SELECT COUNT(*) FROM lesson_progress GROUP BY enrollment_id, lesson_id HAVING COUNT(*) > 1"""))
    duplicates += sum(n - 1 for (n,) in sample(url, """
        SELECT COUNT(*) FROM enrollment GROUP BY user_id, course_id HAVING COUNT(*) > 1"""))
    if soak.quiz_acks:
        graded = {aid for (aid,) in sample(url, "SELECT id FROM quiz_attempt WHERE state = 'graded'")}
        lost += sum(1 for aid in set(soak.quiz_acks) if aid not in graded)
        # Two attempts open at once for one learner and quiz, or one attempt number twice.
        duplicates += sum(n - 1 for (n,) in sample(url, """
            SELECT COUNT(*) FROM quiz_attempt WHERE state = 'in_progress'
            GROUP BY quiz_id, enrollment_id HAVING COUNT(*) > 1"""))
        duplicates += sum(n - 1 for (n,) in sample(url, """
            SELECT COUNT(*) FROM quiz_attempt GROUP BY quiz_id, enrollment_id, number HAVING COUNT(*) > 1"""))
    return lost, duplicates


def soak_once(label: str, url: str, instance, learners: int, seconds: float) -> dict:
    app = app_for(url, instance)
    quiz_slug = ensure_quiz_course(app)
    users, lessons = learners_and_lessons(url, learners)
    server = start_server(url, instance)
    try:
        soak = Soak(int(server.base.rsplit(":", 1)[1]), seconds)
        soak.quiz_slug, soak.quizzes = quiz_slug, module_quizzes(url, quiz_slug)
        started = time.monotonic()
        soak.run(app, users, lessons, server)
        elapsed = time.monotonic() - started
        log = server.log
    finally:
        server.stop()
    lost, duplicates = verify(url, soak)
    tracebacks = len(re.findall(r"Traceback", log))
    row = {"database": label, "learners": len(users), "seconds": round(elapsed), "requests": soak.stats["requests"],
           "errors": soak.stats["errors"], "refused": soak.stats["refused"],
           "acknowledged writes": len(soak.acknowledged), "quiz submits": len(set(soak.quiz_acks)),
           "lost writes": lost, "duplicates": duplicates,
           "server tracebacks": tracebacks, "load average": round(os.getloadavg()[0], 1)}
    print("  " + ", ".join(f"{k}: {v}" for k, v in row.items()), flush=True)
    return row


def sqlite_copy(scale: float) -> tuple[str, object]:
    """A throwaway copy of the cached population (the soak writes to it)."""
    base_url, base_instance = sqlite_database(scale, fresh=False)
    instance = OUT / "soak-sqlite"
    instance.mkdir(parents=True, exist_ok=True)
    target = instance / "academy.db"
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(f"{target}{suffix}"):
            os.unlink(f"{target}{suffix}")
    src, dst = sqlite3.connect(base_instance / "academy.db"), sqlite3.connect(target)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()
    return f"sqlite:///{target}", instance


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    rows = []
    if args.only != "postgresql":
        print(f"soak on gunicorn + SQLite: {args.learners} learners, {args.seconds:g} s", flush=True)
        url, instance = sqlite_copy(SOAK_SCALE)
        rows.append(soak_once("SQLite", url, instance, args.learners, args.seconds))
    pg = os.environ.get("ACADEMY_BENCH_DATABASE_URL") or os.environ.get("ACADEMY_TEST_DATABASE_URL")
    if pg and args.only != "sqlite":
        print(f"soak on gunicorn + PostgreSQL: {args.learners} learners, {args.seconds:g} s", flush=True)
        url, instance = postgres_database(pg, SOAK_SCALE, "academy_bench_soak")
        rows.append(soak_once("PostgreSQL", url, instance, args.learners, args.seconds))
    if rows:
        keys = list(rows[0])
        print("\n| " + " | ".join(keys) + " |\n|" + "---|" * len(keys))
        for row in rows:
            print("| " + " | ".join(str(row[k]) for k in keys) + " |")
    return 1 if any(r["lost writes"] or r["duplicates"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
