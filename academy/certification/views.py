"""Certification screens: learner record and practice, instructor worklists, cohort admin.

Records, submissions and files that a user may not see answer 404, so guessing IDs
reveals nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from academy.assessments.rubric_models import Rubric
from academy.assessments.rubrics import RubricError, example_rubric_text, marks_from_form, rubric_to_text
from academy.auth.access import admin_required, instructor_required, learner_required
from academy.auth.models import User
from academy.certification import queries, services, translations
from academy.certification.enums import GradeDecision, PhaseState
from academy.certification.forms import (
    AssessmentForm,
    CohortForm,
    CsrfOnlyForm,
    CsvEnrolForm,
    DraftForm,
    EnrolForm,
    ExtensionForm,
    GradeForm,
    InstructorForm,
    ModerateForm,
    SessionForm,
    TaskForm,
    options,
    programme_form,
    task_translation_form,
)
from academy.certification.models import (
    CertificationProgramme,
    CertificationRecord,
    Cohort,
    PracticeSubmission,
    PracticeTask,
    SubmissionFile,
    TrainingSession,
)
from academy.certification.notifications import mark_all_read, recent
from academy.certification.uploads import (
    FORM_ROOM,
    UploadError,
    feedback_body_limit,
    max_files,
    max_upload_bytes,
    practice_body_limit,
    send_stored_file,
    store_upload,
)
from academy.core.enums import Role
from academy.core.i18n import language_name
from academy.core.models import utcnow
from academy.core.nav import NavItem
from academy.core.transactions import after_commit
from academy.core.uploads import body_limit
from academy.courses.models import Course
from academy.extensions import db
from academy.nudges.services import expiring_soon
from academy.offline import services as offline_services

bp = Blueprint("certification", __name__, template_folder="templates", url_prefix="/certification")


def menu_items(sender, **_kw):
    """On ``menu-items``: this feature's header entries."""
    everyone = (Role.LEARNER, Role.INSTRUCTOR, Role.ADMIN)
    yield NavItem("certification.my_records", _l("Certification"), everyone, order=30)
    yield NavItem("certification.instructor_dashboard", _l("Teaching"), (Role.INSTRUCTOR, Role.ADMIN), order=40)
    yield NavItem("certification.admin_index", _l("Programmes"), (Role.ADMIN,), order=60)


# --- lookups that enforce who sees what ----------------------------------------------


def _record_or_404(record_id: int) -> CertificationRecord:
    record = db.session.get(CertificationRecord, record_id)
    if record is None or not queries.can_view_record(current_user, record):
        abort(404)
    return record


def _gradable_submission_or_404(submission_id: int) -> PracticeSubmission:
    sub = db.session.get(PracticeSubmission, submission_id)
    if sub is None or not queries.can_grade(current_user, sub.record):
        abort(404)
    return sub


def _cohort_or_404(cohort_id: int) -> Cohort:
    cohort = db.get_or_404(Cohort, cohort_id)
    if not current_user.has_role(Role.ADMIN) and current_user.id not in cohort.instructor_ids:
        abort(404)
    return cohort


def _session_or_404(session_id: int) -> TrainingSession:
    session = db.get_or_404(TrainingSession, session_id)
    _cohort_or_404(session.cohort_id)
    return session


def _is_staff_for(record: CertificationRecord) -> bool:
    return queries.can_grade(current_user, record)


# --- learner ---------------------------------------------------------------------------


def _done_or_flash(action, success: str) -> bool:
    """Run a service call and flash ``success``, or, when the service refuses, roll back
    (the answer is a redirect, which the request would commit) and flash its reason."""
    try:
        action()
    except services.CertificationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return False
    flash(success, "success")
    return True


@bp.route("/")
@learner_required
def my_records():
    records = queries.user_records(current_user.id)
    rows = [{"record": r, "phases": queries.phase_views(r)} for r in records]
    latest = {}
    for r in records:
        latest.setdefault(r.programme_id, r)
    recertifiable = [r for r in latest.values() if r.awarded_at and r.is_expired]
    return render_template("certification/my_records.html", rows=rows, recertifiable=recertifiable,
                           expiring=expiring_soon(latest.values(), utcnow()), form=CsrfOnlyForm())


