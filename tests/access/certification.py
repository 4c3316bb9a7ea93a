from datetime import timedelta

from academy.certification import services
from academy.certification.enums import SubmissionStatus
from academy.certification.models import SubmissionFile
from academy.core.models import utcnow
from academy.core.storage import get_storage
from academy.extensions import db
from tests.access import Row, admin_only, logged_in, staff_only
from tests.certification.world import build

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def extend_world(w):
    c = build(w.course, w.instructor, [w.learner])
    w.programme, w.cohort, w.session, w.task = c.programme, c.cohort, c.session, c.tasks[0]
    w.record = c.records[0]
    w.record.phase1_passed_at = utcnow() - timedelta(days=10)
    w.record.phase2_passed_at = utcnow() - timedelta(days=5)
    sub = services.submission_for(w.record, w.task, create=True)
    sub.text = "Report"
    sub.status = SubmissionStatus.SUBMITTED
    sub.submitted_at = utcnow()
    key = "practice/test/report"
    get_storage().put(key, PDF)
    f = SubmissionFile(submission_id=sub.id, storage_key=key, filename="report.pdf", content_type="application/pdf",
                       size_bytes=len(PDF), sha256="0" * 64)
    db.session.add(f)
    db.session.flush()
    w.submission, w.file = sub, f


# The owner, the cohort's instructor and admins see a record; another learner gets 404.
OWNER_AND_STAFF = {"anon": 302, "learner": 200, "other": 404, "instructor": 200, "admin": 200}

ROWS = [
    Row("certification.my_records", lambda w: "/certification/", logged_in(200)),
    Row("certification.recertify", lambda w: f"/certification/programmes/{w.programme.id}/recertify",
        logged_in(302), method="POST"),
    Row("certification.record", lambda w: f"/certification/records/{w.record.id}", OWNER_AND_STAFF),
    Row("certification.task", lambda w: f"/certification/records/{w.record.id}/tasks/{w.task.id}", OWNER_AND_STAFF),
    Row("certification.delete_file", lambda w: f"/certification/submissions/{w.submission.id}/files/{w.file.id}/delete",
        {"anon": 302, "learner": 302, "other": 404, "instructor": 404, "admin": 404}, method="POST"),
    Row("certification.file", lambda w: f"/certification/files/{w.file.id}", OWNER_AND_STAFF),
    Row("certification.notifications", lambda w: "/certification/notifications", logged_in(200)),
    Row("certification.notifications_read", lambda w: "/certification/notifications/read", logged_in(302),
        method="POST"),
    Row("certification.instructor_dashboard", lambda w: "/certification/teaching", staff_only(200)),
    Row("certification.cohort", lambda w: f"/certification/cohorts/{w.cohort.id}", staff_only(200)),
    Row("certification.attendance", lambda w: f"/certification/sessions/{w.session.id}/attendance", staff_only(200)),
    Row("certification.assessment", lambda w: f"/certification/records/{w.record.id}/assessment", staff_only(200)),
    Row("certification.grade", lambda w: f"/certification/submissions/{w.submission.id}/grade", staff_only(200)),
    Row("certification.moderate", lambda w: f"/certification/submissions/{w.submission.id}/moderate",
        staff_only(302), method="POST"),
    Row("certification.extend_deadline", lambda w: f"/certification/records/{w.record.id}/extensions",
        staff_only(302), method="POST"),
    Row("certification.admin_index", lambda w: "/certification/admin/", admin_only(200)),
    Row("certification.programme", lambda w: f"/certification/admin/programmes/{w.programme.id}", admin_only(200)),
    Row("certification.programme_new", lambda w: "/certification/admin/programmes/new", admin_only(200)),
    Row("certification.task_new", lambda w: f"/certification/admin/programmes/{w.programme.id}/tasks/new",
        admin_only(200)),
    Row("certification.task_edit", lambda w: f"/certification/admin/tasks/{w.task.id}", admin_only(200)),
    Row("certification.task_translation", lambda w: f"/certification/admin/tasks/{w.task.id}/translations/fr",
        admin_only(200)),
    Row("certification.cohort_enrol", lambda w: f"/certification/cohorts/{w.cohort.id}/learners", admin_only(302),
        method="POST", data=lambda w: {"email": w.other.email}),
    Row("certification.cohort_enrol_csv", lambda w: f"/certification/cohorts/{w.cohort.id}/learners/csv",
        admin_only(302), method="POST"),
    Row("certification.cohort_instructor", lambda w: f"/certification/cohorts/{w.cohort.id}/instructors",
        admin_only(302), method="POST", data=lambda w: {"email": w.instructor.email}),
    Row("certification.cohort_instructor_remove",
        lambda w: f"/certification/cohorts/{w.cohort.id}/instructors/{w.instructor.id}/remove",
        admin_only(302), method="POST"),
    Row("certification.session_new", lambda w: f"/certification/cohorts/{w.cohort.id}/sessions", admin_only(302),
        method="POST", data=lambda w: {"title": "Extra day", "starts_on": "2026-12-01", "ends_on": "2026-12-01",
                                       "mode": "online", "language": "en"}),
]
