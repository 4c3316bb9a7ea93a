"""Reads for quizzes and attempts, shaped for the pages that show them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.orm import lazyload, selectinload

from academy.assessments.enums import AttemptState, ShowAnswers
from academy.assessments.models import AttemptAnswer, Question, QuestionText, Quiz, QuizAttempt
from academy.courses.models import Course, CourseVersion
from academy.extensions import db


def course_quizzes(course_id: int) -> list[Quiz]:
    return list(
        db.session.scalars(
            select(Quiz)
            .where(Quiz.course_id == course_id, ~Quiz.is_retired)
            .options(selectinload(Quiz.questions))
            .order_by(Quiz.module_id.is_(None), Quiz.id)
        )
    )


def quiz_by_key(course_id: int, key: str) -> Quiz | None:
    return db.session.scalar(
        select(Quiz).where(Quiz.course_id == course_id, Quiz.key == key, ~Quiz.is_retired)
    )


def attempts_at(enrollment_id: int, quiz_id: int) -> list[QuizAttempt]:
    """The enrolment's attempts at the quiz, latest first."""
    return list(db.session.scalars(
        select(QuizAttempt).where(QuizAttempt.enrollment_id == enrollment_id, QuizAttempt.quiz_id == quiz_id)
        .order_by(QuizAttempt.number.desc())
    ))


def active_question_count(quiz_id: int) -> int:
    """How many active questions the quiz has (its pool), without loading them."""
    return db.session.scalar(
        select(func.count()).select_from(Question).where(Question.quiz_id == quiz_id, ~Question.is_retired)
    ) or 0


@dataclass
class QuizResult:
    """A learner's standing on one quiz: best graded score counts."""

    attempts: int = 0
    best_score: float | None = None
    is_passed: bool = False
    open_attempt_id: int | None = None


def _add(r: QuizResult, a: QuizAttempt) -> None:
    r.attempts += 1
    if a.is_open:
        r.open_attempt_id = a.id
    if a.is_graded:
        r.best_score = a.score if r.best_score is None else max(r.best_score, a.score)
        r.is_passed = r.is_passed or bool(a.is_passed)


def results_by_quiz(enrollment_id: int) -> dict[int, QuizResult]:
    results: dict[int, QuizResult] = {}
    for a in db.session.scalars(
        select(QuizAttempt).where(QuizAttempt.enrollment_id == enrollment_id)
    ):
        _add(results.setdefault(a.quiz_id, QuizResult()), a)
    return results


def summarise(attempts: list[QuizAttempt]) -> QuizResult:
    """The standing on one quiz from its attempts already loaded (see results_by_quiz)."""
    result = QuizResult()
    for a in attempts:
        _add(result, a)
    return result


def may_see_answers(attempt: QuizAttempt, viewer, result: QuizResult | None = None) -> bool:
    """Whether ``viewer`` may see the right answers and feedback of a graded attempt."""
    from academy.core.enums import Role

    if not attempt.is_graded:
        return False
    if viewer is not None and viewer.id != attempt.user_id and viewer.has_role(Role.ADMIN):
        return True
    quiz = attempt.quiz
    result = result or results_by_quiz(attempt.enrollment_id).get(quiz.id, QuizResult())
    policy = quiz.show_answers
    if policy == ShowAnswers.AFTER_EACH_ATTEMPT:
        return True
    if policy == ShowAnswers.ONCE_PASSED:
        return result.is_passed
    if policy == ShowAnswers.AFTER_LAST_ATTEMPT:
        return (
            quiz.max_attempts is not None
            and result.attempts >= quiz.max_attempts
            and result.open_attempt_id is None
        )
    return False


def answers_for(attempt_id: int) -> dict[int, AttemptAnswer]:
    return {
        a.question_id: a
        for a in db.session.scalars(
            select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id)
        )
    }


def questions_for(attempt: QuizAttempt) -> dict[int, Question]:
    """The attempt's questions, without their texts: the pages read the one language they
    need through ``specs_for`` (the relationship's default would load every language)."""
    return {
        q.id: q
        for q in db.session.scalars(
            select(Question).where(Question.id.in_(attempt.question_ids)).options(lazyload(Question.texts))
        )
    }


def recent_attempts(quiz_id: int, language: str | None, limit: int = 50) -> list[QuizAttempt]:
    """The latest graded attempts of a quiz with their learners (for admins)."""
    query = (
        select(QuizAttempt)
        .where(QuizAttempt.quiz_id == quiz_id, QuizAttempt.state == AttemptState.GRADED)
        .options(selectinload(QuizAttempt.user))
        .order_by(QuizAttempt.graded_at.desc())
        .limit(limit)
    )
    if language:
        query = query.where(QuizAttempt.language == language)
    return list(db.session.scalars(query))


