"""A quiz of several pages, started online and answered on a link that drops: the learner
goes from page to page offline, submits, and the attempt is graded once, with every page's
answers, when the connection returns."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

pytestmark = pytest.mark.browser


def answer_visible_page(page) -> None:
    """Answer every question on the page the learner sees with its right answer."""
    from tests.browser.test_offline_journey import answer_rightly

    answer_rightly(page, "en", only_visible=True)


def test_a_two_page_quiz_answered_and_submitted_offline_is_graded_once_with_both_pages(
        page, import_course, make_user, app_ctx):
    from playwright.sync_api import expect

    from academy.assessments.enums import AttemptState
    from academy.assessments.models import AttemptAnswer, QuizAttempt
    from academy.extensions import db
    from tests.browser.conftest import browser_login
    from tests.browser.test_offline_sync import world
    from tests.conftest import TEST_PASSWORD

    _course, user = world(import_course, make_user, questions_per_page=5)  # 7 questions: pages of 5 and 2
    browser_login(page, user.email, TEST_PASSWORD)
    page.goto("/learn/quizzed/quiz/one")
    page.click("main form button.primary")
    page.wait_for_url("**/attempts/*")
    expect(page.locator(".attempt-bar")).to_contain_text("Page 1 of 2")

    page.context.set_offline(True)
    answer_visible_page(page)
    page.click(".attempt-actions button.primary:visible")  # "Save and continue", with no connection
    expect(page.locator(".attempt-bar")).to_contain_text("Page 2 of 2")
    assert page.locator("fieldset[data-question]:visible").count() == 2
    # Back to page 1 and on again: what was answered there is still answered.
    page.click(".attempt-pages button:has-text('1')")
    expect(page.locator(".attempt-bar")).to_contain_text("Page 1 of 2")
    assert page.locator("fieldset[data-question]:visible input:checked").count() >= 3
    page.click(".attempt-pages button:has-text('2')")
    expect(page.locator(".attempt-bar")).to_contain_text("Page 2 of 2")
    answer_visible_page(page)
    page.click("button[data-submit]")
    expect(page.locator("[data-sync-status]")).to_contain_text("Waiting to sync")

    db.session.expire_all()
    attempt = db.session.scalar(select(QuizAttempt).where(QuizAttempt.user_id == user.id))
    assert attempt.state != AttemptState.GRADED  # nothing reached the server yet

    page.context.set_offline(False)
    page.wait_for_url("**/result")
    assert "Passed" in page.locator(".result-summary").inner_text()
    db.session.expire_all()
    attempts = db.session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user.id)).all()
    assert [(a.state, a.score) for a in attempts] == [(AttemptState.GRADED, 100.0)]
    assert db.session.scalar(select(func.count(AttemptAnswer.id))
                             .where(AttemptAnswer.attempt_id == attempts[0].id,
                                    AttemptAnswer.response.is_not(None))) == 7
    # The learner's attempt pages were never put in a cache the browser keeps.
    assert page.evaluate("async () => (await caches.keys()).length") == 0
