"""Jobs: create one (the request commits, then the queue runs it), run it, report progress,
retry it, and put back on the queue what a killed consumer left behind.

A job kind is a function declared with ``@job_kind``; it receives the claimed ``Job`` and
reports progress with ``progress()``. It must be idempotent: a retry after a crash runs it
again from the start, so it skips what is already done (a certificate an enrolment
already has, a file already complete).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from academy.core.audit import record
from academy.core.models import utcnow
from academy.extensions import db
from academy.jobs.models import Job, JobStatus

log = logging.getLogger(__name__)
#: starts of one job, counting those a killed consumer never finished
MAX_ATTEMPTS = 3
#: a running job that has not reported progress for this long lost its consumer
STALE_AFTER = timedelta(minutes=2)
RETENTION = timedelta(hours=24)


@dataclass
class JobKind:
    name: str
    title: Any  # a lazy string
    func: Callable[[Job], dict | None]


KINDS: dict[str, JobKind] = {}
#: what a job kind returns when it handed its work to other tasks, which finish the job
STILL_RUNNING = object()


def job_kind(name: str, title) -> Callable:
    def decorator(func: Callable[[Job], dict | None]) -> Callable[[Job], dict | None]:
        KINDS[name] = JobKind(name, title, func)
        return func

    return decorator


def kind_title(kind: str) -> str:
    return str(KINDS[kind].title) if kind in KINDS else kind


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def job_dir() -> Path:
    path = Path(current_app.config["STORAGE_DIR"]) / "jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def job_path(job: Job) -> Path:
    ext = (job.file_name or "").rsplit(".", 1)[-1] if job.file_name else "bin"
    return job_dir() / f"{job.id}.{ext}"


def create_job(kind: str, params: dict, *, requested_by_id: int | None, has_personal_data: bool = False,
               total: int | None = None) -> Job:
    """Add a queued job and its audit event; it is sent to the queue when the request commits."""
    from academy.jobs.tasks import run_job

    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job(kind=kind, params=params, requested_by_id=requested_by_id, has_personal_data=has_personal_data,
              progress_total=total)
    db.session.add(job)
    db.session.flush()
    record("job.create", "job", job.id, after={"kind": kind, "params": params})
    run_job.after_commit(job.id)
    return job


def claim(job_id: int) -> Job | None:
    """Mark a queued job running by this process and commit; None if it is not queued (done,
    failed, or already taken by another consumer) or has used up its attempts."""
    now = utcnow()
    result = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.QUEUED, Job.attempts < MAX_ATTEMPTS)
        .values(status=JobStatus.RUNNING, attempts=Job.attempts + 1, worker=worker_id(), started_at=now,
                heartbeat_at=now, error=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        gave_up = db.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.QUEUED, Job.attempts >= MAX_ATTEMPTS)
            .values(status=JobStatus.FAILED, finished_at=now,
                    error=f"Stopped after {MAX_ATTEMPTS} attempts")
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        if gave_up.rowcount:
            log.warning("job %s stopped after %s attempts", job_id, MAX_ATTEMPTS)
        return None
    db.session.commit()
    return db.session.get(Job, job_id)


def progress(job: Job, done: int, total: int | None = None) -> None:
    """Record progress (and that the consumer is alive) on a connection of its own, so it
    neither commits the task's transaction nor waits for it (an export reading a cursor)."""
    values = {"progress_done": done, "heartbeat_at": utcnow()}
    if total is not None:
        values["progress_total"] = total
    with db.engine.begin() as conn:
        conn.execute(update(Job).where(Job.id == job.id).values(**values))
    # Known to be in the database already: the session must not write it again later,
    # over what another consumer reported meanwhile.
    set_committed_value(job, "progress_done", done)
    if total is not None:
        set_committed_value(job, "progress_total", total)


def advance(job: Job, n: int) -> None:
    """Add ``n`` to the job's progress (parts of one job running in several consumers)."""
    with db.engine.begin() as conn:
        conn.execute(update(Job).where(Job.id == job.id)
                     .values(progress_done=Job.progress_done + n, heartbeat_at=utcnow()))


