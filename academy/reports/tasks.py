"""Scheduled reports on the queue: each morning, any schedule whose last complete period
has not been sent yet is sent (so the first of the month sends last month's)."""

from __future__ import annotations

from academy.core.queue import crontab, periodic
from academy.extensions import db


@periodic(crontab(minute="45", hour="6"))
def send_scheduled_reports() -> int:
    """Send the reports that are due; commits (each period once, see services)."""
    from academy.reports.services import send_due

    sent = send_due()
    db.session.commit()
    return sent
