import io
import zipfile

import pytest
from sqlalchemy import select

from academy.certification import services
from academy.certification.enums import AssessmentOutcome, AttendanceStatus, SubmissionStatus
from academy.certification.models import CertificationRecord, PracticeSubmission, SubmissionFile
from academy.core.audit import AuditEvent
from academy.core.storage import get_storage
from academy.extensions import db
from tests.certification.world import build, complete_course, levels
from tests.conftest import login

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


@pytest.fixture
def setup(app_ctx, make_user, mini_course):
    instructor = make_user("instructor", full_name="Ines Instructor")
    second = make_user("instructor", full_name="Sam Second")
    stranger = make_user("instructor", full_name="Other Cohort Instructor")
    learner = make_user("learner", full_name="Lea Learner")
    other = make_user("learner", full_name="Olga Other")
    w = build(mini_course, instructor, [learner, other])
    services.assign_instructor(w.cohort, second)
    other_cohort = services.create_cohort(w.programme, "Another cohort")
    services.assign_instructor(other_cohort, stranger)
    db.session.commit()
    w.course, w.instructor, w.second, w.stranger = mini_course, instructor, second, stranger
    w.learner, w.other = learner, other
    w.record, w.other_record = w.records
    w.other_cohort = other_cohort
    for user, record in ((learner, w.record), (other, w.other_record)):
        complete_course(user, mini_course)
        services.record_attendance(w.session, {record.id: {d: AttendanceStatus.PRESENT for d in w.session.days}},
                                   instructor)
        services.assess(record, w.session, outcome=AssessmentOutcome.PASS, comments="", score_value=None,
                        by=instructor)
    db.session.commit()
    return w


def task_url(w, record=None):
    record = record or w.record
    return f"/certification/records/{record.id}/tasks/{w.tasks[0].id}"


def upload(client, url, files, text="My report", submit=False):
    data = {"text": text, "files": [(io.BytesIO(content), name) for name, content in files]}
    data["submit_work" if submit else "save"] = "1"
    return client.post(url, data=data, content_type="multipart/form-data")


def test_learner_uploads_evidence_and_submits(setup, client):
    w = setup
    login(client, w.learner)
    resp = upload(client, task_url(w), [("report.pdf", PDF), ("chart.png", PNG), ("table.docx", docx_bytes())])
    assert resp.status_code == 302
    sub = db.session.scalar(select(PracticeSubmission).where(PracticeSubmission.record_id == w.record.id))
    assert sub.status == SubmissionStatus.DRAFT
    types = sorted(f.content_type for f in sub.files)
    assert types[0] == "application/pdf" and "image/png" in types
    for f in sub.files:
        assert f.filename in {"report.pdf", "chart.png", "table.docx"}
        assert "report" not in f.storage_key and get_storage().exists(f.storage_key)
    resp = client.get(f"/certification/files/{sub.files[0].id}")
    assert resp.status_code == 200
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Content-Disposition"].startswith("attachment")
    resp = upload(client, task_url(w), [], text="Final report", submit=True)
    assert resp.status_code == 302
    db.session.refresh(sub)
    assert sub.status == SubmissionStatus.SUBMITTED and sub.text == "Final report"
    # Submitted work is locked.
    resp = upload(client, task_url(w), [], text="Sneaky edit")
    assert resp.status_code == 400
    db.session.refresh(sub)
    assert sub.text == "Final report"


def test_html_renamed_pdf_is_refused(setup, client):
    w = setup
    login(client, w.learner)
    resp = upload(client, task_url(w), [("report.pdf", b"<!doctype html><script>alert(1)</script>")])
    assert resp.status_code == 400
    assert "is not a PDF" in resp.get_data(as_text=True)
    assert db.session.scalar(select(SubmissionFile.id)) is None


