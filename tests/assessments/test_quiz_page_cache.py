"""The quiz page reads the quiz from the database, and which quizzes a course has from the
shared cache keyed by the course's content token: an edit of the quiz shows at once, and
nothing of one learner reaches another."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from academy.assessments.enums import AttemptState
from academy.assessments.models import Question, QuestionText, QuizAttempt
from academy.core.models import utcnow
from academy.courses.models import Course
from academy.courses.services import enroll
from academy.extensions import cache, db
from tests.assessments.conftest import quiz_named, set_quiz, take_quiz
from tests.conftest import login


def questions_shown(html: str) -> int:
    return int(re.search(r"<dt>Questions</dt><dd>(\d+)</dd>", html).group(1))


def token() -> str:
    return db.session.scalar(select(Course.content_token).where(Course.slug == "quizzed"))


def test_retiring_a_question_shows_at_once_on_the_quiz_page(learner, login_as):
    cache.clear()
    client = login_as(learner)
    pool = len(quiz_named("one").active_questions)
    assert questions_shown(client.get("/learn/quizzed/quiz/one").get_data(as_text=True)) == pool
    before = token()
    question = quiz_named("one").active_questions[0]
    question.is_retired = True
    db.session.commit()
    assert token() != before  # the edit replaced the course's token, for every worker
    assert questions_shown(client.get("/learn/quizzed/quiz/one").get_data(as_text=True)) == pool - 1


def test_quiz_settings_and_question_texts_replace_the_course_token(learner):
    before = token()
    set_quiz("one", draw_count=2)
    after_draw = token()
    assert after_draw != before
    text = db.session.scalar(select(QuestionText).join(Question).where(Question.quiz_id == quiz_named("one").id))
    text.spec = {**text.spec, "prompt": "Edited"}
    db.session.commit()
    assert token() != after_draw


def test_a_draw_shows_the_drawn_count(learner, login_as):
    cache.clear()
    client = login_as(learner)
    client.get("/learn/quizzed/quiz/one")
    set_quiz("one", draw_count=2)
    assert questions_shown(client.get("/learn/quizzed/quiz/one").get_data(as_text=True)) == 2


def test_each_learner_sees_only_their_own_attempts(app, learner, login_as, make_user, quizzed):
    cache.clear()
    first = login_as(learner)
    take_quiz(first, "quizzed", "one", right=True)
    assert "Passed. Best score: 100%" in first.get("/learn/quizzed/quiz/one").get_data(as_text=True)
    other = make_user("learner", email="other@example.org")
    enroll(other, quizzed, "en")
    db.session.commit()
    second = app.test_client()
    login(second, other)
    html = second.get("/learn/quizzed/quiz/one").get_data(as_text=True)
    assert "You have not taken this quiz yet." in html
    assert "Your attempts" not in html and "Best score" not in html


def test_the_quiz_page_still_expires_an_abandoned_timed_attempt(learner, login_as):
    set_quiz("one", time_limit_minutes=5)
    client = login_as(learner)
    client.post("/learn/quizzed/quiz/one/start")
    db.session.execute(update(QuizAttempt).values(deadline_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    html = client.get("/learn/quizzed/quiz/one").get_data(as_text=True)
    attempt = db.session.scalar(select(QuizAttempt))
    db.session.refresh(attempt)
    assert attempt.state == AttemptState.GRADED
    assert "Resume attempt" not in html
