"""An instructor grades a practice submission on its rubric; the learner reads the feedback."""

import os
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


def test_instructor_grades_on_the_rubric_and_learner_sees_feedback(page, mini_course, make_user, app_ctx):
    from academy.certification import services
    from academy.certification.enums import AssessmentOutcome, AttendanceStatus, SubmissionStatus
    from academy.extensions import db
    from tests.browser.conftest import browser_login
    from tests.certification.world import build, complete_course
    from tests.conftest import TEST_PASSWORD

    instructor = make_user("instructor", full_name="Ines Instructor")
    learner = make_user("learner", full_name="Lea Learner")
    w = build(mini_course, instructor, [learner])
    record = w.records[0]
    complete_course(learner, mini_course)
    services.record_attendance(w.session, {record.id: {d: AttendanceStatus.PRESENT for d in w.session.days}},
                               instructor)
    services.assess(record, w.session, outcome=AssessmentOutcome.PASS, comments="", score_value=None,
                    by=instructor)
    sub = services.submission_for(record, w.tasks[0], create=True)
    services.save_draft(sub, "Search report for a solar dryer.", [], learner)
    services.submit(sub)
    db.session.commit()

    browser_login(page, instructor.email, TEST_PASSWORD)
    page.goto("/certification/teaching")
    page.click("text=Task 1")
    page.wait_for_url(f"**/certification/submissions/{sub.id}/grade")
    criteria = w.tasks[0].rubric.criteria
    page.check("label:has-text('Good') >> nth=0")
    page.check(f"#level-{criteria[1].id}-{criteria[1].levels[1].id}")
    # The running total (JavaScript) shows 3 + 2 of 8 points.
    assert "5 / 8" in page.locator(".rubric-total").inner_text()
    page.fill(f"#criterion-feedback-{criteria[0].id}", "Add the CPC class F26B 3/28.")
    page.fill("#feedback", "A useful report; say what the inventor should do next.")
    page.check("input[name=decision][value=pass]")
    with page.expect_navigation():
        page.click("form.grading button[type=submit]")
    assert "The grade is saved" in page.locator(".flash-success").inner_text()
    db.session.refresh(sub)
    assert sub.status == SubmissionStatus.PASSED
    assert sub.grades[0].total_points == 5

    page.context.clear_cookies()
    browser_login(page, learner.email, TEST_PASSWORD)
    assert page.locator("header .badge.count").count() == 1
    page.goto(f"/certification/records/{record.id}/tasks/{w.tasks[0].id}")
    feedback = page.locator("section[aria-labelledby=feedback-heading]")
    assert "A useful report; say what the inventor should do next." in feedback.inner_text()
    assert "Add the CPC class F26B 3/28." in feedback.inner_text()
    assert "5 of 8 points" in feedback.inner_text()
    page.goto(f"/certification/records/{record.id}")
    assert page.locator(".award").count() == 1
    shots = Path(os.environ.get("ACADEMY_SCREENSHOTS", Path(tempfile.gettempdir()) / "academy-screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "learner-certification-record.png"), full_page=True)
