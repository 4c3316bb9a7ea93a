"""Background learner-level exports: XLSX cannot be streamed while it is being written,
and at 250,000 enrolments it takes longer than a request may, so it is built in a
thread into STORAGE_DIR/stats-exports/ and downloaded from the exports page when ready.

Files hold learner data: only the admin who asked can download them, and they are
deleted after RETENTION.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import select

from academy.core.audit import record
from academy.core.models import utcnow
from academy.extensions import db
from academy.stats import exports
from academy.stats.models import ExportStatus, StatsExportJob
from academy.stats.queries import Filters

log = logging.getLogger(__name__)
RETENTION = timedelta(hours=24)
STALE_AFTER = timedelta(hours=2)  # a job "running" this long died with its process
THREADS: dict[int, threading.Thread] = {}  # the tests join these


def export_dir() -> Path:
    path = Path(current_app.config["STORAGE_DIR"]) / "stats-exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def job_path(job: StatsExportJob) -> Path:
    return export_dir() / f"{job.id}.{job.format}"


def queue_learner_export(user_id: int, filters: Filters, include_personal: bool, fmt: str) -> StatsExportJob:
    """Add a queued export job and its audit event (the caller commits, then ``start``s it)."""
    job = StatsExportJob(
        requested_by_id=user_id, format=fmt, filters=filters.as_dict(), has_personal_data=include_personal
    )
    db.session.add(job)
    db.session.flush()
    record(
        "stats.export_enrolments",
        "stats_export_job",
        job.id,
        after={
            "format": fmt,
            "filters": filters.as_dict(),
            "personal_data": include_personal,
            "via": "job",
        },
    )
    return job


def start(job_id: int) -> threading.Thread:
    app = current_app._get_current_object()  # noqa: SLF001
    thread = threading.Thread(target=run_job, args=(app, job_id), name=f"stats-export-{job_id}", daemon=True)
    THREADS[job_id] = thread
    thread.start()
    return thread


def run_job(app: Flask, job_id: int) -> None:
    """Build the file of one job; records success or failure on the job row."""
    with app.app_context():
        job = db.session.get(StatsExportJob, job_id)
        if job is None or job.status != ExportStatus.QUEUED:
            return
        job.status, job.started_at = ExportStatus.RUNNING, utcnow()
        db.session.commit()
        path = job_path(job)
        partial = path.with_suffix(path.suffix + ".part")
        try:
            filters = Filters.from_dict(job.filters or {})
            counter = _Counter()
            rows = counter.wrap(exports.learner_rows(filters, job.has_personal_data, for_xlsx=job.format == "xlsx"))
            if job.format == "xlsx":
                about = exports.about_rows(None, filters, as_of=job.started_at)
                exports.write_xlsx(rows, str(partial), sheet="Enrolments", about=about)
            else:
                exports.write_csv(rows, str(partial))
            partial.replace(path)
            job.status, job.row_count = ExportStatus.DONE, max(counter.n - 1, 0)
        except Exception as exc:  # the job row says what happened; the log has the trace
            log.exception("statistics export %s failed", job_id)
            db.session.rollback()
            job = db.session.get(StatsExportJob, job_id)
            job.status, job.error = ExportStatus.FAILED, exc.__class__.__name__
            partial.unlink(missing_ok=True)
        job.finished_at = utcnow()
        db.session.commit()
        db.session.remove()


class _Counter:
    def __init__(self):
        self.n = 0

    def wrap(self, rows):
        for row in rows:
            self.n += 1
            yield row


def purge_expired(now=None) -> int:
    """Delete jobs (and their files) older than RETENTION and mark dead "running" ones
    failed; returns how many were deleted. The exports page and `academy daily` call it."""
    now = now or utcnow()
    deleted = 0
    for job in db.session.scalars(select(StatsExportJob).where(StatsExportJob.created_at < now - RETENTION)):
        job_path(job).unlink(missing_ok=True)
        db.session.delete(job)
        deleted += 1
    stale = select(StatsExportJob).where(
        StatsExportJob.status == ExportStatus.RUNNING, StatsExportJob.started_at < now - STALE_AFTER
    )
    for job in db.session.scalars(stale):
        job.status, job.error, job.finished_at = ExportStatus.FAILED, "Interrupted", now
    from academy.stats.snapshot import purge_old

    purge_old(now)  # dashboard snapshots of filter sets nobody looks at any more
    return deleted


def jobs_for(user_id: int) -> list[StatsExportJob]:
    """The admin's own jobs, newest first, after removing expired ones and marking dead ones."""
    purge_expired()
    db.session.commit()
    return list(
        db.session.scalars(
            select(StatsExportJob)
            .where(StatsExportJob.requested_by_id == user_id)
            .order_by(StatsExportJob.created_at.desc(), StatsExportJob.id.desc())
        )
    )
