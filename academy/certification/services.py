"""Writes for the certification. They add and flush; the request (or CLI command) commits.

``evaluate(record)`` is the one place phases are passed: it stamps the date a phase was
passed (which opens the next), sends the "phase opened" notifications and awards the
certification when all three are passed. Every write that could change a phase calls it.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date, datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from academy.assessments.rubric_models import Rubric
from academy.assessments.rubrics import build_rubric, score
from academy.auth.models import User
from academy.certification import queries
from academy.certification.enums import (
    AssessmentOutcome,
    AttendanceStatus,
    GradeDecision,
    GradeKind,
    ModerationOutcome,
    NotificationKind,
    SessionMode,
    SubmissionStatus,
)
from academy.certification.models import (
    Attendance,
    CertificationProgramme,
    CertificationRecord,
    Cohort,
    CohortInstructor,
    DeadlineExtension,
    InstructorAssessment,
    PracticeSubmission,
    PracticeTask,
    ProgrammeCourse,
    SubmissionCriterionGrade,
    SubmissionFile,
    SubmissionGrade,
    TrainingSession,
)
from academy.certification.notifications import notify
from academy.certification.queries import add_months
from academy.certification.uploads import StoredUpload
from academy.core import signals
from academy.core.audit import record as audit
from academy.core.enums import Role
from academy.core.models import utcnow
from academy.courses.models import Course, Enrollment
from academy.extensions import db

CSV_MAX_BYTES = 1024 * 1024
CSV_MAX_ROWS = 2000
REMINDER_WINDOW = timedelta(days=7)


class CertificationError(ValueError):
    """A write refused for a reason the user can act on (already translated)."""


class ConcurrentGradeError(CertificationError):
    """Someone else changed the submission since the grader loaded it."""


def record_path(record: CertificationRecord) -> str:
    return f"/certification/records/{record.id}"


def task_path(record: CertificationRecord, task: PracticeTask) -> str:
    return f"/certification/records/{record.id}/tasks/{task.id}"


# --- programmes -----------------------------------------------------------------------


def create_programme(*, code: str, titles: dict, description: str = "", min_attendance_percent: int = 80,
                     validity_months: int = 36, resubmission_limit: int = 2) -> CertificationProgramme:
    """Add a programme; its code is unique."""
    programme = CertificationProgramme(code=code.strip(), titles=titles, description=description,
                                       min_attendance_percent=min_attendance_percent,
                                       validity_months=validity_months, resubmission_limit=resubmission_limit)
    db.session.add(programme)
    db.session.flush()
    return programme


def update_programme(programme: CertificationProgramme, *, min_attendance_percent: int, validity_months: int,
                     resubmission_limit: int, courses: list[Course], code: str | None = None,
                     titles: dict | None = None) -> None:
    """Change a programme's settings and required courses (audited); re-evaluates open records.

    A new code only changes the serial prefix of certificates issued from now on.
    """
    before = _programme_snapshot(programme)
    if code is not None and code.strip() != programme.code:
        _check_code_free(code, programme.id)
        programme.code = code.strip()
    if titles is not None:
        programme.titles = {lang: t.strip() for lang, t in titles.items() if t and t.strip()}
    programme.min_attendance_percent = min_attendance_percent
    programme.validity_months = validity_months
    programme.resubmission_limit = resubmission_limit
    set_required_courses(programme, courses)
    db.session.flush()
    audit("certification.programme.update", "certification_programme", programme.id, before=before,
          after=_programme_snapshot(programme))
    for record in db.session.scalars(
        select(CertificationRecord).where(CertificationRecord.programme_id == programme.id,
                                          CertificationRecord.awarded_at.is_(None))
    ):
        evaluate(record)


def _check_code_free(code: str, programme_id: int | None) -> None:
    taken = db.session.scalar(select(CertificationProgramme.id).where(CertificationProgramme.code == code.strip()))
    if taken is not None and taken != programme_id:
        raise CertificationError(_("Another programme already has the code %(code)s.", code=code.strip()))


def author_programme(*, code: str, titles: dict, min_attendance_percent: int, validity_months: int,
                     resubmission_limit: int, courses: list[Course]) -> CertificationProgramme:
    """Create a programme from the admin form (audited); raises CertificationError for a taken code."""
    _check_code_free(code, None)
    programme = create_programme(code=code, titles={k: v.strip() for k, v in titles.items() if v and v.strip()},
                                 min_attendance_percent=min_attendance_percent, validity_months=validity_months,
                                 resubmission_limit=resubmission_limit)
    set_required_courses(programme, courses)
    audit("certification.programme.create", "certification_programme", programme.id,
          after=_programme_snapshot(programme))
    return programme


def _programme_snapshot(p: CertificationProgramme) -> dict:
    return {"code": p.code, "titles": dict(p.titles), "min_attendance_percent": p.min_attendance_percent,
            "validity_months": p.validity_months,
            "resubmission_limit": p.resubmission_limit,
            "courses": [pc.course.code for pc in p.required_courses]}


def set_required_courses(programme: CertificationProgramme, courses: list[Course]) -> None:
    """Make ``courses`` (in order) the phase 1 requirements of ``programme``."""
    wanted = {c.id: i for i, c in enumerate(courses, start=1)}
    for pc in list(programme.required_courses):
        if pc.course_id not in wanted:
            programme.required_courses.remove(pc)
            db.session.delete(pc)
    have = {pc.course_id: pc for pc in programme.required_courses}
    for course in courses:
        pc = have.get(course.id)
        if pc is None:
            programme.required_courses.append(ProgrammeCourse(course_id=course.id, position=wanted[course.id]))
        else:
            pc.position = wanted[course.id]
    db.session.flush()
    db.session.expire(programme, ["required_courses"])


def add_task(programme: CertificationProgramme, *, key: str, title: str, instructions: str, due_days: int,
             rubric: dict) -> PracticeTask:
    """Add a practice task with its rubric; raises RubricError for an unusable rubric."""
    built = build_rubric(rubric)
    position = max((t.position for t in programme.tasks), default=0) + 1
    task = PracticeTask(programme_id=programme.id, key=key, position=position, title=title,
                        instructions=instructions, due_days=due_days, rubric_id=built.id)
    db.session.add(task)
    db.session.flush()
    db.session.expire(programme, ["tasks"])
    return task


def _task_key(programme: CertificationProgramme, title: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", title).encode("ascii", "ignore")
                  .decode().lower()).strip("-")[:50] or "task"
    taken = {t.key for t in programme.tasks}
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def _move_task(programme: CertificationProgramme, task: PracticeTask, position: int) -> None:
    """Put ``task`` at ``position`` (1 = first) and number the others around it."""
    others = [t for t in sorted(programme.tasks, key=lambda t: (t.position, t.id)) if t.id != task.id]
    position = max(1, min(position, len(others) + 1))
    others.insert(position - 1, task)
    for i, t in enumerate(others, start=1):
        t.position = i


def _task_snapshot(task: PracticeTask) -> dict:
    return {"title": task.title, "due_days": task.due_days, "position": task.position,
            "rubric_id": task.rubric_id, "instructions_chars": len(task.instructions)}


def author_task(programme: CertificationProgramme, *, title: str, instructions: str, due_days: int,
                position: int, rubric: dict) -> PracticeTask:
    """Add a practice task and its rubric from the admin form (audited); raises RubricError."""
    task = add_task(programme, key=_task_key(programme, title), title=title.strip(),
                    instructions=instructions.strip(), due_days=due_days, rubric=rubric)
    db.session.refresh(programme, ["tasks"])
    _move_task(programme, task, position)
    db.session.flush()
    audit("certification.task.create", "practice_task", task.id, after=_task_snapshot(task))
    return task


def rubric_in_use(rubric: Rubric) -> int:
    """How many submissions were submitted against ``rubric`` (they are graded on it)."""
    return db.session.scalar(select(func.count()).select_from(PracticeSubmission)
                             .where(PracticeSubmission.rubric_id == rubric.id)) or 0


def _same_rubric(rubric: Rubric, spec: dict) -> bool:
    def shape(criteria):
        return [(c["title"], (c.get("min_level") or "").lower(),
                 [(lv["title"], lv["points"], lv.get("descriptor") or "") for lv in c["levels"]]) for c in criteria]

    current = [{"title": c.title, "min_level": c.min_level.title if c.min_level else None,
                "levels": [{"title": lv.title, "points": lv.points, "descriptor": lv.descriptor}
                           for lv in c.levels]} for c in rubric.criteria]
    return (rubric.title == spec["title"].strip() and rubric.pass_threshold == spec["pass_threshold"]
            and shape(current) == shape(spec["criteria"]))


def update_task(task: PracticeTask, *, title: str, instructions: str, due_days: int, position: int,
                rubric: dict) -> bool:
    """Change a practice task and its rubric (audited); returns True when the rubric got a new version.

    A rubric nobody has submitted against is replaced. One that has submitted or graded
    work is kept as it is: the new rubric becomes its next version, used for work submitted
    from now on, so no past grade changes. Raises RubricError for an unusable rubric.
    """
    before = _task_snapshot(task)
    old = task.rubric
    versioned = False
    if not _same_rubric(old, rubric):
        new = build_rubric(rubric)
        if rubric_in_use(old):
            new.version, new.previous_id = old.version + 1, old.id
            versioned = True
        else:
            new.version, new.previous_id = old.version, old.previous_id
        task.rubric_id = new.id
        db.session.flush()
        db.session.expire(task, ["rubric"])
        if not versioned:
            db.session.delete(old)
    task.title = title.strip()
    task.instructions = instructions.strip()
    task.due_days = due_days
    _move_task(task.programme, task, position)
    db.session.flush()
    audit("certification.task.update", "practice_task", task.id, before=before,
          after={**_task_snapshot(task), "rubric_version": task.rubric.version, "rubric_versioned": versioned})
    return versioned


# --- cohorts --------------------------------------------------------------------------


def create_cohort(programme: CertificationProgramme, name: str, starts_on: date | None = None,
                  ends_on: date | None = None) -> Cohort:
    """Add a cohort to a programme (names are unique within a programme); audited."""
    name = name.strip()
    if db.session.scalar(select(Cohort.id).where(Cohort.programme_id == programme.id, Cohort.name == name)):
        raise CertificationError(_("This programme already has a cohort with that name."))
    if starts_on and ends_on and ends_on < starts_on:
        raise CertificationError(_("The cohort cannot end before it starts."))
    cohort = Cohort(programme_id=programme.id, name=name, starts_on=starts_on, ends_on=ends_on)
    db.session.add(cohort)
    db.session.flush()
    audit("certification.cohort.create", "cohort", cohort.id,
          after={"programme": programme.code, "name": name})
    return cohort


def assign_instructor(cohort: Cohort, user: User) -> CohortInstructor:
    """Make ``user`` (who must hold the instructor role) an instructor of ``cohort``; audited."""
    if not user.has_role(Role.INSTRUCTOR):
        raise CertificationError(_("%(name)s is not an instructor.", name=user.full_name))
    existing = db.session.scalar(select(CohortInstructor).where(CohortInstructor.cohort_id == cohort.id,
                                                                CohortInstructor.user_id == user.id))
    if existing is not None:
        return existing
    row = CohortInstructor(cohort_id=cohort.id, user_id=user.id)
    db.session.add(row)
    db.session.flush()
    db.session.expire(cohort, ["instructors"])
    audit("certification.cohort.instructor.add", "cohort", cohort.id, after={"instructor": user.email})
    return row


def remove_instructor(cohort: Cohort, user: User) -> None:
    row = db.session.scalar(select(CohortInstructor).where(CohortInstructor.cohort_id == cohort.id,
                                                           CohortInstructor.user_id == user.id))
    if row is not None:
        db.session.delete(row)
        db.session.flush()
        db.session.expire(cohort, ["instructors"])
        audit("certification.cohort.instructor.remove", "cohort", cohort.id, before={"instructor": user.email})


def create_session(cohort: Cohort, *, title: str, starts_on: date, ends_on: date, mode: SessionMode,
                   place: str = "", link: str = "", language: str = "en") -> TrainingSession:
    """Schedule a training session for a cohort; audited."""
    if ends_on < starts_on:
        raise CertificationError(_("The session cannot end before it starts."))
    if (ends_on - starts_on).days > 60:
        raise CertificationError(_("A training session lasts at most 60 days."))
    session = TrainingSession(cohort_id=cohort.id, title=title.strip(), starts_on=starts_on, ends_on=ends_on,
                              mode=SessionMode(mode), place=place.strip(), link=link.strip(), language=language)
    db.session.add(session)
    db.session.flush()
    audit("certification.session.create", "training_session", session.id,
          after={"cohort": cohort.id, "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()})
    return session


def _enrolment_problem(cohort: Cohort, user: User) -> str | None:
    """Why ``user`` cannot join ``cohort`` (None when they can)."""
    record = queries.latest_record(user.id, cohort.programme_id)
    if record is None:
        return None
    if record.cohort_id == cohort.id:
        return _("already enrolled in this cohort")
    if record.awarded_at is not None and not record.is_expired:
        return _("already certified in this programme")
    if record.awarded_at is None and record.cohort_id is not None:
        return _("enrolled in another cohort of this programme")
    return None


def enrol_learner(cohort: Cohort, user: User) -> CertificationRecord:
    """Place ``user`` in ``cohort``: a new certification record, or their open one without a cohort.

    Refuses learners already in a cohort of the programme or holding a valid award.
    """
    problem = _enrolment_problem(cohort, user)
    if problem:
        raise CertificationError(_("%(email)s: %(problem)s.", email=user.email, problem=problem))
    record = queries.latest_record(user.id, cohort.programme_id)
    if record is not None and record.awarded_at is None:
        record.cohort_id = cohort.id  # a recertification record waiting for a cohort
    else:
        record = CertificationRecord(user_id=user.id, programme_id=cohort.programme_id, cohort_id=cohort.id,
                                     attempt=(record.attempt + 1) if record else 1,
                                     previous_record_id=record.id if record and record.awarded_at else None)
        db.session.add(record)
    db.session.flush()
    audit("certification.cohort.enrol", "certification_record", record.id,
          after={"cohort": cohort.id, "learner": user.email})
    _notify_phase_opened(record, 1)
    evaluate(record)
    return record


def parse_enrolment_csv(cohort: Cohort, data: bytes) -> tuple[list[User], list[dict]]:
    """Check a CSV of learner e-mails as a whole; returns (users, errors) and writes nothing.

    The file needs a header row with an ``email`` column (other columns, such as a name,
    are ignored). Each error is {"line", "value", "reason"}; line 0 is about the file.
    """
    def fail(reason: str) -> tuple[list[User], list[dict]]:
        return [], [{"line": 0, "value": "", "reason": reason}]

    if not data or not data.strip():
        return fail(_("The file is empty."))
    if len(data) > CSV_MAX_BYTES:
        return fail(_("The file is larger than 1 MB."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return fail(_("The file is not UTF-8 text. Save it as “CSV UTF-8”."))
    if "\x00" in text:
        return fail(_("The file is not a CSV text file."))
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        rows = list(reader)
    except csv.Error as exc:
        return fail(_("The file is not valid CSV: %(error)s", error=str(exc)))
    header = [h.strip().lower() for h in rows[0]] if rows else []
    if "email" not in header and "e-mail" not in header:
        return fail(_("The first row must be a header with an “email” column; found: %(columns)s.",
                      columns=", ".join(h for h in header if h) or _("nothing")))
    col = header.index("email") if "email" in header else header.index("e-mail")
    body = [(i, r) for i, r in enumerate(rows[1:], start=2) if any(c.strip() for c in r)]
    if not body:
        return fail(_("The file has a header but no learners."))
    if len(body) > CSV_MAX_ROWS:
        return fail(_("The file has more than %(count)s rows; split it.", count=CSV_MAX_ROWS))
    errors: list[dict] = []
    seen: dict[str, int] = {}
    parsed: list[tuple[int, str]] = []
    for line, row in body:
        value = row[col].strip() if col < len(row) else ""
        if not value:
            errors.append({"line": line, "value": "", "reason": _("no e-mail address")})
            continue
        try:
            email = validate_email(value, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            errors.append({"line": line, "value": value, "reason": _("not a valid e-mail address")})
            continue
        if email in seen:
            errors.append({"line": line, "value": value,
                           "reason": _("duplicate of line %(line)s", line=seen[email])})
            continue
        seen[email] = line
        parsed.append((line, email))
    users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_([e for _l, e in parsed])))}
    found: list[User] = []
    for line, email in parsed:
        user = users.get(email)
        if user is None:
            errors.append({"line": line, "value": email, "reason": _("no account with this e-mail address")})
            continue
        problem = _enrolment_problem(cohort, user)
        if problem:
            errors.append({"line": line, "value": email, "reason": problem})
            continue
        found.append(user)
    errors.sort(key=lambda e: e["line"])
    return (found if not errors else []), errors


def enrol_from_csv(cohort: Cohort, data: bytes) -> tuple[list[CertificationRecord], list[dict]]:
    """Enrol everyone in the CSV, or (when any row is bad) no one; returns (records, errors)."""
    users, errors = parse_enrolment_csv(cohort, data)
    if errors:
        return [], errors
    return [enrol_learner(cohort, u) for u in users], []


# --- phase 2: attendance and assessment ----------------------------------------------


def record_attendance(session: TrainingSession, marks: dict[int, dict[date, AttendanceStatus | None]],
                      by: User) -> int:
    """Set attendance for (record id → day → status); None clears a mark. Returns rows changed.

    Only learners of the session's cohort and days of the session are accepted.
    """
    records = {r.id: r for r in queries.cohort_records(session.cohort_id)}
    days = set(session.days)
    existing = {(a.record_id, a.day): a for a in db.session.scalars(
        select(Attendance).where(Attendance.session_id == session.id))}
    changed = 0
    touched = set()
    for record_id, by_day in marks.items():
        if record_id not in records:
            raise CertificationError(_("That learner is not in this cohort."))
        for day, status in by_day.items():
            if day not in days:
                raise CertificationError(_("That day is not part of the session."))
            row = existing.get((record_id, day))
            if status is None:
                if row is not None:
                    db.session.delete(row)
                    changed += 1
                    touched.add(record_id)
                continue
            status = AttendanceStatus(status)
            if row is None:
                db.session.add(Attendance(session_id=session.id, record_id=record_id, day=day, status=status,
                                          recorded_by_id=by.id))
            elif row.status != status:
                row.status, row.recorded_by_id, row.recorded_at = status, by.id, utcnow()
            else:
                continue
            changed += 1
            touched.add(record_id)
    db.session.flush()
    if changed:
        audit("certification.attendance.record", "training_session", session.id,
              after={"changes": changed, "learners": sorted(touched)})
    for record_id in touched:
        evaluate(records[record_id])
    return changed


def assess(record: CertificationRecord, session: TrainingSession, *, outcome: AssessmentOutcome, comments: str,
           score_value: float | None, by: User) -> InstructorAssessment:
    """Record (or change) the instructor's phase 2 verdict; refused while phase 2 is locked."""
    if record.phase1_passed_at is None:
        raise CertificationError(_("Phase 2 is not open for this learner yet: phase 1 is not passed."))
    if record.phase2_passed_at is not None:
        raise CertificationError(_("Phase 2 is already passed; the assessment can no longer change."))
    if session.cohort_id != record.cohort_id:
        raise CertificationError(_("That session does not belong to the learner's cohort."))
    if score_value is not None and not 0 <= score_value <= 100:
        raise CertificationError(_("The score must be between 0 and 100."))
    row = queries.assessment_for(record)
    before = None
    if row is None:
        row = InstructorAssessment(record_id=record.id)
        db.session.add(row)
    else:
        before = {"outcome": row.outcome.value, "score": row.score, "comments": row.comments}
    row.session_id = session.id
    row.outcome = AssessmentOutcome(outcome)
    row.comments = comments.strip()
    row.score = score_value
    row.assessed_by_id = by.id
    row.assessed_at = utcnow()
    db.session.flush()
    audit("certification.assessment", "certification_record", record.id, before=before,
          after={"outcome": row.outcome.value, "score": row.score, "comments": row.comments,
                 "session": session.id})
    evaluate(record)
    return row


