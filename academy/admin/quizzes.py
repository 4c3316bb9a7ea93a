"""Quizzes in the admin console: previewed as a learner sees them, what a package upload
changes in their questions, and a learner's attempts on the user page."""

from __future__ import annotations

import random

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from academy.assessments import queries as quiz_queries
from academy.assessments.models import Question, Quiz
from academy.assessments.questions import QUESTION_TYPES
from academy.core.i18n import text_direction
from academy.courses.models import Course
from academy.courses.package import CoursePackage
from academy.extensions import db


def quiz_title(quiz: Quiz, language: str) -> str:
    if quiz.is_final_exam:
        return _("Final exam")
    return _("Quiz: %(module)s", module=quiz.module.title(language, quiz.course.default_language))


def course_quizzes(course: Course) -> tuple[dict[int, Quiz], Quiz | None]:
    """The course's active quizzes: {module id: quiz} and the final exam."""
    by_module: dict[int, Quiz] = {}
    final = None
    for quiz in quiz_queries.course_quizzes(course.id):
        if quiz.module_id is None:
            final = quiz
        else:
            by_module[quiz.module_id] = quiz
    return by_module, final


def preview_questions(quiz: Quiz, language: str, *, reveal: bool) -> list:
    """Every active question rendered as in an attempt (options in authored order);
    with ``reveal``, as on review with the correct answers and explanations."""
    fallback = quiz.course.default_language
    rendered = []
    for number, question in enumerate(quiz.active_questions, start=1):
        qtype = QUESTION_TYPES[question.type]
        spec = question.spec(language, fallback)
        rendered.append(qtype.render(
            number=number, question=question, spec=spec,
            order=qtype.layout(spec, random.Random(0), False),  # noqa: S311 - not shuffled
            response=None, answer=None, name=f"q{question.id}", mode="review" if reveal else "answer",
            reveal=reveal, language=language, direction=text_direction(language),
        ))
    return rendered


def question_changes(pkg: CoursePackage, course: Course | None, changes, **_kw) -> None:
    """On ``upload-preview``: new, changed and retired quiz questions."""
    specs = pkg.extra.get("quizzes")
    if specs is None:
        return
    existing: dict[tuple[str, str], tuple[Quiz, Question]] = {}
    if course is not None:
        quizzes = db.session.scalars(
            select(Quiz).where(Quiz.course_id == course.id)
            .options(selectinload(Quiz.questions).selectinload(Question.texts)))
        existing = {(quiz.key, q.key): (quiz, q) for quiz in quizzes for q in quiz.questions}
    new, changed, removed = [], [], []
    seen = set()
    for quiz_spec in specs:
        for qspec in quiz_spec.questions:
            where = f"{quiz_spec.key}/{qspec.key}"
            seen.add((quiz_spec.key, qspec.key))
            found = existing.get((quiz_spec.key, qspec.key))
            if found is None or found[0].is_retired or found[1].is_retired:
                new.append(where)
                continue
            question = found[1]
            stored = {t.language: t.spec for t in question.texts}
            langs = [lang for lang, text in qspec.texts.items() if stored.get(lang) != text]
            details = []
            if question.type != qspec.type:
                details.append(f"type {question.type} → {qspec.type}")
            if langs:
                details.append("text: " + ", ".join(langs))
            if details:
                changed.append(f"{where} ({'; '.join(details)})")
    for (quiz_key, q_key), (quiz, question) in sorted(existing.items()):
        if (quiz_key, q_key) not in seen and not quiz.is_retired and not question.is_retired:
            removed.append(f"{quiz_key}/{q_key}")
    changes.extra_sections[_("New quiz questions (%(n)s)", n=len(new))] = new
    changes.extra_sections[_("Changed quiz questions (%(n)s)", n=len(changed))] = changed
    changes.extra_sections[_("Quiz questions to retire (%(n)s)", n=len(removed))] = removed


def attempts_section(user, **_kw):
    """User page section: the learner's quiz attempts, newest first."""
    rows = quiz_queries.user_attempts(user.id)
    items = [{"attempt": a, "quiz_title": quiz_title(q, a.language), "course": c} for a, q, c in rows]
    return (_("Quiz attempts"), "admin/_attempts.html",
            {"rows": items, "all_url": url_for("assessments.user_attempts", user_id=user.id)})

