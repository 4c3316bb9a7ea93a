"""Statistics tables and indexes.

Indexes that make the statistics queries cheap at 250,000+ enrolments:

The tables belong to other features; the indexes are declared here, on those tables'
columns, so the metadata matches the database (migration 0400) and Alembic does not
propose to drop them.

- ``ix_enrollment_stats``: every enrolment column a statistic reads, led by user_id, so
  queries that join learners (gender, country, TISC) read enrolments learner by learner
  from the index alone, in the order the user table is scanned, and never touch the
  table itself.
- ``ix_enrollment_stats_course``: the same for course and course × language tables,
  which then group in index order without a sort.
- ``ix_user_stats``: the learner columns statistics group by, for registrations and for
  the learner side of the joins.
- ``ix_user_updated_at``: lets the statistics cache see an edited profile in one lookup.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from academy.auth.models import User
from academy.core.enums import TitledEnum
from academy.core.models import UTCDateTime, enum_column, utcnow
from academy.courses.models import Enrollment
from academy.extensions import db

ENROLLMENT_STATS = Index(
    "ix_enrollment_stats",
    Enrollment.user_id,
    Enrollment.course_id,
    Enrollment.language,
    Enrollment.status,
    Enrollment.enrolled_at,
    Enrollment.completed_at,
)
ENROLLMENT_STATS_COURSE = Index(
    "ix_enrollment_stats_course",
    Enrollment.course_id,
    Enrollment.language,
    Enrollment.status,
    Enrollment.enrolled_at,
    Enrollment.completed_at,
)
USER_STATS = Index("ix_user_stats", User.gender, User.country_code, User.tisc_id, User.created_at)
# The statistics cache checks max(updated_at) so an edited profile shows at once.
USER_UPDATED = Index("ix_user_updated_at", User.updated_at)


class ExportStatus(TitledEnum):
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


class StatsExportJob(db.Model):
    """A learner-level export too large to build during one request (XLSX).

    The file lives in STORAGE_DIR/stats-exports/<id>.<format> and is deleted after
    ``RETENTION``; only the admin who asked can download it.
    """

    __tablename__ = "stats_export_job"
    __table_args__ = (
        CheckConstraint("row_count >= 0", name="row_count_not_negative"),
        Index("ix_stats_export_job_requested", "requested_by_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    status: Mapped[ExportStatus] = mapped_column(
        enum_column(ExportStatus, "stats_export_status"), default=ExportStatus.QUEUED
    )
    format: Mapped[str] = mapped_column(String(8))
    filters: Mapped[dict] = mapped_column(JSON, default=dict)
    has_personal_data: Mapped[bool] = mapped_column(Boolean, default=False)
    row_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error: Mapped[Optional[str]] = mapped_column(Text)
