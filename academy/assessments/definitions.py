"""A per-process cache of what a course's quizzes are: their settings and active questions.

The quiz page showed "10 questions" by loading every question and, through their
``selectin`` texts, every authored definition in every language: two queries and some
hundred ORM objects per view, the same for every learner. Each process now keeps a
course's quizzes as frozen plain objects (``QuizSnapshot``: a Quiz's settings with its
active questions' ids) keyed by the course and its ``content_token``, the token the
course structure cache already keys on (academy/courses/structure.py).

That token only changes for modules and lessons, so the listener below also replaces it
whenever a quiz, a question or a question's text changes through the ORM (an admin edit,
a package import). The course row, with its token, is read by every quiz page anyway:
another worker or server sees the new token on its next request and rebuilds. Nothing
per learner is kept here; attempts and answers are read per request.

The lesson page and the course home use the same entry (``course_quizzes``) to decide
whether a module has a quiz; whether the learner passed it is still read per request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from academy.assessments.enums import QuizKind, ShowAnswers
from academy.assessments.models import FINAL_EXAM_KEY, Question, QuestionText, Quiz
from academy.courses.models import Course
from academy.courses.structure import new_token
from academy.extensions import db

#: Courses whose quizzes a process keeps (LRU).
MAX_COURSES = 1024


_lock = threading.Lock()


@dataclass(frozen=True)
class QuizSnapshot:
    """An active Quiz's settings, read-only, with the ORM's attribute names (the pages and
    ``services.availability`` read either), and its active questions' ids by position."""

    id: int
    course_id: int
    module_id: int | None
    key: str
    kind: QuizKind
    pass_mark: int
    max_attempts: int | None
    time_limit_minutes: int | None
    shuffle_questions: bool
    shuffle_options: bool
    draw_count: int | None
    show_answers: ShowAnswers
    wait_minutes: int
    questions_per_page: int
    question_ids: tuple[int, ...]
    is_retired: bool = False  # retired quizzes are not cached

    @property
    def is_final_exam(self) -> bool:
        return self.kind == QuizKind.FINAL_EXAM

    @property
    def pool(self) -> int:
        return len(self.question_ids)

    @property
    def question_count(self) -> int:
        """How many questions one attempt has (the draw, or the whole pool): as Quiz.question_count."""
        return min(self.draw_count, self.pool) if self.draw_count else self.pool


_SNAPSHOT_COLUMNS = (Quiz.id, Quiz.course_id, Quiz.module_id, Quiz.key, Quiz.kind, Quiz.pass_mark,
                     Quiz.max_attempts, Quiz.time_limit_minutes, Quiz.shuffle_questions, Quiz.shuffle_options,
                     Quiz.draw_count, Quiz.show_answers, Quiz.wait_minutes, Quiz.questions_per_page)


@dataclass(frozen=True)
class CourseQuizzes:
    """A course's active quizzes, the same for every learner."""

    module_quizzes: tuple[tuple[int, int], ...]  # (module_id, quiz_id), by quiz id
    final_exam_id: int | None
    quizzes: tuple[QuizSnapshot, ...] = ()  # by quiz id

    def by_key(self, key: str) -> QuizSnapshot | None:
        return next((q for q in self.quizzes if q.key == key), None)


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
        select(*_SNAPSHOT_COLUMNS).where(Quiz.course_id == course.id, ~Quiz.is_retired).order_by(Quiz.id)).all()
    questions: dict[int, list[int]] = {r.id: [] for r in rows}
    if rows:
        for quiz_id, question_id in db.session.execute(
                select(Question.quiz_id, Question.id)
                .where(Question.quiz_id.in_(questions), ~Question.is_retired)
                .order_by(Question.quiz_id, Question.position)):
            questions[quiz_id].append(question_id)
    built = CourseQuizzes(
        module_quizzes=tuple((r.module_id, r.id) for r in rows if r.module_id is not None),
        final_exam_id=next((r.id for r in rows if r.key == FINAL_EXAM_KEY), None),
        quizzes=tuple(QuizSnapshot(*r, question_ids=tuple(questions[r.id])) for r in rows),
    )
    if pending:
        return built  # the flush above gave the course a new token: nothing to key it on
    with _lock:
        _course_quizzes[key] = built
        while len(_course_quizzes) > MAX_COURSES:
            _course_quizzes.popitem(last=False)
    return built


def quiz_snapshot(course: Course, key: str) -> QuizSnapshot | None:
    """The active quiz ``key`` of ``course`` (a Course or a CourseSnapshot), from the cache."""
    return course_quizzes(course).by_key(key)


def clear() -> None:
    with _lock:
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
