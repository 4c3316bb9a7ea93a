"""Writes for quizzes and attempts. They add and flush; the request commits once.

Every state change of an attempt is a conditional UPDATE (``... WHERE state =
'in_progress'``): the database decides which of two racing requests wins, and the
winner holds the row lock (SQLite: the write lock) until it commits, so the loser sees
the finished attempt instead of grading it twice.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import takewhile

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from academy.assessments.definitions import CourseQuizzes, course_quizzes
from academy.assessments.enums import AttemptState, QuizKind, ShowAnswers
from academy.assessments.models import (
    AttemptAnswer,
    Question,
    QuestionText,
    Quiz,
    QuizAttempt,
)
from academy.assessments.package import QuizSpec
from academy.assessments.questions import QUESTION_TYPES
from academy.core import signals
from academy.core.models import utcnow
from academy.courses import freshness
from academy.courses.models import Course, Enrollment, Module
from academy.courses.package import CoursePackage
from academy.extensions import db

#: Answers posted this long after the deadline still count: the request was on its way.
GRACE_SECONDS = 15


class AttemptRefused(Exception):
    """Starting an attempt is not allowed now; ``str(exc)`` is a translated reason."""


# --- import -----------------------------------------------------------------------------


def sync_quizzes(course: Course, pkg: CoursePackage, **_kw) -> None:
    """On ``course-imported``: create or update the package's quizzes and questions, matched by key.

    Quizzes and questions no longer in the package are retired, never deleted, so every
    attempt keeps its questions and answers.
    """
    specs: list[QuizSpec] = pkg.extra.get("quizzes", [])
    existing = {
        q.key: q for q in db.session.scalars(select(Quiz).where(Quiz.course_id == course.id))
    }
    modules = {
        m.key: m for m in db.session.scalars(select(Module).where(Module.course_id == course.id))
    }
    seen = set()
    for spec in specs:
        quiz = existing.get(spec.key)
        if quiz is None:
            quiz = Quiz(course_id=course.id, key=spec.key)
            db.session.add(quiz)
        seen.add(spec.key)
        quiz.module_id = modules[spec.module_key].id if spec.module_key else None
        quiz.kind = QuizKind.MODULE if spec.module_key else QuizKind.FINAL_EXAM
        s = spec.settings
        quiz.pass_mark = s["pass_mark"]
        quiz.max_attempts = s["max_attempts"]
        quiz.time_limit_minutes = s["time_limit_minutes"]
        quiz.shuffle_questions = s["shuffle_questions"]
        quiz.shuffle_options = s["shuffle_options"]
        quiz.draw_count = s["draw"]
        quiz.show_answers = ShowAnswers(s["show_answers"])
        quiz.wait_minutes = s["wait_minutes"]
        quiz.questions_per_page = s["questions_per_page"]
        quiz.is_retired = False
        db.session.flush()
        questions = {q.key: q for q in quiz.questions}
        for pos, qspec in enumerate(spec.questions, start=1):
            question = questions.pop(qspec.key, None)
            if question is None:
                question = Question(key=qspec.key, position=pos, type=qspec.type)
                quiz.questions.append(question)
            question.type = qspec.type
            question.position = pos
            question.is_retired = False
            db.session.flush()
            texts = {t.language: t for t in question.texts}
            default_lang = course.default_language
            default = qspec.texts.get(default_lang)
            previous_default = texts.get(default_lang)
            for lang, definition in qspec.texts.items():
                translated_from = None
                if lang != default_lang and default is not None:
                    translated_from = freshness.translated_from(
                        declared=None, source_sha256=freshness.spec_hash(default),
                        previous_source_sha256=freshness.spec_hash(previous_default.spec) if previous_default
                        else None,
                        changed=lang not in texts or texts[lang].spec != definition,
                        recorded=texts[lang].translated_from if lang in texts else None)
                if lang in texts:
                    if texts[lang].spec != definition:
                        texts[lang].spec = definition
                    texts[lang].translated_from = translated_from
                else:
                    question.texts.append(QuestionText(language=lang, spec=definition,
                                                       translated_from=translated_from))
        for leftover in questions.values():
            leftover.is_retired = True
    for key, quiz in existing.items():
        if key not in seen:
            quiz.is_retired = True
    db.session.flush()


# --- starting ---------------------------------------------------------------------------


@dataclass
class Availability:
    """Whether a learner may start (or resume) an attempt, and if not, why."""

    can_start: bool
    reason: str | None
    open_attempt: QuizAttempt | None
    attempts_used: int
    attempts_left: int | None
    next_start_at: datetime | None = None


def _module_is_locked(quiz: Quiz, enrollment: Enrollment, course: Course | None = None) -> str | None:
    """The reason the quiz's module (or, for the final exam, the course) is not open yet.

    Progress is read only for the modules that decide it: every module for the final exam,
    the earlier ones under sequential release, none for the first module's quiz."""
    from academy.courses.queries import module_completion
    from academy.courses.structure import structure

    course = course if course is not None else quiz.course
    modules = structure(course).modules
    language, fallback = enrollment.language, course.default_language
    if quiz.is_final_exam:
        complete = module_completion(enrollment, modules, course=course)
        unfinished = [m for m in modules if not complete.get(m.id)]
        if unfinished:
            return _(
                "The final exam opens when you have completed every module. "
                "Still to complete: %(titles)s.",
                titles=", ".join(m.title(language, fallback) for m in unfinished),
            )
        return None
    if not course.has_sequential_release:
        return None
    # Sequential release: every earlier module must be complete (as on the course home).
    earlier = list(takewhile(lambda m: m.id != quiz.module_id, modules))
    complete = module_completion(enrollment, earlier, course=course) if earlier else {}
    for module in earlier:
        if not complete.get(module.id):
            return _("This quiz opens when you complete “%(title)s”.",
                     title=module.title(language, fallback))
    return None


