"""An admin writes a practice task's rubric in the browser, with JavaScript off: a mistake
comes back with its line number and nothing typed is lost; the fixed rubric is saved."""

import os
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

# Screenshots to look at, never committed.
SHOTS = Path(os.environ.get("ACADEMY_SCREENSHOTS", Path(tempfile.gettempdir()) / "academy-screenshots"))

RUBRIC = """Search strategy | Adequate
- Insufficient | 0 | Keywords only; strategy not documented.
- Adequate | 2 | Synonyms and one IPC/CPC class; strings recorded.
- Good | 2 | Keywords, classes and operators; reproducible.

Bulletin for the readers
- Unclear | 0
- Clear | 2 | Plain summary of what changed this month.
"""


def test_admin_authors_a_rubric_without_javascript(page_no_js, mini_course, make_user, app_ctx):
    from sqlalchemy import select

    from academy.certification.models import PracticeTask
    from academy.extensions import db
    from tests.browser.conftest import browser_login
    from tests.certification.world import build
    from tests.conftest import TEST_PASSWORD

    page = page_no_js
    admin = make_user("admin", full_name="Ada Admin")
    w = build(mini_course, make_user("instructor"), [make_user("learner")])
    browser_login(page, admin.email, TEST_PASSWORD)
    page.goto(f"/certification/admin/programmes/{w.programme.id}")
    page.click("text=Add a practice task")
    page.fill("#title", "Technology watch bulletin")
    page.fill("#instructions", "Write a monthly technology watch bulletin for a local industry.")
    page.fill("#due_days", "40")
    page.fill("#position", "1")
    page.fill("#rubric_title", "Technology watch bulletin")
    page.fill("#rubric_text", RUBRIC)
    page.fill("#pass_threshold", "4")
    with page.expect_navigation():
        page.click("button.primary:has-text('Add the task')")

    # Line 4 repeats 2 points: refused on that line, everything typed still there.
    error = page.locator("#rubric_text-error").inner_text()
    assert "Line 4: The points must rise from one level to the next: 2 is not above 2." in error
    assert page.locator(".error-summary a[href='#rubric_text']").count() == 1
    assert page.input_value("#title") == "Technology watch bulletin"
    assert page.input_value("#rubric_text").replace("\r\n", "\n") == RUBRIC
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "rubric-authoring-error.png"), full_page=True)

    page.fill("#rubric_text", RUBRIC.replace("- Good | 2 |", "- Good | 3 |"))
    with page.expect_navigation():
        page.click("button.primary:has-text('Add the task')")
    assert "The practice task is added." in page.locator(".flash-success").inner_text()
    task = db.session.scalar(select(PracticeTask).where(PracticeTask.title == "Technology watch bulletin"))
    assert task.position == 1 and task.rubric.max_points == 5
    assert [lv.points for lv in task.rubric.criteria[0].levels] == [0, 2, 3]
    # The saved rubric shows as a table under its version.
    table = page.locator("table.rubric").first.inner_text()
    assert "Search strategy" in table and "pass with 4 of 5 points" in table
    page.screenshot(path=str(SHOTS / "rubric-authoring.png"), full_page=True)
