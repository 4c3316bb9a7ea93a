"""The app under gunicorn, as `make serve` runs it: several workers, several servers."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from academy.extensions import db
from tests.conftest import FIXTURES, PG_URL, TEST_PASSWORD, make_test_app
from tests.live import REPO, Browser, fresh_postgres_database, gunicorn, gunicorns, server_env

FLASK = Path(sys.executable).parent / "flask"

pytestmark = pytest.mark.servers


def _prepare(tmp: Path, database_url: str, learners: int):
    """Migrate an empty database, import the mini course, create learners; their emails."""
    from flask_migrate import upgrade

    from academy.auth.services import create_user
    from academy.core.enums import Role
    from academy.courses.package import load_package
    from academy.courses.services import import_package

    app = make_test_app(tmp / "setup", database_url)
    emails = [f"live{i}@example.org" for i in range(learners)]
    with app.app_context():
        upgrade()
        import_package(load_package(FIXTURES / "mini"))
        for i, email in enumerate(emails):
            create_user(email=email, full_name=f"Live Learner {i}", password=TEST_PASSWORD, gender="man",
                        country_code="PE", institution_other="Test", preferred_language="en",
                        roles=[Role.LEARNER])
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return app, emails


def _progress(app, email: str):
    from academy.auth.models import User
    from academy.courses.models import Enrollment, LessonProgress

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        enrollment = db.session.scalar(select(Enrollment).where(Enrollment.user_id == user.id))
        done = db.session.scalar(select(func.count()).select_from(LessonProgress).where(
            LessonProgress.enrollment_id == enrollment.id, LessonProgress.completed_at.is_not(None)))
        result = enrollment.progress_percent, done
        db.session.remove()
        return result


LESSONS = [("one", "first"), ("one", "second"), ("two", "third"), ("two", "fourth")]


@pytest.mark.skipif(not PG_URL, reason="two servers share one PostgreSQL (the PostgreSQL leg of make test)")
def test_progress_written_through_one_server_is_read_through_the_other(tmp_path):
    url = fresh_postgres_database(PG_URL, "academy_two_servers")
    # Both servers start at once on the empty database and both run the migrations
    # (as `make serve` does): they take turns on an advisory lock, neither fails.
    upgrades = [subprocess.Popen([str(FLASK), "--app", "wsgi", "db", "upgrade"], cwd=REPO,
                                 env=server_env(url, tmp_path / f"migrate{i}"), stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT) for i in range(2)]
    outputs = [p.communicate(timeout=120)[0].decode() for p in upgrades]
    assert [p.returncode for p in upgrades] == [0, 0], outputs
    app, (email,) = _prepare(tmp_path, url, learners=1)
    shared_storage = str(tmp_path / "shared-storage")
    shared = {"ACADEMY_STORAGE_DIR": shared_storage}
    with gunicorns((url, tmp_path / "a", shared), (url, tmp_path / "b", shared)) as (a, b):
        base_a, base_b = a.base, b.base
        on_a = Browser(base_a)
        on_a.login(email, TEST_PASSWORD)
        assert on_a.post("/courses/mini/enrol", {"language": "en"})[0] == 302
        assert on_a.post("/learn/mini/one/first/complete")[0] == 302

        # The same browser (its signed session cookie) moves to the other server.
        on_b = Browser(base_b, jar=on_a.jar)
        status, html, _h = on_b.get("/learn/mini/")
        assert status == 200 and "25%" in html
        # A second session, opened on B only, sees it too, and writes back through B.
        fresh = Browser(base_b)
        fresh.login(email, TEST_PASSWORD)
        assert "25%" in fresh.get("/dashboard")[1]
        assert fresh.post("/learn/mini/one/second/complete")[0] == 302
        assert "50%" in on_a.get("/learn/mini/")[1]
    assert _progress(app, email) == (50, 2)


@pytest.mark.skipif(bool(PG_URL), reason="the SQLite deployment (the SQLite leg of make test)")
def test_sqlite_holds_under_three_workers_and_concurrent_writes(tmp_path):
    url = f"sqlite:///{tmp_path / 'academy.db'}"
    app, emails = _prepare(tmp_path, url, learners=12)
    failures: list[str] = []
    acknowledged: dict[str, int] = {}

    def learner(base: str, email: str) -> None:
        try:
            b = Browser(base)
            b.login(email, TEST_PASSWORD)
            status = b.post("/courses/mini/enrol", {"language": "en"})[0]
            if status != 302:
                failures.append(f"{email} enrol: {status}")
                return
            acknowledged[email] = 0
            for module_key, lesson_key in LESSONS:
                for _visit in range(2):  # each visit writes last_visited_at too
                    status = b.get(f"/learn/mini/{module_key}/{lesson_key}")[0]
                    if status != 200:
                        failures.append(f"{email} visit {lesson_key}: {status}")
                status = b.post(f"/learn/mini/{module_key}/{lesson_key}/complete")[0]
                if status == 302:
                    acknowledged[email] += 1
                else:
                    failures.append(f"{email} complete {lesson_key}: {status}")
        except Exception as exc:  # noqa: BLE001 - reported below with the others
            failures.append(f"{email}: {exc!r}")

    with gunicorn(url, tmp_path / "srv", workers=3) as server:
        base = server.base
        threads = [threading.Thread(target=learner, args=(base, e)) for e in emails]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        log = server.log
    assert not failures, failures
    assert "Traceback" not in log and "database is locked" not in log, log[-3000:]
    assert acknowledged == dict.fromkeys(emails, 4)
    for email in emails:
        assert _progress(app, email) == (100, 4)


@pytest.mark.skipif(bool(PG_URL), reason="one restart is enough (the SQLite leg)")
def test_a_restart_mid_course_keeps_the_session_the_form_token_and_the_progress(tmp_path):
    url = f"sqlite:///{tmp_path / 'academy.db'}"
    app, (email,) = _prepare(tmp_path, url, learners=1)
    with gunicorn(url, tmp_path / "before") as before:
        browser = Browser(before.base)
        browser.login(email, TEST_PASSWORD)
        assert browser.post("/courses/mini/enrol", {"language": "en"})[0] == 302
        assert browser.post("/learn/mini/one/first/complete")[0] == 302
        status, html, _h = browser.get("/learn/mini/one/second")  # the learner is reading lesson 2…
        assert status == 200
    # …when the server restarts (a deploy: every process replaced).
    with gunicorn(url, tmp_path / "after") as after:
        browser.base = after.base
        # Same cookie, same form (its CSRF token) submitted to the new processes.
        assert browser.post("/learn/mini/one/second/complete")[0] == 302
        status, html, _h = browser.get("/learn/mini/")
        assert status == 200 and "50%" in html
    assert _progress(app, email) == (50, 2)


def _prepare_quiz(tmp: Path, database_url: str):
    """The quizzed course with its first lesson done by one learner, so quiz one is open."""
    from academy.auth.models import User
    from academy.courses.models import Course
    from academy.courses.package import load_package
    from academy.courses.services import complete_lesson, enroll, import_package

    app, (email,) = _prepare(tmp, database_url, learners=1)
    with app.app_context():
        course, _summary = import_package(load_package(FIXTURES / "quizzed"))
        db.session.commit()
        course = db.session.scalar(select(Course).where(Course.code == "QUIZ1"))
        learner = db.session.scalar(select(User).where(User.email == email))
        enrollment = enroll(learner, course, "en")
        complete_lesson(enrollment, course.modules[0].lessons[0])
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return app, email


@pytest.mark.skipif(bool(PG_URL), reason="one restart is enough (the SQLite leg)")
def test_a_restart_mid_quiz_keeps_the_attempt_its_saved_answers_and_grades_it_once(tmp_path):
    import re

    from academy.assessments.models import AttemptAnswer, QuizAttempt

    url = f"sqlite:///{tmp_path / 'academy.db'}"
    app, email = _prepare_quiz(tmp_path, url)
    with gunicorn(url, tmp_path / "before") as before:
        browser = Browser(before.base)
        browser.login(email, TEST_PASSWORD)
        status, _html, headers = browser.post("/learn/quizzed/quiz/one/start")
        assert status == 302, _html[:500]
        attempt_path = headers["Location"].replace(before.base, "")
        status, html, _h = browser.get(attempt_path)
        assert status == 200
        name, value = re.search(r'type="radio" id="[^"]+" name="(q\d+)" value="([^"]+)"', html).groups()
        # The learner answers the first question and saves; then reads on…
        assert browser.post(attempt_path, {name: value, "page": "1", "action": "save"})[0] == 302
    # …when every server process is replaced (a deploy).
    with gunicorn(url, tmp_path / "after") as after:
        browser.base = after.base
        status, html, _h = browser.get(attempt_path)
        assert status == 200
        assert re.search(rf'name="{name}" value="{value}"\s*checked', html), "the saved answer is gone"
        # The form rendered before the restart (its CSRF token) submits; a double click re-sends it.
        first = browser.post(attempt_path, {name: value, "page": "1", "action": "submit"})
        again = browser.post(attempt_path, {name: value, "page": "1", "action": "submit"})
        assert first[0] == again[0] == 302
        assert first[2]["Location"].endswith("/result") and again[2]["Location"].endswith("/result")
        log = after.log
    assert "Traceback" not in log, log[-3000:]
    with app.app_context():
        attempts = db.session.scalars(select(QuizAttempt)).all()
        assert len(attempts) == 1 and attempts[0].is_graded
        saved = db.session.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempts[0].id)).all()
        assert [a.response for a in saved if a.response is not None] == [value]
        db.session.remove()


def test_gunicorn_says_at_start_up_when_the_base_url_names_another_port(tmp_path):
    """`make serve` with ACADEMY_BASE_URL left at a local address gunicorn does not listen on:
    every link it hands out would lead nowhere, so its log says so before the first request."""
    import time

    from tests.live import Server

    server = Server(f"sqlite:///{tmp_path}/x.db", tmp_path / "srv", workers=1,
                    ACADEMY_BASE_URL="http://127.0.0.1:5000")
    try:
        deadline = time.monotonic() + 60
        while "Booting worker" not in server.log and server.proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        log = server.log
    finally:
        server.stop()
    port = server.base.rsplit(":", 1)[1]
    assert f"ACADEMY_BASE_URL is http://127.0.0.1:5000 but the server listens on port {port}" in log, log[-3000:]
