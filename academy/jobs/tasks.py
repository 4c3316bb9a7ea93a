"""The queue's tasks for jobs, and the schedules that replace the outside cron."""

from __future__ import annotations

import logging

from academy.core.queue import crontab, periodic, retries_left, task
from academy.extensions import db

log = logging.getLogger(__name__)


@task(retries=2, retry_delay=10)
def run_job(job_id: int, task=None) -> None:
    """Run one job (academy.jobs.services.execute); Huey retries it twice after a failure."""
    from academy.jobs import services

    services.execute(job_id, retries_left(task))


@periodic(crontab(minute="*"))
def sweep() -> None:
    """Every minute: jobs a killed consumer left behind, and e-mail not yet sent, back on the queue."""
    from academy.core.mail import resend_unsent
    from academy.jobs.services import recover_interrupted

    recover_interrupted()
    resend_unsent()


@periodic(crontab(minute="*/5"))
def close_overdue_attempts() -> None:
    """Timed quiz attempts whose time ran out while the learner was away are graded within
    five minutes, not at the next daily run."""
    from academy.assessments.services import expire_overdue

    expire_overdue()
    db.session.commit()


@periodic(crontab(minute="15", hour="6"))
def daily() -> None:
    """Daily housekeeping (what `flask academy daily` does by hand)."""
    run_daily()


def run_daily() -> dict:
    """Deadline reminders, overdue timed quiz attempts closed and graded, expired exports,
    old statistics snapshots and delivered e-mail deleted. Idempotent: a rerun does nothing
    twice. Each part commits on its own, so one failing does not undo the others."""
    from academy.assessments.services import expire_overdue
    from academy.certification.services.deadlines import send_deadline_reminders
    from academy.core.mail import purge_delivered
    from academy.jobs.services import purge_expired
    from academy.stats.snapshot import purge_old

    done = {}
    for name, step in (("reminders", send_deadline_reminders), ("expired_attempts", expire_overdue),
                       ("purged_jobs", purge_expired), ("purged_snapshots", purge_old),
                       ("purged_mail", purge_delivered)):
        try:
            done[name] = step()
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("daily housekeeping: %s failed", name)
            raise
    return done
