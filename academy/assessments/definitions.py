"""A per-process cache of what a quiz is made of: its active questions, in order.

The quiz page showed "10 questions" by loading every question and, through their
``selectin`` texts, every authored definition in every language: two queries and some
hundred ORM objects per view, the same for every learner. Each process now keeps the
definition as a frozen plain object keyed by the quiz and its course's
``content_token``, the token the course structure cache already keys on
(academy/courses/structure.py).

That token only changes for modules and lessons, so the listener below also replaces it
whenever a quiz, a question or a question's text changes through the ORM (an admin edit,
a package import). The course row, with its token, is loaded by every quiz page anyway:
another worker or server sees the new token on its next request and rebuilds. Nothing
per learner is kept here; attempts and answers are read per request.

The same key holds which quizzes a course has (``course_quizzes``): the lesson page and
the course home asked the database for them on every view to decide whether a module is
complete. Whether the learner passed them is still read per request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from academy.assessments.models import FINAL_EXAM_KEY, Question, QuestionText, Quiz
from academy.courses.models import Course
from academy.courses.structure import new_token
from academy.extensions import db

MAX_QUIZZES = 1024


@dataclass(frozen=True)
class QuizDefinition:
    quiz_id: int
    question_ids: tuple[int, ...]  # active questions, by position
    draw_count: int | None

    @property
    def pool(self) -> int:
        return len(self.question_ids)

    @property
    def question_count(self) -> int:
        """How many questions one attempt has (the draw, or the whole pool): as Quiz.question_count."""
        return min(self.draw_count, self.pool) if self.draw_count else self.pool


_definitions: OrderedDict[tuple, QuizDefinition] = OrderedDict()
_lock = threading.Lock()


def definition(quiz: Quiz, course: Course) -> QuizDefinition:
    """``quiz``'s definition (``course`` is the quiz's course, already loaded)."""
    key = (quiz.id, course.content_token, quiz.draw_count)
    with _lock:
        hit = _definitions.get(key)
        if hit is not None:
            _definitions.move_to_end(key)
            return hit
    ids = tuple(db.session.scalars(
        select(Question.id).where(Question.quiz_id == quiz.id, ~Question.is_retired).order_by(Question.position)))
    built = QuizDefinition(quiz.id, ids, quiz.draw_count)
    with _lock:
        _definitions[key] = built
        while len(_definitions) > MAX_QUIZZES:
            _definitions.popitem(last=False)
    return built


@dataclass(frozen=True)
class CourseQuizzes:
    """The ids of a course's active quizzes, the same for every learner."""

    module_quizzes: tuple[tuple[int, int], ...]  # (module_id, quiz_id), by quiz id
    final_exam_id: int | None


_course_quizzes: OrderedDict[tuple, CourseQuizzes] = OrderedDict()


def _has_pending_quiz_change(session: Session) -> bool:
    # Unflushed quiz edits have not replaced the token yet: a cached answer could be stale.
    return any(isinstance(o, _QUIZ_PARTS) for o in (*session.new, *session.dirty, *session.deleted))


def course_quizzes(course: Course) -> CourseQuizzes:
    """Which active quizzes ``course`` has, from this process's cache when current."""
    key = (course.id, course.content_token)
    pending = _has_pending_quiz_change(db.session)
    if not pending:
        with _lock:
            hit = _course_quizzes.get(key)
            if hit is not None:
                _course_quizzes.move_to_end(key)
                return hit
    rows = db.session.execute(
        select(Quiz.module_id, Quiz.id, Quiz.key)
        .where(Quiz.course_id == course.id, ~Quiz.is_retired).order_by(Quiz.id)).all()
    built = CourseQuizzes(
        module_quizzes=tuple((r.module_id, r.id) for r in rows if r.module_id is not None),
        final_exam_id=next((r.id for r in rows if r.key == FINAL_EXAM_KEY), None),
    )
    if pending:
        return built  # the flush above gave the course a new token: nothing to key it on
    with _lock:
        _course_quizzes[key] = built
        while len(_course_quizzes) > MAX_QUIZZES:
            _course_quizzes.popitem(last=False)
    return built


def clear() -> None:
    with _lock:
        _definitions.clear()
        _course_quizzes.clear()


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
