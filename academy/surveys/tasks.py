"""Follow-up surveys on the queue: every hour, the send points that have come due are sent
and the one reminder goes to those who have not answered. Idempotent (see services)."""

from __future__ import annotations

from academy.core.queue import crontab, periodic
from academy.extensions import db


@periodic(crontab(minute="40"))
def send_surveys() -> dict:
    """Send the surveys that are due and the reminders; commits what it sent."""
    from academy.surveys.services import send_due

    done = send_due()
    db.session.commit()
    return done
