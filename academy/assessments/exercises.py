"""Hands-on exercises in course packages: loading, import, answers and module completion.

A module's exercises live in ``<lang>/<module>/exercises.yaml`` (see courses/packages/README.md).
Each is a task done in a real database in another tab (``url``), answered here with one of
the question types (graded automatically, so the answer must be exact and stable) or
``open`` (a query, a search log line: saved and compared with the worked answer in the
explanation). The explanation shows once the learner has answered.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from academy.assessments.exercise_models import Exercise, ExerciseAnswer, ExerciseText
from academy.assessments.questions import QUESTION_TYPES
from academy.core.audit import record
from academy.core.models import utcnow
from academy.courses.package import KEY_RE, CoursePackage, PackageError, line_of, parse_yaml, render_markdown
from academy.courses.structure import new_token
from academy.extensions import cache, db

OPEN = "open"
EXERCISE_FIELDS = {"key", "type", "objective", "minutes", "url", "database", "task", "prompt", "explanation",
                   "if_changed", "skill"}
TEXT_FIELDS = ("database", "task", "prompt", "explanation")
MAX_OPEN_ANSWER = 2000


@dataclass
class ExerciseSpec:
    key: str
    module_key: str
    type: str
    minutes: int
    url: str
    texts: dict[str, dict] = field(default_factory=dict)


def _validate(pkg: CoursePackage, ex: Any, rel: str, c, objectives: dict) -> dict | None:
    def report(node: Any, fld: str | None, message: str) -> None:
        where = line_of(node, fld) if fld else line_of(node) or line_of(ex)
        c.add(rel, where, f"exercise {ex.get('key', '?')!r}: {message}")

    if not isinstance(ex, dict) or not isinstance(ex.get("key"), str) or not KEY_RE.fullmatch(ex["key"]):
        c.add(rel, line_of(ex), "each exercise needs a key of lower-case letters, digits and dashes")
        return None
    before = len(c.problems)
    etype = ex.get("type")
    qtype = QUESTION_TYPES.get(etype) if etype != OPEN else None
    if etype != OPEN and qtype is None:
        report(ex, "type", f"unknown type {etype!r} (known: open, {', '.join(sorted(QUESTION_TYPES))})")
        return None
    for name in TEXT_FIELDS:
        if not isinstance(ex.get(name), str) or not ex[name].strip():
            report(ex, name if name in ex else None, f"needs {name} (text)")
    if not isinstance(ex.get("url"), str) or not ex["url"].startswith("https://"):
        report(ex, "url" if "url" in ex else None, "needs the url of the database (https://...)")
    minutes = ex.get("minutes", 10)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 1:
        report(ex, "minutes", "minutes must be a whole number of 1 or more")
    if ex.get("objective") not in objectives and (objectives or "objective" in ex):
        report(ex, "objective", f"objective {ex.get('objective')!r} is not an objective in course.yaml")
    allowed = EXERCISE_FIELDS | (qtype.fields if qtype else set())
    for unknown in sorted(set(ex) - allowed):
        report(ex, unknown, f"unknown field {unknown!r}")
    if qtype is not None:
        qtype.validate(ex, report)
    if len(c.problems) != before:
        return None
    spec = {k: v for k, v in (qtype.normalise(ex) if qtype else dict(ex)).items()}
    spec.setdefault("minutes", 10)
    return spec


def load_exercises(pkg: CoursePackage, problems, **_kw) -> None:
    """On ``course-package-loaded``: read and check every module's exercises in every language."""
    c = problems
    objectives = pkg.all_objectives()
    found: list[ExerciseSpec] = []
    for mod in pkg.modules:
        per_lang: dict[str, list[dict]] = {}
        for lang in pkg.languages:
            rel = f"{lang}/{mod.key}/exercises.yaml"
            path = pkg.root / rel
            if not path.is_file():
                continue
            try:
                data = parse_yaml(path.read_text(encoding="utf-8"), rel)
            except PackageError as exc:
                c.problems.extend(exc.problems)
                continue
            if not isinstance(data, dict) or not isinstance(data.get("exercises"), list) or not data["exercises"]:
                c.add(rel, line_of(data) or 1, "an exercises file needs a non-empty 'exercises:' list")
                continue
            specs = []
            for ex in data["exercises"]:
                spec = _validate(pkg, ex, rel, c, objectives)
                if spec is not None:
                    spec["_line"] = line_of(ex)
                    specs.append(spec)
            per_lang[lang] = specs
        if not per_lang:
            continue
        ref_lang = pkg.default_language
        reference = per_lang.get(ref_lang)
        if reference is None:
            c.add(f"{ref_lang}/{mod.key}/exercises.yaml", None, f"missing file: module {mod.key!r} has exercises in "
                  f"other languages but not in {ref_lang!r}")
            continue
        keys = [s["key"] for s in reference]
        for lang in pkg.languages:
            rel = f"{lang}/{mod.key}/exercises.yaml"
            specs = per_lang.get(lang)
            if specs is None:
                c.add(rel, None, f"missing file: the exercises of module {mod.key!r} have no {lang!r} version")
                continue
            if [s["key"] for s in specs] != keys:
                c.add(rel, None, f"the exercises must be the same, in the same order, as in {ref_lang}/{mod.key}/"
                      "exercises.yaml")
                continue
            for spec, ref in zip(specs, reference, strict=True):
                same = all(spec.get(k) == ref.get(k) for k in ("type", "objective", "minutes", "url"))
                qtype = QUESTION_TYPES.get(spec["type"])
                if not same or (qtype is not None and qtype.structure(spec) != qtype.structure(ref)):
                    c.add(rel, spec["_line"], f"exercise {spec['key']!r}: its type, objective, minutes, url or "
                          "answer differ from the default language; only texts may differ")
        for ref in reference:
            texts = {}
            for lang, specs in per_lang.items():
                spec = next(s for s in specs if s["key"] == ref["key"])
                spec = {k: v for k, v in spec.items() if k != "_line"}
                spec["task_html"] = render_markdown(spec["task"], f"/courses/{pkg.slug}/media/")
                texts[lang] = spec
            found.append(ExerciseSpec(ref["key"], mod.key, ref["type"], ref["minutes"], ref["url"], texts))
    seen: set[str] = set()
    for spec in found:
        if spec.key in seen:
            c.add("course.yaml", None, f"exercise key {spec.key!r} is used in two modules")
        seen.add(spec.key)
        for lang in pkg.languages:
            pkg.activity_minutes[lang] = pkg.activity_minutes.get(lang, 0) + spec.minutes
    pkg.extra["exercises"] = found


