"""A learner does a hands-on exercise in Chromium: reads the task, opens the database link,
answers in Arabic-Indic digits with a unit, and sees the explanation; the course home shows it."""

import pytest

pytestmark = pytest.mark.browser


def test_an_exercise_from_the_course_home_to_its_explanation(page, import_course, make_user, app_ctx):
    from pathlib import Path

    from academy.courses.services import enroll
    from academy.extensions import db
    from tests.browser.conftest import browser_login
    from tests.conftest import TEST_PASSWORD

    dl177 = Path(__file__).resolve().parents[2] / "academy" / "courses" / "packages" / "dl177"
    course = import_course(dl177)
    user = make_user()
    enroll(user, course, "en")
    db.session.commit()
    browser_login(page, user.email, TEST_PASSWORD)

    page.goto("/learn/dl177/")
    exercises = page.locator(".module-exercises").first
    assert exercises.locator("li").count() == 4
    exercises.locator("a", has_text="How many months from the priority date").click()
    page.wait_for_url("**/exercises/ex-pct-ep-months")
    link = page.locator("a[target=_blank]", has_text="Open PCT time limits (WIPO) in a new tab")
    assert link.get_attribute("href") == "https://www.wipo.int/pct/en/texts/time_limits.html"
    assert link.get_attribute("rel") == "noopener noreferrer"
    assert page.locator(".note", has_text="If the database looks different").count() == 1
    page.fill("input[name=answer]", "٣١ months")
    page.click("button:has-text('Save my answer')")
    page.wait_for_url("**/exercises/ex-pct-ep-months")
    assert page.locator(".verdict-right").count() == 1
    assert "Most offices apply 30 months" in page.locator(".explanation").inner_text()
    page.goto("/learn/dl177/")
    assert page.locator(".module-exercises").first.locator(".done").count() == 1


def test_the_exercise_page_in_arabic_passes_axe_and_reads_right_to_left(browser, live_server, import_course,
                                                                        make_user, app_ctx):
    from pathlib import Path

    from academy.courses.services import enroll
    from academy.extensions import db
    from tests.browser.conftest import browser_login
    from tests.browser.test_accessibility import AXE, axe_violations
    from tests.conftest import TEST_PASSWORD

    dl177 = Path(__file__).resolve().parents[2] / "academy" / "courses" / "packages" / "dl177"
    course = import_course(dl177)
    user = make_user(preferred_language="ar")
    enroll(user, course, "ar")
    db.session.commit()
    # axe is injected before the page's scripts, as the accessibility suite does (the CSP forbids inline).
    context = browser.new_context(base_url=live_server, locale="ar", bypass_csp=True)
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    try:
        browser_login(page, user.email, TEST_PASSWORD)
        page.goto("/learn/dl177/exercises/ex-cat-priority")
        assert page.locator(".exercise-task").get_attribute("dir") == "rtl"
        assert axe_violations(page) == []
        page.screenshot(path="/tmp/i19e_exercise_ar.png", full_page=True)
    finally:
        context.close()
