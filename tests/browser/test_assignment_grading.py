"""The worked case's search report: a learner uploads it, an instructor grades it on the rubric, the learner
reads the grade and the feedback (issue 19)."""

import os
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


def test_learner_submits_a_search_report_instructor_grades_it_and_learner_sees_the_result(
        page, import_course, make_user, app_ctx, tmp_path):
    from academy.assignments.models import AssignmentSubmission
    from academy.courses.services import enroll
    from academy.extensions import db
    from tests.assignment_world import PDF, mini_with_assignment
    from tests.browser.conftest import browser_login
    from tests.conftest import TEST_PASSWORD

    course = import_course(mini_with_assignment(root=tmp_path))
    learner = make_user("learner", full_name="Lea Learner")
    instructor = make_user("instructor", full_name="Ines Instructor")
    enroll(learner, course, "en")
    db.session.commit()
    report = tmp_path / "solar-pump-report.pdf"
    report.write_bytes(PDF)

    # The learner finds the assignment on the course home, downloads the template and uploads a report.
    browser_login(page, learner.email, TEST_PASSWORD)
    page.goto(f"/learn/{course.slug}/")
    page.click("text=Worked case: your search report")
    page.wait_for_url(f"**/learn/{course.slug}/assignments/search-report/")
    with page.expect_download() as download:
        page.click("text=Download the report template (XLSX)")
    assert download.value.suggested_filename == "search-report-template-en.xlsx"
    page.set_input_files("#report", str(report))
    page.fill("#note", "The solar pump case, searched in PATENTSCOPE and Espacenet.")
    with page.expect_navigation():
        page.click("text=Submit my report")
    assert "Your report is submitted" in page.locator(".flash-success").inner_text()
    assert page.locator("[data-status=waiting]").count() == 1
    sub = db.session.query(AssignmentSubmission).one()

    # The instructor grades it from the queue, criterion by criterion.
    page.context.clear_cookies()
    browser_login(page, instructor.email, TEST_PASSWORD)
    page.goto("/teaching/assignments/")
    page.click(f"a[href='/teaching/assignments/{sub.id}']")
    page.wait_for_url(f"**/teaching/assignments/{sub.id}")
    criteria = sub.rubric.criteria
    for criterion, level in zip(criteria, [2, 1, 2, 1, 1], strict=True):  # 4 + 2 + 4 + 2 + 2
        page.check(f"#level-{criterion.id}-{criterion.levels[level].id}")
    assert "14 / 20" in page.locator(".rubric-total").inner_text()  # the running total (JavaScript)
    page.fill(f"#criterion-feedback-{criteria[2].id}", "Say which family member you cite, and why.")
    page.fill("#feedback", "A clear report; add non-patent literature next time.")
    with page.expect_navigation():
        page.click("form.grading button[type=submit]")
    assert "The grade is saved" in page.locator(".flash-success").inner_text()

    # The learner sees the grade, the verdict and the feedback.
    page.context.clear_cookies()
    browser_login(page, learner.email, TEST_PASSWORD)
    page.goto(f"/learn/{course.slug}/assignments/search-report/")
    result = page.locator("#your-report")
    text = result.inner_text()
    assert "14 of 20 points" in text and "Meets the rubric" in text
    assert "Say which family member you cite, and why." in text
    assert "A clear report; add non-patent literature next time." in text
    assert page.locator("[data-status=waiting]").count() == 0
    page.goto(f"/learn/{course.slug}/")
    assert "14 of 20 points" in page.locator("section.assignments").inner_text()
    shots = Path(os.environ.get("ACADEMY_SCREENSHOTS", Path(tempfile.gettempdir()) / "academy-screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    page.goto(f"/learn/{course.slug}/assignments/search-report/")
    page.screenshot(path=str(shots / "learner-assignment-graded.png"), full_page=True)