def availability(quiz: Quiz, enrollment: Enrollment, now: datetime | None = None, *,
                 attempts: list[QuizAttempt] | None = None, pool: int | None = None,
                 course: Course | None = None) -> Availability:
    """Whether the learner may start (or resume) ``quiz`` now, and why not.

    ``attempts`` (the enrolment's attempts at this quiz, any order), ``pool`` (how many
    active questions it has) and ``course`` (the quiz's course) save their queries when the
    caller has them already."""
    now = now or utcnow()
    if attempts is None:
        attempts = list(
            db.session.scalars(
                select(QuizAttempt)
                .where(QuizAttempt.quiz_id == quiz.id, QuizAttempt.enrollment_id == enrollment.id)
            )
        )
    attempts = sorted(attempts, key=lambda a: a.number)
    used = len(attempts)
    left = None if quiz.max_attempts is None else max(0, quiz.max_attempts - used)
    open_attempt = next((a for a in attempts if a.is_open), None)
    if open_attempt is not None:
        return Availability(True, None, open_attempt, used, left)
    if quiz.is_retired or not (len(quiz.active_questions) if pool is None else pool):
        return Availability(False, _("This quiz is not available."), None, used, left)
    locked = _module_is_locked(quiz, enrollment, course)
    if locked:
        return Availability(False, locked, None, used, left)
    if left == 0:
        return Availability(
            False,
            _(
                "You have used all %(count)s attempts allowed for this quiz.",
                count=quiz.max_attempts,
            ),
            None,
            used,
            left,
        )
    if quiz.wait_minutes and attempts:
        last_end = max(a.ended_at or a.started_at for a in attempts)
        next_at = last_end + timedelta(minutes=quiz.wait_minutes)
        if next_at > now:
            return Availability(
                False,
                _(
                    "You can start your next attempt at %(time)s.",
                    time=format_datetime(next_at, "short"),
                ),
                None,
                used,
                left,
                next_at,
            )
    return Availability(True, None, None, used, left)


