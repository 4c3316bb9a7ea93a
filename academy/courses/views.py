"""Catalogue, course page, enrolment, course home, lesson player, learner dashboard."""

from __future__ import annotations

import hashlib
import time

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    get_template_attribute,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_percent
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import select

from academy.auth.access import learner_required
from academy.core import signals
from academy.core.cache import shared_value, shared_values
from academy.core.enums import Role
from academy.core.i18n import current_locale, language_name, text_direction
from academy.core.signals import values_from_signal
from academy.core.template_helpers import unread_notifications
from academy.courses import queries
from academy.courses.forms import CompleteLessonForm, EnrollForm
from academy.courses.models import Course, Enrollment, Lesson, Module
from academy.courses.services import (
    EnrollmentError,
    complete_lesson,
    enroll,
    record_visit,
    visit_changes_anything,
)
from academy.courses.structure import lesson_body, structure
from academy.extensions import db

bp = Blueprint("courses", __name__, template_folder="templates")


def _version_choices(course: Course) -> list[tuple[str, str]]:
    return [(v.language, language_name(v.language)) for v in course.published_versions]


def _published_course_or_404(slug: str) -> Course:
    course = queries.course_by_slug(slug)
    if course is None or not course.is_published:
        abort(404)
    return course


def _display_version(course: Course, preferred: str):
    return course.version(preferred) or course.version(course.default_language) or course.versions[0]


def catalogue_cards(rows: list, locale: str) -> list[Markup]:
    """Each listed course's card (empty for a course with no published language version):
    the same for every visitor, so rendered once into the shared cache per content token
    (which its language versions and modules renew), the course row's own shown columns
    and the interface language. ``rows`` are ``queries.catalogue_rows()``: the key's
    columns only, so a page whose cards are all cached loads no course object."""

    def render(course: Course, module_count: int) -> str:
        if not course.published_versions:
            return ""
        return render_template(
            "courses/_catalogue_card.html", course=course, version=_display_version(course, locale),
            languages=[language_name(v.language, locale) for v in course.published_versions],
            module_count=module_count)

    def build_missing(positions: list[int]) -> list[str]:
        # Three statements for any number of cards: a worker's first catalogue (or the first
        # after an edit) renders them all.
        ids = [rows[i].id for i in positions]
        courses, counts = queries.courses_by_id(ids), queries.module_counts(ids)
        return [render(courses[rows[i].id], counts.get(rows[i].id, 0)) for i in positions]

    keys = [(r.id, r.content_token, r.slug, r.code, r.estimated_hours, r.default_language) for r in rows]
    return [Markup(card) for card in shared_values("catalogue-card", keys, build_missing)]  # noqa: S704  # nosec B704 - our own template's output


@bp.route("/")
@bp.route("/courses/")
def catalogue():
    rows = queries.catalogue_rows(current_user.id if current_user.is_authenticated else None)
    cards = [(row, card) for row, card in zip(rows, catalogue_cards(rows, current_locale()), strict=True) if card]
    return render_template("courses/catalogue.html", cards=cards)


@bp.route("/courses/<slug>/")
def course_page(slug: str):
    course = _published_course_or_404(slug)
    version = _display_version(course, current_locale())
    form = EnrollForm()
    form.language.choices = _version_choices(course)
    form.language.data = version.language
    enrollment = queries.enrollment_for(current_user.id, course.id) if current_user.is_authenticated else None
    outline = queries.course_outline(course, None, version.language)
    return render_template("courses/course.html", course=course, version=version, form=form,
                           enrollment=enrollment, outline=outline)


@bp.route("/courses/<slug>/enrol", methods=["POST"])
@learner_required
def enrol(slug: str):
    course = _published_course_or_404(slug)
    form = EnrollForm()
    form.language.choices = _version_choices(course)
    if not form.validate_on_submit():
        flash(_("Choose one of the course's language versions."), "error")
        return redirect(url_for("courses.course_page", slug=slug))
    try:
        enroll(current_user, course, form.language.data)
    except EnrollmentError:
        flash(_("This language version is not available."), "error")
        return redirect(url_for("courses.course_page", slug=slug))
    flash(_("You are enrolled. Start with the first lesson whenever you are ready."), "success")
    return redirect(url_for("courses.course_home", slug=slug))


@bp.route("/courses/<slug>/media/<name>")
def media(slug: str, name: str):
    row = queries.course_media(slug, name)
    if row is None:
        abort(404)
    public = queries.media_is_public(row)
    # Admins preview lessons before they are published, images included.
    if not public and not (current_user.is_authenticated and current_user.has_role(Role.ADMIN)):
        abort(404)
    resp = Response(row.data, mimetype=row.content_type)
    resp.headers["Cache-Control"] = "public, max-age=86400" if public else "private, no-store"
    resp.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'"
    )
    resp.set_etag(row.sha256)
    return resp.make_conditional(request)


def _enrollment_or_redirect(course: Course):
    enrollment = queries.enrollment_for(current_user.id, course.id)
    if enrollment is None:
        flash(_("Enrol in the course first."), "info")
    return enrollment


