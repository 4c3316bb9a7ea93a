"""Files and rows are saved together or not at all.

An evidence file, a feedback file or a certificate PDF is kept only if the row that names
it commits: a database that refuses the commit (locked, gone, read-only) leaves no file
behind, and a storage directory that refuses the file (full, read-only) leaves no row and
answers the 507 page rather than a generic error."""

from __future__ import annotations

import errno
import io
import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from academy.certificates.models import Certificate
from academy.certification.models import PracticeSubmission, SubmissionFile
from academy.core import storage as storage_module
from academy.core.storage import get_storage
from academy.extensions import db
from tests.certification import test_views as practice
from tests.certification.test_views import PDF, PNG, task_url, upload
from tests.conftest import login

setup = practice.setup  # the fixture: a learner in phase 3 of a certification, with an instructor


def _files_on_disk(app, under: str = "") -> list[str]:
    """Everything under STORAGE_DIR/``under``, temporary files included."""
    root = Path(app.config["STORAGE_DIR"])
    return sorted(p.relative_to(root).as_posix() for p in (root / under).rglob("*") if p.is_file()) \
        if (root / under).exists() else []


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@contextmanager
def database_refusing_commits():
    """The database refuses every COMMIT, as a locked or vanished database does."""
    engine = db.engine

    def refuse(conn):
        raise OperationalError("COMMIT", {}, Exception("database is locked"))

    event.listen(engine, "commit", refuse)
    try:
        yield
    finally:
        event.remove(engine, "commit", refuse)


@pytest.fixture
def read_only_storage(app, monkeypatch):
    """STORAGE_DIR refuses new files: a read-only directory where permissions hold, or
    (running as root, whom permissions do not stop) the error such a directory gives."""
    root = Path(app.config["STORAGE_DIR"])
    root.mkdir(parents=True, exist_ok=True)
    for sub in ("practice", "feedback", "certificates"):
        (root / sub).mkdir(exist_ok=True)
    if os.geteuid() != 0:
        for d in [root, *root.iterdir()]:
            d.chmod(0o555)
        yield
        for d in [root, *root.iterdir()]:
            d.chmod(0o755)
        return
    real = storage_module.tempfile.mkstemp

    def mkstemp(*args, dir=None, **kwargs):  # noqa: A002 - tempfile's own parameter name
        if dir is not None and Path(dir).resolve().is_relative_to(root.resolve()):
            raise OSError(errno.EROFS, "Read-only file system", str(dir))
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(storage_module.tempfile, "mkstemp", mkstemp)
    yield


# ---------------------------------------------------------------- item 9: the database refuses


def test_evidence_refused_by_the_database_leaves_no_file_and_a_retry_keeps_it(setup, client, app):
    w = setup
    login(client, w.learner)
    with database_refusing_commits():
        resp = upload(client, task_url(w), [("report.pdf", PDF), ("chart.png", PNG)])
    assert resp.status_code == 503
    assert _count(SubmissionFile) == 0
    assert _files_on_disk(app, "practice") == []  # neither file, nor a temporary copy

    # the database is back: the same upload is kept
    assert upload(client, task_url(w), [("report.pdf", PDF)]).status_code == 302
    (row,) = db.session.scalars(select(SubmissionFile)).all()
    assert get_storage().get(row.storage_key) == PDF
    assert _files_on_disk(app, "practice") == [row.storage_key]


def test_a_feedback_file_refused_by_the_database_leaves_no_file(setup, client, app):
    from academy.certification import services

    w = setup
    sub = services.submission_for(w.record, w.tasks[0], create=True)
    services.save_draft(sub, "Report", [], w.learner)
    services.submit(sub)
    db.session.commit()
    login(client, w.instructor)
    form = client.get(f"/certification/submissions/{sub.id}/grade").get_data(as_text=True)
    version = form.split('name="version"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    data = {"version": version, "decision": "revise", "feedback": "See my notes.",
            "feedback_file": (io.BytesIO(PDF), "notes.pdf")}
    for criterion in sub.rubric.criteria:
        data[f"level-{criterion.id}"] = str(criterion.levels[0].id)
    with database_refusing_commits():
        resp = client.post(f"/certification/submissions/{sub.id}/grade", data=data,
                           content_type="multipart/form-data")
    assert resp.status_code == 503
    assert _files_on_disk(app, "feedback") == []


