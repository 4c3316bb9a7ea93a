"""Evidence sent in chunks: it resumes from what the server holds, becomes part of the
submission only when the form is saved with it complete, is checked by its content, is the
learner's alone, and is cleaned up when abandoned."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from academy.certification.models import SubmissionFile
from academy.core.models import utcnow
from academy.core.storage import get_storage
from academy.extensions import db
from academy.offline.models import PartialUpload
from academy.offline.services import partial_dir, remove_abandoned
from tests.certification.world import build
from tests.conftest import login

PDF = b"%PDF-1.4\n" + b"0123456789abcdef" * 4096 + b"\n%%EOF\n"


@pytest.fixture
def w(app_ctx, make_user, mini_course):
    instructor = make_user("instructor")
    learner, other = make_user("learner"), make_user("learner")
    w = build(mini_course, instructor, [learner, other])
    for record in w.records:
        record.phase1_passed_at = utcnow() - timedelta(days=10)
        record.phase2_passed_at = utcnow() - timedelta(days=5)
    db.session.commit()
    w.learner, w.other, w.record, w.task = learner, other, w.records[0], w.tasks[0]
    return w


def begin(client, w, size=len(PDF), name="report.pdf"):
    return client.post(f"/certification/records/{w.record.id}/tasks/{w.task.id}/uploads",
                       json={"filename": name, "size": size})


def put(client, url, data, start, total):
    return client.put(url, data=data, headers={"Content-Range": f"bytes {start}-{start + len(data) - 1}/{total}",
                                               "Content-Type": "application/offset+octet-stream"})


def test_an_upload_cut_off_midway_resumes_from_the_servers_offset_and_joins_the_submission_on_save(w, client):
    login(client, w.learner)
    started = begin(client, w)
    assert started.status_code == 201
    url = started.get_json()["url"]
    half = len(PDF) // 2
    assert put(client, url, PDF[:half], 0, len(PDF)).get_json()["offset"] == half
    # The connection dropped; the browser asks where to go on from, and sends only the rest.
    assert client.get(url).get_json() == {"token": started.get_json()["token"], "offset": half, "size": len(PDF),
                                          "complete": False}
    wrong = put(client, url, PDF[:10], 0, len(PDF))  # a stale chunk: told the offset, nothing written twice
    assert wrong.status_code == 409 and wrong.get_json()["offset"] == half
    done = put(client, url, PDF[half:], half, len(PDF))
    assert done.get_json()["complete"] is True
    assert db.session.scalar(select(func.count(SubmissionFile.id))) == 0  # not part of the work until saved

    resp = client.post(f"/certification/records/{w.record.id}/tasks/{w.task.id}",
                       data={"text": "My report", "save": "1", "upload_token": started.get_json()["token"]})
    assert resp.status_code == 302
    db.session.expire_all()
    stored = db.session.scalar(select(SubmissionFile))
    assert stored.filename == "report.pdf" and get_storage().get(stored.storage_key) == PDF
    assert db.session.scalar(select(func.count(PartialUpload.id))) == 0
    assert not (partial_dir() / started.get_json()["token"]).exists()


def test_a_half_uploaded_file_never_becomes_part_of_the_submission(w, client):
    login(client, w.learner)
    started = begin(client, w).get_json()
    put(client, started["url"], PDF[:100], 0, len(PDF))
    client.post(f"/certification/records/{w.record.id}/tasks/{w.task.id}",
                data={"text": "My report", "save": "1", "upload_token": started["token"]})
    assert db.session.scalar(select(func.count(SubmissionFile.id))) == 0


def test_an_html_page_sent_in_chunks_is_refused_by_its_content(w, client):
    login(client, w.learner)
    page = b"<!doctype html><script>alert(1)</script>" * 10
    started = begin(client, w, size=len(page), name="report.pdf").get_json()
    resp = put(client, started["url"], page, 0, len(page))
    assert resp.status_code == 422 and "is not a PDF" in resp.get_json()["error"]
    assert db.session.scalar(select(func.count(PartialUpload.id))) == 0


def test_the_size_limit_applies_before_the_first_byte(w, client, app):
    login(client, w.learner)
    app.config["PRACTICE_UPLOAD_MAX_BYTES"] = 1000
    try:
        resp = begin(client, w, size=1001)
    finally:
        del app.config["PRACTICE_UPLOAD_MAX_BYTES"]
    assert resp.status_code == 413 and "larger than" in resp.get_json()["error"]


def test_another_learner_cannot_resume_read_or_attach_someone_elses_upload(w, client, app):
    login(client, w.learner)
    started = begin(client, w).get_json()
    put(client, started["url"], PDF, 0, len(PDF))
    intruder = app.test_client()
    login(intruder, w.other)
    assert intruder.get(started["url"]).status_code == 404
    assert put(intruder, started["url"], b"x", 0, len(PDF)).status_code == 404
    intruder.post(f"/certification/records/{w.records[1].id}/tasks/{w.task.id}",
                  data={"text": "Mine", "save": "1", "upload_token": started["token"]})
    assert db.session.scalar(select(func.count(SubmissionFile.id))) == 0
    assert begin(intruder, w).status_code == 404  # nor start one on someone else's record


def test_abandoned_uploads_are_removed_by_the_periodic_task(w, client):
    from academy.offline.tasks import remove_abandoned_uploads

    login(client, w.learner)
    started = begin(client, w).get_json()
    put(client, started["url"], PDF[:100], 0, len(PDF))
    remove_abandoned_uploads()
    assert db.session.scalar(select(func.count(PartialUpload.id))) == 1  # still being sent: kept
    assert remove_abandoned(older_than=timedelta(seconds=-1)) == 1
    db.session.commit()
    assert db.session.scalar(select(func.count(PartialUpload.id))) == 0
    assert not (partial_dir() / started["token"]).exists()


def test_no_upload_starts_for_work_that_is_locked_for_grading(w, client):
    from academy.certification import services

    login(client, w.learner)
    sub = services.submission_for(w.record, w.task, create=True)
    sub.text = "Done"
    services.submit(sub)
    db.session.commit()
    resp = begin(client, w)
    assert resp.status_code == 409 and "locked" in resp.get_json()["error"]
