"""``evaluate(record)``: the one place phases are passed. It stamps the date a phase was passed
(which opens the next), sends the "phase opened" notifications and awards the certification
when all three are passed. Every write that could change a phase calls it."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from academy.certification import queries
from academy.certification.enums import NotificationKind
from academy.certification.models import CertificationRecord, ProgrammeCourse
from academy.certification.notifications import notify
from academy.certification.services.awards import award
from academy.certification.services.common import record_path
from academy.core import signals
from academy.core.models import utcnow
from academy.courses.models import Enrollment
from academy.extensions import db


def notify_phase_opened(record: CertificationRecord, phase: int) -> None:
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
        notify_phase_opened(record, 2)
    if record.phase2_passed_at is None:
        # A recertification does not repeat the instructor-led training: the previous award
        # credits it. Currency comes from the refresher (phase 1), skill from new practice.
        met = record.is_recertification or queries.phase2_verdict(record)[0]
        if not met:
            return
        record.phase2_passed_at = now
        db.session.flush()
        signals.certification_phase_passed.send(record, phase=2)
        notify_phase_opened(record, 3)
    if record.phase3_passed_at is None:
        met, _failed, _missing, _detail = queries.phase3_verdict(record)
        if not met:
            return
        record.phase3_passed_at = now
        db.session.flush()
        signals.certification_phase_passed.send(record, phase=3)
    award(record)


def on_final_assessment_passed(sender, enrollment: Enrollment, **_kw) -> None:
    """Passing a course's final assessment again is the refresher a recertification needs."""
    _evaluate_phase1_records(enrollment, CertificationRecord.previous_record_id.is_not(None))


def on_course_completed(sender, enrollment: Enrollment, **_kw) -> None:
    """A completed course may pass phase 1 of any open certification that requires it."""
    _evaluate_phase1_records(enrollment)


def _evaluate_phase1_records(enrollment: Enrollment, *conditions) -> None:
    """Evaluate the learner's records (meeting ``conditions``) still in phase 1 of a
    programme that requires the enrolment's course."""
    records = db.session.scalars(
        select(CertificationRecord)
        .join(ProgrammeCourse, ProgrammeCourse.programme_id == CertificationRecord.programme_id)
        .where(CertificationRecord.user_id == enrollment.user_id, ProgrammeCourse.course_id == enrollment.course_id,
               CertificationRecord.awarded_at.is_(None), CertificationRecord.phase1_passed_at.is_(None),
               *conditions)
    )
    for record in list(records):
        evaluate(record)
