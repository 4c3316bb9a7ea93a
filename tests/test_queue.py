"""The task queue for real: gunicorn and Huey consumer processes sharing a SQLite queue file,
as `make serve` runs them. Mail, an export and a bulk issue go through it; a consumer is
killed with SIGKILL mid-job; a job that keeps failing stops and says so."""

from __future__ import annotations

import csv
import io
import os
import re
import signal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from academy.extensions import db
from tests.conftest import FIXTURES, PG_URL, TEST_PASSWORD, make_test_app
from tests.live import Browser, consumer, gunicorn, wait_for

pytestmark = [
    pytest.mark.servers,
    pytest.mark.skipif(bool(PG_URL), reason="the SQLite queue on the SQLite leg of make test"),
]
NAMES = ["王小明", "فاطمة عبد الرحمن القحطاني", "María Fernanda Quispe", "Екатерина Смирнова", "Jane Mwangi"]


def _world(tmp: Path, learners: int):
    """A migrated database with the mini course, an admin, and ``learners`` learners who
    completed it without a certificate yet (as if completed before certificates existed)."""
    from flask_migrate import upgrade

    from academy.auth.services import create_user
    from academy.core.enums import EnrollmentStatus, Role
    from academy.core.models import utcnow
    from academy.courses.package import load_package
    from academy.courses.services import enroll, import_package

    url = f"sqlite:///{tmp / 'academy.db'}"
    queue_url = f"sqlite:///{tmp / 'queue.db'}"
    app = make_test_app(tmp / "setup", url, QUEUE_IMMEDIATE=False, QUEUE_URL=queue_url,
                        STORAGE_DIR=str(tmp / "storage"))
    with app.app_context():
        upgrade()
        course, _summary = import_package(load_package(FIXTURES / "mini"))
        create_user(email="admin@example.org", full_name="Queue Admin", password=TEST_PASSWORD, gender="man",
                    country_code="CH", institution_other="Academy", roles=[Role.ADMIN, Role.LEARNER])
        for i in range(learners):
            user = create_user(email=f"q{i}@example.org", full_name=f"{NAMES[i % len(NAMES)]} {i}",
                               password=TEST_PASSWORD, gender="woman", country_code="KE",
                               institution_other="Test", preferred_language="en", roles=[Role.LEARNER])
            enrollment = enroll(user, course, ("en", "fr")[i % 2])
            enrollment.status, enrollment.completed_at = EnrollmentStatus.COMPLETED, utcnow()
        db.session.commit()
        course_id = course.id
        db.session.remove()
    return app, url, queue_url, course_id


def _shared(tmp: Path, queue_url: str) -> dict:
    return {"ACADEMY_QUEUE_URL": queue_url, "ACADEMY_STORAGE_DIR": str(tmp / "storage")}


def _job(app, job_id: int):
    from academy.jobs.models import Job

    with app.app_context():
        job = db.session.get(Job, job_id)
        db.session.expunge_all()
        db.session.remove()
        return job


def _ask_reset_and_wait_for_the_mail(app, server, email: str) -> list[str]:
    """Ask for a password reset through the web server; wait until the queue has sent every
    mail in the outbox; return their recipients."""
    from academy.core.mail import OutgoingMail

    browser = Browser(server.base)
    _status, html, _h = browser.get("/reset-password")
    browser.csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    assert browser.post("/reset-password", {"email": email})[0] == 302

    def sent():
        with app.app_context():
            rows = db.session.execute(select(OutgoingMail.to, OutgoingMail.sent_at)).all()
            db.session.remove()
            return rows if rows and all(r.sent_at for r in rows) else None

    return [r.to for r in wait_for(sent, what="the reset mail")]


def test_reset_mail_and_an_export_go_through_a_real_consumer_once(tmp_path):
    from academy.core.mail import OutgoingMail

    app, url, queue_url, _course = _world(tmp_path, learners=3)
    shared = _shared(tmp_path, queue_url)
    with gunicorn(url, tmp_path / "web", **shared) as server, consumer(url, tmp_path / "worker", **shared) as worker:
        assert _ask_reset_and_wait_for_the_mail(app, server, "q1@example.org") == ["q1@example.org"]

        admin = Browser(server.base)
        admin.login("admin@example.org", TEST_PASSWORD)
        status, _html, headers = admin.post("/admin/stats/enrolments", {"format": "csv", "include_personal": "y"})
        assert status == 302 and headers["Location"].endswith("/admin/stats/exports")

        def ready():
            page = admin.get("/admin/stats/exports")[1]
            return re.search(r'href="(/admin/stats/exports/\d+/download)"', page)

        link = wait_for(ready, what="the export").group(1)
        status, body, _h = admin.get(link)
        assert status == 200
        rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
        assert sorted(r[-1] for r in rows[1:]) == [f"q{i}@example.org" for i in range(3)]
        log = worker.log
    # One message, sent once, and the body with its reset link not kept once sent.
    assert log.count("mail to q1@example.org") == 1, log[-3000:]
    with app.app_context():
        mail = db.session.scalars(select(OutgoingMail)).one()
        assert mail.attempts == 1 and mail.body == ""
        db.session.remove()


