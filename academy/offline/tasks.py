"""Offline learning's housekeeping on the queue: evidence uploads abandoned half-way."""

from __future__ import annotations

from academy.core.queue import crontab, periodic
from academy.extensions import db


@periodic(crontab(minute="40"))
def remove_abandoned_uploads() -> None:
    """Hourly: uploads nobody has added to for a day (PARTIAL_UPLOAD_TTL_HOURS), bytes and rows.
    Idempotent: a second run finds nothing left to remove."""
    from academy.offline.services import remove_abandoned

    remove_abandoned()
    db.session.commit()
