"""Nudges, sent by the queue's daily task; each at most once, by the notifications' dedupe keys.

- Expiry: a certification's holder is told ``expiry_first_days`` and ``expiry_final_days``
  before it expires (90 and 30 by default), with the way to recertify. A reminder whose
  time has passed is not sent late: someone first seen 20 days before expiry gets only
  the final one. Holders who have started a recertification are not told.
- Inactivity: a learner in an open phase they act in (1: courses; 3: practice work) with
  no activity for the programme's ``inactive_days`` is nudged once per quiet stretch: any
  activity starts a new one.
- Digest: each cohort instructor gets one message a day listing their learners nudged
  that day and those whose practice deadline is within 7 days; none when there is nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select

from academy.certification import queries as cert_queries
from academy.certification.enums import NotificationKind, SubmissionStatus
from academy.certification.models import (
    CertificationProgramme,
    CertificationRecord,
    CohortInstructor,
    PracticeSubmission,
    ProgrammeCourse,
)
from academy.certification.notifications import notify
from academy.certification.translations import task_words
from academy.core.audit import record as audit
from academy.core.models import utcnow
from academy.courses.models import Enrollment
from academy.extensions import db
from academy.nudges.models import (
    DEFAULT_EXPIRY_FINAL_DAYS,
    DEFAULT_EXPIRY_FIRST_DAYS,
    DEFAULT_INACTIVE_DAYS,
    ProgrammeNudgeSettings,
)

DEADLINE_WINDOW = timedelta(days=7)
CERTIFICATION_PAGE = "/certification/"


class NudgeError(ValueError):
    pass


def settings_for(programme_id: int) -> ProgrammeNudgeSettings:
    found = db.session.scalar(select(ProgrammeNudgeSettings).where(
        ProgrammeNudgeSettings.programme_id == programme_id))
    return found or ProgrammeNudgeSettings(programme_id=programme_id, inactive_days=DEFAULT_INACTIVE_DAYS,
                                           expiry_first_days=DEFAULT_EXPIRY_FIRST_DAYS,
                                           expiry_final_days=DEFAULT_EXPIRY_FINAL_DAYS)


def save_settings(programme: CertificationProgramme, *, inactive_days: int, expiry_first_days: int,
                  expiry_final_days: int) -> ProgrammeNudgeSettings:
    """Set a programme's thresholds (audited)."""
    if expiry_first_days <= expiry_final_days:
        raise NudgeError(_("The first expiry reminder must come before the final one."))
    settings = settings_for(programme.id)
    before = None if settings.id is None else {
        "inactive_days": settings.inactive_days, "expiry_first_days": settings.expiry_first_days,
        "expiry_final_days": settings.expiry_final_days}
    settings.inactive_days, settings.expiry_first_days = inactive_days, expiry_first_days
    settings.expiry_final_days = expiry_final_days
    db.session.add(settings)
    db.session.flush()
    audit("nudges.settings", "certification_programme", programme.id, before=before,
          after={"inactive_days": inactive_days, "expiry_first_days": expiry_first_days,
                 "expiry_final_days": expiry_final_days})
    return settings


# --- expiry --------------------------------------------------------------------------------


def send_expiry_reminders(now: datetime) -> int:
    """The 90- and 30-day (or the programme's) reminders before a certification expires."""
    sent = 0
    records = db.session.scalars(
        select(CertificationRecord).where(CertificationRecord.expires_at.is_not(None),
                                          CertificationRecord.expires_at > now,
                                          CertificationRecord.awarded_at.is_not(None))
    ).all()
    for rec in records:
        newer = db.session.scalar(select(CertificationRecord.id).where(
            CertificationRecord.user_id == rec.user_id, CertificationRecord.programme_id == rec.programme_id,
            CertificationRecord.attempt > rec.attempt).limit(1))
        if newer is not None:
            continue  # recertifying already
        settings = settings_for(rec.programme_id)
        stage = next((d for d in (settings.expiry_final_days, settings.expiry_first_days)
                      if now >= rec.expires_at - timedelta(days=d)), None)
        if stage is None:
            continue
        expires, programme = rec.expires_at, rec.programme

        def render(expires=expires, programme=programme):
            from flask_babel import get_locale

            title = programme.title(str(get_locale() or "en"))
            return (_("Your certification “%(programme)s” expires on %(date)s", programme=title,
                      date=format_date(expires, "long")),
                    _("Your certification “%(programme)s” is valid until %(date)s. To keep it, recertify: from "
                      "that day you can start your recertification on your certification page (link below), "
                      "with a refresher course and new practice work.", programme=title,
                      date=format_date(expires, "long")))

        note = notify(rec.user, NotificationKind.CERTIFICATION_EXPIRING, render, link=CERTIFICATION_PAGE,
                      dedupe_key=f"expiry:{rec.id}:{stage}")
        sent += note is not None
    return sent


def expiring_soon(records, now: datetime) -> list[CertificationRecord]:
    """The awarded, unexpired ``records`` whose first expiry reminder is due or past: what
    "My certification" tells its holder about (the reminder links there)."""
    return [r for r in records if r.awarded_at is not None and r.expires_at is not None and r.expires_at > now
            and now >= r.expires_at - timedelta(days=settings_for(r.programme_id).expiry_first_days)]


# --- inactivity ----------------------------------------------------------------------------


