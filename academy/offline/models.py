"""What the offline features keep on the server: a receipt per action synced from a
browser (so a replayed action is applied once), and evidence uploads still in progress."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from academy.core.models import UTCDateTime, utcnow
from academy.extensions import db


class SyncReceipt(db.Model):
    """One action a browser queued offline and sent later, by the key the browser gave it.

    The unique (user, key) pair is what makes a replay (a second tab, a retry after a lost
    answer) change nothing: the second request finds the receipt and gets the first result."""

    __tablename__ = "sync_receipt"
    __table_args__ = (UniqueConstraint("user_id", "client_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    client_key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PartialUpload(db.Model):
    """An evidence file arriving in chunks. Its bytes wait in a private directory until the
    last chunk; only then, and only when the learner saves the task's form, does it become
    a submission file. Rows left unfinished are removed by a periodic task."""

    __tablename__ = "partial_upload"
    __table_args__ = (
        CheckConstraint("received_bytes >= 0 AND received_bytes <= size_bytes", name="received_within_size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("certification_record.id", ondelete="CASCADE"))
    task_id: Mapped[int] = mapped_column(ForeignKey("practice_task.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(Integer)
    received_bytes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    is_complete: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
