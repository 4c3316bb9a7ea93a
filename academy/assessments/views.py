"""Quiz pages: overview and start, answering (per page, autosaved), result and review,
the learner's and an admin's attempt history, and quiz statistics for staff."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from academy.assessments import definitions, queries
from academy.assessments.forms import AttemptForm, StartAttemptForm
from academy.assessments.models import FINAL_EXAM_KEY, Quiz, QuizAttempt
from academy.assessments.questions import QUESTION_TYPES
from academy.assessments.services import (
    AttemptRefused,
    availability,
    expire_attempt,
    expire_overdue,
    has_overdue,
    save_answers,
    start_attempt,
    submit_attempt,
)
from academy.auth.access import admin_required, instructor_required, learner_required
from academy.auth.models import User
from academy.core.cache import shared_html
from academy.core.enums import Role
from academy.core.i18n import current_locale, language_name, text_direction
from academy.core.nav import NavItem
from academy.core.transactions import keep_on_error
from academy.courses import queries as course_queries
from academy.courses.models import Course
from academy.extensions import db

bp = Blueprint("assessments", __name__, template_folder="templates")


def menu_items(sender, **_kw):
    """On ``menu-items``: this feature's header entries."""
    yield NavItem("assessments.quiz_list", _l("Quiz statistics"), (Role.INSTRUCTOR, Role.ADMIN), order=60)


def quiz_title(quiz, language: str, course=None) -> str:
    """``course``: the quiz's course, when the caller has it."""
    if quiz.is_final_exam:
        return _("Final exam")
    from academy.courses.models import Module
    from academy.courses.structure import structure

    course = course if course is not None else quiz.course
    # The module's title from the course structure cache (no query); a retired module,
    # which the cache leaves out, is read from the database.
    node = next((m for m in structure(course).modules if m.id == quiz.module_id), None)
    module = node if node is not None else db.session.get(Module, quiz.module_id)
    return _("Quiz: %(module)s", module=module.title(language, course.default_language))


def _course_and_enrollment(slug: str):
    course = course_queries.course_by_slug(slug)
    if course is None or not course.is_published:
        abort(404)
    enrollment = course_queries.enrollment_for(current_user.id, course.id)
    return course, enrollment


def _own_attempt(attempt_id: int) -> QuizAttempt:
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    return attempt


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


# --- quiz overview and start ----------------------------------------------------------


@bp.route("/learn/<slug>/quiz/<quiz_key>")
@learner_required
def quiz(slug: str, quiz_key: str):
    course, enrollment = _course_and_enrollment(slug)
    if enrollment is None:
        flash(_("Enrol in the course first."), "info")
        return redirect(url_for("courses.course_page", slug=slug))
    quiz = queries.quiz_by_key(course.id, quiz_key)
    if quiz is None:
        abort(404)
    history = queries.attempts_at(enrollment.id, quiz.id)
    if has_overdue(history) and expire_overdue(quiz.id, enrollment.id):
        history = queries.attempts_at(enrollment.id, quiz.id)
    pool = queries.active_question_count(quiz.id)
    avail = availability(quiz, enrollment, attempts=history, pool=pool, course=course)
    title = quiz_title(quiz, enrollment.language, course)
    question_count = min(quiz.draw_count, pool) if quiz.draw_count else pool
    return render_template(
        "assessments/quiz.html",
        course=course,
        quiz=quiz,
        avail=avail,
        history=history,
        result=queries.summarise(history),
        title=title,
        head=quiz_head(course.slug, quiz, title, question_count),
        form=StartAttemptForm(),
    )


def quiz_head(slug: str, quiz: Quiz, title: str, question_count: int) -> Markup:
    """The quiz page's top (breadcrumb, heading, the quiz's rules): the same for every
    learner of the course language, so from the shared cache; the key names every value
    it shows (the interface language is added by the cache)."""
    key = (slug, title, question_count, quiz.pass_mark, quiz.max_attempts, quiz.time_limit_minutes,
           quiz.wait_minutes, quiz.show_answers.value)
    return shared_html("quiz-head", key, lambda: render_template(
        "assessments/_quiz_head.html", slug=slug, quiz=quiz, title=title, question_count=question_count))


