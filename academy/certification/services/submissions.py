"""Phase 3, on-the-job practice: the learner's drafts, files and submissions."""

from __future__ import annotations

from functools import partial

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from academy.auth.models import User
from academy.certification import queries
from academy.certification.enums import SubmissionStatus
from academy.certification.models import CertificationRecord, PracticeSubmission, PracticeTask, SubmissionFile
from academy.certification.services.common import CertificationError
from academy.certification.uploads import StoredUpload
from academy.core.audit import record as audit
from academy.core.models import utcnow
from academy.core.storage import get_storage
from academy.core.transactions import after_commit
from academy.extensions import db


def submission_for(record: CertificationRecord, task: PracticeTask, create: bool = False) -> PracticeSubmission | None:
    sub = db.session.scalar(select(PracticeSubmission).where(PracticeSubmission.record_id == record.id,
                                                             PracticeSubmission.task_id == task.id))
    if sub is None and create:
        sub = PracticeSubmission(record_id=record.id, task_id=task.id, status=SubmissionStatus.DRAFT)
        try:
            with db.session.begin_nested():
                db.session.add(sub)
        except IntegrityError:
            sub = db.session.scalar(select(PracticeSubmission).where(PracticeSubmission.record_id == record.id,
                                                                     PracticeSubmission.task_id == task.id))
    return sub


def check_practice_open(record: CertificationRecord, task: PracticeTask) -> None:
    """Raise unless the learner may work on ``task`` now (phase 3 open, before the deadline)."""
    if record.awarded_at is not None:
        raise CertificationError(_("This certification is already awarded."))
    if record.phase2_passed_at is None:
        raise CertificationError(_("On-the-job practice opens when phase 2 is passed."))
    if task.programme_id != record.programme_id:
        raise CertificationError(_("That task is not part of the programme."))


def save_draft(sub: PracticeSubmission, text: str, uploads: list[StoredUpload], by: User) -> None:
    """Keep the learner's text and add uploaded files; only while the work is editable."""
    check_practice_open(sub.record, sub.task)
    if not sub.is_editable:
        raise CertificationError(_("This submission is locked while it is graded."))
    sub.text = text
    for up in uploads:
        db.session.add(SubmissionFile(submission_id=sub.id, storage_key=up.storage_key, filename=up.filename,
                                      content_type=up.content_type, size_bytes=up.size_bytes, sha256=up.sha256,
                                      uploaded_by_id=by.id))
    sub.updated_at = utcnow()
    db.session.flush()
    db.session.expire(sub, ["files"])


def remove_file(sub: PracticeSubmission, file: SubmissionFile) -> str:
    """Delete an evidence file's row from an editable submission, and the file itself once
    the transaction commits (kept if it rolls back); returns its storage key."""
    if file.submission_id != sub.id or file.grade_id is not None:
        raise CertificationError(_("That file is not part of this submission."))
    if not sub.is_editable:
        raise CertificationError(_("This submission is locked while it is graded."))
    key = file.storage_key
    db.session.delete(file)
    sub.updated_at = utcnow()
    db.session.flush()
    db.session.expire(sub, ["files"])
    after_commit(partial(get_storage().delete, key))
    return key


def submit(sub: PracticeSubmission) -> None:
    """Lock the draft and put it in the instructors' queue; refused after the deadline."""
    check_practice_open(sub.record, sub.task)
    if not sub.is_editable:
        raise CertificationError(_("This submission is already submitted."))
    deadline = queries.deadline_for(sub.record, sub.task)
    if deadline is not None and utcnow() > deadline:
        raise CertificationError(_("The deadline has passed. Ask your instructor for an extension."))
    if not sub.text.strip() and not sub.files:
        raise CertificationError(_("Write your report or attach at least one file before submitting."))
    sub.status = SubmissionStatus.SUBMITTED
    sub.submitted_at = utcnow()
    if sub.rubric_id is None:
        # Graded on the rubric it was written for, even if an admin edits the task's later.
        sub.rubric_id = sub.task.rubric_id
    db.session.flush()
    audit("certification.submission.submit", "practice_submission", sub.id,
          after={"task": sub.task.key, "files": len(sub.files)})
