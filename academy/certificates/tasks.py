"""Certificate work on the queue: the completion certificate, bulk issue, ZIPs of stored PDFs
and re-issues after a name or design change.

Each is idempotent: an enrolment has at most one certificate (the database's unique key,
``issue_for_enrollment`` returns the existing one), a re-issue only claims a certificate
that is still valid, and a ZIP is written again from the start under a temporary name.
A bulk job commits every ``BATCH`` certificates, so a consumer killed in the middle keeps
what it issued and the retry issues only the rest.
"""

from __future__ import annotations

import csv
import io
import logging
import zipfile

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from academy.certificates.models import Certificate, CertificateStatus
from academy.core.enums import EnrollmentStatus
from academy.core.queue import retries_left, task
from academy.courses.models import Enrollment
from academy.extensions import db
from academy.jobs.models import Job, JobStatus
from academy.jobs.services import STILL_RUNNING, advance, fail, finish, job_kind, progress, write_file

log = logging.getLogger(__name__)
BULK_ISSUE = "certificates.bulk_issue"
ZIP = "certificates.zip"
REISSUE = "certificates.reissue"
#: the most a bulk issue, a ZIP or a re-issue job takes on
BULK_LIMIT = 10_000
CHUNK = 25  # enrolments per part of a bulk issue: small enough to spread over the consumers
BATCH = 5  # certificates per commit: what a killed consumer can lose and redo


@task(retries=2, retry_delay=10)
def issue_completion_certificate(enrollment_id: int, task=None) -> None:
    """The certificate of a completed enrolment (sent when the completion commits)."""
    from academy.certificates.services import issue_for_enrollment

    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.completed_at is None:
        return
    try:
        issue_for_enrollment(enrollment)
    except Exception:
        log.warning("could not issue the certificate for enrolment %s (%s more tries)", enrollment_id,
                    retries_left(task))
        raise
    db.session.commit()


def missing_statement(course_id: int, user_ids: list[int] | None = None):
    """Completed enrolments of a course without a certificate, in a stable order."""
    stmt = (
        select(Enrollment.id)
        .outerjoin(Certificate, Certificate.enrollment_id == Enrollment.id)
        .where(Enrollment.course_id == course_id, Enrollment.status == EnrollmentStatus.COMPLETED,
               Certificate.id.is_(None))
        .order_by(Enrollment.id)
    )
    if user_ids is not None:
        stmt = stmt.where(Enrollment.user_id.in_(user_ids))
    return stmt


def count_missing(course_id: int, user_ids: list[int] | None = None) -> int:
    return db.session.scalar(select(func.count()).select_from(missing_statement(course_id, user_ids).subquery()))


@job_kind(BULK_ISSUE, _l("Bulk issue of certificates"))
def bulk_issue(job: Job):
    """Issue the missing certificates of a course (optionally of a group's learners only),
    in parts of CHUNK enrolments that every consumer can take on at once; the part that
    issues the last certificate marks the job done. Run again (a consumer died), it sends
    only the parts that still lack a certificate."""
    from academy.certificates.queries import group_members
    from academy.certificates.services import check_design

    params = job.params
    check_design(params.get("design"), params.get("paper"))  # a wrong design fails the job, not each part
    # The ids this job set out to issue: fixed at the first attempt, so a retry or a part
    # knows them without searching again.
    ids = (job.result or {}).get("enrollment_ids")
    if ids is None:
        user_ids = group_members(params["group"]) if params.get("group") else None
        ids = list(db.session.scalars(missing_statement(params["course_id"], user_ids).limit(BULK_LIMIT)))
        job.result = {"enrollment_ids": ids}
        job.progress_total = len(ids)
        db.session.commit()
    parts = [start for start in range(0, len(ids), CHUNK)
             if _issued(ids[start:start + CHUNK]) < len(ids[start:start + CHUNK])]
    if not parts:
        return {"issued": len(ids)}
    for start in parts:
        issue_part.enqueue(job.id, start)
    return STILL_RUNNING