def test_a_certificate_whose_row_is_rolled_back_leaves_no_pdf(app_ctx, app, make_user):
    from academy.certificates.services import issue_certificate

    user = make_user()
    titles = {"en": "E-tutorial on Using Patent Information"}
    issue_certificate(user=user, kind="course", subject_code="DL177", titles=titles, language="en")
    assert _files_on_disk(app) != []  # written aside while the transaction is open
    db.session.rollback()
    assert _files_on_disk(app) == []

    cert = issue_certificate(user=user, kind="course", subject_code="DL177", titles=titles, language="en")
    db.session.commit()
    assert _files_on_disk(app) == [cert.storage_key]


def test_a_certificate_issued_in_a_savepoint_that_rolls_back_leaves_no_pdf(app_ctx, app, make_user):
    from academy.certificates.services import issue_certificate

    user = make_user()
    with pytest.raises(RuntimeError), db.session.begin_nested():
        issue_certificate(user=user, kind="course", subject_code="DL177", titles={"en": "T"}, language="en")
        raise RuntimeError("something after the issue failed")
    db.session.commit()  # the rest of the transaction goes through
    assert _count(Certificate) == 0
    assert _files_on_disk(app) == []


# ---------------------------------------------------------------- item 10: the storage refuses


def test_evidence_on_read_only_storage_answers_507_and_keeps_nothing(setup, client, app, read_only_storage):
    w = setup
    login(client, w.learner)
    resp = upload(client, task_url(w), [("report.pdf", PDF)], text="My typed report")
    assert resp.status_code == 507
    assert "Nothing was saved" in resp.get_data(as_text=True)
    assert _count(SubmissionFile) == 0
    sub = db.session.scalar(select(PracticeSubmission))
    assert sub is None or sub.text in ("", None)  # no half-saved draft either
    assert _files_on_disk(app, "practice") == []


def test_evidence_on_a_full_disk_keeps_no_file_of_the_batch(setup, client, app, monkeypatch):
    """The second of two files finds the disk full: the first one, already written, goes too."""
    w = setup
    login(client, w.learner)
    real_fdopen = os.fdopen
    opened = []

    class FullDisk:
        def __init__(self, f):
            self.f = f

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.f, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

    def fdopen(fd, mode="r", *args, **kwargs):
        f = real_fdopen(fd, mode, *args, **kwargs)
        opened.append(mode)
        return FullDisk(f) if len(opened) == 2 else f

    monkeypatch.setattr(storage_module.os, "fdopen", fdopen)
    resp = upload(client, task_url(w), [("report.pdf", PDF), ("chart.png", PNG)])
    monkeypatch.undo()
    assert opened == ["wb", "wb"]
    assert resp.status_code == 507
    assert _count(SubmissionFile) == 0
    assert _files_on_disk(app, "practice") == []


def test_issuing_certificates_on_read_only_storage_answers_507_and_issues_none(app, client, make_user, mini_course,
                                                                                read_only_storage):
    from academy.courses.models import Lesson, Module
    from academy.courses.services import complete_lesson, enroll

    learner = make_user()
    enrollment = enroll(learner, mini_course, "en")
    db.session.flush()
    for lesson in db.session.scalars(select(Lesson).join(Module).where(Module.course_id == mini_course.id)):
        complete_lesson(enrollment, lesson)  # the certificate cannot be stored: completion still counts
    db.session.commit()
    assert _count(Certificate) == 0

    login(client, make_user("admin"))
    from academy.jobs.models import Job, JobStatus

    resp = client.post("/admin/certificates/issue", data={
        "course_id": str(mini_course.id), "design": "classic", "paper": "a4"})
    # The queue issues them (here in-process, with its retries): the job fails and says why.
    assert resp.status_code == 302 and "/admin/jobs/" in resp.headers["Location"]
    db.session.expire_all()
    job = db.session.scalars(select(Job)).one()
    assert job.status == JobStatus.FAILED and job.error
    assert job.error in client.get(resp.headers["Location"]).get_data(as_text=True)
    assert _count(Certificate) == 0
    assert _files_on_disk(app) == []
