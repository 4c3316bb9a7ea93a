"""/admin/courses…: courses, publishing, package uploads and lesson/quiz previews."""

from __future__ import annotations

from functools import partial

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from academy.admin import queries, quizzes, services, uploads
from academy.admin.forms import ActionForm, PackageUploadForm
from academy.admin.services import AdminError
from academy.admin.views import bp
from academy.admin.views.helpers import check_action_form, published_flag
from academy.auth.access import admin_required
from academy.core.i18n import language_name
from academy.core.transactions import after_commit
from academy.courses import queries as course_queries
from academy.courses.freshness import stale_translations
from academy.courses.models import Course, Lesson, Module
from academy.courses.services import import_package
from academy.extensions import db


def _course_or_404(course_id: int) -> Course:
    course = db.get_or_404(Course, course_id)
    return course


@bp.route("/courses")
@admin_required
def courses():
    return render_template(
        "admin/courses.html", rows=queries.course_rows(), action_form=ActionForm()
    )


@bp.route("/courses/<int:course_id>")
@admin_required
def course_detail(course_id: int):
    course = _course_or_404(course_id)
    outline = course_queries.course_outline(course, None, course.default_language)
    row = next(r for r in queries.course_rows() if r.course.id == course.id)
    module_quizzes, final_exam = quizzes.course_quizzes(course)
    return render_template(
        "admin/course.html", course=course, outline=outline, row=row, action_form=ActionForm(),
        module_quizzes=module_quizzes, final_exam=final_exam, languages=current_app.config["LANGUAGES"],
        stale=stale_translations(course),
    )


@bp.route("/courses/<int:course_id>/published", methods=["POST"])
@admin_required
def set_course_published(course_id: int):
    course = _course_or_404(course_id)
    check_action_form()
    published = published_flag()
    if services.set_course_published(course, published):
        flash(
            _("The course is published.")
            if published
            else _("The course is unpublished: learners no longer see it."),
            "success",
        )
    return redirect(
        request.form.get("back") == "list"
        and url_for("admin.courses")
        or url_for("admin.course_detail", course_id=course.id)
    )


@bp.route("/courses/<int:course_id>/certificate-language", methods=["POST"])
@admin_required
def set_certificate_language(course_id: int):
    """The second language completion certificates of the course print (bilingual), or none."""
    course = _course_or_404(course_id)
    check_action_form()
    try:
        changed = services.set_certificate_second_language(course, request.form.get("second_language", ""))
    except AdminError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.course_detail", course_id=course.id))
    if changed:
        lang = course.certificate_second_language
        flash(_("Completion certificates of this course now also print %(language)s.", language=language_name(lang))
              if lang else _("Completion certificates of this course are printed in one language."), "success")
    return redirect(url_for("admin.course_detail", course_id=course.id))


@bp.route("/courses/<int:course_id>/versions/<lang>/published", methods=["POST"])
@admin_required
def set_version_published(course_id: int, lang: str):
    course = _course_or_404(course_id)
    version = course.version(lang)
    if version is None:
        abort(404)
    check_action_form()
    published = published_flag()
    if services.set_version_published(version, published):
        flash(
            _("The %(language)s version is published.", language=language_name(lang))
            if published
            else _("The %(language)s version is unpublished.", language=language_name(lang)),
            "success",
        )
    return redirect(url_for("admin.course_detail", course_id=course.id))


@bp.route("/courses/upload", methods=["GET", "POST"])
@admin_required
def upload_package():
    form = PackageUploadForm()
    problems = []
    if form.validate_on_submit():
        data = form.file.data.read()
        token = uploads.store(data, form.file.data.filename or "package.zip", current_user.id)
        zip_path, _meta = uploads.find(token, current_user.id)
        pkg, problems = uploads.check(zip_path)
        if pkg is not None:
            return redirect(url_for("admin.upload_preview", token=token))
        uploads.discard(token)
        services.package_rejected(form.file.data.filename, problems)
    status = 422 if request.method == "POST" else 200
    return render_template("admin/upload.html", form=form, problems=problems), status


def _upload_or_404(token: str):
    found = uploads.find(token, current_user.id)
    if found is None:
        abort(404)
    return found


