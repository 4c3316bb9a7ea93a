"""Which quizzes a course has is kept in the shared cache, keyed by the course's content token;
whether a learner passed them is not: each learner sees their own module state, and a
quiz edit shows at once."""

from __future__ import annotations

from academy.assessments import definitions
from academy.courses.services import enroll
from academy.extensions import cache, db
from tests.assessments.conftest import complete_lessons, quiz_named, set_quiz, take_quiz
from tests.conftest import login

LOCKED = "Locked: this module opens when you complete “Module one”."
MODULE_TWO_LESSON = "/learn/quizzed/two/second"


def test_course_quizzes_are_served_from_the_cache_until_a_quiz_changes(quizzed):
    cache.clear()
    cached = definitions.course_quizzes(quizzed)
    assert definitions.course_quizzes(quizzed) == cached
    assert {m for m, _q in cached.module_quizzes} == {m.id for m in quizzed.modules}
    assert cached.final_exam_id == quiz_named("final-exam").id
    set_quiz("one", is_retired=True)
    assert quiz_named("one").id not in {q for _m, q in definitions.course_quizzes(quizzed).module_quizzes}


def test_an_unflushed_quiz_edit_is_not_hidden_by_the_cache(quizzed):
    cache.clear()
    definitions.course_quizzes(quizzed)
    quiz_named("final-exam").is_retired = True  # not flushed yet
    assert definitions.course_quizzes(quizzed).final_exam_id is None


def test_each_learner_sees_only_their_own_quiz_state_on_the_course_pages(app, learner, login_as, make_user, quizzed):
    cache.clear()
    other = make_user("learner", email="other@example.org")
    enroll(other, quizzed, "en")
    db.session.commit()
    complete_lessons(learner, quizzed, "one")
    complete_lessons(other, quizzed, "one")
    first = login_as(learner)
    second = app.test_client()
    login(second, other)
    # Both warm the cache before the first learner passes, and read it after.
    assert LOCKED in first.get("/learn/quizzed/").get_data(as_text=True)
    assert LOCKED in second.get("/learn/quizzed/").get_data(as_text=True)
    take_quiz(first, "quizzed", "one", right=True)
    for _round in range(2):
        mine = first.get("/learn/quizzed/").get_data(as_text=True)
        assert LOCKED not in mine and "Passed. Best score: 100%" in mine
        assert first.get(MODULE_TWO_LESSON).status_code == 200
        theirs = second.get("/learn/quizzed/").get_data(as_text=True)
        assert LOCKED in theirs and "Take the quiz" in theirs and "Best score" not in theirs
        assert second.get(MODULE_TWO_LESSON).status_code == 302  # still locked for them


def test_retiring_and_restoring_a_module_quiz_shows_at_once(learner, login_as, quizzed):
    cache.clear()
    complete_lessons(learner, quizzed, "one")
    client = login_as(learner)
    assert client.get(MODULE_TWO_LESSON).status_code == 302
    assert LOCKED in client.get("/learn/quizzed/").get_data(as_text=True)
    set_quiz("one", is_retired=True)  # without its quiz, module one's lessons complete it
    assert LOCKED not in client.get("/learn/quizzed/").get_data(as_text=True)
    assert client.get(MODULE_TWO_LESSON).status_code == 200
    set_quiz("one", is_retired=False)
    assert LOCKED in client.get("/learn/quizzed/").get_data(as_text=True)
    assert client.get(MODULE_TWO_LESSON).status_code == 302


def test_retiring_the_final_exam_removes_its_section_at_once(learner, login_as):
    cache.clear()
    client = login_as(learner)
    assert 'id="final-exam-heading"' in client.get("/learn/quizzed/").get_data(as_text=True)
    set_quiz("final-exam", is_retired=True)
    assert 'id="final-exam-heading"' not in client.get("/learn/quizzed/").get_data(as_text=True)