@bp.route("/programmes/<int:programme_id>/recertify", methods=["POST"])
@learner_required
def recertify(programme_id: int):
    programme = db.get_or_404(CertificationProgramme, programme_id)
    if not CsrfOnlyForm().validate_on_submit():
        abort(400)
    try:
        record = services.recertify(current_user, programme)
    except services.CertificationError as exc:
        db.session.rollback()  # the answer is a redirect, which the request would commit
        flash(str(exc), "error")
        return redirect(url_for("certification.my_records"))
    flash(_("Your recertification has started. An administrator will place you in a cohort."), "success")
    return redirect(url_for("certification.record", record_id=record.id))


@bp.route("/records/<int:record_id>")
@learner_required
def record(record_id: int):
    record = _record_or_404(record_id)
    phases = queries.phase_views(record)
    staff = _is_staff_for(record)
    ext_form = None
    if staff and record.phase2_passed_at and not record.awarded_at:
        ext_form = ExtensionForm()
        ext_form.task_id.choices = options([(0, _("All practice tasks"))]
                                           + [(t.id, t.title) for t in record.programme.tasks])
    extensions = []
    if staff or record.user_id == current_user.id:
        from academy.certification.models import DeadlineExtension

        extensions = list(db.session.scalars(select(DeadlineExtension).where(DeadlineExtension.record_id == record.id)
                                             .order_by(DeadlineExtension.created_at)))
    certificate = None
    if record.certificate_id is not None:
        from academy.certificates.models import Certificate

        certificate = db.session.get(Certificate, record.certificate_id)
    return render_template("certification/record.html", record=record, phases=phases, staff=staff,
                           certificate=certificate,
                           ext_form=ext_form, extensions=extensions, PhaseState=PhaseState,
                           is_owner=record.user_id == current_user.id)


def _task_context(record_id: int, task_id: int):
    record = _record_or_404(record_id)
    task = db.session.get(PracticeTask, task_id)
    if task is None or task.programme_id != record.programme_id:
        abort(404)
    return record, task


@bp.route("/records/<int:record_id>/tasks/<int:task_id>", methods=["GET", "POST"])
@body_limit(practice_body_limit)
@learner_required
def task(record_id: int, task_id: int):
    record, task = _task_context(record_id, task_id)
    is_owner = record.user_id == current_user.id
    if record.phase2_passed_at is None:
        flash(_("On-the-job practice opens when phase 2 is passed."), "info")
        return redirect(url_for("certification.record", record_id=record.id))
    sub = services.submission_for(record, task, create=False)
    form = DraftForm(obj=sub) if request.method == "GET" else DraftForm()
    if request.method == "POST":
        if not is_owner:
            abort(403)
        if not form.validate_on_submit():  # e.g. a report over the length limit: shown on the field, text kept
            return _practice_page(record, task, sub, form, is_owner), 400
        sub = services.submission_for(record, task, create=True)
        uploads = []
        chosen = [fs for fs in form.files.data or [] if fs and fs.filename]
        # Files sent ahead in chunks (resumable-upload.js): only complete ones, only the learner's own.
        finished = offline_services.finished_uploads(current_user, record, task, request.form.getlist("upload_token"))
        try:
            if len(chosen) + len(finished) > max_files():
                raise UploadError(_("Choose at most %(n)s files at a time.", n=max_files()))
            for fs in chosen:
                uploads.append(store_upload(fs))
            for row, fs in finished:
                uploads.append(store_upload(fs))
                db.session.delete(row)
            services.save_draft(sub, form.text.data or "", uploads, current_user)
            if form.submit_work.data:
                services.submit(sub)
        except (UploadError, services.CertificationError) as exc:
            db.session.rollback()  # and with it the files stored so far
            if isinstance(exc, UploadError):
                form.files.errors.append(str(exc))  # on the field, with the typed text still in the form
            else:
                flash(str(exc), "error")
            return _practice_page(record, task, services.submission_for(record, task), form, is_owner), 400
        # The chunks' files go once the request's commit keeps the stored copies.
        paths = [offline_services.partial_path(row) for row, _fs in finished]
        after_commit(lambda: [p.unlink(missing_ok=True) for p in paths])
        if form.submit_work.data:
            flash(_("Your work is submitted. Your instructor will grade it."), "success")
        else:
            flash(_("Your draft is saved."), "success")
        return redirect(url_for("certification.task", record_id=record.id, task_id=task.id))
    return _practice_page(record, task, sub, form, is_owner)


