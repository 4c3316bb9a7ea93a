"""Which quizzes a course has, in the shared cache: the module quizzes and the final exam.

Every course home and lesson page asks (a module with a quiz is complete only once the
quiz is passed); the answer is the same for every learner, so it is kept in the shared
cache (academy.core.cache) keyed by the course and its ``content_token``, the token the
course structure cache keys on (academy/courses/structure.py). That token changes for
modules and lessons, and the listener below also replaces it whenever a quiz, a
question or a question's text changes through the ORM. Whether a learner passed a quiz
is read per request.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from academy.assessments.models import FINAL_EXAM_KEY, Question, QuestionText, Quiz
from academy.courses.models import Course
from academy.courses.structure import new_token
from academy.extensions import cache, db


@dataclass(frozen=True)
class CourseQuizzes:
    """A course's active quizzes, the same for every learner."""

    module_quizzes: tuple[tuple[int, int], ...]  # (module_id, quiz_id), by quiz id
    final_exam_id: int | None


def _has_pending_quiz_change(session: Session) -> bool:
    # Unflushed quiz edits have not replaced the token yet: a cached answer could be stale.
    return any(isinstance(o, _QUIZ_PARTS) for o in (*session.new, *session.dirty, *session.deleted))


def course_quizzes(course: Course) -> CourseQuizzes:
    """Which active quizzes ``course`` has, from the shared cache when current."""
    key = f"course-quizzes:{course.id}:{course.content_token}"
    pending = _has_pending_quiz_change(db.session)
    if not pending:
        hit = cache.get(key)
        if hit is not None:
            return hit
    rows = db.session.execute(
        select(Quiz.id, Quiz.module_id, Quiz.key).where(Quiz.course_id == course.id, ~Quiz.is_retired)
        .order_by(Quiz.id)).all()
    built = CourseQuizzes(
        module_quizzes=tuple((r.module_id, r.id) for r in rows if r.module_id is not None),
        final_exam_id=next((r.id for r in rows if r.key == FINAL_EXAM_KEY), None),
    )
    if not pending:  # else the flush above gave the course a new token: nothing to key it on
        cache.set(key, built)
    return built


def _course_id_of(session: Session, obj) -> int | None:
    if isinstance(obj, Quiz):
        return obj.course_id if obj.course_id is not None else (obj.course.id if obj.course else None)
    if isinstance(obj, Question):
        quiz = obj.quiz if obj.quiz is not None else (session.get(Quiz, obj.quiz_id) if obj.quiz_id else None)
        return _course_id_of(session, quiz) if quiz is not None else None
    if isinstance(obj, QuestionText):
        question = session.get(Question, obj.question_id) if obj.question_id else None
        return _course_id_of(session, question) if question is not None else None
    return None


_QUIZ_PARTS = (Quiz, Question, QuestionText)


@event.listens_for(Session, "before_flush")
def _new_token_on_quiz_change(session: Session, flush_context, instances) -> None:
    changed = [o for o in (*session.new, *session.dirty, *session.deleted) if isinstance(o, _QUIZ_PARTS)]
    if not changed:
        return
    with session.no_autoflush:
        course_ids = {_course_id_of(session, obj) for obj in changed} - {None}
        for course_id in course_ids:
            course = session.get(Course, course_id)
            if course is not None:
                course.content_token = new_token()
