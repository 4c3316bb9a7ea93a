"""An admin translates a practice task into Arabic in the browser: each English source
stands beside the field that translates it, the Arabic is typed right to left, and the
task page then lists the Arabic translation as up to date."""

import os
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("ACADEMY_SCREENSHOTS", Path(tempfile.gettempdir()) / "academy-screenshots"))


def test_admin_translates_a_task_into_arabic_beside_the_english_source(page, mini_course, make_user, app_ctx):
    from academy.certification.translations import rubric_words, task_words
    from academy.extensions import db
    from tests.browser.conftest import browser_login
    from tests.certification.world import build
    from tests.conftest import TEST_PASSWORD

    admin = make_user("admin", full_name="Ada Admin")
    w = build(mini_course, make_user("instructor"), [make_user("learner")])
    task = w.tasks[0]
    browser_login(page, admin.email, TEST_PASSWORD)
    page.goto(f"/certification/admin/tasks/{task.id}")
    row = page.locator("tr[data-language='ar']")
    assert "Not yet translated" in row.inner_text()
    with page.expect_navigation():
        row.locator("a:has-text('Translate')").click()

    # The source beside each field, in English; the field itself in Arabic, right to left.
    pair = page.locator(".translation-pair").filter(has=page.locator("#title"))
    assert pair.locator(".source").get_attribute("lang") == "en"
    assert "Task 1" in pair.locator(".source-text").inner_text()
    assert page.get_attribute("#title", "dir") == "rtl" and page.get_attribute("#title", "lang") == "ar"
    source_box = pair.locator(".source").bounding_box()
    field_box = page.locator("#title").bounding_box()
    assert abs(source_box["y"] - field_box["y"]) < 60, "the source stands beside the field, not above it"

    criterion = task.rubric.criteria[0]
    page.fill("#title", "تقرير البحث")
    page.fill("#instructions", "أنجز العمل.")
    page.fill("#rubric_title", "تقرير البحث")
    page.fill(f"#criterion_{criterion.id}_title", "استراتيجية البحث")
    page.fill(f"#level_{criterion.levels[1].id}_title", "مقبول")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "task-translation-ar.png"), full_page=True)
    with page.expect_navigation():
        page.click("button.primary:has-text('Save the translation')")
    assert "translation is saved" in page.locator(".flash-success").inner_text()
    assert "Up to date" in page.locator("tr[data-language='ar']").inner_text()

    db.session.expire_all()
    assert task_words(task, "ar").title == "تقرير البحث"
    words = rubric_words(task.rubric, "ar")
    assert words.criterion_title(criterion) == "استراتيجية البحث"
    assert words.level_title(criterion.levels[1]) == "مقبول"
    assert words.level_title(criterion.levels[0]) == criterion.levels[0].title  # left empty: the source