def specs_for(question_ids: list[int], language: str, fallback: str) -> dict[int, dict]:
    """{question_id: definition} in ``language`` (else the course's default), one query."""
    query = select(QuestionText.question_id, QuestionText.language, QuestionText.spec)
    rows = db.session.execute(
        query.where(
            QuestionText.question_id.in_(question_ids), QuestionText.language.in_({language, fallback})
        )
    ).all()
    found = {row[0] for row in rows}
    if len(found) < len(set(question_ids)):  # neither language: any text will do
        missing = set(question_ids) - found
        rows += db.session.execute(query.where(QuestionText.question_id.in_(missing))).all()
    specs: dict[int, dict] = {}
    rank: dict[int, int] = {}
    for qid, lang, spec in rows:
        r = 0 if lang == language else 1 if lang == fallback else 2
        if r < rank.get(qid, 3):
            specs[qid], rank[qid] = spec, r
    return specs


def user_attempts(user_id: int) -> list[tuple[QuizAttempt, Quiz, Course]]:
    rows = db.session.execute(
        select(QuizAttempt, Quiz, Course)
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .join(Course, Course.id == Quiz.course_id)
        .where(QuizAttempt.user_id == user_id)
        .order_by(QuizAttempt.started_at.desc())
    ).all()
    return [(a, q, c) for a, q, c in rows]


def course_titles(course_ids: list[int], language: str) -> dict[int, str]:
    titles: dict[int, str] = {}
    for v in db.session.scalars(
        select(CourseVersion).where(CourseVersion.course_id.in_(course_ids))
    ):
        if v.language == language or v.course_id not in titles:
            titles[v.course_id] = v.title
    return titles


def all_quizzes() -> list[Quiz]:
    return list(
        db.session.scalars(
            select(Quiz)
            .where(~Quiz.is_retired)
            .options(selectinload(Quiz.course), selectinload(Quiz.module))
            .order_by(Quiz.course_id, Quiz.module_id.is_(None), Quiz.id)
        )
    )


@dataclass
class QuestionStat:
    question: Question
    answered: int
    correct: int
    average: float | None  # mean score 0-100, partial credit included

    @property
    def share_correct(self) -> float | None:
        return 100 * self.correct / self.answered if self.answered else None


@dataclass
class QuizStats:
    attempts: int
    learners: int
    passed_attempts: int
    learners_passed: int
    average_score: float | None
    in_progress: int
    questions: list[QuestionStat]
    languages: list[str]

    @property
    def pass_rate(self) -> float | None:
        return 100 * self.passed_attempts / self.attempts if self.attempts else None


def quiz_stats(quiz: Quiz, language: str | None = None) -> QuizStats:
    """Graded attempts of ``quiz`` (in one language, or all) and each question's correctness."""
    graded = (QuizAttempt.quiz_id == quiz.id) & (QuizAttempt.state == AttemptState.GRADED)
    if language:
        graded = graded & (QuizAttempt.language == language)
    attempts, learners, passed, average = db.session.execute(
        select(
            func.count(QuizAttempt.id),
            func.count(func.distinct(QuizAttempt.enrollment_id)),
            func.coalesce(func.sum(cast(QuizAttempt.is_passed, Integer)), 0),
            func.avg(QuizAttempt.score),
        ).where(graded)
    ).one()
    learners_passed = db.session.scalar(
        select(func.count(func.distinct(QuizAttempt.enrollment_id))).where(
            graded, QuizAttempt.is_passed.is_(True)
        )
    )
    open_q = select(func.count(QuizAttempt.id)).where(
        QuizAttempt.quiz_id == quiz.id, QuizAttempt.state == AttemptState.IN_PROGRESS
    )
    if language:
        open_q = open_q.where(QuizAttempt.language == language)
    in_progress = db.session.scalar(open_q)
    per_question = {
        qid: (n, int(c or 0), avg)
        for qid, n, c, avg in db.session.execute(
            select(
                AttemptAnswer.question_id,
                func.count(AttemptAnswer.id),
                func.sum(cast(AttemptAnswer.is_correct, Integer)),
                func.avg(AttemptAnswer.score),
            )
            .join(QuizAttempt, QuizAttempt.id == AttemptAnswer.attempt_id)
            .where(graded)
            .group_by(AttemptAnswer.question_id)
        ).all()
    }
    questions = []
    for q in quiz.questions:
        n, c, avg = per_question.get(q.id, (0, 0, None))
        if q.is_retired and not n:
            continue
        questions.append(QuestionStat(q, n, c, None if avg is None else 100 * float(avg)))
    languages = sorted(
        db.session.scalars(
            select(QuizAttempt.language).where(QuizAttempt.quiz_id == quiz.id).distinct()
        )
    )
    return QuizStats(
        attempts=attempts,
        learners=learners,
        passed_attempts=int(passed or 0),
        learners_passed=learners_passed or 0,
        average_score=None if average is None else float(average),
        in_progress=in_progress or 0,
        questions=questions,
        languages=languages,
    )