def test_zip_that_is_not_office_and_oversized_files_are_refused(setup, client, app):
    w = setup
    login(client, w.learner)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("evil.html", "<html>")
    assert upload(client, task_url(w), [("sheet.xlsx", buf.getvalue())]).status_code == 400
    app.config["PRACTICE_UPLOAD_MAX_BYTES"] = 1024
    try:
        resp = upload(client, task_url(w), [("big.pdf", PDF + b"x" * 2048)])
    finally:
        app.config.pop("PRACTICE_UPLOAD_MAX_BYTES")
    assert resp.status_code == 400 and "larger than" in resp.get_data(as_text=True)


def test_learner_cannot_reach_another_learners_work_by_guessing_ids(setup, client):
    w = setup
    login(client, w.other)
    upload(client, task_url(w, w.other_record), [("mine.pdf", PDF)])
    client.post("/logout")
    login(client, w.learner)
    upload(client, task_url(w), [("report.pdf", PDF)])
    mine = db.session.scalar(select(PracticeSubmission).where(PracticeSubmission.record_id == w.record.id))
    theirs = db.session.scalar(select(PracticeSubmission).where(PracticeSubmission.record_id == w.other_record.id))
    assert client.get(f"/certification/records/{w.other_record.id}").status_code == 404
    assert client.get(task_url(w, w.other_record)).status_code == 404
    assert client.get(f"/certification/files/{theirs.files[0].id}").status_code == 404
    assert client.post(f"/certification/submissions/{theirs.id}/files/{theirs.files[0].id}/delete").status_code == 404
    assert client.get(f"/certification/files/{mine.files[0].id + 1000}").status_code == 404
    assert client.get(f"/certification/submissions/{theirs.id}/grade").status_code == 403


def test_instructor_cannot_see_or_grade_another_cohort(setup, client):
    w = setup
    sub = services.submission_for(w.record, w.tasks[0], create=True)
    services.save_draft(sub, "Report", [], w.learner)
    services.submit(sub)
    db.session.commit()
    login(client, w.stranger)
    assert client.get(f"/certification/cohorts/{w.cohort.id}").status_code == 404
    assert client.get(f"/certification/records/{w.record.id}").status_code == 404
    assert client.get(f"/certification/submissions/{sub.id}/grade").status_code == 404
    assert client.get(f"/certification/sessions/{w.session.id}/attendance").status_code == 404
    resp = client.post(f"/certification/submissions/{sub.id}/grade", data={
        "version": sub.version, "decision": "pass", "feedback": "",
        **{f"level-{c}": lv for c, lv in levels(w.tasks[0], "Excellent", "Actionable").items()}})
    assert resp.status_code == 404
    db.session.refresh(sub)
    assert sub.status == SubmissionStatus.SUBMITTED
    dash = client.get("/certification/teaching").get_data(as_text=True)
    assert "Lea Learner" not in dash and "Another cohort" in dash


def test_grading_over_http_and_concurrent_save_refused(setup, client):
    w = setup
    sub = services.submission_for(w.record, w.tasks[0], create=True)
    services.save_draft(sub, "Report", [], w.learner)
    services.submit(sub)
    db.session.commit()
    version = sub.version
    picks = {f"level-{c}": lv for c, lv in levels(w.tasks[0], "Good", "Clear").items()}
    login(client, w.instructor)
    page = client.get("/certification/teaching").get_data(as_text=True)
    assert "Task 1" in page  # waiting for grading
    resp = client.post(f"/certification/submissions/{sub.id}/grade", data={
        "version": version, "decision": "revise", "feedback": "Add the search strings you used.", **picks,
        "feedback_file": (io.BytesIO(PDF), "notes.pdf")}, content_type="multipart/form-data")
    assert resp.status_code == 302
    client.post("/logout")
    login(client, w.second)
    resp = client.post(f"/certification/submissions/{sub.id}/grade", data={
        "version": version, "decision": "pass", "feedback": "", **picks})
    assert resp.status_code == 409
    assert "Ines Instructor changed this submission" in resp.get_data(as_text=True)
    db.session.refresh(sub)
    assert sub.status == SubmissionStatus.RETURNED and len(sub.grades) == 1
    assert sub.grades[0].files[0].filename == "notes.pdf"
    client.post("/logout")
    login(client, w.learner)
    page = client.get(task_url(w)).get_data(as_text=True)
    assert "Add the search strings you used." in page and "notes.pdf" in page
    assert client.get(f"/certification/files/{sub.grades[0].files[0].id}").status_code == 200
    assert "Notifications" in page and 'class="badge count"' in page


