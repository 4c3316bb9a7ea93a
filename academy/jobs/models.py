"""Long work done on the queue, as people see it: a row per job the tasks keep up to date."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from academy.core.enums import TitledEnum
from academy.core.models import UTCDateTime, enum_column, utcnow
from academy.extensions import db


class JobStatus(TitledEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @classmethod
    def _titles(cls) -> dict:
        return {
            cls.QUEUED: _l("Waiting"),
            cls.RUNNING: _l("Being prepared"),
            cls.DONE: _l("Ready"),
            cls.FAILED: _l("Failed"),
        }


class Job(db.Model):
    """One piece of background work: a learner-level export, a bulk issue, a ZIP, a re-rendering.

    ``kind`` names the task (academy.jobs.services.KINDS); ``params`` are its arguments.
    A job's file lives in STORAGE_DIR/jobs/<id>.<ext> and is deleted with the job after
    RETENTION. ``attempts`` counts starts, including those a killed consumer never finished,
    so a job that keeps failing stops after MAX_ATTEMPTS.
    """

    __tablename__ = "job"
    __table_args__ = (
        CheckConstraint("progress_done >= 0", name="progress_done_not_negative"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_job_requested", "requested_by_id", "created_at"),
        Index("ix_job_status", "status", "heartbeat_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus, "job_status"), default=JobStatus.QUEUED)
    requested_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    worker: Mapped[Optional[str]] = mapped_column(String(255))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    progress_done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    progress_total: Mapped[Optional[int]] = mapped_column(Integer)
    result: Mapped[Optional[dict]] = mapped_column(JSON)
    error: Mapped[Optional[str]] = mapped_column(Text)
    file_name: Mapped[Optional[str]] = mapped_column(String(255))
    file_size: Mapped[Optional[int]] = mapped_column(Integer)
    has_personal_data: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)

    @property
    def is_pending(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)
