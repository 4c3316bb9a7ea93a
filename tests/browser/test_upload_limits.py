"""A file too large for the practice form is named as soon as it is chosen, and the form
is not sent: the report typed above it stays where it is."""

import pytest
from sqlalchemy import func, select

pytestmark = pytest.mark.browser


def test_a_file_too_large_is_named_before_sending_and_the_typed_report_stays(page, mini_course, make_user, app_ctx):
    from academy.certification import services
    from academy.certification.enums import AssessmentOutcome, AttendanceStatus
    from academy.certification.models import SubmissionFile
    from academy.extensions import db
    from tests.browser.conftest import browser_login
    from tests.certification.world import build, complete_course
    from tests.conftest import TEST_PASSWORD

    instructor = make_user("instructor")
    learner = make_user("learner")
    w = build(mini_course, instructor, [learner])
    record = w.records[0]
    complete_course(learner, mini_course)
    services.record_attendance(w.session, {record.id: {d: AttendanceStatus.PRESENT for d in w.session.days}},
                               instructor)
    services.assess(record, w.session, outcome=AssessmentOutcome.PASS, comments="", score_value=None,
                    by=instructor)
    db.session.commit()

    browser_login(page, learner.email, TEST_PASSWORD)
    url = f"/certification/records/{record.id}/tasks/{w.tasks[0].id}"
    page.goto(url)
    page.fill("#text", "Two pages on the search strategy.")
    page.set_input_files("#files", files=[{"name": "scan.pdf", "mimeType": "application/pdf",
                                           "buffer": b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 1)}])
    note = page.locator("#files-limit")
    assert note.is_visible()
    assert "“scan.pdf” is larger than 10 MB." in note.inner_text()
    # The browser will not send the form while the file input says why it is invalid.
    assert page.evaluate("document.querySelector('#files').form.checkValidity()") is False
    assert page.input_value("#text") == "Two pages on the search strategy."
    assert db.session.scalar(select(func.count()).select_from(SubmissionFile)) == 0

    page.set_input_files("#files", files=[{"name": "scan.pdf", "mimeType": "application/pdf",
                                           "buffer": b"%PDF-1.4\n%%EOF\n"}])
    assert not note.is_visible()
    with page.expect_navigation():
        page.click("#save")
    assert "Your draft is saved" in page.locator(".flash-success").inner_text()
