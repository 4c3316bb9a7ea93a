"""The xAPI outbox: statements written in the transaction of what they describe, sent later."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from academy.core.models import UTCDateTime, utcnow
from academy.extensions import db


class XapiStatement(db.Model):
    __tablename__ = "xapi_statement"
    __table_args__ = (Index("ix_xapi_statement_unsent", "sent_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The statement's own id (a UUID): the LRS refuses a second statement with the same id,
    # so a retried or replayed send never records an event twice.
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    verb: Mapped[str] = mapped_column(String(200))
    statement: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    claimed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error: Mapped[Optional[str]] = mapped_column(Text)
