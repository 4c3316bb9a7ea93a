"""The weekly e-mail digest, on the queue every Monday morning."""

from __future__ import annotations

from academy.core.queue import crontab, periodic
from academy.extensions import db


@periodic(crontab(minute="0", hour="7", day_of_week="1"))
def weekly_digests() -> int:
    """Send each user's held notifications in one e-mail; commits."""
    from academy.preferences.services import send_weekly_digests

    sent = send_weekly_digests()
    db.session.commit()
    return sent
