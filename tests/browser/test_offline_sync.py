"""With JavaScript, on a link that drops: a learner keeps a course on the device, reads
and works offline, and the work reaches the server once when the connection returns."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

pytestmark = pytest.mark.browser


def world(import_course, make_user, questions_per_page: int = 20):
    from academy.assessments.models import Quiz
    from academy.courses.services import enroll
    from academy.extensions import db
    from tests.conftest import FIXTURES

    course = import_course(FIXTURES / "quizzed")
    quiz = db.session.scalar(select(Quiz).where(Quiz.course_id == course.id, Quiz.key == "one"))
    quiz.questions_per_page = questions_per_page  # one page: every answer is on the page the learner has open
    user = make_user(preferred_language="en")
    enroll(user, course, "en")
    db.session.commit()
    return course, user


def shows(page, selector: str, text: str) -> None:
    from playwright.sync_api import expect

    expect(page.locator(selector)).to_contain_text(text)


def keep_offline(page):
    page.goto("/learn/quizzed/")
    page.click("[data-offline-save]")
    shows(page, "[data-offline-state]", "Available offline")
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    for _ in range(50):  # claimed by the worker once it is active
        if page.evaluate("() => navigator.serviceWorker.controller !== null"):
            break
        page.wait_for_timeout(100)


def lesson_done(user_id: int, key: str) -> int:
    from academy.courses.models import Enrollment, Lesson, LessonProgress
    from academy.extensions import db

    db.session.expire_all()
    return db.session.scalar(
        select(func.count(LessonProgress.id)).join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .join(Enrollment, Enrollment.id == LessonProgress.enrollment_id)
        .where(Lesson.key == key, Enrollment.user_id == user_id, LessonProgress.completed_at.is_not(None)))


def receipts() -> int:
    from academy.extensions import db
    from academy.offline.models import SyncReceipt

    db.session.expire_all()
    return db.session.scalar(select(func.count(SyncReceipt.id)))


def test_a_course_kept_offline_is_read_and_worked_offline_and_synced_once_online(page, import_course, make_user,
                                                                                 app_ctx):
    from academy.assessments.enums import AttemptState
    from academy.assessments.models import QuizAttempt
    from academy.extensions import db
    from tests.browser.conftest import browser_login
    from tests.browser.test_offline_journey import answer_rightly
    from tests.conftest import TEST_PASSWORD

    _course, user = world(import_course, make_user)
    browser_login(page, user.email, TEST_PASSWORD)
    keep_offline(page)
    assert "files" in page.locator("[data-offline-state]").inner_text()
    # A quiz started online, then the link drops while answering.
    page.goto("/learn/quizzed/quiz/one")
    page.click("main form button.primary")
    page.wait_for_url("**/attempts/*")
    page.context.set_offline(True)
    answer_rightly(page, "en")
    shows(page, "[data-sync-status]", "Waiting to sync")
    page.click("button[data-submit]")
    # Offline, a lesson never opened before opens from the device, marked as the offline copy.
    page.goto("/learn/quizzed/one/first")
    assert page.locator("body[data-offline-copy]").count() == 1
    assert "Offline copy" in page.locator(".offline-badge").inner_text()
    assert page.locator("article.lesson h1").inner_text()
    page.click("form[data-progress-form] button")
    shows(page, "[data-sync-status]", "Waiting to sync (3)")
    assert lesson_done(user.id, "first") == 0  # nothing reached the server yet

    page.context.set_offline(False)
    shows(page, "[data-sync-status]", "was sent")
    assert lesson_done(user.id, "first") == 1
    attempt = db.session.scalar(select(QuizAttempt).where(QuizAttempt.user_id == user.id))
    assert attempt.state == AttemptState.GRADED and attempt.score == 100.0
    assert receipts() == 3

    # The learner takes the course off the device again. Passing the quiz opened module two,
    # so the course home is refreshing the copy: the removal wins over the refresh in flight.
    page.goto("/learn/quizzed/")
    page.click("[data-offline-remove]")
    shows(page, "[data-offline-state]", "not kept on this device")
    page.wait_for_timeout(1500)  # long enough for the refresh that was under way to finish
    shows(page, "[data-offline-state]", "not kept on this device")
    assert page.evaluate("async () => (await caches.keys()).filter(n => n.startsWith('academy-course:')).length") == 0


def test_two_tabs_online_again_send_the_queue_once(page, import_course, make_user, app_ctx):
    from tests.browser.conftest import browser_login
    from tests.conftest import TEST_PASSWORD

    _course, user = world(import_course, make_user)
    browser_login(page, user.email, TEST_PASSWORD)
    keep_offline(page)
    second = page.context.new_page()
    second.goto("/learn/quizzed/")
    page.context.set_offline(True)
    page.goto("/learn/quizzed/one/first")
    page.click("form[data-progress-form] button")
    shows(page, "[data-sync-status]", "Waiting to sync (1)")
    page.context.set_offline(False)  # both tabs hear "online" and try to send
    shows(page, "[data-sync-status]", "was sent")
    second.wait_for_timeout(500)
    assert lesson_done(user.id, "first") == 1 and receipts() == 1


def test_a_course_edited_while_the_learner_is_offline_refreshes_the_copy_and_keeps_progress(
        page, import_course, make_user, app_ctx):
    from academy.courses.models import Lesson, LessonText
    from academy.extensions import db
    from tests.browser.conftest import browser_login
    from tests.conftest import TEST_PASSWORD

    course, user = world(import_course, make_user)
    browser_login(page, user.email, TEST_PASSWORD)
    keep_offline(page)
    page.context.set_offline(True)
    page.goto("/learn/quizzed/one/first")
    page.click("form[data-progress-form] button")
    shows(page, "[data-sync-status]", "Waiting to sync (1)")

    text = db.session.scalar(select(LessonText).join(Lesson).where(Lesson.key == "first", LessonText.language == "en"))
    text.body_html = "<p>Rewritten while you were away.</p>"
    db.session.commit()  # a new content token for the course

    page.context.set_offline(False)
    shows(page, "[data-sync-status]", "was sent")
    page.goto("/learn/quizzed/")
    shows(page, "[data-offline-state]", "updated")
    assert lesson_done(user.id, "first") == 1  # the progress made offline is kept
    page.context.set_offline(True)
    page.goto("/learn/quizzed/one/first")
    assert "Rewritten while you were away." in page.locator("article.lesson").inner_text()
    page.context.set_offline(False)
    assert course.id


def test_a_quiz_submitted_while_offline_is_graded_once_and_the_result_shows_when_the_link_returns(
        page, import_course, make_user, app_ctx):
    from academy.assessments.enums import AttemptState
    from academy.assessments.models import QuizAttempt
    from academy.extensions import db
    from tests.browser.conftest import browser_login
    from tests.browser.test_offline_journey import answer_rightly
    from tests.conftest import TEST_PASSWORD

    _course, user = world(import_course, make_user)
    browser_login(page, user.email, TEST_PASSWORD)
    page.goto("/learn/quizzed/quiz/one")
    page.click("main form button.primary")
    page.wait_for_url("**/attempts/*")
    page.context.set_offline(True)
    answer_rightly(page, "en")
    page.click("button[data-submit]")
    shows(page, "[data-sync-status]", "Waiting to sync")
    page.context.set_offline(False)
    page.wait_for_url("**/result")
    assert "Passed" in page.locator(".result-summary").inner_text()
    db.session.expire_all()
    attempts = db.session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user.id)).all()
    assert [(a.state, a.score) for a in attempts] == [(AttemptState.GRADED, 100.0)]


def test_a_lesson_page_open_when_the_link_drops_still_marks_the_lesson_complete(page, import_course, make_user,
                                                                                 app_ctx):
    from tests.browser.conftest import browser_login
    from tests.conftest import TEST_PASSWORD

    _course, user = world(import_course, make_user)
    browser_login(page, user.email, TEST_PASSWORD)
    page.goto("/learn/quizzed/one/first")  # the learner's own page, online, no offline copy kept
    page.context.set_offline(True)
    page.click("form[data-progress-form] button")
    shows(page, ".lesson-actions", "Saved on this device")
    shows(page, "[data-sync-status]", "Waiting to sync (1)")
    page.context.set_offline(False)
    shows(page, "[data-sync-status]", "was sent (1)")
    assert lesson_done(user.id, "first") == 1


def test_without_javascript_the_course_home_offers_no_offline_button_that_would_do_nothing(
        page_no_js, import_course, make_user, app_ctx):
    from tests.browser.conftest import browser_login
    from tests.conftest import TEST_PASSWORD

    _course, user = world(import_course, make_user)
    browser_login(page_no_js, user.email, TEST_PASSWORD)
    page_no_js.goto("/learn/quizzed/")
    assert "With JavaScript on" in page_no_js.locator(".offline-panel").inner_text()
    assert not page_no_js.locator("[data-offline-save]").is_visible()
    assert not page_no_js.locator("[data-offline-remove]").is_visible()
    assert not page_no_js.locator("[data-sync-status]").is_visible()
    page_no_js.click(".module-download a")  # the module download is a plain link


def test_a_timed_quiz_submitted_offline_after_its_deadline_tells_the_learner_it_arrived_too_late(
        page, import_course, make_user, app_ctx):
    from datetime import timedelta

    from sqlalchemy import update

    from academy.assessments.models import Quiz, QuizAttempt
    from academy.core.models import utcnow
    from academy.extensions import db
    from tests.browser.conftest import browser_login
    from tests.browser.test_offline_journey import answer_rightly
    from tests.conftest import TEST_PASSWORD

    course, user = world(import_course, make_user)
    db.session.execute(update(Quiz).where(Quiz.course_id == course.id, Quiz.key == "one")
                       .values(time_limit_minutes=10))
    db.session.commit()
    browser_login(page, user.email, TEST_PASSWORD)
    page.goto("/learn/quizzed/quiz/one")
    page.click("main form button.primary")
    page.wait_for_url("**/attempts/*")
    page.context.set_offline(True)
    answer_rightly(page, "en")
    page.click("button[data-submit]")
    shows(page, "[data-sync-status]", "Waiting to sync")
    db.session.execute(update(QuizAttempt).where(QuizAttempt.user_id == user.id)
                       .values(deadline_at=utcnow() - timedelta(minutes=5)))
    db.session.commit()  # the link came back after the time limit
    page.context.set_offline(False)
    page.wait_for_url("**/result")
    assert "after the quiz's time limit" in page.locator(".flashes").inner_text()
    db.session.expire_all()
    attempt = db.session.scalar(select(QuizAttempt).where(QuizAttempt.user_id == user.id))
    assert attempt.expired_at is not None and attempt.score == 0.0  # nothing arrived in time
