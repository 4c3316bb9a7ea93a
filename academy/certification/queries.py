"""Reads: a record's phase states and what is missing, deadlines, instructor worklists."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from academy.auth.models import User
from academy.certification.enums import (
    AssessmentOutcome,
    AttendanceStatus,
    PhaseState,
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
    TrainingSession,
)
from academy.certification.translations import task_words
from academy.core.enums import EnrollmentStatus, Role
from academy.core.models import utcnow
from academy.courses.models import Enrollment
from academy.extensions import db

AT_RISK_DEADLINE_DAYS = 14
STALLED_AFTER_DAYS = 60


@dataclass
class PhaseView:
    number: int
    state: PhaseState
    opened_at: datetime | None = None
    passed_at: datetime | None = None
    missing: list[str] = field(default_factory=list)
    detail: dict = field(default_factory=dict)


@dataclass
class AttendanceSummary:
    session: TrainingSession | None
    days: int = 0
    recorded: int = 0
    present: int = 0
    excused: int = 0
    absent: int = 0

    @property
    def is_complete(self) -> bool:
        return self.session is not None and self.recorded >= self.days

    @property
    def counted_days(self) -> int:
        return self.days - self.excused

    @property
    def share_percent(self) -> float:
        """Present days as a share of the days that count (excused days do not)."""
        return 100.0 * self.present / self.counted_days if self.counted_days > 0 else 0.0


# --- phase 1 --------------------------------------------------------------------------


def course_states(record: CertificationRecord) -> list[tuple]:
    """(required course, the learner's enrolment or None) for phase 1."""
    courses = [pc.course for pc in record.programme.required_courses]
    if not courses:
        return []
    enrollments = {
        e.course_id: e for e in db.session.scalars(
            select(Enrollment).where(Enrollment.user_id == record.user_id,
                                     Enrollment.course_id.in_([c.id for c in courses]))
        )
    }
    return [(c, enrollments.get(c.id)) for c in courses]


def add_months(when: datetime, months: int) -> datetime:
    """``when`` moved by whole calendar months (negative: back), on the last day if the month is shorter."""
    month0 = when.month - 1 + months
    year, month = when.year + month0 // 12, month0 % 12 + 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return when.replace(year=year, month=month, day=day)


def refresher_window_start(record: CertificationRecord) -> datetime | None:
    """For a recertification: the earliest date a course's completion or refresher counts from
    (the programme's validity before the recertification started). None for a first certification."""
    if record.previous_record_id is None:
        return None
    return add_months(record.started_at, -record.programme.validity_months)


def last_studied_at(enrollment: Enrollment | None) -> datetime | None:
    """When the learner last proved the course: its completion or a later passed final assessment."""
    if enrollment is None or enrollment.status != EnrollmentStatus.COMPLETED:
        return None
    from academy.assessments.enums import AttemptState, QuizKind
    from academy.assessments.models import Quiz, QuizAttempt

    refreshed = db.session.scalar(
        select(func.max(QuizAttempt.graded_at)).join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .where(QuizAttempt.enrollment_id == enrollment.id, Quiz.kind == QuizKind.FINAL_EXAM,
               QuizAttempt.state == AttemptState.GRADED, QuizAttempt.is_passed.is_(True))
    )
    dates = [d for d in (enrollment.completed_at, refreshed) if d is not None]
    return max(dates) if dates else None


def course_counts(record: CertificationRecord, enrollment: Enrollment | None) -> bool:
    """Whether one required course is done for this record (recent enough for a recertification)."""
    if enrollment is None or enrollment.status != EnrollmentStatus.COMPLETED:
        return False
    window = refresher_window_start(record)
    if window is None:
        return True
    studied = last_studied_at(enrollment)
    return studied is not None and studied >= window


def phase1_met(record: CertificationRecord) -> bool:
    return all(course_counts(record, e) for _c, e in course_states(record))


# --- phase 2 --------------------------------------------------------------------------


def assessment_for(record: CertificationRecord) -> InstructorAssessment | None:
    return db.session.scalar(select(InstructorAssessment).where(InstructorAssessment.record_id == record.id))


def learner_session(record: CertificationRecord) -> TrainingSession | None:
    """The session a learner takes part in: the assessed one, else the one with their attendance,
    else the cohort's next (or latest) session."""
    assessment = assessment_for(record)
    if assessment is not None:
        return assessment.session
    if record.cohort_id is None:
        return None
    attended = db.session.scalar(
        select(TrainingSession).join(Attendance, Attendance.session_id == TrainingSession.id)
        .where(Attendance.record_id == record.id).order_by(TrainingSession.starts_on.desc()).limit(1)
    )
    if attended is not None:
        return attended
    sessions = list(db.session.scalars(
        select(TrainingSession).where(TrainingSession.cohort_id == record.cohort_id)
        .order_by(TrainingSession.starts_on)
    ))
    today = utcnow().date()
    upcoming = [s for s in sessions if s.ends_on >= today]
    return upcoming[0] if upcoming else (sessions[-1] if sessions else None)


def attendance_summary(record: CertificationRecord, session: TrainingSession | None) -> AttendanceSummary:
    if session is None:
        return AttendanceSummary(session=None)
    rows = list(db.session.scalars(
        select(Attendance).where(Attendance.session_id == session.id, Attendance.record_id == record.id)
    ))
    days = set(session.days)
    rows = [r for r in rows if r.day in days]
    return AttendanceSummary(
        session=session, days=len(days), recorded=len(rows),
        present=sum(r.status == AttendanceStatus.PRESENT for r in rows),
        excused=sum(r.status == AttendanceStatus.EXCUSED for r in rows),
        absent=sum(r.status == AttendanceStatus.ABSENT for r in rows),
    )


def phase2_verdict(record: CertificationRecord) -> tuple[bool, bool, list[str], dict]:
    """(met, failed, missing, detail) for phase 2 from attendance and the assessment."""
    programme = record.programme
    session = learner_session(record)
    summary = attendance_summary(record, session)
    assessment = assessment_for(record)
    missing: list[str] = []
    failed = False
    if record.cohort_id is None:
        missing.append(_("You have not been placed in a cohort yet."))
    elif session is None:
        missing.append(_("Your cohort has no training session scheduled yet."))
    else:
        if not summary.is_complete:
            missing.append(_("Attendance recorded for %(recorded)s of %(days)s days.",
                             recorded=summary.recorded, days=summary.days))
        elif summary.share_percent < programme.min_attendance_percent:
            failed = True
            missing.append(_("Attendance of %(share)s%% is below the required %(required)s%%.",
                             share=round(summary.share_percent), required=programme.min_attendance_percent))
    if assessment is None:
        missing.append(_("The instructor's assessment has not been recorded yet."))
    elif assessment.outcome == AssessmentOutcome.FAIL:
        failed = True
        missing.append(_("The instructor assessed the training as not passed."))
    met = (assessment is not None and assessment.outcome == AssessmentOutcome.PASS and summary.is_complete
           and summary.share_percent >= programme.min_attendance_percent)
    return met, failed, missing, {"attendance": summary, "assessment": assessment, "session": session}


# --- phase 3 --------------------------------------------------------------------------


def deadline_for(record: CertificationRecord, task: PracticeTask) -> datetime | None:
    """The learner's deadline for a task: phase 3's opening plus the task's days, or a later extension."""
    if record.phase2_passed_at is None:
        return None
    base = record.phase2_passed_at + timedelta(days=task.due_days)
    extended = db.session.scalar(
        select(func.max(DeadlineExtension.due_at)).where(
            DeadlineExtension.record_id == record.id,
            or_(DeadlineExtension.task_id == task.id, DeadlineExtension.task_id.is_(None)),
        )
    )
    if extended is not None and extended > base:
        return extended
    return base


def submissions_by_task(record: CertificationRecord) -> dict[int, PracticeSubmission]:
    return {s.task_id: s for s in db.session.scalars(
        select(PracticeSubmission).where(PracticeSubmission.record_id == record.id)
    )}


def phase3_verdict(record: CertificationRecord) -> tuple[bool, bool, list[str], dict]:
    tasks = record.programme.tasks
    subs = submissions_by_task(record)
    missing: list[str] = []
    failed = False
    rows = []
    # Task titles in the learner's language: the reasons are read by the learner and their instructor.
    language = record.user.preferred_language
    for task in tasks:
        sub = subs.get(task.id)
        title = task_words(task, language).title
        deadline = deadline_for(record, task)
        rows.append({"task": task, "submission": sub, "deadline": deadline})
        status = sub.status if sub else None
        if status == SubmissionStatus.PASSED:
            continue
        if status == SubmissionStatus.FAILED:
            failed = True
            missing.append(_("“%(task)s” was graded as not passed.", task=title))
        elif status == SubmissionStatus.SUBMITTED:
            missing.append(_("“%(task)s” is waiting for grading.", task=title))
        elif status == SubmissionStatus.RETURNED:
            missing.append(_("“%(task)s” was returned for revision.", task=title))
        else:
            missing.append(_("“%(task)s” has not been submitted.", task=title))
    met = bool(tasks) and all(subs.get(t.id) and subs[t.id].status == SubmissionStatus.PASSED for t in tasks)
    return met, failed, missing, {"tasks": rows}


# --- the whole record -----------------------------------------------------------------


def phase_views(record: CertificationRecord) -> list[PhaseView]:
    """The three phases with state, dates and what is still missing (for the record page)."""
    views = []
    # Phase 1
    courses = course_states(record)
    p1 = PhaseView(1, PhaseState.PASSED if record.phase1_passed_at else PhaseState.IN_PROGRESS,
                   opened_at=record.started_at, passed_at=record.phase1_passed_at, detail={"courses": courses})
    if not record.phase1_passed_at:
        window = refresher_window_start(record)
        for course, enrollment in courses:
            title = _course_title(course, record.user.preferred_language)
            if enrollment is None or enrollment.status != EnrollmentStatus.COMPLETED:
                p1.missing.append(_("Complete the course “%(course)s” (%(percent)s%% done).", course=title,
                                    percent=enrollment.progress_percent if enrollment else 0))
            elif not course_counts(record, enrollment):
                p1.missing.append(_("Refresh the course “%(course)s”: you last completed it on %(date)s, more "
                                    "than %(months)s months before this recertification. Pass its final "
                                    "assessment again.", course=title,
                                    date=format_date(last_studied_at(enrollment)),
                                    months=record.programme.validity_months))
        p1.detail["window_start"] = window
    views.append(p1)
    # Phase 2
    if record.phase1_passed_at is None:
        views.append(PhaseView(2, PhaseState.LOCKED, missing=[_("Opens when phase 1 is passed.")]))
    else:
        if record.is_recertification:
            detail = {"credited_from": record.previous_record}
            missing, failed = [], False
        else:
            met, failed, missing, detail = phase2_verdict(record)
        state = (PhaseState.PASSED if record.phase2_passed_at else
                 PhaseState.FAILED if failed else PhaseState.IN_PROGRESS)
        views.append(PhaseView(2, state, opened_at=record.phase1_passed_at, passed_at=record.phase2_passed_at,
                               missing=[] if record.phase2_passed_at else missing, detail=detail))
    # Phase 3
    if record.phase2_passed_at is None:
        views.append(PhaseView(3, PhaseState.LOCKED, missing=[_("Opens when phase 2 is passed.")]))
    else:
        met, failed, missing, detail = phase3_verdict(record)
        state = (PhaseState.PASSED if record.phase3_passed_at else
                 PhaseState.FAILED if failed else PhaseState.IN_PROGRESS)
        views.append(PhaseView(3, state, opened_at=record.phase2_passed_at, passed_at=record.phase3_passed_at,
                               missing=[] if record.phase3_passed_at else missing, detail=detail))
    return views


def _course_title(course, language: str) -> str:
    version = course.version(language) or course.version(course.default_language)
    return version.title if version else course.code


def current_phase(record: CertificationRecord) -> int:
    if record.phase2_passed_at:
        return 3
    if record.phase1_passed_at:
        return 2
    return 1


# --- who may see what -----------------------------------------------------------------


def is_cohort_instructor(user, cohort_id: int | None) -> bool:
    if cohort_id is None:
        return False
    return db.session.scalar(
        select(func.count()).select_from(CohortInstructor)
        .where(CohortInstructor.cohort_id == cohort_id, CohortInstructor.user_id == user.id)
    ) > 0


def can_view_record(user, record: CertificationRecord) -> bool:
    """The learner, the instructors of the record's cohort, and admins."""
    if user.has_role(Role.ADMIN) or record.user_id == user.id:
        return True
    return user.has_role(Role.INSTRUCTOR) and is_cohort_instructor(user, record.cohort_id)


def can_grade(user, record: CertificationRecord) -> bool:
    """Instructors of the record's cohort, and admins; never the learner on their own work."""
    if record.user_id == user.id:
        return False
    if user.has_role(Role.ADMIN):
        return True
    return user.has_role(Role.INSTRUCTOR) and is_cohort_instructor(user, record.cohort_id)


def user_records(user_id: int) -> list[CertificationRecord]:
    return list(db.session.scalars(
        select(CertificationRecord).where(CertificationRecord.user_id == user_id)
        .order_by(CertificationRecord.programme_id, CertificationRecord.attempt.desc())
    ))


def latest_record(user_id: int, programme_id: int) -> CertificationRecord | None:
    return db.session.scalar(
        select(CertificationRecord).where(CertificationRecord.user_id == user_id,
                                          CertificationRecord.programme_id == programme_id)
        .order_by(CertificationRecord.attempt.desc()).limit(1)
    )


def visible_cohorts(user) -> list[Cohort]:
    """Admins see every cohort; instructors only the cohorts they teach."""
    stmt = select(Cohort).order_by(Cohort.starts_on.desc().nulls_last(), Cohort.name)
    if not user.has_role(Role.ADMIN):
        stmt = stmt.join(CohortInstructor).where(CohortInstructor.user_id == user.id)
    return list(db.session.scalars(stmt))


def taught_cohort_ids(user) -> list[int]:
    return list(db.session.scalars(select(CohortInstructor.cohort_id).where(CohortInstructor.user_id == user.id)))


def cohort_records(cohort_id: int) -> list[CertificationRecord]:
    return list(db.session.scalars(
        select(CertificationRecord).join(User, User.id == CertificationRecord.user_id)
        .where(CertificationRecord.cohort_id == cohort_id).order_by(User.country_code, User.full_name)
    ))


def programmes() -> list[CertificationProgramme]:
    return list(db.session.scalars(select(CertificationProgramme).order_by(CertificationProgramme.code)))


# --- instructor dashboard -------------------------------------------------------------


def sessions_needing_attendance(cohort_ids: list[int], today: date | None = None) -> list[dict]:
    """Sessions that have started where some learner of the cohort has a day without attendance."""
    today = today or utcnow().date()
    if not cohort_ids:
        return []
    out = []
    sessions = db.session.scalars(
        select(TrainingSession).where(TrainingSession.cohort_id.in_(cohort_ids), TrainingSession.starts_on <= today)
        .order_by(TrainingSession.starts_on)
    )
    for s in sessions:
        # Attendance is expected from learners whose phase 2 is open (or already passed), not
        # from recertifications (their training is credited from the earlier award).
        learners = db.session.scalar(
            select(func.count()).select_from(CertificationRecord)
            .where(CertificationRecord.cohort_id == s.cohort_id, CertificationRecord.awarded_at.is_(None),
                   CertificationRecord.phase1_passed_at.is_not(None),
                   CertificationRecord.previous_record_id.is_(None))
        ) or 0
        days_so_far = [d for d in s.days if d <= today]
        recorded = db.session.scalar(
            select(func.count()).select_from(Attendance)
            .join(CertificationRecord, CertificationRecord.id == Attendance.record_id)
            .where(Attendance.session_id == s.id, Attendance.day <= today,
                   CertificationRecord.awarded_at.is_(None), CertificationRecord.phase1_passed_at.is_not(None),
                   CertificationRecord.previous_record_id.is_(None))
        ) or 0
        expected = learners * len(days_so_far)
        if expected > recorded:
            out.append({"session": s, "expected": expected, "recorded": recorded, "missing": expected - recorded})
    return out


def submissions_waiting(cohort_ids: list[int] | None) -> list[dict]:
    """Submitted work waiting for grading, oldest first; ``None`` means every cohort (admins)."""
    stmt = (
        select(PracticeSubmission).join(CertificationRecord, CertificationRecord.id == PracticeSubmission.record_id)
        .where(PracticeSubmission.status == SubmissionStatus.SUBMITTED)
        .order_by(PracticeSubmission.submitted_at, PracticeSubmission.id)
    )
    if cohort_ids is not None:
        if not cohort_ids:
            return []
        stmt = stmt.where(CertificationRecord.cohort_id.in_(cohort_ids))
    now = utcnow()
    return [{"submission": s, "waiting": now - s.submitted_at} for s in db.session.scalars(stmt)]


def learners_at_risk(cohort_ids: list[int] | None) -> list[dict]:
    """Learners whose practice deadline is close or past, whose phase failed, or who stalled."""
    stmt = select(CertificationRecord).where(CertificationRecord.awarded_at.is_(None),
                                             CertificationRecord.cohort_id.is_not(None))
    if cohort_ids is not None:
        if not cohort_ids:
            return []
        stmt = stmt.where(CertificationRecord.cohort_id.in_(cohort_ids))
    now = utcnow()
    out = []
    for record in db.session.scalars(stmt):
        reasons = []
        phase = current_phase(record)
        opened = {1: record.started_at, 2: record.phase1_passed_at, 3: record.phase2_passed_at}[phase]
        if phase == 3:
            subs = submissions_by_task(record)
            for task in record.programme.tasks:
                sub = subs.get(task.id)
                title = task_words(task, record.user.preferred_language).title
                if sub and sub.status in (SubmissionStatus.PASSED, SubmissionStatus.SUBMITTED):
                    continue
                if sub and sub.status == SubmissionStatus.FAILED:
                    reasons.append(_("“%(task)s” failed", task=title))
                    continue
                deadline = deadline_for(record, task)
                if deadline and deadline < now:
                    reasons.append(_("“%(task)s” is past its deadline", task=title))
                elif deadline and deadline - now <= timedelta(days=AT_RISK_DEADLINE_DAYS):
                    reasons.append(_("“%(task)s” is due in %(days)s days", task=title,
                                     days=max(0, (deadline - now).days)))
        elif phase == 2:
            _met, failed, _missing, _detail = phase2_verdict(record)
            if failed:
                reasons.append(_("Phase 2 not passed"))
        if not reasons and opened and now - opened > timedelta(days=STALLED_AFTER_DAYS):
            reasons.append(_("Phase %(phase)s open for %(days)s days", phase=phase, days=(now - opened).days))
        if reasons:
            out.append({"record": record, "phase": phase, "reasons": reasons})
    return out


def pending_deadlines(now: datetime, within: timedelta) -> list[tuple]:
    """(record, task, deadline) for open practice work due within ``within`` from now (not past)."""
    out = []
    records = db.session.scalars(
        select(CertificationRecord).where(CertificationRecord.phase2_passed_at.is_not(None),
                                          CertificationRecord.phase3_passed_at.is_(None),
                                          CertificationRecord.awarded_at.is_(None))
    )
    for record in records:
        subs = submissions_by_task(record)
        for task in record.programme.tasks:
            sub = subs.get(task.id)
            if sub and sub.status not in (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED):
                continue
            deadline = deadline_for(record, task)
            if deadline and now <= deadline <= now + within:
                out.append((record, task, deadline))
    return out