def _learner_words(record, task, rubric):
    """The task's and rubric's words in the learner's language, which learners and their
    instructors both read (each word falling back to the programme's source language)."""
    language = record.user.preferred_language or translations.source_language(task)
    return (translations.task_words(task, language),
            translations.rubric_words(rubric, language, translations.source_language(task)))


def _practice_page(record, task, sub, form, is_owner: bool) -> str:
    tw, rw = _learner_words(record, task, sub.rubric if sub else task.rubric)
    return render_template("certification/task.html", record=record, task=task, sub=sub, form=form, tw=tw, rw=rw,
                           is_owner=is_owner, deadline=queries.deadline_for(record, task),
                           delete_form=CsrfOnlyForm(), max_bytes=max_upload_bytes(), max_files=max_files(),
                           max_total=practice_body_limit() - FORM_ROOM)


@bp.route("/submissions/<int:submission_id>/files/<int:file_id>/delete", methods=["POST"])
@learner_required
def delete_file(submission_id: int, file_id: int):
    sub = db.session.get(PracticeSubmission, submission_id)
    if sub is None or sub.record.user_id != current_user.id:
        abort(404)
    file = db.session.get(SubmissionFile, file_id)
    if file is None or file.submission_id != sub.id:
        abort(404)
    if not CsrfOnlyForm().validate_on_submit():
        abort(400)
    try:
        services.remove_file(sub, file)  # the file goes once the request commits
    except services.CertificationError as exc:
        db.session.rollback()  # the answer is a redirect, which the request would commit
        flash(str(exc), "error")
    else:
        flash(_("The file was removed."), "success")
    return redirect(url_for("certification.task", record_id=sub.record_id, task_id=sub.task_id))


@bp.route("/files/<int:file_id>")
@learner_required
def file(file_id: int):
    row = db.session.get(SubmissionFile, file_id)
    if row is None or not queries.can_view_record(current_user, row.submission.record):
        abort(404)
    return send_stored_file(row.storage_key, row.content_type, row.filename)


# --- notifications ---------------------------------------------------------------------


@bp.route("/notifications")
@learner_required
def notifications():
    return render_template("certification/notifications.html", items=recent(current_user.id), form=CsrfOnlyForm())


@bp.route("/notifications/read", methods=["POST"])
@learner_required
def notifications_read():
    if not CsrfOnlyForm().validate_on_submit():
        abort(400)
    mark_all_read(current_user.id)
    return redirect(url_for("certification.notifications"))


# --- instructors ----------------------------------------------------------------------


@bp.route("/teaching")
@instructor_required
def instructor_dashboard():
    is_admin = current_user.has_role(Role.ADMIN)
    cohort_ids = None if is_admin else queries.taught_cohort_ids(current_user)
    ids_for_sessions = [c.id for c in queries.visible_cohorts(current_user)]
    return render_template(
        "certification/instructor_dashboard.html",
        cohorts=queries.visible_cohorts(current_user),
        sessions=queries.sessions_needing_attendance(ids_for_sessions),
        waiting=queries.submissions_waiting(cohort_ids),
        at_risk=queries.learners_at_risk(cohort_ids),
    )


