"""Course assignments: the template download, the learner's report page, and grading.

The learner's pages live under the course (``/learn/<slug>/assignments/<key>/``), so a lesson can
link to them with a relative link; grading lives under ``/teaching/assignments/``.
"""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from academy.assessments.rubrics import marks_from_form
from academy.assignments import queries, services
from academy.assignments.forms import GradeForm, ReportForm
from academy.assignments.models import AssignmentSubmission
from academy.assignments.template_xlsx import XLSX_TYPE, build_template
from academy.auth.access import instructor_required, learner_required
from academy.certification.uploads import (
    UploadError,
    feedback_body_limit,
    max_upload_bytes,
    send_stored_file,
    store_upload,
)
from academy.core.enums import Role
from academy.core.i18n import text_direction
from academy.core.nav import NavItem
from academy.core.storage import get_storage
from academy.core.transactions import after_commit
from academy.core.uploads import body_limit
from academy.courses import queries as course_queries
from academy.extensions import db

bp = Blueprint("assignments", __name__, template_folder="templates")

# The report itself: one file, as for practice evidence, with room for the note.
report_body_limit = feedback_body_limit


def menu_items(sender, **_kw):
    """On ``menu-items``: the grading queue for instructors and admins."""
    yield NavItem("assignments.queue", _l("Reports to grade"), (Role.INSTRUCTOR, Role.ADMIN), order=45)


def home_section(course, enrollment=None, language=None, **_kw):
    """On ``course-home-sections``: each assignment of the course, with the learner's status."""
    if enrollment is None:
        return None
    items = []
    for assignment_id, key, titles in queries.course_assignment_titles(course):
        lang = enrollment.language if enrollment.language in titles else course.default_language
        if lang in titles:
            items.append((key, titles[lang], lang, queries.submission_of(assignment_id, enrollment.user_id)))
    if not items:
        return None
    return Markup(render_template(  # noqa: S704  # nosec B704 - our own template's output
        "assignments/_home_section.html", course=course, items=items))


def _enrolled_assignment_or_404(slug: str, key: str):
    course, enrollment, _done = course_queries.course_with_enrollment(slug, current_user.id)
    if course is None or not course.is_published or enrollment is None:
        abort(404)
    assignment = queries.assignment_for(course.id, key)
    text = assignment.text_for(enrollment.language, course.default_language) if assignment else None
    if text is None:
        abort(404)
    return course, enrollment, assignment, text


@bp.route("/learn/<slug>/assignments/<key>/template")
@learner_required
def template(slug: str, key: str):
    _course, _enrollment, assignment, text = _enrolled_assignment_or_404(slug, key)
    data = build_template(text.title, text.template, rtl=text_direction(text.language) == "rtl")
    resp = send_file(io.BytesIO(data), mimetype=XLSX_TYPE, as_attachment=True,
                     download_name=f"{text.template['filename']}-{text.language}.xlsx", max_age=0)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Cache-Control"] = "private, no-cache"
    return resp


@bp.route("/learn/<slug>/assignments/<key>/", methods=["GET", "POST"])
@body_limit(report_body_limit)
@learner_required
def assignment(slug: str, key: str):
    course, enrollment, assignment, text = _enrolled_assignment_or_404(slug, key)
    sub = queries.submission_of(assignment.id, current_user.id)
    form = ReportForm()
    status = 200
    if request.method == "POST":
        chosen = form.report.data if form.report.data and form.report.data.filename else None
        if not form.validate_on_submit():
            status = 400
        elif chosen is None:
            form.report.errors = [_("Choose the file of your report.")]
            status = 400
        else:
            try:
                upload = store_upload(chosen, prefix="assignment")
                sub, replaced = services.submit_report(assignment, current_user, enrollment.language, upload,
                                                       form.note.data or "")
            except (UploadError, services.AssignmentError) as exc:
                db.session.rollback()  # and with it the stored file
                form.report.errors = [str(exc)]
                status = 400
                sub = queries.submission_of(assignment.id, current_user.id)
            else:
                if replaced:
                    # The old file leaves storage only if the request's commit keeps the new one.
                    after_commit(lambda: get_storage().delete(replaced))
                flash(_("Your report is submitted. An instructor will grade it."), "success")
                return redirect(url_for("assignments.assignment", slug=slug, key=key))
    return render_template("assignments/assignment.html", course=course, enrollment=enrollment,
                           assignment=assignment, text=text, sub=sub, form=form,
                           max_bytes=max_upload_bytes()), status


def _viewable_submission_or_404(submission_id: int) -> AssignmentSubmission:
    sub = db.session.get(AssignmentSubmission, submission_id)
    if sub is None or not queries.can_view(current_user, sub):
        abort(404)
    return sub


@bp.route("/assignments/reports/<int:submission_id>")
@learner_required
def report_file(submission_id: int):
    sub = _viewable_submission_or_404(submission_id)
    return send_stored_file(sub.storage_key, sub.content_type, sub.filename)


@bp.route("/teaching/assignments/")
@instructor_required
def queue():
    waiting = [s for s in queries.grading_queue() if queries.can_grade(current_user, s)]
    graded = [s for s in queries.recently_graded() if queries.can_grade(current_user, s)]
    return render_template("assignments/queue.html", waiting=waiting, graded=graded)


@bp.route("/teaching/assignments/<int:submission_id>", methods=["GET", "POST"])
@instructor_required
def grade(submission_id: int):
    sub = db.session.get(AssignmentSubmission, submission_id)
    if sub is None or not queries.can_grade(current_user, sub):
        abort(404)
    rubric = sub.rubric
    form = GradeForm()
    # Empty on GET; on a refused POST, what the grader chose is shown again.
    picks, crit_feedback = marks_from_form(rubric, request.form)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.grade_report(sub, current_user, expected_version=int(form.version.data), picks=picks,
                                      criterion_feedback=crit_feedback, feedback=form.feedback.data or "")
            except (services.AssignmentError, ValueError) as exc:
                db.session.rollback()
                flash(str(exc), "error")
                status = 409 if isinstance(exc, services.ConcurrentGradeError) else 400
                sub = db.session.get(AssignmentSubmission, submission_id)
                rubric = sub.rubric
            else:
                flash(_("The grade is saved. The learner sees it on the assignment page."), "success")
                return redirect(url_for("assignments.queue"))
        else:
            status = 400
    form.version.data = str(sub.version)
    return render_template("assignments/grade.html", sub=sub, rubric=rubric, form=form, picks=picks,
                           crit_feedback=crit_feedback,
                           text=sub.assignment.text_for(sub.language)), status
