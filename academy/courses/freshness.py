"""Translation freshness: which translated lessons and quiz questions lag behind their source.

Every translated lesson text and question text records ``translated_from``: the hash of
the default-language version it was made from (the lesson file's sha256; for a question,
``spec_hash`` of its default-language definition). When the source is edited its hash
changes, and every translation still pointing at the old hash is out of date until a
translator updates it.

The importer decides ``translated_from`` for each translation (``translated_from()``):
a translator can state it in the lesson's front matter (``translated_from: <sha256 or a
prefix of it>``); otherwise a translation that is new or was edited in this import is
taken to follow the current source, and one left unchanged keeps what it had.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select

from academy.courses.models import Course, Lesson, LessonText, Module
from academy.extensions import db


def spec_hash(spec: dict) -> str:
    """A stable hash of a question definition (key order does not matter)."""
    return hashlib.sha256(json.dumps(spec, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def translated_from(*, declared: str | None, source_sha256: str, previous_source_sha256: str | None, changed: bool,
                    recorded: str | None) -> str | None:
    """The source hash a translation is recorded as made from, after this import.

    ``declared``: what the translator wrote (a prefix of the current source's hash means
    the current source); ``changed``: the translation is new or its text changed now;
    ``recorded``: what the database held; ``previous_source_sha256``: the source's hash
    before this import (for translations imported before anything was recorded).
    """
    if declared:
        return source_sha256 if source_sha256.startswith(declared) else declared
    if changed:
        return source_sha256
    return recorded or previous_source_sha256 or source_sha256


@dataclass(frozen=True)
class StaleItem:
    kind: str  # "lesson" or "question"
    key: str  # lesson key, or "quiz key/question key"
    title: str  # in the default language


def stale_translations(course: Course) -> dict[str, list[StaleItem]]:
    """Per language, the lessons and quiz questions whose translation was made from a source
    version that has since changed (languages with nothing stale are left out)."""
    from academy.assessments.models import Question, QuestionText, Quiz  # a course has quizzes; not the reverse

    default = course.default_language
    out: dict[str, list[StaleItem]] = {}
    rows = db.session.execute(
        select(Lesson.key, LessonText.language, LessonText.title, LessonText.source_sha256,
               LessonText.translated_from, Module.position, Lesson.position)
        .join(Lesson, Lesson.id == LessonText.lesson_id).join(Module, Module.id == Lesson.module_id)
        .where(Module.course_id == course.id, Lesson.is_retired.is_(False), Module.is_retired.is_(False))
        .order_by(Module.position, Lesson.position)
    ).all()
    sources = {r.key: r for r in rows if r.language == default}
    for r in rows:
        src = sources.get(r.key)
        if r.language != default and src is not None and r.translated_from \
                and r.translated_from != src.source_sha256:
            out.setdefault(r.language, []).append(StaleItem("lesson", r.key, src.title))
    questions = db.session.execute(
        select(Quiz.key, Question.key, Question.id, QuestionText.language, QuestionText.spec,
               QuestionText.translated_from)
        .join(Question, Question.id == QuestionText.question_id).join(Quiz, Quiz.id == Question.quiz_id)
        .where(Quiz.course_id == course.id, Question.is_retired.is_(False), Quiz.is_retired.is_(False))
        .order_by(Quiz.key, Question.position)
    ).all()
    source_specs = {q[2]: q[4] for q in questions if q[3] == default}
    for quiz_key, question_key, question_id, language, _spec, made_from in questions:
        src = source_specs.get(question_id)
        if language != default and src is not None and made_from and made_from != spec_hash(src):
            out.setdefault(language, []).append(
                StaleItem("question", f"{quiz_key}/{question_key}", str(src.get("prompt", ""))[:120]))
    return dict(sorted(out.items()))