# --- phase 3: deadlines ---------------------------------------------------------------


def extend_deadline(record: CertificationRecord, task: PracticeTask | None, due_at: datetime, reason: str,
                    by: User) -> DeadlineExtension:
    """Give a learner a later practice deadline (one task or all), with a reason; audited and notified."""
    reason = reason.strip()
    if not reason:
        raise CertificationError(_("Give a reason for the extension."))
    if record.phase2_passed_at is None:
        raise CertificationError(_("Phase 3 is not open for this learner yet."))
    if task is not None and task.programme_id != record.programme_id:
        raise CertificationError(_("That task is not part of the learner's programme."))
    tasks = [task] if task else list(record.programme.tasks)
    current = max(queries.deadline_for(record, t) for t in tasks)
    if due_at <= utcnow():
        raise CertificationError(_("The new deadline must be in the future."))
    if task is not None and due_at <= current:
        raise CertificationError(_("The new deadline must be later than the current one."))
    ext = DeadlineExtension(record_id=record.id, task_id=task.id if task else None, due_at=due_at,
                            reason=reason, granted_by_id=by.id)
    db.session.add(ext)
    db.session.flush()
    audit("certification.deadline.extend", "certification_record", record.id,
          before={"task": task.key if task else None, "due_at": current.isoformat()},
          after={"task": task.key if task else None, "due_at": due_at.isoformat(), "reason": reason})
    title = task.title if task else _("all practice tasks")
    notify(record.user, NotificationKind.DEADLINE_EXTENDED,
           lambda: (_("Your deadline for %(task)s was extended", task=title),
                    _("The new deadline is %(date)s. Reason: %(reason)s", date=due_at.strftime("%Y-%m-%d"),
                      reason=reason)),
           link=record_path(record), dedupe_key=f"extension:{ext.id}")
    return ext