def sync_exercises(course, pkg: CoursePackage, **_kw) -> None:
    """On ``course-imported``: create or update the package's exercises, matched by key; those
    no longer in the package are retired (their answers stay)."""
    from academy.courses.models import Module

    specs: list[ExerciseSpec] = pkg.extra.get("exercises", [])
    existing = {e.key: e for e in db.session.scalars(select(Exercise).where(Exercise.course_id == course.id))}
    modules = {m.key: m for m in db.session.scalars(select(Module).where(Module.course_id == course.id))}
    positions: dict[str, int] = {}
    for spec in specs:
        positions[spec.module_key] = positions.get(spec.module_key, 0) + 1
        ex = existing.pop(spec.key, None)
        if ex is None:
            ex = Exercise(course_id=course.id, key=spec.key)
            db.session.add(ex)
        ex.module_id = modules[spec.module_key].id
        ex.type, ex.minutes, ex.url = spec.type, spec.minutes, spec.url
        ex.position = positions[spec.module_key]
        ex.is_retired = False
        texts = {t.language: t for t in ex.texts}
        for lang, text in spec.texts.items():
            if lang in texts:
                if texts[lang].spec != text:
                    texts[lang].spec = text
            else:
                ex.texts.append(ExerciseText(language=lang, spec=text))
    for leftover in existing.values():
        leftover.is_retired = True
    db.session.flush()


# --- answers ----------------------------------------------------------------------------