@bp.route("/learn/<slug>/quiz/<quiz_key>/start", methods=["POST"])
@learner_required
def start(slug: str, quiz_key: str):
    course, enrollment = _course_and_enrollment(slug)
    if enrollment is None:
        abort(403)
    quiz = queries.quiz_by_key(course.id, quiz_key)
    if quiz is None:
        abort(404)
    if not StartAttemptForm().validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(url_for("assessments.quiz", slug=slug, quiz_key=quiz_key))
    try:
        attempt = start_attempt(quiz, enrollment)
    except AttemptRefused as exc:  # (an overdue attempt expired meanwhile is kept: the answer redirects)
        flash(str(exc), "error")
        return redirect(url_for("assessments.quiz", slug=slug, quiz_key=quiz_key))
    return redirect(url_for("assessments.attempt", attempt_id=attempt.id))


# --- answering ----------------------------------------------------------------------------


def _pages(attempt: QuizAttempt) -> list[list[dict]]:
    per_page = attempt.quiz.questions_per_page
    items = attempt.layout
    return [items[i : i + per_page] for i in range(0, len(items), per_page)] or [[]]


def _question_views(
    attempt: QuizAttempt,
    items: list[dict],
    answers: dict,
    *,
    review: bool,
    reveal: bool,
    start_number: int = 1,
) -> list[dict]:
    questions = queries.questions_for(attempt)
    specs = queries.specs_for([item["q"] for item in items], attempt.language,
                              attempt.quiz.course.default_language)
    views = []
    for n, item in enumerate(items, start=start_number):
        question = questions[item["q"]]
        qtype = QUESTION_TYPES[question.type]
        answer = answers.get(question.id)
        spec = specs[question.id]
        views.append(
            {
                "number": n,
                "question": question,
                "spec": spec,
                "order": item["o"],
                "qtype": qtype,
                "answer": answer,
                "response": answer.response if answer else None,
                "html": qtype.render(
                    number=n,
                    question=question,
                    spec=spec,
                    order=item["o"],
                    response=answer.response if answer else None,
                    answer=answer,
                    name=f"q{question.id}",
                    mode="review" if review else "answer",
                    reveal=reveal,
                    language=attempt.language,
                    direction=text_direction(attempt.language),
                ),
            }
        )
    return views