def draw_questions(quiz: Quiz, specs: dict[int, dict], rng: random.Random) -> list:
    """The questions of one attempt: the quiz's draw from its pool, at least half of them
    tagged ``skill: apply`` when the pool has that many, so no attempt is mostly recall
    (issue 19: application-first quizzes hold for every attempt, not only for the pool)."""
    questions = quiz.active_questions
    if quiz.draw_count and quiz.draw_count < len(questions):
        applied = [q for q in questions if specs.get(q.id, {}).get("skill") == "apply"]
        drawn = rng.sample(applied, min(len(applied), -(-quiz.draw_count // 2)))
        rest = [q for q in questions if q not in drawn]
        drawn += rng.sample(rest, quiz.draw_count - len(drawn))
        if not quiz.shuffle_questions:
            drawn.sort(key=lambda q: q.position)
        return drawn
    if quiz.shuffle_questions:
        questions = list(questions)
        rng.shuffle(questions)
    return questions


def _layout(quiz: Quiz, language: str, rng: random.Random) -> list[dict]:
    from academy.assessments.queries import specs_for

    specs = specs_for([q.id for q in quiz.active_questions], language, quiz.course.default_language)
    questions = draw_questions(quiz, specs, rng)
    return [
        {"q": q.id, "o": QUESTION_TYPES[q.type].layout(specs[q.id], rng, quiz.shuffle_options)}
        for q in questions
    ]


def start_attempt(
    quiz: Quiz, enrollment: Enrollment, rng: random.Random | None = None
) -> QuizAttempt:
    """Resume the learner's open attempt, or start a new one; raises AttemptRefused with the reason.

    Two starts at once (double click, two tabs) insert the same attempt number; the
    unique constraint lets one win and the other resumes it.
    """
    expire_overdue(quiz.id, enrollment.id)
    avail = availability(quiz, enrollment)
    if avail.open_attempt is not None:
        return avail.open_attempt
    if not avail.can_start:
        raise AttemptRefused(avail.reason)
    now = utcnow()
    attempt = QuizAttempt(
        quiz_id=quiz.id,
        enrollment_id=enrollment.id,
        user_id=enrollment.user_id,
        number=avail.attempts_used + 1,
        language=enrollment.language,
        state=AttemptState.IN_PROGRESS,
        started_at=now,
        deadline_at=now + timedelta(minutes=quiz.time_limit_minutes)
        if quiz.time_limit_minutes
        else None,
        layout=_layout(quiz, enrollment.language, rng or random.SystemRandom()),
    )
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        other = db.session.scalar(
            select(QuizAttempt).where(
                QuizAttempt.quiz_id == quiz.id,
                QuizAttempt.enrollment_id == enrollment.id,
                QuizAttempt.state == AttemptState.IN_PROGRESS,
            )
        )
        if other is None:
            raise AttemptRefused(
                _("Another attempt was started at the same moment. Please try again.")
            ) from None
        return other
    return attempt


# --- answering --------------------------------------------------------------------------


def _cutoff(now: datetime) -> datetime:
    return now - timedelta(seconds=GRACE_SECONDS)


def lock_open_attempt(attempt: QuizAttempt, now: datetime | None = None) -> bool:
    """Take the attempt's row lock if it is still open and in time. False if not.

    A no-op-looking conditional UPDATE: on PostgreSQL it locks the row until commit, on
    SQLite it takes the database write lock; either way a concurrent submit waits.
    """
    now = now or utcnow()
    result = db.session.execute(
        update(QuizAttempt)
        .where(
            QuizAttempt.id == attempt.id,
            QuizAttempt.state == AttemptState.IN_PROGRESS,
            (QuizAttempt.deadline_at.is_(None)) | (QuizAttempt.deadline_at >= _cutoff(now)),
        )
        .values(last_saved_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def save_answers(
    attempt: QuizAttempt, responses: dict[int, object], now: datetime | None = None
) -> bool:
    """Store the learner's responses ({question_id: response}) on an open attempt.

    Returns False, saving nothing, when the attempt is no longer open (submitted in
    another tab, or time is up).
    """
    now = now or utcnow()
    if not lock_open_attempt(attempt, now):
        db.session.refresh(attempt)
        return False
    allowed = set(attempt.question_ids)
    existing = {
        a.question_id: a
        for a in db.session.scalars(
            select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id)
        )
    }
    for qid, response in responses.items():
        if qid not in allowed:
            continue
        row = existing.get(qid)
        if row is None:
            db.session.add(
                AttemptAnswer(
                    attempt_id=attempt.id, question_id=qid, response=response, saved_at=now
                )
            )
        else:
            row.response = response
            row.saved_at = now
    db.session.flush()
    db.session.refresh(attempt)
    return True


# --- finishing --------------------------------------------------------------------------


def submit_attempt(attempt: QuizAttempt, now: datetime | None = None) -> bool:
    """in_progress → submitted → graded, once. True if this call graded the attempt.

    A second submit (double click, another tab, a stale form) changes nothing. A submit
    after the time limit expires the attempt instead and grades what was saved.
    """
    now = now or utcnow()
    result = db.session.execute(
        update(QuizAttempt)
        .where(
            QuizAttempt.id == attempt.id,
            QuizAttempt.state == AttemptState.IN_PROGRESS,
            (QuizAttempt.deadline_at.is_(None)) | (QuizAttempt.deadline_at >= _cutoff(now)),
        )
        .values(state=AttemptState.SUBMITTED, submitted_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:
        grade_attempt(attempt, now)
        return True
    db.session.refresh(attempt)
    if attempt.is_open:
        return expire_attempt(attempt, now)
    return False


def expire_attempt(attempt: QuizAttempt, now: datetime | None = None) -> bool:
    """in_progress → expired → graded once the time limit (plus grace) has passed.

    True if this call did it."""
    now = now or utcnow()
    result = db.session.execute(
        update(QuizAttempt)
        .where(
            QuizAttempt.id == attempt.id,
            QuizAttempt.state == AttemptState.IN_PROGRESS,
            QuizAttempt.deadline_at.is_not(None),
            QuizAttempt.deadline_at < _cutoff(now),
        )
        .values(state=AttemptState.EXPIRED, expired_at=QuizAttempt.deadline_at)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:
        grade_attempt(attempt, now)
        return True
    db.session.refresh(attempt)
    return False


def has_overdue(attempts: list[QuizAttempt], now: datetime | None = None) -> bool:
    """Whether any of these loaded attempts is one ``expire_overdue`` would expire."""
    cutoff = _cutoff(now or utcnow())
    return any(a.state == AttemptState.IN_PROGRESS and a.deadline_at is not None and a.deadline_at < cutoff
               for a in attempts)


def expire_overdue(quiz_id: int | None = None, enrollment_id: int | None = None) -> int:
    """Expire and grade every open attempt whose time is up (a learner who never came back)."""
    now = utcnow()
    query = select(QuizAttempt).where(
        QuizAttempt.state == AttemptState.IN_PROGRESS,
        QuizAttempt.deadline_at.is_not(None),
        QuizAttempt.deadline_at < _cutoff(now),
    )
    if quiz_id is not None:
        query = query.where(QuizAttempt.quiz_id == quiz_id)
    if enrollment_id is not None:
        query = query.where(QuizAttempt.enrollment_id == enrollment_id)
    return sum(1 for attempt in db.session.scalars(query).all() if expire_attempt(attempt, now))


def grade_attempt(attempt: QuizAttempt, now: datetime | None = None) -> None:
    """Grade a submitted or expired attempt on its saved answers, then refresh course progress.

    Called only by the request that won the state change, while it holds the row lock.
    Unanswered questions get an answer row with no response and a score of 0, so
    statistics count them.
    """
    from academy.courses.services import refresh_progress

    now = now or utcnow()
    db.session.refresh(attempt)
    quiz = attempt.quiz
    from academy.assessments.queries import specs_for

    types = dict(
        db.session.execute(
            select(Question.id, Question.type).where(Question.id.in_(attempt.question_ids))
        ).all()
    )
    specs = specs_for(attempt.question_ids, attempt.language, quiz.course.default_language)
    answers = {
        a.question_id: a
        for a in db.session.scalars(
            select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id)
        )
    }
    total = 0.0
    for item in attempt.layout:
        qid = item["q"]
        row = answers.get(qid)
        if row is None:
            row = AttemptAnswer(attempt_id=attempt.id, question_id=qid, response=None)
            db.session.add(row)
        qtype = QUESTION_TYPES[types[qid]]
        score = qtype.grade(specs[qid], row.response) if row.response is not None else 0.0
        row.score = round(score, 4)
        row.is_correct = score >= 1.0
        total += score
    count = len(attempt.layout)
    percent = round(100 * total / count, 2) if count else 0.0
    db.session.flush()
    db.session.execute(
        update(QuizAttempt)
        .where(
            QuizAttempt.id == attempt.id,
            QuizAttempt.state.in_([AttemptState.SUBMITTED, AttemptState.EXPIRED]),
        )
        .values(
            state=AttemptState.GRADED,
            score=percent,
            is_passed=percent >= quiz.pass_mark,
            graded_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(attempt)
    signals.quiz_graded.send(attempt)
    enrollment = db.session.get(Enrollment, attempt.enrollment_id)
    enrollment.last_activity_at = now
    refresh_progress(enrollment)
    if quiz.is_final_exam and enrollment.completed_at is not None:
        # A better final exam after completion (when attempts remain) raises the final score.
        record_final_score(enrollment)
    if quiz.is_final_exam and attempt.is_passed and enrollment.completed_at is not None:
        from academy.core.signals import final_assessment_passed

        final_assessment_passed.send(enrollment, enrollment=enrollment)


# --- completion rules (registered with the courses package) ---------------------------


def _passed_quiz_ids(enrollment_id: int, quiz_ids: list[int]) -> set[int]:
    if not quiz_ids:
        return set()
    return set(
        db.session.scalars(
            select(QuizAttempt.quiz_id)
            .where(
                QuizAttempt.enrollment_id == enrollment_id,
                QuizAttempt.quiz_id.in_(quiz_ids),
                QuizAttempt.state == AttemptState.GRADED,
                QuizAttempt.is_passed.is_(True),
            )
            .distinct()
        )
    )


def _quizzes_of(enrollment: Enrollment, course=None) -> CourseQuizzes:
    if course is None or course.id != enrollment.course_id:
        course = db.session.get(Course, enrollment.course_id)
    return course_quizzes(course)


def module_quizzes_passed(enrollment: Enrollment, module_ids: list[int], course=None, **_kw) -> dict[int, bool]:
    """On ``module-requirements``: a module with a quiz is complete only once its quiz is passed."""
    wanted = set(module_ids)
    # Which quizzes the course has comes from the shared cache; whether this learner
    # passed them is read below, per request.
    quizzes = {
        module_id: quiz_id
        for module_id, quiz_id in _quizzes_of(enrollment, course).module_quizzes
        if module_id in wanted
    }
    passed = _passed_quiz_ids(enrollment.id, list(quizzes.values()))
    return {module_id: quiz_id in passed for module_id, quiz_id in quizzes.items()}


def _final_exam_id(enrollment: Enrollment) -> int | None:
    return _quizzes_of(enrollment).final_exam_id


def final_exam_passed(enrollment: Enrollment, **_kw) -> bool:
    """On ``course-requirements``: a course with a final exam is complete only once it is passed."""
    exam_id = _final_exam_id(enrollment)
    return exam_id is None or exam_id in _passed_quiz_ids(enrollment.id, [exam_id])


def record_final_score(enrollment: Enrollment, **_kw) -> None:
    """On ``before-course-completion``: the enrolment's final score is the best final exam score."""
    exam_id = _final_exam_id(enrollment)
    if exam_id is None:
        return
    best = db.session.scalar(
        select(func.max(QuizAttempt.score)).where(
            QuizAttempt.enrollment_id == enrollment.id,
            QuizAttempt.quiz_id == exam_id,
            QuizAttempt.state == AttemptState.GRADED,
        )
    )
    if best is not None:
        enrollment.final_score = float(best)