def execute(job_id: int, retries_left: int = 0) -> Job | None:
    """Run one job to its end. On failure the job goes back to "queued" while the queue
    will try again, else to "failed" with the error; the exception is raised for the queue."""
    job = claim(job_id)
    if job is None:
        return None
    kind = KINDS.get(job.kind)
    try:
        if kind is None:
            raise LookupError(f"unknown job kind {job.kind!r}")
        result = kind.func(job)
    except Exception as exc:
        db.session.rollback()
        job = db.session.get(Job, job_id)
        message = f"{exc.__class__.__name__}: {exc}"[:2000]
        if retries_left > 0 and job.attempts < MAX_ATTEMPTS:
            job.status, job.error = JobStatus.QUEUED, message
        else:
            job.status, job.error, job.finished_at = JobStatus.FAILED, message, utcnow()
        db.session.commit()
        raise
    if result is STILL_RUNNING:
        db.session.commit()
        return job
    finish(job, result)
    return job


def finish(job: Job, result: dict | None) -> bool:
    """Mark a running job done (once, if several tasks race to it) and commit."""
    values = {"status": JobStatus.DONE, "finished_at": utcnow(), "heartbeat_at": utcnow()}
    if result is not None:
        values["result"] = result
    if job.progress_total is not None:
        values["progress_done"] = job.progress_total
    db.session.commit()
    done = db.session.execute(
        update(Job).where(Job.id == job.id, Job.status == JobStatus.RUNNING).values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    db.session.commit()
    db.session.refresh(job)
    return done


def fail(job_id: int, exc: BaseException) -> None:
    """Mark a job failed with the error (a part of it ran out of tries) and commit."""
    db.session.rollback()
    db.session.execute(
        update(Job).where(Job.id == job_id, Job.status.in_((JobStatus.RUNNING, JobStatus.QUEUED)))
        .values(status=JobStatus.FAILED, finished_at=utcnow(), error=f"{exc.__class__.__name__}: {exc}"[:2000])
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def retry(job: Job) -> bool:
    """Put a failed job back on the queue with its attempts reset (the admin's retry button)."""
    from academy.jobs.tasks import run_job

    result = db.session.execute(
        update(Job).where(Job.id == job.id, Job.status == JobStatus.FAILED)
        .values(status=JobStatus.QUEUED, attempts=0, error=None, finished_at=None, worker=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    db.session.refresh(job)
    record("job.retry", "job", job.id, after={"kind": job.kind})
    run_job.after_commit(job.id)
    return True


def downloaded(job: Job) -> None:
    """Record that a job's file was downloaded (it may hold personal data)."""
    record("job.download", "job", job.id, after={"kind": job.kind, "personal_data": job.has_personal_data})


def _process_gone(worker: str | None) -> bool:
    """Whether ``worker`` (host:pid) was a process on this machine that no longer runs."""
    if not worker or ":" not in worker:
        return False
    host, _sep, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def recover_interrupted(now=None) -> list[int]:
    """Running jobs whose consumer died (its process is gone from this machine, or it has
    not reported for STALE_AFTER) and queued jobs nobody started go back on the queue;
    returns their ids. Huey delivers at most once: this is what makes a job survive SIGKILL."""
    from academy.jobs.tasks import run_job

    now = now or utcnow()
    stale = now - STALE_AFTER
    candidates = db.session.scalars(
        select(Job).where(or_(
            Job.status == JobStatus.RUNNING,
            (Job.status == JobStatus.QUEUED) & (Job.created_at < stale)
            & or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < stale),
        ))
    ).all()
    requeued = []
    for job in candidates:
        if job.status == JobStatus.RUNNING and not (
            _process_gone(job.worker) or job.heartbeat_at is None or job.heartbeat_at < stale
        ):
            continue
        # attempts changes whenever a consumer claims the job: two sweeps requeue it once
        claimed = db.session.execute(
            update(Job).where(Job.id == job.id, Job.status == job.status, Job.attempts == job.attempts)
            .values(status=JobStatus.QUEUED, heartbeat_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount == 1:
            requeued.append(job.id)
    db.session.commit()
    for job_id in requeued:
        log.warning("job %s was interrupted; queued again", job_id)
        run_job.enqueue(job_id)
    return requeued


def purge_expired(now=None) -> int:
    """Delete finished jobs (and their files) older than RETENTION; returns how many."""
    now = now or utcnow()
    deleted = 0
    old = select(Job).where(Job.created_at < now - RETENTION, Job.status.in_((JobStatus.DONE, JobStatus.FAILED)))
    for job in db.session.scalars(old).all():
        if job.file_name:
            job_path(job).unlink(missing_ok=True)
        db.session.delete(job)
        deleted += 1
    return deleted


def write_file(job: Job, name: str, write: Callable[[Path], None]) -> None:
    """Build the job's file through a temporary name, so a half-written file is never offered."""
    job.file_name = name
    path = job_path(job)
    partial = path.with_name(path.name + ".part")
    try:
        write(partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    job.file_size = path.stat().st_size