def render_outline_parts(course: Course, language: str) -> dict[int, dict]:
    """The static part of the course's module outline in ``language``, per module id: its
    heading and, per lesson id, the lesson's link, its title without a link (while the
    module is locked) and its length. Read from the course's structure, never from a
    learner's outline: progress, locks and ticks are put around it by courses/home.html."""
    macros = "courses/_outline_parts.html"
    heading, link, text, minutes = (get_template_attribute(macros, name) for name in
                                    ("heading", "lesson_link", "lesson_text", "lesson_minutes"))
    fallback, dir_ = course.default_language, text_direction(language)
    return {
        m.id: {
            "heading": heading(m.title(language, fallback), language, dir_),
            "lessons": {
                les.id: {
                    "link": link(course.slug, m.key, les.key, les.title(language, fallback), language, dir_),
                    "text": text(les.title(language, fallback), language, dir_),
                    "minutes": minutes(les.estimated_minutes),
                }
                for les in m.lessons
            },
        }
        for m in structure(course).modules
    }


def outline_parts(course: Course, language: str) -> dict[int, dict]:
    """``render_outline_parts``, from the shared cache: the same for every learner of this
    language version (the key names the content token, which any edit of the course renews)."""
    key = (course.id, course.content_token, course.slug, course.default_language, language)
    return shared_value("outline", key, lambda: render_outline_parts(course, language))


@bp.route("/learn/<slug>/")
@learner_required
def course_home(slug: str):
    course, enrollment, done = queries.course_with_enrollment(slug, current_user.id)
    if course is None or not course.is_published:
        abort(404)
    if enrollment is None:
        flash(_("Enrol in the course first."), "info")
        return redirect(url_for("courses.course_page", slug=slug))
    version = _display_version(course, enrollment.language)
    outline = queries.course_outline(course, enrollment, version.language, done)
    parts = {"enrollment": enrollment, "language": version.language, "outline": outline}
    signals.course_outline.send(course, **parts)
    sections = [s for s in values_from_signal(signals.course_home_sections.send(course, **parts)) if s]
    return render_template("courses/home.html", course=course, version=version, enrollment=enrollment,
                           outline=outline, resume=_resume_target(outline, enrollment), sections=sections,
                           shared_outline=outline_parts(course, version.language),
                           language_choices=_version_choices(course))


def _resume_target(outline, enrollment: Enrollment):
    """The lesson to continue with: the last one visited if unfinished, else the next open one."""
    flat = [(m, les) for m in outline if not m.is_locked for les in m.lessons]
    for m, les in flat:
        if les.lesson.id == enrollment.last_lesson_id and not les.is_complete:
            return m, les
    for m, les in flat:
        if not les.is_complete:
            return m, les
    return None


def _lesson_context(course: Course, module_key: str, lesson_key: str):
    module = db.session.scalar(
        select(Module).where(Module.course_id == course.id, Module.key == module_key, ~Module.is_retired)
    )
    lesson = db.session.scalar(
        select(Lesson).where(Lesson.module_id == module.id, Lesson.key == lesson_key, ~Lesson.is_retired)
    ) if module else None
    if lesson is None:
        abort(404)
    return module, lesson


def render_lesson_parts(course: Course, lesson_id: int, language: str) -> dict:
    """The lesson page's parts that are the same for every learner of this language
    version: its title, the breadcrumb, position and length, the lesson's text, and the
    links to the lessons before and after it. Built from the course's structure and texts,
    never from a learner's outline: ticks, the form and progress are put around them by
    courses/lesson.html."""
    macros = "courses/_lesson_parts.html"
    top, pager = (get_template_attribute(macros, name) for name in ("top", "pager"))
    fallback, dir_, ui_dir = course.default_language, text_direction(language), text_direction(current_locale())
    flat = [(m, les) for m in structure(course).modules for les in m.lessons]
    idx = next(i for i, (_m, les) in enumerate(flat) if les.id == lesson_id)
    module, lesson = flat[idx]

    def link(item):
        return (item[0].key, item[1].key, item[1].title(language, fallback)) if item else None

    text = lesson_body(course, lesson_id, language)
    title, body_html = (text.title, text.body_html) if text else (lesson.title(language, fallback), "")
    return {
        "title": title,
        "top": top(course.slug, module.title(language, fallback), module.lessons.index(lesson) + 1,
                   len(module.lessons), lesson, title, body_html, language, dir_, ui_dir,
                   objectives=text.objectives if text else (), ui_lang=current_locale()),
        "pager": pager(course.slug, link(flat[idx - 1] if idx > 0 else None),
                       link(flat[idx + 1] if idx + 1 < len(flat) else None), language, dir_, ui_dir),
    }


def lesson_parts(course: Course, lesson_id: int, language: str) -> dict:
    """``render_lesson_parts``, from the shared cache (the key names the content token,
    which any edit of the course's structure or texts renews)."""
    key = (course.id, course.content_token, course.slug, course.default_language, language, lesson_id)
    return shared_value("lesson", key, lambda: render_lesson_parts(course, lesson_id, language))