CSV_HEADER = "email,name\n"


def post_csv(client, w, content: bytes):
    return client.post(f"/certification/cohorts/{w.cohort.id}/learners/csv",
                       data={"file": (io.BytesIO(content), "learners.csv")}, content_type="multipart/form-data")


@pytest.fixture
def admin_client(setup, client, make_user):
    admin = make_user("admin")
    login(client, admin)
    return client


def count_records():
    return db.session.scalar(select(db.func.count()).select_from(CertificationRecord))


def test_csv_enrolment_enrols_everyone(setup, admin_client, make_user):
    w = setup
    a, b = make_user("learner"), make_user("learner")
    before = count_records()
    resp = post_csv(admin_client, w, f"Email;Name\n{a.email.upper()};A\n\n{b.email};B\n".encode())
    assert resp.status_code == 302
    assert count_records() == before + 2
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certification.cohort.enrol")) is not None


@pytest.mark.parametrize("content, reason", [
    (b"", "The file is empty"),
    (b"name,country\nAda,KE\n", "must be a header with an"),
    (b"email\n", "no learners"),
    (b"\xff\xfe\x00e\x00m", "not UTF-8"),
])
def test_csv_refused_as_a_whole(setup, admin_client, content, reason):
    before = count_records()
    resp = post_csv(admin_client, setup, content)
    assert resp.status_code == 400
    assert reason in resp.get_data(as_text=True)
    assert count_records() == before


def test_csv_lists_every_bad_row_and_writes_nothing(setup, admin_client, make_user):
    w = setup
    good = make_user("learner")
    content = (CSV_HEADER + f"{good.email},Good\nnot-an-email,Bad\n{good.email},Again\nnobody@example.org,X\n"
               f"{w.learner.email},Already\n").encode()
    before = count_records()
    resp = post_csv(admin_client, w, content)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "not a valid e-mail address" in html
    assert "duplicate of line 2" in html
    assert "no account with this e-mail address" in html
    assert "already enrolled in this cohort" in html
    assert count_records() == before


def test_csv_of_50_mb_is_refused(setup, admin_client):
    # A raw multipart body (the test client would spool a dict upload to a temporary file).
    boundary = "academy-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n"
            f"Content-Type: text/csv\r\n\r\n{CSV_HEADER}").encode() + b"x" * (50 * 1024 * 1024) + \
        f"\r\n--{boundary}--\r\n".encode()
    before = count_records()
    resp = admin_client.post(f"/certification/cohorts/{setup.cohort.id}/learners/csv", data=body,
                             content_type=f"multipart/form-data; boundary={boundary}")
    assert resp.status_code == 413
    assert count_records() == before


def test_learner_removes_a_draft_file(setup, client):
    w = setup
    login(client, w.learner)
    upload(client, task_url(w), [("report.pdf", PDF)])
    sub = db.session.scalar(select(PracticeSubmission).where(PracticeSubmission.record_id == w.record.id))
    f = sub.files[0]
    key = f.storage_key
    resp = client.post(f"/certification/submissions/{sub.id}/files/{f.id}/delete")
    assert resp.status_code == 302
    assert db.session.get(SubmissionFile, f.id) is None
    assert not get_storage().exists(key)


