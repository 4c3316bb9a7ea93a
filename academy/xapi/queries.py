"""Reads of the xAPI outbox, for the admin page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select

from academy.extensions import db
from academy.xapi.models import XapiStatement


@dataclass
class OutboxSummary:
    lrs_host: str | None  # where statements go (the host only: no path, no credentials); None: no LRS set
    kept: int
    sent: int
    oldest_waiting_at: datetime | None
    last_error: str | None

    @property
    def waiting(self) -> int:
        return self.kept - self.sent


def outbox_summary() -> OutboxSummary:
    """How many statements the site keeps, how many reached the LRS, and the last error of those waiting."""
    kept, sent = db.session.execute(select(func.count(XapiStatement.id), func.count(XapiStatement.sent_at))).one()
    oldest = db.session.scalar(select(func.min(XapiStatement.created_at)).where(XapiStatement.sent_at.is_(None)))
    last_error = db.session.scalar(
        select(XapiStatement.error).where(XapiStatement.sent_at.is_(None), XapiStatement.error.is_not(None))
        .order_by(XapiStatement.id.desc()).limit(1)
    )
    url = current_app.config.get("XAPI_LRS_URL") or ""
    return OutboxSummary(lrs_host=urlsplit(url).hostname if url else None, kept=kept, sent=sent,
                         oldest_waiting_at=oldest, last_error=last_error)