# --- phase 3: submissions -------------------------------------------------------------


def submission_for(record: CertificationRecord, task: PracticeTask, create: bool = False) -> PracticeSubmission | None:
    sub = db.session.scalar(select(PracticeSubmission).where(PracticeSubmission.record_id == record.id,
                                                             PracticeSubmission.task_id == task.id))
    if sub is None and create:
        sub = PracticeSubmission(record_id=record.id, task_id=task.id, status=SubmissionStatus.DRAFT)
        try:
            with db.session.begin_nested():
                db.session.add(sub)
        except IntegrityError:
            sub = db.session.scalar(select(PracticeSubmission).where(PracticeSubmission.record_id == record.id,
                                                                     PracticeSubmission.task_id == task.id))
    return sub


def check_practice_open(record: CertificationRecord, task: PracticeTask) -> None:
    """Raise unless the learner may work on ``task`` now (phase 3 open, before the deadline)."""
    if record.awarded_at is not None:
        raise CertificationError(_("This certification is already awarded."))
    if record.phase2_passed_at is None:
        raise CertificationError(_("On-the-job practice opens when phase 2 is passed."))
    if task.programme_id != record.programme_id:
        raise CertificationError(_("That task is not part of the programme."))


def save_draft(sub: PracticeSubmission, text: str, uploads: list[StoredUpload], by: User) -> None:
    """Keep the learner's text and add uploaded files; only while the work is editable."""
    check_practice_open(sub.record, sub.task)
    if not sub.is_editable:
        raise CertificationError(_("This submission is locked while it is graded."))
    sub.text = text
    for up in uploads:
        db.session.add(SubmissionFile(submission_id=sub.id, storage_key=up.storage_key, filename=up.filename,
                                      content_type=up.content_type, size_bytes=up.size_bytes, sha256=up.sha256,
                                      uploaded_by_id=by.id))
    sub.updated_at = utcnow()
    db.session.flush()
    db.session.expire(sub, ["files"])