@bp.route("/cohorts/<int:cohort_id>")
@instructor_required
def cohort(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    records = queries.cohort_records(cohort.id)
    rows = [{"record": r, "phases": queries.phase_views(r)} for r in records]
    is_admin = current_user.has_role(Role.ADMIN)
    session_form = None
    if is_admin:
        session_form = SessionForm()
        session_form.language.choices = options((c, language_name(c)) for c in current_app.config["LANGUAGES"])
    return render_template("certification/cohort.html", cohort=cohort, rows=rows, is_admin=is_admin,
                           enrol_form=EnrolForm(), csv_form=CsvEnrolForm(), instructor_form=InstructorForm(),
                           session_form=session_form, remove_form=CsrfOnlyForm())


@bp.route("/sessions/<int:session_id>/attendance", methods=["GET", "POST"])
@instructor_required
def attendance(session_id: int):
    from academy.certification.enums import AttendanceStatus
    from academy.certification.models import Attendance

    session = _session_or_404(session_id)
    records = [r for r in queries.cohort_records(session.cohort_id)]
    form = CsrfOnlyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        marks: dict[int, dict] = {}
        valid = {s.value for s in AttendanceStatus}
        for r in records:
            for day in session.days:
                value = request.form.get(f"mark-{r.id}-{day.isoformat()}", "")
                if value == "":
                    continue
                if value not in valid:
                    abort(400)
                marks.setdefault(r.id, {})[day] = AttendanceStatus(value)
        try:
            changed = services.record_attendance(session, marks, current_user)
        except services.CertificationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(request.url)
        flash(_("Attendance saved (%(count)s changes).", count=changed), "success")
        return redirect(url_for("certification.attendance", session_id=session.id))
    existing = {(a.record_id, a.day): a.status for a in db.session.scalars(
        select(Attendance).where(Attendance.session_id == session.id))}
    rows = [{"record": r, "summary": queries.attendance_summary(r, session)} for r in records]
    return render_template("certification/attendance.html", session=session, rows=rows, existing=existing,
                           statuses=list(AttendanceStatus), form=form,
                           min_percent=session.cohort.programme.min_attendance_percent)


@bp.route("/records/<int:record_id>/assessment", methods=["GET", "POST"])
@instructor_required
def assessment(record_id: int):
    record = _record_or_404(record_id)
    if not queries.can_grade(current_user, record):
        abort(404)
    sessions = record.cohort.sessions if record.cohort else []
    existing = queries.assessment_for(record)
    form = AssessmentForm(obj=existing) if request.method == "GET" else AssessmentForm()
    form.session_id.choices = options((s.id, f"{s.title} ({s.starts_on:%Y-%m-%d})") for s in sessions)
    if request.method == "GET":
        current = queries.learner_session(record)
        if current is not None:
            form.session_id.data = current.id
        if existing is not None:
            form.outcome.data = existing.outcome.value
            form.score.data = int(existing.score) if existing.score is not None else None
    if form.validate_on_submit():
        session = db.session.get(TrainingSession, form.session_id.data)
        try:
            services.assess(record, session, outcome=form.outcome.data, comments=form.comments.data or "",
                            score_value=float(form.score.data) if form.score.data is not None else None,
                            by=current_user)
        except services.CertificationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash(_("The assessment is saved."), "success")
            return redirect(url_for("certification.record", record_id=record.id))
    summary = queries.attendance_summary(record, queries.learner_session(record))
    return render_template("certification/assessment.html", record=record, form=form, summary=summary,
                           existing=existing), 400 if request.method == "POST" else 200


@bp.route("/submissions/<int:submission_id>/grade", methods=["GET", "POST"])
@body_limit(feedback_body_limit)
@instructor_required
def grade(submission_id: int):
    sub = _gradable_submission_or_404(submission_id)
    rubric = sub.rubric
    form = GradeForm()
    moderate_form = ModerateForm()
    # Empty on GET; on a refused POST, what the grader chose is shown again.
    picks, crit_feedback = marks_from_form(rubric, request.form)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            feedback_file = None
            try:
                if form.feedback_file.data and form.feedback_file.data.filename:
                    feedback_file = store_upload(form.feedback_file.data, prefix="feedback")
                services.grade(sub, current_user, expected_version=int(form.version.data), picks=picks,
                               criterion_feedback=crit_feedback, feedback=form.feedback.data or "",
                               decision=GradeDecision(form.decision.data), feedback_file=feedback_file)
            except (UploadError, services.CertificationError, ValueError) as exc:
                db.session.rollback()  # and with it the feedback file, if stored
                flash(str(exc), "error")
                status = 409 if isinstance(exc, services.ConcurrentGradeError) else 400
                sub = _gradable_submission_or_404(submission_id)
            else:
                flash(_("The grade is saved and the learner is notified."), "success")
                return redirect(url_for("certification.grade", submission_id=sub.id))
        else:
            status = 400
    form.version.data = str(sub.version)
    moderate_form.version.data = str(sub.version)
    last = sub.grades[-1] if sub.grades else None
    can_moderate = (last is not None and last.kind.value == "grade" and last.grader_id != current_user.id
                    and last.submitted_at == sub.submitted_at and sub.status.value != "submitted")
    tw, rw = _learner_words(sub.record, sub.task, rubric)
    return render_template("certification/grade.html", sub=sub, record=sub.record, task=sub.task, rubric=rubric,
                           tw=tw, rw=rw, source_rw=translations.rubric_words(rubric, None,
                                                                             translations.source_language(sub.task)),
                           form=form, moderate_form=moderate_form, picks=picks, crit_feedback=crit_feedback,
                           can_moderate=can_moderate, max_bytes=max_upload_bytes(),
                           deadline=queries.deadline_for(sub.record, sub.task)), status


@bp.route("/submissions/<int:submission_id>/moderate", methods=["POST"])
@instructor_required
def moderate(submission_id: int):
    sub = _gradable_submission_or_404(submission_id)
    form = ModerateForm()
    if not form.validate_on_submit():
        flash(_("Choose whether you agree or override."), "error")
        return redirect(url_for("certification.grade", submission_id=sub.id))
    try:
        services.moderate(sub, current_user, expected_version=int(form.version.data), outcome=form.outcome.data,
                          note=form.note.data or "", decision=form.decision.data or None)
    except (services.CertificationError, ValueError) as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash(_("Your moderation is recorded."), "success")
    return redirect(url_for("certification.grade", submission_id=sub.id))


@bp.route("/records/<int:record_id>/extensions", methods=["POST"])
@instructor_required
def extend_deadline(record_id: int):
    record = _record_or_404(record_id)
    if not queries.can_grade(current_user, record):
        abort(404)
    form = ExtensionForm()
    form.task_id.choices = options([(0, "")] + [(t.id, t.title) for t in record.programme.tasks])
    if not form.validate_on_submit():
        flash(_("Give a new deadline and a reason."), "error")
        return redirect(url_for("certification.record", record_id=record.id))
    task = db.session.get(PracticeTask, form.task_id.data) if form.task_id.data else None
    due_at = datetime.combine(form.due_on.data, time(23, 59), tzinfo=UTC)
    _done_or_flash(lambda: services.extend_deadline(record, task, due_at, form.reason.data, current_user),
                     _("The deadline is extended and the learner is notified."))
    return redirect(url_for("certification.record", record_id=record.id))


# --- administration -------------------------------------------------------------------


@bp.route("/admin/", methods=["GET", "POST"])
@admin_required
def admin_index():
    form = CohortForm()
    programmes = queries.programmes()
    form.programme_id.choices = options((p.id, f"{p.code} — {p.title()}") for p in programmes)
    if form.validate_on_submit():
        programme = db.session.get(CertificationProgramme, form.programme_id.data) or abort(400)
        try:
            cohort = services.create_cohort(programme, form.name.data, form.starts_on.data, form.ends_on.data)
        except services.CertificationError as exc:
            db.session.rollback()
            form.name.errors.append(str(exc))
        else:
            flash(_("The cohort is created. Now enrol learners and assign instructors."), "success")
            return redirect(url_for("certification.cohort", cohort_id=cohort.id))
    cohorts = queries.visible_cohorts(current_user)
    counts = {c.id: len(queries.cohort_records(c.id)) for c in cohorts}
    return render_template("certification/admin_index.html", programmes=programmes, cohorts=cohorts,
                           counts=counts, form=form), 400 if request.method == "POST" else 200


def _programme_form(programme: CertificationProgramme | None):
    Form = programme_form(current_app.config["LANGUAGES"], language_name)
    if request.method == "GET":
        form = Form(obj=programme) if programme else Form(min_attendance_percent=80, validity_months=36,
                                                          resubmission_limit=2, source_language="en")
        for lang in current_app.config["LANGUAGES"]:
            if programme and f"title_{lang}" in form:
                form[f"title_{lang}"].data = programme.titles.get(lang, "")
    else:
        form = Form()
    courses = list(db.session.scalars(select(Course).order_by(Course.code)))
    form.course_ids.choices = options((c.id, f"{c.code} — {_course_label(c)}") for c in courses)
    if request.method == "GET":
        form.course_ids.data = [pc.course_id for pc in programme.required_courses] if programme else [
            c.id for c in courses if c.code == "DL177"]
    return form, courses


def _course_label(course: Course) -> str:
    version = course.version(str(get_locale())) or course.version(course.default_language)
    return version.title if version else course.code


def _programme_values(form, courses) -> dict:
    wanted = form.course_ids.data or []
    by_id = {c.id: c for c in courses}
    return {
        "min_attendance_percent": form.min_attendance_percent.data, "validity_months": form.validity_months.data,
        "resubmission_limit": form.resubmission_limit.data, "code": form.code.data,
        "source_language": form.source_language.data or None,
        "certificate_second_language": (form.certificate_second_language.data or None
                                        if form.certificate_second_language.raw_data else services.KEEP),
        "courses": [by_id[i] for i in wanted if i in by_id],
        "titles": {lang: form[f"title_{lang}"].data or "" for lang in current_app.config["LANGUAGES"]
                   if f"title_{lang}" in form},
    }


def _field_for(form, exc: Exception):
    """The programme form field a refusal from the services is shown on."""
    if isinstance(exc, services.SourceLanguageError):
        return form.source_language
    if isinstance(exc, services.CertificateLanguageError):
        return form.certificate_second_language
    return form.code


@bp.route("/admin/programmes/new", methods=["GET", "POST"])
@admin_required
def programme_new():
    form, courses = _programme_form(None)
    if form.validate_on_submit():
        try:
            programme = services.author_programme(**_programme_values(form, courses))
        except services.CertificationError as exc:
            db.session.rollback()
            field = _field_for(form, exc)
            field.errors.append(str(exc))
        else:
            flash(_("The programme is created. Now add its practice tasks."), "success")
            return redirect(url_for("certification.programme", programme_id=programme.id))
    return render_template("certification/programme.html", programme=None, form=form,
                           languages=current_app.config["LANGUAGES"]), 400 if request.method == "POST" else 200


@bp.route("/admin/programmes/<int:programme_id>", methods=["GET", "POST"])
@admin_required
def programme(programme_id: int):
    programme = db.get_or_404(CertificationProgramme, programme_id)
    form, courses = _programme_form(programme)
    if form.validate_on_submit():
        try:
            services.update_programme(programme, **_programme_values(form, courses))
        except services.CertificationError as exc:
            db.session.rollback()
            field = _field_for(form, exc)
            field.errors.append(str(exc))
        else:
            flash(_("The programme is saved."), "success")
            return redirect(url_for("certification.programme", programme_id=programme.id))
    in_use = {t.id: services.rubric_in_use(t.rubric) for t in programme.tasks}
    return render_template("certification/programme.html", programme=programme, form=form, in_use=in_use,
                           languages=current_app.config["LANGUAGES"]), (400 if request.method == "POST" else 200)


def _task_page(programme: CertificationProgramme, task: PracticeTask | None, form, status: int = 200):
    versions = []
    if task is not None:
        rubric = task.rubric
        while rubric is not None:
            versions.append((rubric, services.rubric_in_use(rubric)))
            rubric = db.session.get(Rubric, rubric.previous_id) if rubric.previous_id else None
    return render_template("certification/task_form.html", programme=programme, task=task, form=form,
                           versions=versions, rubric_example=example_rubric_text(),
                           translation_statuses=translations.translation_statuses(task) if task else []), status


@bp.route("/admin/programmes/<int:programme_id>/tasks/new", methods=["GET", "POST"])
@admin_required
def task_new(programme_id: int):
    programme = db.get_or_404(CertificationProgramme, programme_id)
    form = TaskForm() if request.method == "POST" else TaskForm(position=len(programme.tasks) + 1, due_days=60)
    if form.validate_on_submit():
        try:
            task = services.author_task(programme, title=form.title.data, instructions=form.instructions.data,
                                        due_days=form.due_days.data, position=form.position.data,
                                        rubric=form.rubric_spec())
        except RubricError as exc:
            db.session.rollback()
            form.rubric_text.errors.extend(exc.problems)
        else:
            flash(_("The practice task is added."), "success")
            return redirect(url_for("certification.task_edit", task_id=task.id))
    return _task_page(programme, None, form, 400 if request.method == "POST" else 200)


@bp.route("/admin/tasks/<int:task_id>", methods=["GET", "POST"])
@admin_required
def task_edit(task_id: int):
    task = db.get_or_404(PracticeTask, task_id)
    programme = task.programme
    if request.method == "POST":
        form = TaskForm()
    else:
        form = TaskForm(obj=task, rubric_title=task.rubric.title, pass_threshold=task.rubric.pass_threshold,
                        rubric_text=rubric_to_text(task.rubric))
    if form.validate_on_submit():
        try:
            versioned = services.update_task(task, title=form.title.data, instructions=form.instructions.data,
                                             due_days=form.due_days.data, position=form.position.data,
                                             rubric=form.rubric_spec())
        except RubricError as exc:
            db.session.rollback()
            form.rubric_text.errors.extend(exc.problems)
        else:
            if versioned:
                flash(_("Work has already been submitted against this rubric, so your changes are saved as version "
                        "%(version)s. Work submitted from now on is graded on it; earlier work keeps its version "
                        "and its grades.", version=task.rubric.version), "success")
            else:
                flash(_("The practice task is saved."), "success")
            return redirect(url_for("certification.task_edit", task_id=task.id))
    return _task_page(programme, task, form, 400 if request.method == "POST" else 200)


@bp.route("/admin/tasks/<int:task_id>/translations/<language>", methods=["GET", "POST"])
@admin_required
def task_translation(task_id: int, language: str):
    """One task's words in ``language``, written beside the source words."""
    task = db.get_or_404(PracticeTask, task_id)
    source = translations.source_language(task)
    if language not in current_app.config["LANGUAGES"] or language == source:
        abort(404)
    rubric = task.rubric
    if request.method == "POST":
        form = task_translation_form(rubric)
    else:
        form = task_translation_form(rubric, data=_translation_data(task, rubric, language))
    status = 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        data = form.data
        try:
            translations.save_task_translation(
                task, language, title=data["title"], instructions=data["instructions"],
                rubric_title=data["rubric_title"] or "",
                criteria={c.id: (data[f"criterion_{c.id}_title"] or "", data[f"criterion_{c.id}_description"] or "")
                          for c in rubric.criteria},
                levels={lv.id: (data[f"level_{lv.id}_title"] or "", data[f"level_{lv.id}_descriptor"] or "")
                        for c in rubric.criteria for lv in c.levels},
                by=current_user)
        except translations.TranslationError as exc:
            db.session.rollback()
            if exc.field in form:
                form[exc.field].errors.append(str(exc))
            else:
                flash(str(exc), "error")
        else:
            flash(_("The %(language)s translation is saved.", language=language_name(language)), "success")
            return redirect(url_for("certification.task_edit", task_id=task.id))
    statuses = {s.language: s for s in translations.translation_statuses(task)}
    return render_template("certification/task_translation.html", task=task, programme=task.programme,
                           rubric=rubric, form=form, language=language, source=source,
                           status=statuses[language]), status


def _translation_data(task: PracticeTask, rubric: Rubric, language: str) -> dict:
    """The saved translation as form data (empty where nothing is translated yet)."""
    words = translations.rubric_words(rubric, language, translations.source_language(task))
    row = next((t for t in task.translations if t.language == language), None)
    data = {"title": row.title if row else "", "instructions": row.instructions if row else "",
            "rubric_title": words.translated_title}
    for c in rubric.criteria:
        ct = words.translated_criterion(c)
        data[f"criterion_{c.id}_title"] = ct.title if ct else ""
        data[f"criterion_{c.id}_description"] = ct.description if ct else ""
        for lv in c.levels:
            lt = words.translated_level(lv)
            data[f"level_{lv.id}_title"] = lt.title if lt else ""
            data[f"level_{lv.id}_descriptor"] = lt.descriptor if lt else ""
    return data


def _back_to_cohort(cohort: Cohort):
    return redirect(url_for("certification.cohort", cohort_id=cohort.id))


@bp.route("/cohorts/<int:cohort_id>/learners", methods=["POST"])
@admin_required
def cohort_enrol(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    form = EnrolForm()
    if not form.validate_on_submit():
        flash(_("Enter a valid e-mail address."), "error")
        return _back_to_cohort(cohort)
    user = db.session.scalar(select(User).where(User.email == form.email.data.lower()))
    if user is None:
        flash(_("There is no account with the e-mail %(email)s.", email=form.email.data), "error")
        return _back_to_cohort(cohort)
    _done_or_flash(lambda: services.enrol_learner(cohort, user), _("%(name)s is enrolled.", name=user.full_name))
    return _back_to_cohort(cohort)


@bp.route("/cohorts/<int:cohort_id>/learners/csv", methods=["POST"])
@admin_required
def cohort_enrol_csv(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    form = CsvEnrolForm()
    if not form.validate_on_submit() or not form.file.data:
        flash(_("Choose a CSV file."), "error")
        return _back_to_cohort(cohort)
    data = form.file.data.read(services.CSV_MAX_BYTES + 1)
    records, errors = services.enrol_from_csv(cohort, data)
    if errors:
        db.session.rollback()
        return render_template("certification/csv_errors.html", cohort=cohort, errors=errors), 400
    flash(_("%(count)s learners enrolled.", count=len(records)), "success")
    return _back_to_cohort(cohort)


@bp.route("/cohorts/<int:cohort_id>/instructors", methods=["POST"])
@admin_required
def cohort_instructor(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    form = InstructorForm()
    user = db.session.scalar(select(User).where(User.email == (form.email.data or "").lower())) \
        if form.validate_on_submit() else None
    if user is None:
        flash(_("There is no instructor account with that e-mail."), "error")
        return _back_to_cohort(cohort)
    _done_or_flash(lambda: services.assign_instructor(cohort, user),
                     _("%(name)s now teaches this cohort.", name=user.full_name))
    return _back_to_cohort(cohort)


@bp.route("/cohorts/<int:cohort_id>/instructors/<int:user_id>/remove", methods=["POST"])
@admin_required
def cohort_instructor_remove(cohort_id: int, user_id: int):
    cohort = _cohort_or_404(cohort_id)
    user = db.get_or_404(User, user_id)
    if not CsrfOnlyForm().validate_on_submit():
        abort(400)
    services.remove_instructor(cohort, user)
    flash(_("%(name)s no longer teaches this cohort.", name=user.full_name), "success")
    return _back_to_cohort(cohort)


@bp.route("/cohorts/<int:cohort_id>/sessions", methods=["POST"])
@admin_required
def session_new(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    form = SessionForm()
    form.language.choices = options((c, language_name(c)) for c in current_app.config["LANGUAGES"])
    if not form.validate_on_submit():
        flash(_("Check the session: %(errors)s", errors="; ".join(
            f"{form[name].label.text}: {' '.join(errs)}" for name, errs in form.errors.items())), "error")
        return _back_to_cohort(cohort)
    try:
        services.create_session(cohort, title=form.title.data, starts_on=form.starts_on.data,
                                ends_on=form.ends_on.data, mode=form.mode.data, place=form.place.data or "",
                                link=form.link.data or "", language=form.language.data)
    except services.CertificationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash(_("The session is scheduled."), "success")
    return _back_to_cohort(cohort)


def _cohort_choices() -> list[tuple[str, str]]:
    return [(str(c.id), f"{c.programme.code} — {c.name}")
            for c in db.session.scalars(select(Cohort).order_by(Cohort.name))]


def _cohort_members(key: str) -> list[int]:
    if not key.isdigit():
        return []
    return list(db.session.scalars(select(CertificationRecord.user_id)
                                   .where(CertificationRecord.cohort_id == int(key))))


def cohort_learner_groups(sender, **_kw):
    """On ``learner-groups``: cohorts, for the certificate admin's search and ZIP download
    (group=cohort:<id>)."""
    from academy.certificates.queries import LearnerGroups

    return "cohort", LearnerGroups(label=_l("Cohort"), choices=_cohort_choices, members=_cohort_members)