def test_a_bulk_issue_survives_a_consumer_killed_mid_job_and_issues_each_certificate_once(tmp_path):
    from academy.certificates.models import Certificate
    from academy.certificates.tasks import BULK_ISSUE
    from academy.jobs.models import JobStatus
    from academy.jobs.services import create_job

    learners = 60
    app, url, queue_url, course_id = _world(tmp_path, learners=learners)
    with app.app_context():
        job = create_job(BULK_ISSUE, {"course_id": course_id, "group": None, "design": "classic", "paper": "a4"},
                         requested_by_id=None, total=learners)
        db.session.commit()  # and so onto the real queue
        job_id = job.id
        db.session.remove()
    shared = _shared(tmp_path, queue_url)

    def issued() -> int:
        with app.app_context():
            n = db.session.scalar(select(func.count()).select_from(Certificate))
            db.session.remove()
            return n

    with consumer(url, tmp_path / "first", **shared) as first:
        wait_for(lambda: issued() >= 10, what="the first certificates")
        os.kill(first.proc.pid, signal.SIGKILL)
        first.proc.wait()
    partial = issued()
    assert 10 <= partial < learners, "the consumer was killed too late to show anything"
    assert _job(app, job_id).status == JobStatus.RUNNING  # as the dead consumer left it

    with consumer(url, tmp_path / "second", **shared) as second:
        wait_for(lambda: _job(app, job_id).status == JobStatus.DONE, what="the job after the restart")
        log = second.log
    assert "interrupted job(s) queued again" in log, log[-3000:]
    job = _job(app, job_id)
    assert job.attempts == 2 and job.progress_done == job.progress_total == learners
    with app.app_context():
        per_enrolment = db.session.execute(
            select(Certificate.enrollment_id, func.count()).group_by(Certificate.enrollment_id)).all()
        assert len(per_enrolment) == learners and {n for _e, n in per_enrolment} == {1}
        serials = db.session.scalars(select(Certificate.serial)).all()
        assert len(set(serials)) == learners
        db.session.remove()


def test_a_job_that_keeps_failing_stops_after_three_tries_and_shows_failed(tmp_path):
    from academy.certificates.tasks import BULK_ISSUE
    from academy.jobs.models import JobStatus
    from academy.jobs.services import MAX_ATTEMPTS, create_job

    app, url, queue_url, course_id = _world(tmp_path, learners=2)
    with app.app_context():
        # A design that does not exist: every attempt fails the same way.
        job = create_job(BULK_ISSUE, {"course_id": course_id, "group": None, "design": "nope", "paper": "a4"},
                         requested_by_id=None, total=2)
        db.session.commit()
        job_id = job.id
        db.session.remove()
    with consumer(url, tmp_path / "worker", ACADEMY_QUEUE_RETRY_DELAY="1", **_shared(tmp_path, queue_url)):
        job = wait_for(lambda: (j := _job(app, job_id)).status == JobStatus.FAILED and j, what="the failure")
    assert job.attempts == MAX_ATTEMPTS and "unknown certificate design" in job.error


@pytest.fixture
def redis_url(tmp_path):
    """A throwaway Redis server on a free port (Debian's redis-server), as when several
    servers share the queue. Skipped without it, except under CI=true."""
    import shutil
    import socket
    import subprocess
    import time

    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server not found (CI=true): apt-get install redis-server")
        pytest.skip("redis-server not installed (apt-get install redis-server)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)


def test_the_queue_on_redis_carries_the_reset_mail_to_a_consumer_once(tmp_path, redis_url):

    app, url, _sqlite_queue, _course = _world(tmp_path, learners=1)
    shared = _shared(tmp_path, redis_url)
    with gunicorn(url, tmp_path / "web", **shared) as server, consumer(url, tmp_path / "worker", **shared) as worker:
        assert _ask_reset_and_wait_for_the_mail(app, server, "q0@example.org") == ["q0@example.org"]
        log = worker.log
    assert log.count("mail to q0@example.org") == 1, log[-3000:]
    # Nothing went through a SQLite queue file: the consumer and the web server used Redis.
    assert not (tmp_path / "queue.db").exists()