def remove_file(sub: PracticeSubmission, file: SubmissionFile) -> str:
    """Delete an evidence file's row from an editable submission; returns its storage key,
    which the caller deletes from storage once the transaction is committed."""
    if file.submission_id != sub.id or file.grade_id is not None:
        raise CertificationError(_("That file is not part of this submission."))
    if not sub.is_editable:
        raise CertificationError(_("This submission is locked while it is graded."))
    key = file.storage_key
    db.session.delete(file)
    sub.updated_at = utcnow()
    db.session.flush()
    db.session.expire(sub, ["files"])
    return key


def submit(sub: PracticeSubmission) -> None:
    """Lock the draft and put it in the instructors' queue; refused after the deadline."""
    check_practice_open(sub.record, sub.task)
    if not sub.is_editable:
        raise CertificationError(_("This submission is already submitted."))
    deadline = queries.deadline_for(sub.record, sub.task)
    if deadline is not None and utcnow() > deadline:
        raise CertificationError(_("The deadline has passed. Ask your instructor for an extension."))
    if not sub.text.strip() and not sub.files:
        raise CertificationError(_("Write your report or attach at least one file before submitting."))
    sub.status = SubmissionStatus.SUBMITTED
    sub.submitted_at = utcnow()
    if sub.rubric_id is None:
        # Graded on the rubric it was written for, even if an admin edits the task's later.
        sub.rubric_id = sub.task.rubric_id
    db.session.flush()
    audit("certification.submission.submit", "practice_submission", sub.id,
          after={"task": sub.task.key, "files": len(sub.files)})


