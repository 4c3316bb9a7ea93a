"""Catalogue, course page, enrolment, course home, lesson player, learner dashboard."""

from __future__ import annotations

from functools import lru_cache, partial

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_percent
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from academy.auth.access import learner_required
from academy.core import signals
from academy.core.enums import EnrollmentStatus, Role
from academy.core.i18n import current_locale, language_name, text_direction
from academy.core.signals import values_from_signal
from academy.core.skeletons import Mark, fill, fragment, render_page
from academy.core.template_helpers import percent_text
from academy.courses import queries
from academy.courses.dashboard import body as dashboard_body
from academy.courses.forms import CompleteLessonForm, EnrollForm
from academy.courses.models import Course, Enrollment, Lesson, Module
from academy.courses.services import (
    EnrollmentError,
    complete_lesson,
    enroll,
    record_visit,
    visit_changes_anything,
)
from academy.courses.structure import lesson_body
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


def catalogue_cards(locale: str, state: tuple) -> list[tuple[int, Markup, Markup]]:
    """Every published course's card, rendered once per process and language.

    The cards took ~15 ms a page (fifty courses, their versions, language names, plural
    forms) and are the same for everyone: only the "Continue" link is the learner's own,
    so both forms of each card are kept and the page picks one per course. ``state`` is
    the first part of queries.catalogue_state_for(), read before the courses, so a change
    committed in between is caught on the next page."""
    # {(script root, locale): (state, [(course id, card, card for an enrolled learner)])}, per app.
    cache = current_app.extensions.setdefault("academy_catalogue_cards", {})
    key = (request.script_root, locale)
    cached = cache.get(key)
    if cached is not None and cached[0] == state:
        return cached[1]
    courses = queries.published_courses()
    modules = queries.module_counts([c.id for c in courses])
    cards = []
    for c in courses:
        if not c.published_versions:
            continue
        item = {
            "course": c,
            "version": _display_version(c, locale),
            "languages": [language_name(v.language, locale) for v in c.published_versions],
            "module_count": modules.get(c.id, 0),
        }
        cards.append((c.id, _card(item, is_enrolled=False), _card(item, is_enrolled=True)))
    cache[key] = (state, cards)
    return cards


def _card(item: dict, is_enrolled: bool) -> Markup:
    html = render_template("courses/_catalogue_card.html", item=item, is_enrolled=is_enrolled)
    return Markup(html)  # noqa: S704  # nosec B704 - our own template's (escaped) output


@bp.route("/")
@bp.route("/courses/")
def catalogue():
    state, enrolled = queries.catalogue_state_for(current_user.id if current_user.is_authenticated else None)
    cards = [enrolled_card if course_id in enrolled else card
             for course_id, card, enrolled_card in catalogue_cards(current_locale(), state)]
    # The page around the cards is the same for everyone in a language and menu: cached
    # whole, with the learner's cards filled in, one to a line as a template loop wrote
    # them (str.join: the cards are Markup already; Markup.join would call escape() on each).
    listing = Markup("\n    " + "\n  \n    ".join(cards) + "\n  ") if cards else Markup("")  # noqa: S704  # nosec B704 - cached template output
    return render_page((bool(cards),), "courses/catalogue.html", personal={"cards": listing}, has_cards=bool(cards))


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
    db.session.commit()
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


@bp.route("/learn/<slug>/")
@learner_required
def course_home(slug: str):
    # Read-only rows as on the lesson page: the page changes nothing.
    course, enrollment, done = queries.course_with_enrollment(slug, current_user.id)
    if course is None or not course.is_published:
        abort(404)
    if enrollment is None:
        flash(_("Enrol in the course first."), "info")
        return redirect(url_for("courses.course_page", slug=slug))
    version = _display_version(course, enrollment.language)
    outline = queries.course_outline(course, enrollment, version.language, done)
    resume = _resume_target(outline, enrollment)
    parts = {"enrollment": enrollment, "language": version.language, "outline": outline}
    signals.course_outline.send(course, **parts)
    sections = [s for s in values_from_signal(signals.course_home_sections.send(course, **parts)) if s]
    # Rendering the outline was most of the page's time, and all of it but the learner's
    # state is the same for everyone in the course: the page is cached whole per course
    # and course language, and the learner's parts are fragments cached per state (this
    # module locked, these lessons complete), filled in. Slug and default language are
    # in the keys as the page shows them but they do not renew the content token.
    content = (course.id, course.slug, course.default_language, course.content_token, version.language)
    percent = enrollment.progress_percent
    return render_page(
        (*content, enrollment.language), "courses/home.html",
        personal={
            "progress_value": str(percent),
            "progress_text": percent_text(percent),
            "completion": _completion(enrollment),
            "resume": _resume_link(content, resume, bool(enrollment.last_lesson_id)),
            "modules": Markup("").join(_module_item(content, m) for m in outline),
            "sections": Markup("").join(sections),
        },
        # The choices and the bare CSRF token: no form object for a page view.
        lazy=lambda: {"language_choices": _version_choices(course)},
        course=course, version=version, course_language=enrollment.language,
    )


