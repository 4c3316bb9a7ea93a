from academy.assignments import queries, services
from academy.certification.uploads import StoredUpload
from academy.core.storage import get_storage
from academy.courses.package import load_package
from tests.access import Row, staff_only
from tests.assignment_world import PDF, mini_with_assignment


def extend_world(w):
    services.sync_assignments(w.course, load_package(mini_with_assignment()))
    (assignment,) = queries.course_assignments(w.course.id)
    key = "assignment/test/report"
    get_storage().put(key, PDF)
    w.report, _replaced = services.submit_report(assignment, w.learner, "en", StoredUpload(
        storage_key=key, filename="report.pdf", content_type="application/pdf", size_bytes=len(PDF),
        sha256="0" * 64), "")


# Only the enrolled learner opens the course's assignment; others are told it does not exist.
ENROLLED = {"anon": 302, "learner": 200, "other": 404, "instructor": 404, "admin": 404}
# The author and those who grade see a report.
AUTHOR_AND_GRADERS = {"anon": 302, "learner": 200, "other": 404, "instructor": 200, "admin": 200}

ROWS = [
    Row("assignments.template", lambda w: "/learn/mini/assignments/search-report/template", ENROLLED),
    Row("assignments.assignment", lambda w: "/learn/mini/assignments/search-report/", ENROLLED),
    Row("assignments.report_file", lambda w: f"/assignments/reports/{w.report.id}", AUTHOR_AND_GRADERS),
    Row("assignments.queue", lambda w: "/teaching/assignments/", staff_only(200)),
    Row("assignments.grade", lambda w: f"/teaching/assignments/{w.report.id}", staff_only(200)),
]