def _check_version(sub: PracticeSubmission, expected_version: int) -> None:
    if sub.version != expected_version:
        last = sub.grades[-1] if sub.grades else None
        who = last.grader.full_name if last and last.grader else _("someone else")
        raise ConcurrentGradeError(
            _("%(name)s changed this submission while you were grading it. Your grade was not saved: "
              "review their decision below before grading again.", name=who))


def _flush_versioned() -> None:
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise ConcurrentGradeError(
            _("Another instructor saved a grade for this submission at the same moment. Your grade was not "
              "saved: reload the page to see theirs.")) from None


def grade(sub: PracticeSubmission, grader: User, *, expected_version: int, picks: dict[int, int],
          criterion_feedback: dict[int, str], feedback: str, decision: GradeDecision,
          feedback_file: StoredUpload | None = None) -> SubmissionGrade:
    """Grade a submitted piece of work on its rubric and pass, fail or return it.

    ``picks`` maps criterion id → level id (one for every criterion). A pass needs the
    rubric's threshold met; a return needs resubmissions left. Refused (ConcurrentGradeError)
    when the submission changed since ``expected_version`` was read.
    """
    _check_version(sub, expected_version)
    if sub.status != SubmissionStatus.SUBMITTED:
        raise CertificationError(_("Only submitted work can be graded."))
    if not queries.can_grade(grader, sub.record):
        raise CertificationError(_("You do not teach this learner's cohort."))
    rubric = sub.rubric
    result = score(rubric, picks)
    if result.missing:
        raise CertificationError(_("Choose a level for every criterion."))
    decision = GradeDecision(decision)
    if decision == GradeDecision.PASS and not result.passes:
        raise CertificationError(_("The work cannot pass: %(why)s", why=" ".join(result.shortfalls)))
    limit = sub.record.programme.resubmission_limit
    if decision == GradeDecision.REVISE and sub.revision_count >= limit:
        raise CertificationError(_("The resubmission limit (%(limit)s) is reached: pass or fail the work.",
                                   limit=limit))
    if decision != GradeDecision.PASS and not feedback.strip():
        raise CertificationError(_("Explain in the overall feedback what is missing."))
    row = SubmissionGrade(submission_id=sub.id, kind=GradeKind.GRADE, grader_id=grader.id, decision=decision,
                          total_points=result.total, max_points=result.maximum, feedback=feedback.strip(),
                          submitted_at=sub.submitted_at)
    for criterion in rubric.criteria:
        row.criteria.append(SubmissionCriterionGrade(criterion_id=criterion.id, level_id=picks[criterion.id],
                                                     feedback=(criterion_feedback.get(criterion.id) or "").strip()))
    db.session.add(row)
    _apply_decision(sub, decision)
    _flush_versioned()
    if feedback_file is not None:
        db.session.add(SubmissionFile(submission_id=sub.id, grade_id=row.id, storage_key=feedback_file.storage_key,
                                      filename=feedback_file.filename, content_type=feedback_file.content_type,
                                      size_bytes=feedback_file.size_bytes, sha256=feedback_file.sha256,
                                      uploaded_by_id=grader.id))
        db.session.flush()
    audit("certification.submission.grade", "practice_submission", sub.id,
          after={"decision": decision.value, "total": result.total, "max": result.maximum,
                 "levels": {str(k): v for k, v in picks.items()}})
    _notify_decision(sub, row)
    evaluate(sub.record)
    return row