def parse_answer(exercise: Exercise, spec: dict, form) -> Any:
    """The learner's response from the form, or None when left blank."""
    if exercise.type == OPEN:
        value = (form.get("answer") or "").strip()[:MAX_OPEN_ANSWER]
        return value or None
    qtype = QUESTION_TYPES[exercise.type]
    layout = qtype.layout(spec, random.Random(0), False)
    return qtype.parse(spec, layout, form, "answer")


def answer_exercise(exercise: Exercise, enrollment, response: Any, language: str) -> ExerciseAnswer:
    """Save (or replace) the learner's answer to ``exercise`` and grade it when the answer is exact.

    One row per enrolment and exercise: a second save replaces the response and counts
    the attempt, so a repeated submission never loses or duplicates an answer."""
    spec = exercise.spec(language)
    score = QUESTION_TYPES[exercise.type].grade(spec, response) if exercise.is_graded else None
    answer = db.session.scalar(select(ExerciseAnswer).where(ExerciseAnswer.enrollment_id == enrollment.id,
                                                            ExerciseAnswer.exercise_id == exercise.id))
    if answer is None:
        answer = ExerciseAnswer(exercise_id=exercise.id, enrollment_id=enrollment.id, user_id=enrollment.user_id,
                                language=language, response=response, score=score, attempts=1)
        db.session.add(answer)
    else:
        answer.response, answer.score, answer.language = response, score, language
        answer.attempts += 1
        answer.answered_at = utcnow()
    db.session.flush()
    record("exercise.answered", "exercise_answer", answer.id, after={"exercise": exercise.key, "score": score})
    return answer


def course_has_exercises(course) -> bool:
    """Whether the course has active exercises, from the shared cache (same for everyone)."""
    key = f"course-exercises:{course.id}:{course.content_token}"
    hit = cache.get(key)
    if hit is None:
        hit = db.session.scalar(select(Exercise.id).where(Exercise.course_id == course.id, ~Exercise.is_retired)
                                .limit(1)) is not None
        cache.set(key, hit)
    return hit


def module_exercises(course_id: int) -> dict[int, list[Exercise]]:
    found: dict[int, list[Exercise]] = {}
    for ex in db.session.scalars(select(Exercise).where(Exercise.course_id == course_id, ~Exercise.is_retired)
                                 .order_by(Exercise.module_id, Exercise.position)):
        found.setdefault(ex.module_id, []).append(ex)
    return found


def answers_of(enrollment_id: int) -> dict[int, ExerciseAnswer]:
    return {a.exercise_id: a for a in db.session.scalars(
        select(ExerciseAnswer).where(ExerciseAnswer.enrollment_id == enrollment_id))}


def module_exercises_answered(enrollment, module_ids: list[int], course=None, **_kw) -> dict[int, bool]:
    """On ``module-requirements``: a module with exercises is complete once every exercise is
    answered. A wrong answer counts as done (the explanation then shows the right one): a
    database may have changed since the exercise was written, and it is practice, not a test."""
    course = course if course is not None else enrollment.course
    if not course_has_exercises(course):
        return {}
    wanted = set(module_ids)
    answered = set(answers_of(enrollment.id))
    return {module_id: all(ex.id in answered for ex in exercises)
            for module_id, exercises in module_exercises(course.id).items() if module_id in wanted}


@event.listens_for(Session, "before_flush")
def _new_token_on_exercise_change(session: Session, flush_context, instances) -> None:
    from academy.courses.models import Course

    changed = [o for o in (*session.new, *session.dirty, *session.deleted) if isinstance(o, Exercise | ExerciseText)]
    if not changed:
        return
    with session.no_autoflush:
        course_ids = set()
        for obj in changed:
            if isinstance(obj, ExerciseText):
                obj = session.get(Exercise, obj.exercise_id) if obj.exercise_id else None
            if obj is not None and obj.course_id is not None:
                course_ids.add(obj.course_id)
        for course_id in course_ids:
            course = session.get(Course, course_id)
            if course is not None:
                course.content_token = new_token()