@bp.route("/attempts/<int:attempt_id>")
@learner_required
def attempt(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if attempt.is_open:
        expire_attempt(attempt)
    if not attempt.is_open:
        return redirect(url_for("assessments.result", attempt_id=attempt.id))
    pages = _pages(attempt)
    page = request.args.get("page", 1, type=int)
    page = min(max(page, 1), len(pages))
    answers = queries.answers_for(attempt.id)
    # Every page's questions go into the page: the open one to answer, the others inert in
    # <template>s that quiz.js shows when the link drops (with JavaScript off, the server pages).
    views = _question_views(attempt, attempt.layout, answers, review=False, reveal=False)
    page_views, start = [], 0
    for items in pages:
        page_views.append(views[start : start + len(items)])
        start += len(items)
    answered = sum(1 for a in answers.values() if a.response is not None)
    quiz = attempt.quiz
    course = quiz.course
    return render_template(
        "assessments/attempt.html",
        attempt=attempt,
        quiz=quiz,
        course=course,
        page_views=page_views,
        page=page,
        page_count=len(pages),
        answered=answered,
        total=len(attempt.layout),
        form=AttemptForm(),
        title=quiz_title(quiz, attempt.language),
        seconds_left=attempt.seconds_left(),
        pages=[[item["q"] for item in p] for p in pages],
        answered_ids={qid for qid, a in answers.items() if a.response is not None},
    )


@bp.route("/attempts/<int:attempt_id>", methods=["POST"])
@learner_required
def save_page(attempt_id: int):
    """Save the answers on one page, then go to another page or submit (action=...).

    With JavaScript, the page posts here in the background (action=autosave) and gets JSON.
    """
    attempt = _own_attempt(attempt_id)
    form = AttemptForm()
    if not form.validate_on_submit():
        if _wants_json():
            return jsonify(status="error", message=_("The form expired. Reload the page.")), 400
        flash(
            _(
                "The form expired. Your last saved answers are kept; "
                "please answer again on this page."
            ),
            "error",
        )
        return redirect(url_for("assessments.attempt", attempt_id=attempt.id))
    action = request.form.get("action", "save")
    pages = _pages(attempt)
    page = min(max(request.form.get("page", 1, type=int), 1), len(pages))
    questions = queries.questions_for(attempt)
    on_page = pages[page - 1]
    specs = queries.specs_for([item["q"] for item in on_page], attempt.language,
                              attempt.quiz.course.default_language)
    responses = {}
    for item in on_page:
        question = questions[item["q"]]
        qtype = QUESTION_TYPES[question.type]
        responses[question.id] = qtype.parse(specs[question.id], item["o"], request.form, f"q{question.id}")
    saved = save_answers(attempt, responses)
    if not saved:
        # Submitted in another tab, a stale form, or time is up: show what happened.
        if attempt.is_open:
            expire_attempt(attempt)
        # The page hears of it as a 409, and a request answered with an error keeps nothing
        # (academy/core/transactions.py): the closing and grading are kept all the same.
        keep_on_error()
        result_url = url_for("assessments.result", attempt_id=attempt.id)
        if _wants_json():
            return jsonify(
                status="closed",
                redirect=result_url,
                message=_("This attempt is closed; your saved answers were graded."),
            ), 409
        if attempt.expired_at is not None:
            flash(
                _(
                    "Time ran out. Your attempt was graded on the answers "
                    "saved before the time limit."
                ),
                "info",
            )
        else:
            flash(_("This attempt was already submitted. Here is its result."), "info")
        return redirect(result_url)
    if action == "submit":
        submit_attempt(attempt)
        return redirect(url_for("assessments.result", attempt_id=attempt.id))
    if _wants_json():
        answered = sum(1 for a in queries.answers_for(attempt.id).values() if a.response is not None)
        return jsonify(
            status="saved",
            answered_text=_(
                "%(answered)s of %(total)s questions answered", answered=answered, total=len(attempt.layout)
            ),
            saved_at=format_datetime(attempt.last_saved_at, "medium"),
            seconds_left=attempt.seconds_left(),
            message=_("Saved"),
        )
    target = page
    if action.startswith("page:") and action[5:].isdigit():
        target = int(action[5:])
    else:
        flash(_("Your answers are saved."), "success")
    return redirect(url_for("assessments.attempt", attempt_id=attempt.id, page=target))


# --- result and review --------------------------------------------------------------


@bp.route("/attempts/<int:attempt_id>/result")
@learner_required
def result(attempt_id: int):
    attempt = db.get_or_404(QuizAttempt, attempt_id)
    is_owner = attempt.user_id == current_user.id
    if not is_owner and not current_user.has_role(Role.ADMIN):
        abort(404)
    if attempt.is_open:
        expire_attempt(attempt)
    if attempt.is_open:
        return redirect(url_for("assessments.attempt", attempt_id=attempt.id))
    quiz = attempt.quiz
    course = quiz.course
    standing = queries.results_by_quiz(attempt.enrollment_id).get(quiz.id, queries.QuizResult())
    reveal = queries.may_see_answers(attempt, current_user, standing)
    views = _question_views(
        attempt, attempt.layout, queries.answers_for(attempt.id), review=True, reveal=reveal
    )
    avail = availability(quiz, attempt.enrollment) if is_owner else None
    return render_template(
        "assessments/result.html",
        attempt=attempt,
        quiz=quiz,
        course=course,
        views=views,
        reveal=reveal,
        standing=standing,
        avail=avail,
        is_owner=is_owner,
        title=quiz_title(quiz, attempt.language),
        form=StartAttemptForm(),
        learner=attempt.user,
    )


@bp.route("/attempts/")
@learner_required
def my_attempts():
    rows = queries.user_attempts(current_user.id)
    return _history_page(current_user, rows, own=True)


@bp.route("/admin/users/<int:user_id>/attempts")
@admin_required
def user_attempts(user_id: int):
    user = db.get_or_404(User, user_id)
    return _history_page(user, queries.user_attempts(user.id), own=False)


def _history_page(user, rows, own: bool):
    titles = queries.course_titles(
        list({c.id for _a, _q, c in rows}), str(user.preferred_language or "en")
    )
    items = [
        {
            "attempt": a,
            "quiz": q,
            "course": c,
            "course_title": titles.get(c.id, c.code),
            "quiz_title": quiz_title(q, a.language),
        }
        for a, q, c in rows
    ]
    return render_template("assessments/history.html", user=user, items=items, own=own)


# --- statistics for instructors and admins ------------------------------------------------


@bp.route("/quizzes/")
@instructor_required
def quiz_list():
    quizzes = queries.all_quizzes()
    titles = queries.course_titles(list({q.course_id for q in quizzes}), _current_language())
    return render_template(
        "assessments/quiz_list.html",
        quizzes=quizzes,
        titles=titles,
        quiz_title=lambda q: quiz_title(q, _current_language()),
    )


def _current_language() -> str:

    return current_locale()


@bp.route("/quizzes/<int:quiz_id>/stats")
@instructor_required
def quiz_stats(quiz_id: int):
    quiz = db.get_or_404(Quiz, quiz_id)
    language = request.args.get("language") or None
    course: Course = quiz.course
    if language and language not in {v.language for v in course.versions}:
        abort(404)
    from academy.assessments.services import expire_overdue

    expire_overdue(quiz_id=quiz.id)  # abandoned timed attempts count as what they are
    stats = queries.quiz_stats(quiz, language)
    lang = language or _current_language()
    specs = queries.specs_for([q.question.id for q in stats.questions], lang, course.default_language)
    prompts = {q.question.id: specs.get(q.question.id, {}).get("prompt", q.question.key) for q in stats.questions}
    # Names are personal data: the per-attempt list is for admins, the figures for instructors too.
    recent = queries.recent_attempts(quiz.id, language) if current_user.has_role(Role.ADMIN) else None
    title = queries.course_titles([course.id], lang).get(course.id, course.code)
    return render_template(
        "assessments/stats.html",
        quiz=quiz,
        course=course,
        stats=stats,
        language=language,
        prompts=prompts,
        title=quiz_title(quiz, lang),
        course_title=title,
        qtypes=QUESTION_TYPES,
        recent=recent,
        languages=[(v.language, language_name(v.language)) for v in course.versions],
    )


# --- the course home: module quizzes and the final exam -------------------------------------


def module_quiz_extras(course, enrollment, language: str, outline, **_kw) -> None:
    """On ``course-outline``: the quiz block under each module on the course home."""
    if enrollment is None or not definitions.course_quizzes(course).module_quizzes:
        return  # no quiz under any module (from the shared cache): no query
    quizzes = {q.module_id: q for q in queries.course_quizzes(course.id) if not q.is_final_exam}
    if not quizzes:
        return
    results = queries.results_by_quiz(enrollment.id)
    for view in outline:
        quiz = quizzes.get(view.module.id)
        if quiz is None:
            continue
        view.extras["quiz"] = Markup(  # noqa: S704  # nosec B704 - our own template's output
            render_template(
                "assessments/_home_quiz.html",
                course=course,
                quiz=quiz,
                module=view,
                result=results.get(quiz.id, queries.QuizResult()),
                title=quiz_title(quiz, language),
            )
        )


def final_exam_section(course, enrollment, language: str, outline, **_kw) -> Markup | None:
    """On ``course-home-sections``: the final exam after the modules on the course home."""
    if enrollment is None or definitions.course_quizzes(course).final_exam_id is None:
        return None  # no final exam (from the shared cache): no query
    quiz = queries.quiz_by_key(course.id, FINAL_EXAM_KEY)
    if quiz is None:
        return None
    result = queries.results_by_quiz(enrollment.id).get(quiz.id, queries.QuizResult())
    modules_done = all(m.is_complete for m in outline)
    return Markup(  # noqa: S704  # nosec B704 - our own template's output
        render_template(
            "assessments/_home_final.html",
            course=course,
            quiz=quiz,
            result=result,
            modules_done=modules_done,
            title=quiz_title(quiz, language),
        )
    )