def _apply_decision(sub: PracticeSubmission, decision: GradeDecision) -> None:
    sub.graded_at = utcnow()
    if decision == GradeDecision.PASS:
        sub.status = SubmissionStatus.PASSED
    elif decision == GradeDecision.FAIL:
        sub.status = SubmissionStatus.FAILED
    else:
        sub.status = SubmissionStatus.RETURNED
        sub.revision_count += 1


def moderate(sub: PracticeSubmission, moderator: User, *, expected_version: int, outcome: ModerationOutcome,
             note: str, decision: GradeDecision | None = None) -> SubmissionGrade:
    """A second instructor agrees with the latest grade or overrides its decision, with a note."""
    _check_version(sub, expected_version)
    if not queries.can_grade(moderator, sub.record):
        raise CertificationError(_("You do not teach this learner's cohort."))
    last = sub.grades[-1] if sub.grades else None
    if last is None or last.kind != GradeKind.GRADE or last.submitted_at != sub.submitted_at:
        raise CertificationError(_("There is no new grade to moderate."))
    if last.grader_id == moderator.id:
        raise CertificationError(_("A grade is moderated by a second instructor, not by its grader."))
    if sub.status == SubmissionStatus.SUBMITTED:
        raise CertificationError(_("There is no new grade to moderate."))
    outcome = ModerationOutcome(outcome)
    if outcome == ModerationOutcome.OVERRIDE:
        if not note.strip():
            raise CertificationError(_("Explain the override in a note."))
        if decision is None or GradeDecision(decision) == last.decision:
            raise CertificationError(_("Choose a decision different from the grader's to override it."))
        decision = GradeDecision(decision)
        if decision == GradeDecision.PASS:
            levels = {c.criterion_id: c.level_id for c in last.criteria}
            if not score(sub.rubric, levels).passes:
                raise CertificationError(_("The grade's rubric total does not meet the pass threshold."))
        # Undo the grader's decision before applying the moderator's.
        if last.decision == GradeDecision.REVISE:
            sub.revision_count -= 1
        if decision == GradeDecision.REVISE and sub.revision_count >= sub.record.programme.resubmission_limit:
            raise CertificationError(_("The resubmission limit is reached: pass or fail the work."))
        _apply_decision(sub, decision)
    else:
        decision = last.decision
    row = SubmissionGrade(submission_id=sub.id, kind=GradeKind.MODERATION, grader_id=moderator.id,
                          decision=decision, moderation=outcome, total_points=last.total_points,
                          max_points=last.max_points, feedback=note.strip(), submitted_at=sub.submitted_at)
    db.session.add(row)
    sub.updated_at = utcnow()  # bumps the version: a grader racing the moderator is refused
    _flush_versioned()
    audit("certification.submission.moderate", "practice_submission", sub.id,
          after={"outcome": outcome.value, "decision": decision.value, "note": note.strip()})
    if outcome == ModerationOutcome.OVERRIDE:
        _notify_decision(sub, row)
    evaluate(sub.record)
    return row