def test_grading_the_last_task_awards_at_once_and_the_certificate_follows_from_the_queue(setup, app, client,
                                                                                        held_queue, monkeypatch):
    from academy.certificates import services as certificate_services
    from academy.certificates.models import Certificate

    w = setup
    sub = services.submission_for(w.record, w.tasks[0], create=True)
    services.save_draft(sub, "Report", [], w.learner)
    services.submit(sub)
    db.session.commit()
    rendered = []
    real_render = certificate_services.render_pdf
    monkeypatch.setattr(certificate_services, "render_pdf", lambda *a: rendered.append(1) or real_render(*a))
    instructor = app.test_client()
    login(instructor, w.instructor)
    resp = instructor.post(f"/certification/submissions/{sub.id}/grade", data={
        "version": sub.version, "decision": "pass", "feedback": "",
        **{f"level-{c}": lv for c, lv in levels(w.tasks[0], "Good", "Clear").items()}})
    assert resp.status_code == 302
    db.session.expire_all()
    assert w.record.awarded_at is not None and w.record.certificate_id is None
    assert not rendered  # no PDF in the instructor's request

    login(client, w.learner)
    assert "being prepared" in client.get(f"/certification/records/{w.record.id}").get_data(as_text=True)
    assert "is being prepared" in client.get("/certificates/").get_data(as_text=True)

    queued = [t for t in held_queue.pending() if t.name.endswith("issue_certification_certificate")]
    assert len(queued) == 1  # (besides the e-mails)
    held_queue.execute(queued[0])
    held_queue.execute(queued[0])  # a retry, or a second copy of the task
    certificates = db.session.scalars(select(Certificate).where(Certificate.certification_record_id == w.record.id))
    assert len(certificates.all()) == 1 and len(rendered) == 1
    db.session.expire_all()
    cert = db.session.get(Certificate, w.record.certificate_id)
    assert cert.issued_at == w.record.awarded_at and cert.expires_at == w.record.expires_at
    page = client.get(f"/certification/records/{w.record.id}").get_data(as_text=True)
    assert cert.serial in page and "being prepared" not in page
    assert client.get(f"/certificates/{cert.serial}.pdf").status_code == 200
    assert "is being prepared" not in client.get("/certificates/").get_data(as_text=True)


def test_award_certificate_expires_and_learner_can_recertify(setup, client):
    from datetime import timedelta

    from academy.certificates.models import Certificate
    from academy.core.models import utcnow

    w = setup
    sub = services.submission_for(w.record, w.tasks[0], create=True)
    services.save_draft(sub, "Report", [], w.learner)
    services.submit(sub)
    services.grade(sub, w.instructor, expected_version=sub.version, picks=levels(w.tasks[0], "Good", "Clear"),
                   criterion_feedback={}, feedback="", decision="pass")
    db.session.commit()
    cert = db.session.get(Certificate, w.record.certificate_id)
    login(client, w.learner)
    page = client.get(f"/certification/records/{w.record.id}").get_data(as_text=True)
    assert cert.serial in page and "Download the PDF" in page
    assert client.get(f"/certificates/{cert.serial}.pdf").status_code == 200
    assert "Enrol in recertification" not in client.get("/certification/").get_data(as_text=True)

    # Three years later.
    w.record.awarded_at = cert.issued_at = utcnow() - timedelta(days=3 * 365 + 1)
    w.record.expires_at = cert.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()
    assert "xpired" in client.get(f"/verify/{cert.verification_code}").get_data(as_text=True)
    assert "Enrol in recertification" in client.get("/certification/").get_data(as_text=True)
    resp = client.post(f"/certification/programmes/{w.programme.id}/recertify")
    assert resp.status_code == 302
    records = db.session.scalars(select(CertificationRecord).where(CertificationRecord.user_id == w.learner.id)
                                 .order_by(CertificationRecord.attempt)).all()
    assert [r.attempt for r in records] == [1, 2]
    assert records[1].phase1_passed_at is not None  # completed within the 36 months before