def _issued(enrollment_ids: list[int]) -> int:
    if not enrollment_ids:
        return 0
    return db.session.scalar(
        select(func.count()).select_from(Certificate).where(Certificate.enrollment_id.in_(enrollment_ids))
    )


@task(retries=2, retry_delay=10)
def issue_part(job_id: int, start: int, task=None) -> None:
    """Issue the certificates of one part of a bulk job; the job fails if a part runs out of tries."""
    from academy.certificates.services import issue_for_enrollment

    job = db.session.get(Job, job_id)
    if job is None or job.status != JobStatus.RUNNING:
        return  # failed, or done by a copy of this part
    params = job.params
    ids = job.result["enrollment_ids"]
    part = ids[start:start + CHUNK]
    try:
        for offset in range(0, len(part), BATCH):
            batch = part[offset:offset + BATCH]
            for enrollment in db.session.scalars(select(Enrollment).where(Enrollment.id.in_(batch))):
                issue_for_enrollment(enrollment, design=params.get("design"), paper=params.get("paper"),
                                     second_language=params.get("second_language"))
            db.session.commit()
            advance(job, len(batch))  # approximate while parts run side by side; counted below
    except Exception as exc:
        if not retries_left(task):
            fail(job_id, exc)
        raise
    issued = _issued(ids)
    progress(job, issued)
    if issued >= len(ids):
        finish(job, {"issued": issued})


@job_kind(ZIP, _l("ZIP of certificates"))
def build_zip(job: Job) -> dict:
    """The stored PDFs (byte for byte) of the certificates a search finds, with a CSV index,
    written to a file one PDF at a time."""
    from academy.certificates import credentials
    from academy.certificates.queries import filters_from, search
    from academy.certificates.services import pdf_bytes

    filters, _args = filters_from(job.params.get("search") or {})
    if not filters.status:
        filters.status = CertificateStatus.VALID.value
    ids = list(db.session.scalars(search(filters).with_only_columns(Certificate.id).limit(BULK_LIMIT)))
    job.progress_total = len(ids)

    def write(path):
        index = io.StringIO()
        out = csv.writer(index, lineterminator="\n")
        out.writerow(["serial", "status", "learner_name", "subject_code", "issued_at", "pdf_sha256"])
        # PDFs are already compressed: stored as they are, which keeps their bytes checkable.
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
            for n, cert_id in enumerate(ids, 1):
                c = db.session.get(Certificate, cert_id)
                zf.writestr(f"{c.serial}.pdf", pdf_bytes(c))
                out.writerow([c.serial, c.effective_status().value, c.learner_name, c.subject_code,
                              credentials.iso(c.issued_at), c.pdf_sha256])
                db.session.expunge(c)
                if n % 200 == 0:
                    progress(job, n)
            zf.writestr("certificates.csv", index.getvalue())

    write_file(job, f"certificates-{job.created_at:%Y%m%d-%H%M}.zip", write)
    return {"count": len(ids)}


@job_kind(REISSUE, _l("Re-issue of certificates"))
def reissue_many(job: Job) -> dict:
    """Re-issue each listed certificate that is still valid (current name, chosen design);
    one already superseded by an earlier attempt is skipped."""
    from academy.certificates.services import CertificateError, reissue

    ids = job.params["certificate_ids"][:BULK_LIMIT]
    job.progress_total = len(ids)
    done = 0
    for n, cert_id in enumerate(ids, 1):
        cert = db.session.get(Certificate, cert_id)
        if cert is not None and cert.status == CertificateStatus.VALID:
            try:
                reissue(cert, reason=job.params["reason"], design=job.params.get("design"))
                done += 1
            except CertificateError:
                db.session.rollback()
        db.session.commit()
        if n % BATCH == 0 or n == len(ids):
            progress(job, n, len(ids))
    return {"reissued": done}