def _notify_decision(sub: PracticeSubmission, row: SubmissionGrade) -> None:
    task_title = sub.task.title
    link = task_path(sub.record, sub.task)
    if row.decision == GradeDecision.PASS:
        kind = NotificationKind.SUBMISSION_PASSED
        render = lambda: (_("Your practice task “%(task)s” passed", task=task_title),  # noqa: E731
                          _("Your instructor passed “%(task)s”. Read the feedback on the task page.",
                            task=task_title))
    elif row.decision == GradeDecision.REVISE:
        kind = NotificationKind.SUBMISSION_RETURNED
        render = lambda: (_("Your practice task “%(task)s” was returned for revision", task=task_title),  # noqa: E731
                          _("Your instructor returned “%(task)s” with feedback. Revise it and submit it again "
                            "before the deadline.", task=task_title))
    else:
        kind = NotificationKind.SUBMISSION_FAILED
        render = lambda: (_("Your practice task “%(task)s” did not pass", task=task_title),  # noqa: E731
                          _("Your instructor graded “%(task)s” as not passed. Read the feedback on the task page.",
                            task=task_title))
    notify(sub.record.user, kind, render, link=link, dedupe_key=f"grade:{row.id}")


# --- evaluation, award, recertification ----------------------------------------------


def _notify_phase_opened(record: CertificationRecord, phase: int) -> None:
    programme_title = record.programme.title(record.user.preferred_language)

    def render():
        name = {1: _("distance learning"), 2: _("instructor-led training"), 3: _("on-the-job practice")}[phase]
        return (_("%(programme)s: phase %(phase)s (%(name)s) is open", programme=programme_title, phase=phase,
                  name=name),
                _("Phase %(phase)s of your certification, %(name)s, is now open. Your certification record "
                  "shows what to do next.", phase=phase, name=name))

    notify(record.user, NotificationKind.PHASE_OPENED, render, link=record_path(record),
           dedupe_key=f"record:{record.id}:phase{phase}")


def evaluate(record: CertificationRecord) -> None:
    """Pass every phase whose requirements are now met, in order, and award when all are.

    A passed phase stays passed (its date is when the next phase opened).
    """
    if record.awarded_at is not None:
        return
    now = utcnow()
    if record.phase1_passed_at is None:
        if not queries.phase1_met(record):
            return
        record.phase1_passed_at = now
        db.session.flush()
        signals.certification_phase_passed.send(record, phase=1)
        _notify_phase_opened(record, 2)
    if record.phase2_passed_at is None:
        # A recertification does not repeat the instructor-led training: the previous award
        # credits it. Currency comes from the refresher (phase 1), skill from new practice.
        met = record.is_recertification or queries.phase2_verdict(record)[0]
        if not met:
            return
        record.phase2_passed_at = now
        db.session.flush()
        signals.certification_phase_passed.send(record, phase=2)
        _notify_phase_opened(record, 3)
    if record.phase3_passed_at is None:
        met, _failed, _missing, _detail = queries.phase3_verdict(record)
        if not met:
            return
        record.phase3_passed_at = now
        db.session.flush()
        signals.certification_phase_passed.send(record, phase=3)
    award(record)


def award(record: CertificationRecord) -> None:
    """Award the certification: award date, expiry from the programme's validity; notifies.
    The certificate is issued on the queue once the award commits (``issue_award_certificate``):
    rendering its PDF stays out of the grading request, and the learner sees it being prepared."""
    from academy.certification.tasks import issue_certification_certificate

    if record.awarded_at is not None:
        return
    now = utcnow()
    record.awarded_at = now
    record.expires_at = add_months(now, record.programme.validity_months)
    db.session.flush()
    signals.certified.send(record)
    audit("certification.award", "certification_record", record.id,
          after={"awarded_at": now.isoformat(), "expires_at": record.expires_at.isoformat()})
    issue_certification_certificate.after_commit(record.id)
    programme_title = record.programme.title(record.user.preferred_language)
    expires = record.expires_at
    notify(record.user, NotificationKind.CERTIFIED,
           lambda: (_("You are certified: %(programme)s", programme=programme_title),
                    _("Congratulations! You passed all three phases of %(programme)s. Your certification is "
                      "valid until %(date)s.", programme=programme_title, date=expires.strftime("%Y-%m-%d"))),
           link=record_path(record), dedupe_key=f"record:{record.id}:certified")


