"""A learner takes a module quiz in Chromium: fails, retakes, passes, and module 2 opens."""

import pytest

pytestmark = pytest.mark.browser


def answer_page_rightly(page) -> None:
    """Answer every question on the current attempt page with its right answer."""
    from academy.assessments.models import Question
    from academy.extensions import db

    for qid in page.locator("fieldset[data-question]").evaluate_all(
        "els => els.map(e => e.dataset.question)"
    ):
        db.session.expire_all()
        q = db.session.get(Question, int(qid))
        spec = q.spec("en")
        name = f"q{q.id}"
        if q.type in ("single_choice", "multiple_choice"):
            for opt in spec["options"]:
                if opt["correct"]:
                    page.check(f"input[name={name}][value={opt['key']}]")
        elif q.type == "true_false":
            page.check(f"input[name={name}][value={'true' if spec['answer'] else 'false'}]")
        elif q.type in ("short_answer",):
            page.fill(f"#{name}", spec["accepted"][0])
        elif q.type == "numeric":
            page.fill(f"#{name}", str(spec["answer"]))
        elif q.type == "matching":
            for i in range(len(spec["pairs"])):
                page.select_option(f"#{name}-{i}", str(i))
        elif q.type == "ordering":
            for i in range(len(spec["items"])):
                page.select_option(f"#{name}-{i}", str(i + 1))


def test_fail_retake_pass_a_module_quiz_and_module_two_opens(page, import_course, make_user, app_ctx):
    from academy.courses.services import enroll
    from academy.extensions import db
    from tests.assessments.conftest import complete_lessons
    from tests.browser.conftest import browser_login
    from tests.conftest import FIXTURES, TEST_PASSWORD

    course = import_course(FIXTURES / "quizzed")
    user = make_user()
    enroll(user, course, "en")
    db.session.commit()
    complete_lessons(user, course, "one")
    browser_login(page, user.email, TEST_PASSWORD)

    page.goto("/learn/quizzed/")
    assert page.locator(".modules li.module").nth(1).locator(".locked-note").count() == 1
    page.click("text=Take the quiz")
    page.click("button:has-text('Start the quiz')")
    page.wait_for_url("**/attempts/*")
    # Fail: one wrong answer on page 1, nothing else. Autosave confirms it.
    page.check("fieldset[data-question] >> nth=0 >> input >> nth=1")
    page.locator("[data-save-status][data-state=saved]").wait_for()
    page.click("button[data-submit]")
    page.wait_for_url("**/result")
    assert "Not passed" in page.locator(".result-summary").inner_text()

    page.click("button:has-text('Try again')")
    page.wait_for_url("**/attempts/*")
    answer_page_rightly(page)
    page.click(".attempt-actions button.primary")  # save and continue to page 2
    page.wait_for_url("**page=2")
    answer_page_rightly(page)
    page.locator("[data-save-status][data-state=saved]").wait_for()
    page.reload()  # nothing is lost on a reload
    assert "7 of 7 questions answered" in page.locator("[data-answered-count]").inner_text()
    page.click("button[data-submit]")
    page.wait_for_url("**/result")
    assert "Passed" in page.locator(".result-summary").inner_text()
    assert "100%" in page.locator(".result-summary h2").inner_text()

    page.click("text=Back to the course")
    page.wait_for_url("**/learn/quizzed/")
    second = page.locator(".modules li.module").nth(1)
    assert second.locator(".locked-note").count() == 0
    second.locator("a:has-text('Second lesson')").click()
    page.wait_for_url("**/learn/quizzed/two/second")


def test_a_quiz_works_with_javascript_off(page_no_js, import_course, make_user, app_ctx):
    from academy.courses.services import enroll
    from academy.extensions import db
    from tests.browser.conftest import browser_login
    from tests.conftest import FIXTURES, TEST_PASSWORD

    course = import_course(FIXTURES / "quizzed")
    user = make_user()
    enroll(user, course, "en")
    db.session.commit()
    page = page_no_js
    browser_login(page, user.email, TEST_PASSWORD)
    page.goto("/learn/quizzed/quiz/one")
    page.click("button:has-text('Start the quiz')")
    page.wait_for_url("**/attempts/*")
    answer_page_rightly(page)
    page.click(".attempt-actions button.primary")
    page.wait_for_url("**page=2")
    page.click(".attempt-pages button:has-text('1')")  # back to page 1: answers were saved
    page.wait_for_url("**page=1")
    assert "5 of 7 questions answered" in page.locator("[data-answered-count]").inner_text()
    page.click(".attempt-actions button.primary")
    answer_page_rightly(page)
    page.click("button[data-submit]")
    page.wait_for_url("**/result")
    assert "Passed" in page.locator(".result-summary").inner_text()
