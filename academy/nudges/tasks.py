"""Nudges on the queue: once a day, after the daily housekeeping. Idempotent (see services)."""

from __future__ import annotations

from academy.core.queue import crontab, periodic
from academy.extensions import db


@periodic(crontab(minute="30", hour="6"))
def send_nudges() -> dict:
    """Expiry reminders, inactivity nudges and the instructors' digests; commits what it sent."""
    from academy.nudges.services import run

    done = run()
    db.session.commit()
    return done