@bp.route("/learn/<slug>/<module_key>/<lesson_key>")
@learner_required
def lesson(slug: str, module_key: str, lesson_key: str):
    course, enrollment, done = queries.course_with_enrollment(slug, current_user.id)
    if course is None or not course.is_published:
        abort(404)
    if enrollment is None:
        flash(_("Enrol in the course first."), "info")
        return redirect(url_for("courses.course_page", slug=slug))
    # The outline already holds every active module and lesson: find this one there
    # rather than asking the database again.
    outline = queries.course_outline(course, enrollment, enrollment.language, done)
    mview = next((m for m in outline if m.module.key == module_key), None)
    lesson_view = next((les for les in mview.lessons if les.lesson.key == lesson_key), None) if mview else None
    if lesson_view is None:
        abort(404)
    if mview.is_locked:
        flash(_("This module opens when you complete “%(title)s”.", title=mview.locked_by), "info")
        return redirect(url_for("courses.course_home", slug=slug))
    lesson = lesson_view.lesson
    if visit_changes_anything(enrollment, lesson.id):
        record_visit(enrollment, db.session.get(Lesson, lesson.id))
    # A learner coming back to a lesson gets a 304 when nothing the page shows has changed.
    etag = _lesson_etag(course, enrollment, lesson_view)
    if request.if_none_match.contains_weak(etag) and not session.get("_flashes"):
        response = current_app.response_class(status=304)
    else:
        response = make_response(render_template(
            "courses/lesson.html", course=course, enrollment=enrollment, module=mview, lesson=lesson,
            lesson_view=lesson_view, parts=lesson_parts(course, lesson.id, enrollment.language)))
    response.set_etag(etag, weak=True)
    # The learner's own page: kept by their browser only, and checked with the server each time.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _lesson_etag(course: Course, enrollment: Enrollment, lesson_view) -> str:
    """What the lesson page depends on: the course's content (its token, and the columns of
    its row that links show), the lesson, the learner and their state (completion,
    progress, language), the header's (menu, unread notifications, interface language) and
    the session's CSRF token, renewed every half of its time limit so a page kept by the
    browser never carries an expired one."""
    limit = current_app.config.get("WTF_CSRF_TIME_LIMIT") or 0
    parts = (
        course.id, course.content_token, course.slug, course.default_language, lesson_view.lesson.id,
        current_user.id, enrollment.language, enrollment.progress_percent, enrollment.status.value,
        lesson_view.is_complete, current_locale(), request.script_root, sorted(str(r) for r in current_user.roles),
        unread_notifications(), generate_csrf(), int(time.time() // (limit / 2)) if limit else 0,
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


@bp.route("/learn/<slug>/<module_key>/<lesson_key>/complete", methods=["POST"])
@learner_required
def complete(slug: str, module_key: str, lesson_key: str):
    course = _published_course_or_404(slug)
    enrollment = _enrollment_or_redirect(course)
    if enrollment is None:
        return redirect(url_for("courses.course_page", slug=slug))
    module, lesson = _lesson_context(course, module_key, lesson_key)
    outline = queries.course_outline(course, enrollment, enrollment.language)
    mview = next(m for m in outline if m.module.id == module.id)
    if mview.is_locked:
        abort(403)
    if not CompleteLessonForm().validate_on_submit():
        abort(400)
    complete_lesson(enrollment, lesson)
    if request.accept_mimetypes.best == "application/json":
        return {
            "progress_percent": enrollment.progress_percent,
            "progress_percent_text": format_percent(enrollment.progress_percent / 100),
            "status": enrollment.status.value,
            "message": _("You have completed this lesson."),
        }
    # Go on to the next lesson, as a learner expects after "mark as complete".
    outline = queries.course_outline(course, enrollment, enrollment.language)
    flat = [(m, les) for m in outline if not m.is_locked for les in m.lessons]
    idx = next((i for i, (_m, les) in enumerate(flat) if les.lesson.id == lesson.id), None)
    if idx is not None and idx + 1 < len(flat):
        m, les = flat[idx + 1]
        return redirect(url_for("courses.lesson", slug=slug, module_key=m.module.key, lesson_key=les.lesson.key))
    return redirect(url_for("courses.course_home", slug=slug))


@bp.route("/learn/<slug>/language", methods=["POST"])
@learner_required
def switch_version(slug: str):
    course = _published_course_or_404(slug)
    form = EnrollForm()
    form.language.choices = _version_choices(course)
    enrollment = queries.enrollment_for(current_user.id, course.id)
    if enrollment is None or not form.validate_on_submit():
        abort(400)
    enroll(current_user, course, form.language.data)  # an existing enrolment switches language
    flash(_("The course is now shown in %(language)s. Your progress is kept.",
            language=language_name(form.language.data)), "success")
    return redirect(url_for("courses.course_home", slug=slug))


@bp.route("/dashboard")
@learner_required
def dashboard():
    return render_template("courses/dashboard.html", rows=queries.user_enrollments(current_user.id))