def _home_part(name: str, **kwargs) -> Markup:
    """courses/_home_parts.html's macro ``name`` called with ``kwargs``."""
    return getattr(_parts_module(current_app.jinja_env.get_template("courses/_home_parts.html")), name)(**kwargs)


@lru_cache(maxsize=8)
def _parts_module(template):
    # Built once per template (a new one when debug mode reloads the file): the macros
    # need no request's context but ``direction``; their translations and URLs are the
    # request's at call time.
    return template.make_module({"direction": text_direction})


def _completion(enrollment) -> Markup:
    """The "Completed on" line, or nothing: one cached form per language and the date
    and score filled in (each learner's own)."""
    if enrollment.status is not EnrollmentStatus.COMPLETED:
        return Markup("")
    has_score = enrollment.final_score is not None
    html = fragment(("home-completion", has_score), lambda: _home_part(
        "completion", completed_on=Mark("completed_on"), final_score=Mark("final_score") if has_score else None))
    return fill(html, {
        "completed_on": current_app.jinja_env.filters["date"](enrollment.completed_at),
        "final_score": percent_text(enrollment.final_score) if has_score else "",
    })


def _resume_link(content: tuple, resume, is_started: bool) -> Markup:
    if resume is None:
        return Markup("")
    mview, les = resume
    _course_id, slug, _default, _token, language = content
    return fragment(("home-resume", *content, les.lesson.id, is_started), lambda: _home_part(
        "resume_link", slug=slug, module=mview, lesson=les, is_started=is_started, language=language))


def _module_item(content: tuple, mview) -> Markup:
    """The module's entry in the outline, cached per state: the same for every learner
    with the same lessons complete (and the same lock), but for the blocks other packages
    add under it (its quiz, with the learner's own results), filled in."""
    language = content[-1]
    key = ("home-module", *content, mview.module.id, mview.is_locked, mview.locked_by, mview.is_complete,
           tuple(les.is_complete for les in mview.lessons))
    html = fragment(key, lambda: _home_part(
        "module_item", m=mview, language=language, lesson_item=partial(_lesson_item, content),
        extras=Mark("extras")))
    return fill(html, {"extras": Markup("").join(mview.extras.values())})


def _lesson_item(content: tuple, mview, les) -> Markup:
    """A lesson's <li> in the course home's outline, cached per lock and completion state:
    a module's states share them, so a module not seen in a state yet costs little."""
    _course_id, slug, _default, _token, language = content
    return fragment(("home-lesson", *content, les.lesson.id, mview.is_locked, les.is_complete), lambda: render_template(
        "courses/_home_lesson.html", les=les, is_locked=mview.is_locked, language=language,
        slug=slug, module_key=mview.module.key))


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


@bp.route("/learn/<slug>/<module_key>/<lesson_key>")
@learner_required
def lesson(slug: str, module_key: str, lesson_key: str):
    # Read-only rows, not ORM objects: the course's row (its versions and structure come
    # from the process's cache), the enrolment and its progress, all in one query. The
    # Enrollment is loaded only when the visit has something to record.
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
    text = lesson_body(course, lesson.id, enrollment.language)
    flat = [(m, les) for m in outline for les in m.lessons]
    idx = next(i for i, (_m, les) in enumerate(flat) if les.lesson.id == lesson.id)
    prev_item = flat[idx - 1] if idx > 0 else None
    next_item = flat[idx + 1] if idx + 1 < len(flat) else None
    position = mview.lessons.index(lesson_view) + 1
    # The page is the same for every learner at this lesson in this language and state:
    # rendered once per process, with the learner's progress (and the header's own
    # values) filled in. The content token renews with any edit of the course.
    percent = enrollment.progress_percent or 0
    html = render_page(
        # The slug is in every link of the page and renaming it keeps the content token.
        (course.id, course.slug, course.content_token, lesson.id, enrollment.language, lesson_view.is_complete),
        "courses/lesson.html",
        personal={"progress_value": str(percent), "progress_text": percent_text(percent)},
        course=course, enrollment=enrollment, module=mview, lesson=lesson,
        lesson_view=lesson_view, text=text, prev_item=prev_item, next_item=next_item, position=position,
    )
    if visit_changes_anything(enrollment, lesson.id):
        record_visit(db.session.get(Enrollment, enrollment.id), lesson)
        db.session.commit()
    return html


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
    db.session.commit()
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
    enrollment.language = form.language.data
    db.session.commit()
    flash(_("The course is now shown in %(language)s. Your progress is kept.",
            language=language_name(form.language.data)), "success")
    return redirect(url_for("courses.course_home", slug=slug))


@bp.route("/dashboard")
@learner_required
def dashboard():
    rows = queries.dashboard_rows(current_user.id)
    return render_template("courses/dashboard.html", body=dashboard_body(rows, current_locale()))