def issue_award_certificate(record: CertificationRecord):
    """The certification certificate of an awarded record (in the learner's language, issued
    and expiring with the award); idempotent: a record already linked keeps its certificate."""
    from academy.certificates.models import Certificate, CertificateKind
    from academy.certificates.services import issue_certificate

    if record.awarded_at is None:
        return None
    if record.certificate_id is not None:
        existing = db.session.get(Certificate, record.certificate_id)
        if existing is not None:
            return existing
    programme = record.programme
    language = record.user.preferred_language or "en"
    certificate = issue_certificate(user=record.user, kind=CertificateKind.CERTIFICATION,
                                    subject_code=programme.code, titles=dict(programme.titles), language=language,
                                    issued_at=record.awarded_at, expires_at=record.expires_at,
                                    certification_record_id=record.id)
    record.certificate_id = certificate.id
    db.session.flush()
    _link_renewed_certificate(record, certificate)
    audit("certification.certificate", "certification_record", record.id, after={"certificate": certificate.serial})
    return certificate


def _link_renewed_certificate(record: CertificationRecord, certificate) -> None:
    """Point the expired certificate a recertification renews at the new one.

    Its status stays as stored, so its verification page still says "expired" (with the
    date) and links to the new certificate; nothing about the old award is rewritten.
    """
    from academy.certificates.models import Certificate

    previous = record.previous_record
    if previous is None or previous.certificate_id is None:
        return
    old = db.session.get(Certificate, previous.certificate_id)
    if old is None or old.superseded_by_id is not None:
        return
    old.superseded_by_id = certificate.id
    old.superseded_at = certificate.issued_at
    old.supersede_reason = "recertification"
    db.session.flush()


def can_recertify(user: User, programme: CertificationProgramme) -> bool:
    latest = queries.latest_record(user.id, programme.id)
    return latest is not None and latest.awarded_at is not None and latest.is_expired


def recertify(user: User, programme: CertificationProgramme) -> CertificationRecord:
    """Start a new record (the next attempt) after the previous certification expired."""
    if not can_recertify(user, programme):
        raise CertificationError(_("Recertification opens when your certification has expired."))
    latest = queries.latest_record(user.id, programme.id)
    record = CertificationRecord(user_id=user.id, programme_id=programme.id, cohort_id=None,
                                 attempt=latest.attempt + 1, previous_record_id=latest.id)
    db.session.add(record)
    db.session.flush()
    audit("certification.recertify", "certification_record", record.id,
          after={"attempt": record.attempt, "renews": latest.id})
    _notify_phase_opened(record, 1)
    evaluate(record)
    return record


def send_deadline_reminders(now: datetime | None = None) -> int:
    """Notify learners whose practice deadline is at most 7 days away; once per deadline."""
    now = now or utcnow()
    sent = 0
    for record, task, deadline in queries.pending_deadlines(now, REMINDER_WINDOW):
        title = task.title
        # Formatted under the recipient's locale (notify renders in their language).
        note = notify(record.user, NotificationKind.DEADLINE_NEAR,
                      lambda title=title, deadline=deadline: (
                          _("Practice task “%(task)s” is due on %(date)s", task=title,
                            date=format_datetime(deadline, "long")),
                          _("Your deadline for “%(task)s” is %(date)s. Submit your work before then, or ask "
                            "your instructor for an extension.", task=title, date=format_datetime(deadline, "long"))),
                      link=task_path(record, task), dedupe_key=f"deadline:{record.id}:{task.id}:{deadline:%Y%m%d%H%M}")
        sent += note is not None
    return sent


def on_final_assessment_passed(sender, enrollment: Enrollment, **_kw) -> None:
    """Passing a course's final assessment again is the refresher a recertification needs."""
    records = db.session.scalars(
        select(CertificationRecord)
        .join(ProgrammeCourse, ProgrammeCourse.programme_id == CertificationRecord.programme_id)
        .where(CertificationRecord.user_id == enrollment.user_id, ProgrammeCourse.course_id == enrollment.course_id,
               CertificationRecord.awarded_at.is_(None), CertificationRecord.phase1_passed_at.is_(None),
               CertificationRecord.previous_record_id.is_not(None))
    )
    for record in list(records):
        evaluate(record)


def on_course_completed(sender, enrollment: Enrollment, **_kw) -> None:
    """A completed course may pass phase 1 of any open certification that requires it."""
    records = db.session.scalars(
        select(CertificationRecord)
        .join(ProgrammeCourse, ProgrammeCourse.programme_id == CertificationRecord.programme_id)
        .where(CertificationRecord.user_id == enrollment.user_id, ProgrammeCourse.course_id == enrollment.course_id,
               CertificationRecord.awarded_at.is_(None), CertificationRecord.phase1_passed_at.is_(None))
    )
    for record in list(records):
        evaluate(record)
