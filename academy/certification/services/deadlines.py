"""Phase 3 deadlines: extensions granted by instructors and reminders before a deadline."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import format_datetime
from flask_babel import gettext as _

from academy.auth.models import User
from academy.certification import queries
from academy.certification.enums import NotificationKind
from academy.certification.models import CertificationRecord, DeadlineExtension, PracticeTask
from academy.certification.notifications import notify
from academy.certification.services.common import CertificationError, recipient_task_title, record_path, task_path
from academy.core.audit import record as audit
from academy.core.models import utcnow
from academy.extensions import db

REMINDER_WINDOW = timedelta(days=7)


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
    def render():
        # Under the recipient's locale: the task's title in their language, and "all
        # practice tasks" translated there too (not in the granting instructor's language).
        title = recipient_task_title(task, record.user) if task else _("all practice tasks")
        return (_("Your deadline for %(task)s was extended", task=title),
                _("The new deadline is %(date)s. Reason: %(reason)s",
                  date=format_datetime(due_at, "long"), reason=reason))

    notify(record.user, NotificationKind.DEADLINE_EXTENDED, render, link=record_path(record),
           dedupe_key=f"extension:{ext.id}")
    return ext


def send_deadline_reminders(now: datetime | None = None) -> int:
    """Notify learners whose practice deadline is at most 7 days away; once per deadline."""
    now = now or utcnow()
    sent = 0
    for record, task, deadline in queries.pending_deadlines(now, REMINDER_WINDOW):
        title = recipient_task_title(task, record.user)
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