def last_activity(rec: CertificationRecord, phase: int) -> datetime | None:
    """The learner's latest sign of work in the open phase (or when it opened)."""
    opened = rec.phase2_passed_at if phase == 3 else rec.started_at
    if phase == 1:
        seen = db.session.scalar(
            select(func.max(Enrollment.last_activity_at))
            .join(ProgrammeCourse, ProgrammeCourse.course_id == Enrollment.course_id)
            .where(ProgrammeCourse.programme_id == rec.programme_id, Enrollment.user_id == rec.user_id))
    else:
        seen = db.session.scalar(
            select(func.max(PracticeSubmission.updated_at)).where(PracticeSubmission.record_id == rec.id))
    return max(d for d in (opened, seen) if d is not None) if (opened or seen) else None


def send_inactivity_nudges(now: datetime) -> list[CertificationRecord]:
    """Nudge learners quiet for their programme's ``inactive_days`` in phase 1 or 3; returns
    the records nudged now."""
    nudged = []
    records = db.session.scalars(
        select(CertificationRecord).where(CertificationRecord.awarded_at.is_(None))
        .order_by(CertificationRecord.id)
    ).all()
    for rec in records:
        phase = cert_queries.current_phase(rec)
        if phase == 2 or rec.phase3_passed_at is not None:
            continue  # the workshop is the instructors' to run; a passed phase 3 awaits the award
        if phase == 3:
            subs = cert_queries.submissions_by_task(rec)
            if all(subs.get(t.id) is not None and subs[t.id].status in (SubmissionStatus.SUBMITTED,
                                                                        SubmissionStatus.PASSED)
                   for t in rec.programme.tasks):
                continue  # every task handed in: waiting for grading, not idle
        seen = last_activity(rec, phase)
        days = settings_for(rec.programme_id).inactive_days
        if seen is None or now - seen < timedelta(days=days):
            continue
        programme, quiet = rec.programme, (now - seen).days

        def render(programme=programme, quiet=quiet, phase=phase):
            from flask_babel import get_locale

            title = programme.title(str(get_locale() or "en"))
            return (_("Keep going with “%(programme)s”", programme=title),
                    _("You have not worked on phase %(phase)s of “%(programme)s” for %(days)s days. A little "
                      "at a time is enough: open your certification page (link below) to pick up where you "
                      "left off, or tell your instructor if something is in the way.",
                      phase=phase, programme=title, days=quiet))

        note = notify(rec.user, NotificationKind.INACTIVITY_NUDGE, render, link=f"/certification/records/{rec.id}",
                      dedupe_key=f"inactive:{rec.id}:{seen:%Y%m%d%H%M}")
        if note is not None:
            nudged.append(rec)
    return nudged


# --- the instructors' digest ---------------------------------------------------------------


def send_instructor_digests(now: datetime, nudged: list[CertificationRecord]) -> int:
    """One message a day per cohort instructor: their learners nudged today and those with a
    practice deadline within 7 days."""
    lines_by_cohort: dict[int, list[tuple[str, str, object]]] = {}
    for rec in nudged:
        if rec.cohort_id is not None:
            lines_by_cohort.setdefault(rec.cohort_id, []).append(("inactive", rec.user.full_name, None))
    for rec, task, deadline in cert_queries.pending_deadlines(now, DEADLINE_WINDOW):
        if rec.cohort_id is not None:
            lines_by_cohort.setdefault(rec.cohort_id, []).append(("deadline", rec.user.full_name, (task, deadline)))
    if not lines_by_cohort:
        return 0
    per_instructor: dict[int, list] = {}
    instructors = {}
    for ci in db.session.scalars(select(CohortInstructor).where(CohortInstructor.cohort_id.in_(lines_by_cohort))):
        instructors[ci.user_id] = ci.user
        per_instructor.setdefault(ci.user_id, []).append((ci.cohort, lines_by_cohort[ci.cohort_id]))
    sent = 0
    for user_id, cohorts in per_instructor.items():
        def render(cohorts=cohorts):
            from flask_babel import get_locale

            # The task's title in the instructor's language, as their learners see it in theirs.
            language = str(get_locale() or "en")
            body = []
            total = 0
            for cohort, lines in sorted(cohorts, key=lambda c: c[0].name):
                body.append(cohort.name)
                for kind, name, extra in lines:
                    total += 1
                    if kind == "inactive":
                        body.append("  - " + _("%(name)s: no activity for a while, nudged today", name=name))
                    else:
                        task, deadline = extra
                        body.append("  - " + _("%(name)s: “%(task)s” is due on %(date)s", name=name,
                                               task=task_words(task, language).title,
                                               date=format_date(deadline, "long")))
            return (_("Learners to follow up in your cohorts: %(count)s", count=total), "\n".join(body))

        note = notify(instructors[user_id], NotificationKind.INSTRUCTOR_DIGEST, render,
                      link="/certification/teaching", dedupe_key=f"nudge-digest:{now:%Y-%m-%d}")
        sent += note is not None
    return sent


def run(now: datetime | None = None) -> dict:
    """Everything the daily nudge task sends."""
    now = now or utcnow()
    expiry = send_expiry_reminders(now)
    nudged = send_inactivity_nudges(now)
    digests = send_instructor_digests(now, nudged)
    db.session.flush()
    return {"expiry": expiry, "inactive": len(nudged), "digests": digests}
