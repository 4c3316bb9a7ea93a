"""Exercise pages: the task (done in a real database in another tab) and the learner's answer."""

from __future__ import annotations

import random
from types import SimpleNamespace

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from academy.assessments import exercises as ex_service
from academy.assessments.exercise_models import Exercise
from academy.assessments.forms import StartAttemptForm
from academy.assessments.questions import QUESTION_TYPES
from academy.auth.access import learner_required
from academy.core.i18n import text_direction
from academy.courses import queries as course_queries
from academy.extensions import db

bp = Blueprint("exercises", __name__, template_folder="templates")


def _exercise_or_404(slug: str, key: str):
    course = course_queries.course_by_slug(slug)
    if course is None or not course.is_published:
        abort(404)
    exercise = db.session.scalar(db.select(Exercise).where(Exercise.course_id == course.id, Exercise.key == key,
                                                           ~Exercise.is_retired))
    if exercise is None:
        abort(404)
    return course, exercise


def _answer_html(exercise: Exercise, spec: dict, answer, language: str, *, review: bool) -> Markup | None:
    if not exercise.is_graded:
        return None
    qtype = QUESTION_TYPES[exercise.type]
    shown = SimpleNamespace(is_correct=bool(answer and answer.score == 1), score=answer.score if answer else None)
    return qtype.render(number=1, question=SimpleNamespace(id=exercise.id), spec=spec,
                        order=qtype.layout(spec, random.Random(0), False),
                        response=answer.response if answer else None, answer=shown, name="answer",
                        mode="review" if review else "answer", reveal=True, language=language,
                        direction=text_direction(language))


@bp.route("/learn/<slug>/exercises/<key>", methods=["GET", "POST"])
@learner_required
def exercise(slug: str, key: str):
    course, exercise = _exercise_or_404(slug, key)
    enrollment = course_queries.enrollment_for(current_user.id, course.id)
    if enrollment is None:
        flash(_("Enrol in the course first."), "info")
        return redirect(url_for("courses.course_page", slug=slug))
    outline = course_queries.course_outline(course, enrollment, enrollment.language)
    module = next((m for m in outline if m.module.id == exercise.module_id), None)
    if module is None or module.is_locked:
        flash(_("This exercise opens with its module."), "info")
        return redirect(url_for("courses.course_home", slug=slug))
    language = enrollment.language
    spec = exercise.spec(language, course.default_language)
    form = StartAttemptForm()  # CSRF only
    answer = ex_service.answers_of(enrollment.id).get(exercise.id)
    retry = request.args.get("retry") == "1"
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        response = ex_service.parse_answer(exercise, spec, request.form)
        if response is None:
            flash(_("Type or choose your answer first."), "error")
        else:
            ex_service.answer_exercise(exercise, enrollment, response, language)
            return redirect(url_for("exercises.exercise", slug=slug, key=key))
    review = answer is not None and not retry
    return render_template(
        "assessments/exercise.html", course=course, exercise=exercise, spec=spec, module=module,
        answer=answer, review=review, form=form, language=language,
        answer_html=_answer_html(exercise, spec, answer if review else None, language, review=review),
        siblings=ex_service.module_exercises(course.id).get(exercise.module_id, []),
    )


def module_exercise_extras(course, enrollment, language: str, outline, **_kw) -> None:
    """On ``course-outline``: each module's exercises, with what the learner did, on the course home."""
    if enrollment is None or not ex_service.course_has_exercises(course):
        return
    by_module = ex_service.module_exercises(course.id)
    answers = ex_service.answers_of(enrollment.id)
    for view in outline:
        items = by_module.get(view.module.id)
        if not items:
            continue
        view.extras["exercises"] = Markup(render_template(  # noqa: S704  # nosec B704 - our own template
            "assessments/_home_exercises.html", course=course, module=view, language=language,
            items=[(ex, ex.spec(language, course.default_language), answers.get(ex.id)) for ex in items]))