@bp.route("/courses/upload/<token>")
@admin_required
def upload_preview(token: str):
    zip_path, meta = _upload_or_404(token)
    try:
        with uploads.unpacked(zip_path) as pkg:
            changes = uploads.changes_for(pkg)
            summary = {
                "code": pkg.code,
                "slug": pkg.slug,
                "languages": pkg.languages,
                "title": pkg.title.get(pkg.default_language),
                "modules": len(pkg.modules),
                "lessons": sum(len(m.lessons) for m in pkg.modules),
                "sha256": pkg.sha256,
            }
    except (uploads.UnsafeArchive, uploads.PackageError):
        uploads.discard(token)
        abort(404)
    unchanged = changes.course is not None and changes.course.package_sha256 == summary["sha256"]
    return render_template(
        "admin/upload_preview.html",
        token=token,
        meta=meta,
        changes=changes,
        summary=summary,
        unchanged=unchanged,
        action_form=ActionForm(),
    )


@bp.route("/courses/upload/<token>/apply", methods=["POST"])
@admin_required
def upload_apply(token: str):
    zip_path, meta = _upload_or_404(token)
    check_action_form()
    problems = []
    try:
        with uploads.unpacked(zip_path) as pkg:
            changes = uploads.changes_for(pkg)
            if changes.slug_conflict is not None:
                problems = [
                    uploads.Problem(
                        "course.yaml",
                        None,
                        f"slug {pkg.slug!r} is already used by course {changes.slug_conflict.code}",
                    )
                ]
            else:
                before = (
                    {"package_sha256": changes.course.package_sha256} if changes.course else None
                )
                course, summary = import_package(pkg)
                services.package_imported(course, before=before, filename=meta.get("filename"),
                                          package_sha256=pkg.sha256, summary=summary)
    except (uploads.UnsafeArchive, uploads.PackageError) as exc:
        db.session.rollback()
        problems = (
            exc.problems
            if isinstance(exc, uploads.PackageError)
            else [uploads.Problem("(zip)", None, str(exc))]
        )
    except Exception:
        db.session.rollback()
        raise
    if problems:
        return render_template(
            "admin/upload.html", form=PackageUploadForm(formdata=None), problems=problems
        ), 422
    after_commit(partial(uploads.discard, token))  # kept for another try if the import is not committed
    flash(
        _(
            "The course package has been imported. Lessons added: %(added)s; "
            "updated: %(updated)s; retired: %(retired)s.",
            added=summary["lessons_added"],
            updated=summary["lessons_updated"],
            retired=summary["lessons_retired"],
        ),
        "success",
    )
    return redirect(url_for("admin.course_detail", course_id=course.id))


@bp.route("/courses/upload/<token>/discard", methods=["POST"])
@admin_required
def upload_discard(token: str):
    _upload_or_404(token)
    check_action_form()
    uploads.discard(token)
    flash(_("The upload has been discarded; nothing was changed."), "info")
    return redirect(url_for("admin.courses"))


@bp.route("/courses/<int:course_id>/preview/<lang>/<module_key>/<lesson_key>")
@admin_required
def preview_lesson(course_id: int, lang: str, module_key: str, lesson_key: str):
    course = _course_or_404(course_id)
    if course.version(lang) is None:
        abort(404)
    module = db.session.scalar(
        select(Module).where(Module.course_id == course.id, Module.key == module_key)
    )
    lesson = (
        db.session.scalar(
            select(Lesson).where(Lesson.module_id == module.id, Lesson.key == lesson_key)
        )
        if module
        else None
    )
    if lesson is None:
        abort(404)
    outline = course_queries.course_outline(course, None, lang)
    text = course_queries.lesson_text(lesson.id, lang, course.default_language)
    flat = [(m, les) for m in outline for les in m.lessons]
    idx = next((i for i, (_m, les) in enumerate(flat) if les.lesson.id == lesson.id), None)
    prev_item = flat[idx - 1] if idx else None
    next_item = flat[idx + 1] if idx is not None and idx + 1 < len(flat) else None
    return render_template(
        "admin/lesson_preview.html",
        course=course,
        lang=lang,
        module=module,
        lesson=lesson,
        text=text,
        prev_item=prev_item,
        next_item=next_item,
        module_title=module.title(lang, course.default_language),
    )


@bp.route("/courses/<int:course_id>/preview/<lang>/quiz/<quiz_key>")
@admin_required
def preview_quiz(course_id: int, lang: str, quiz_key: str):
    from academy.assessments import queries as quiz_queries

    course = _course_or_404(course_id)
    quiz = quiz_queries.quiz_by_key(course.id, quiz_key)
    if course.version(lang) is None or quiz is None:
        abort(404)
    reveal = request.args.get("answers") == "1"
    return render_template(
        "admin/quiz_preview.html", course=course, lang=lang, quiz=quiz, reveal=reveal,
        title=quizzes.quiz_title(quiz, lang), questions=quizzes.preview_questions(quiz, lang, reveal=reveal),
    )
