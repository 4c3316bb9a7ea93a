"""The append-only audit log: who did what to which object, when, from where."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from academy.core.models import UTCDateTime, utcnow
from academy.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(64))
    target_id: Mapped[Optional[str]] = mapped_column(String(64))
    before: Mapped[Optional[dict]] = mapped_column(JSON)
    after: Mapped[Optional[dict]] = mapped_column(JSON)
    ip_address: Mapped[Optional[str]] = mapped_column(String(64))


def record(action: str, target_type: str, target_id: Any = None, *, before: dict | None = None,
           after: dict | None = None, actor_id: int | None = None) -> AuditEvent:
    """Add an audit event to the session (committed with the request's transaction)."""
    if actor_id is None and has_request_context() and current_user and current_user.is_authenticated:
        actor_id = current_user.id
    event = AuditEvent(
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        before=before,
        after=after,
        actor_id=actor_id,
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event
