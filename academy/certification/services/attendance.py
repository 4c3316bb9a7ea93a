"""Phase 2, instructor-led training: attendance marks and the instructor's assessment."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from academy.auth.models import User
from academy.certification import queries
from academy.certification.enums import AssessmentOutcome, AttendanceStatus
from academy.certification.models import Attendance, CertificationRecord, InstructorAssessment, TrainingSession
from academy.certification.services.common import CertificationError
from academy.certification.services.phases import evaluate
from academy.core.audit import record as audit
from academy.core.models import utcnow
from academy.extensions import db


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
