"""Demo quiz attempts for the seeded pilot learners, so completion and statistics have data.

Each learner attempts the quiz of every module whose lessons they finished, in order:
some fail first and retake, as real learners do. Those who finish every module sit the
final exam. Attempt times are set in the past, after the learner's last lesson.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import update

from academy.assessments import queries
from academy.assessments.exercises import answer_exercise, answers_of, module_exercises
from academy.assessments.models import QuizAttempt
from academy.assessments.questions import QUESTION_TYPES
from academy.assessments.services import AttemptRefused, save_answers, start_attempt, submit_attempt
from academy.core.models import frozen_clock
from academy.courses.models import Enrollment
from academy.courses.queries import active_modules, completed_lesson_ids
from academy.courses.services import check_completion_date
from academy.extensions import db


def _attempt(quiz, enrollment: Enrollment, rng: random.Random, skill: float, when: datetime) -> QuizAttempt:
    # On a clock frozen at the attempt's own time, so a completion it causes (and the course
    # certificate issued for it) is dated then, not when the demo was seeded.
    with frozen_clock(when):
        attempt = start_attempt(quiz, enrollment, rng=rng)
        db.session.flush()
        questions = queries.questions_for(attempt)
        specs = queries.specs_for(attempt.question_ids, attempt.language, quiz.course.default_language)
        responses = {}
        for qid in attempt.question_ids:
            if rng.random() < skill:
                responses[qid] = QUESTION_TYPES[questions[qid].type].right_response(specs[qid])
        save_answers(attempt, responses)
    took = timedelta(minutes=rng.randint(4, 25))
    with frozen_clock(when + took):
        submit_attempt(attempt)
    deadline = when + timedelta(minutes=quiz.time_limit_minutes) if quiz.time_limit_minutes else None
    db.session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id)
        .values(started_at=when, deadline_at=deadline, last_saved_at=when + took, submitted_at=when + took,
                graded_at=when + took)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(attempt)
    return attempt


def _until_passed(quiz, enrollment, rng, when: datetime) -> tuple[QuizAttempt | None, datetime]:
    """Up to three attempts; returns the passing attempt (or None) and when the learner goes on."""
    skill = rng.uniform(0.55, 0.97)
    for _try in range(3):
        try:
            attempt = _attempt(quiz, enrollment, rng, skill, when)
        except AttemptRefused:
            return None, when
        when = attempt.submitted_at + timedelta(hours=rng.randint(1, 72))
        if attempt.is_passed:
            return attempt, when
        skill = min(0.99, skill + 0.15)  # they went back to the lessons
    return None, when


# What a demo learner types into an open exercise: something that fits the task, not one text for all.
OPEN_ANSWERS = {
    "ex-query-laser-pet": "(laser* OR light*) AND (cat* OR pet*) AND (exercis* OR toy*): 57",
    "ex-patentscope-national-phase": "Earliest priority read under (30); the National Phase tab lists two offices, "
                                     "both confirmed in their registers.",
}


def _answer_exercises(items, enrollment: Enrollment, rng: random.Random, when: datetime) -> datetime:
    """The module's hands-on exercises, most answered right (idempotent: one answer each)."""
    answered = answers_of(enrollment.id)
    for exercise in items:
        when += timedelta(minutes=exercise.minutes + rng.randint(0, 20))
        if exercise.id in answered:
            continue
        spec = exercise.spec(enrollment.language, enrollment.course.default_language)
        if exercise.is_graded:
            qtype = QUESTION_TYPES[exercise.type]
            response = qtype.right_response(spec) if rng.random() < 0.8 else None
            response = response if response is not None else "?"
        else:
            response = OPEN_ANSWERS.get(exercise.key, "Done in the database; the numbers are in my search log.")
        answer = answer_exercise(exercise, enrollment, response, enrollment.language)
        answer.answered_at = when
    return when


def take_demo_quizzes(enrollment: Enrollment, rng: random.Random) -> None:
    """Attempt the quizzes this learner's finished lessons lead to; may complete the course."""
    when = (enrollment.last_activity_at or enrollment.enrolled_at) + timedelta(hours=1)
    quizzes = {q.module_id: q for q in queries.course_quizzes(enrollment.course_id) if not q.is_final_exam}
    final = next((q for q in queries.course_quizzes(enrollment.course_id) if q.is_final_exam), None)
    done = completed_lesson_ids(enrollment.id)
    exercises = module_exercises(enrollment.course_id)
    last = when
    for module in active_modules(enrollment.course_id):
        if not all(les.id in done for les in module.lessons if not les.is_retired):
            return
        when = _answer_exercises(exercises.get(module.id, []), enrollment, rng, when)
        quiz = quizzes.get(module.id)
        if quiz is not None:
            passed, when = _until_passed(quiz, enrollment, rng, when)
            if passed is None:
                return
            last = passed.submitted_at
    if final is not None:
        passed, when = _until_passed(final, enrollment, rng, when)
        if passed is None:
            return
        last = passed.submitted_at
    db.session.refresh(enrollment)
    enrollment.last_activity_at = last
    if enrollment.completed_at is not None:
        # Completion happened "now" in this script; the story says it happened then.
        check_completion_date(enrollment, last)
        enrollment.completed_at = last
