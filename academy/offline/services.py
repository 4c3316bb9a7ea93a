"""Writes for offline learning: actions synced from a browser's queue, and chunked
evidence uploads. They add and flush; the request commits once."""

from __future__ import annotations

import os
import re
import secrets
from datetime import timedelta
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from academy.core.audit import record
from academy.core.models import utcnow
from academy.extensions import db
from academy.offline.models import PartialUpload, SyncReceipt

#: How many queued actions one sync request may carry (the browser sends the rest next).
MAX_ACTIONS = 100
KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")

APPLIED, DUPLICATE, LATE, CLOSED, REFUSED = "applied", "duplicate", "late", "closed", "refused"


class SyncError(ValueError):
    """A queued action that cannot be applied, with the reason for the learner."""


# --- actions queued offline ---------------------------------------------------------------


def _complete(user, action: dict) -> tuple[str, str]:
    from academy.courses import queries
    from academy.courses.models import Lesson, Module
    from academy.courses.services import complete_lesson

    course = queries.course_by_slug(str(action.get("course", "")))
    enrollment = queries.enrollment_for(user.id, course.id) if course is not None and course.is_published else None
    if enrollment is None:
        raise SyncError(_("You are not enrolled in this course."))
    lesson = db.session.scalar(
        select(Lesson).join(Module).where(Module.course_id == course.id, Module.key == str(action.get("module", "")),
                                          Lesson.key == str(action.get("lesson", "")), ~Lesson.is_retired,
                                          ~Module.is_retired))
    if lesson is None:
        raise SyncError(_("This lesson is no longer part of the course."))
    outline = queries.course_outline(course, enrollment, enrollment.language)
    if any(m.is_locked for m in outline if m.module.id == lesson.module_id):
        raise SyncError(_("This module is not open yet."))
    complete_lesson(enrollment, lesson)
    return APPLIED, _("Lesson marked as complete.")


def _answers(user, action: dict, submit: bool) -> tuple[str, str]:
    from academy.assessments import queries
    from academy.assessments.models import QuizAttempt
    from academy.assessments.questions import QUESTION_TYPES
    from academy.assessments.services import expire_attempt, save_answers, submit_attempt

    attempt = db.session.get(QuizAttempt, action.get("attempt") if isinstance(action.get("attempt"), int) else 0)
    if attempt is None or attempt.user_id != user.id:
        raise SyncError(_("This quiz attempt is not yours."))
    fields = action.get("fields") or []
    if not isinstance(fields, list) or not all(isinstance(f, list) and len(f) == 2 for f in fields):
        raise SyncError(_("The saved answers could not be read."))
    form = MultiDict([(str(k), str(v)) for k, v in fields])
    # The page the learner answered, as the attempt page posts it (save_page does the same).
    per_page = attempt.quiz.questions_per_page
    pages = [attempt.layout[i:i + per_page] for i in range(0, len(attempt.layout), per_page)] or [[]]
    page = min(max(form.get("page", 1, type=int) or 1, 1), len(pages))
    items = pages[page - 1]
    questions = queries.questions_for(attempt)
    specs = queries.specs_for([item["q"] for item in items], attempt.language, attempt.quiz.course.default_language)
    responses = {}
    for item in items:
        question = questions[item["q"]]
        responses[question.id] = QUESTION_TYPES[question.type].parse(specs[question.id], item["o"], form,
                                                                     f"q{question.id}")
    # The server's clock decides: answers that arrive after the time limit are not kept.
    if not save_answers(attempt, responses):
        if attempt.is_open:
            expire_attempt(attempt)
        if attempt.expired_at is not None:
            return LATE, _("These answers arrived after the quiz's time limit; your attempt was graded on "
                           "the answers saved in time.")
        return CLOSED, _("This attempt was already submitted; these answers were not added.")
    if submit:
        submit_attempt(attempt)
        if attempt.expired_at is not None:
            return LATE, _("Your submission arrived after the quiz's time limit; your attempt was graded on "
                           "the answers saved in time.")
        return APPLIED, _("Your quiz answers were submitted.")
    return APPLIED, _("Your quiz answers were saved.")


KINDS = {
    "complete": lambda user, action: _complete(user, action),
    "answers": lambda user, action: _answers(user, action, submit=False),
    "submit": lambda user, action: _answers(user, action, submit=True),
}


def apply_action(user, action: dict) -> dict:
    """Apply one action a browser queued offline, once per (user, key): a replay returns
    the first result with ``duplicate``. Each action is its own savepoint, so a refused one
    leaves the others of the batch applied. Writes a ``SyncReceipt`` (and audit event)."""
    key, kind = str(action.get("key", "")), str(action.get("type", ""))
    if not KEY.match(key) or kind not in KINDS:
        return {"key": key, "status": REFUSED, "message": _("This saved action could not be read.")}
    existing = db.session.scalar(select(SyncReceipt).where(SyncReceipt.user_id == user.id,
                                                           SyncReceipt.client_key == key))
    if existing is not None:
        return {"key": key, "status": DUPLICATE, "outcome": existing.outcome, "message": existing.message}
    try:
        with db.session.begin_nested():
            # The receipt first: a second tab sending the same key waits here for this one.
            receipt = SyncReceipt(user_id=user.id, client_key=key, kind=kind, outcome=REFUSED, message="")
            db.session.add(receipt)
            db.session.flush()
            try:
                with db.session.begin_nested():
                    outcome, message = KINDS[kind](user, action)
            except SyncError as exc:
                outcome, message = REFUSED, str(exc)
            except (ValueError, TypeError, LookupError):
                # Malformed answers (an edited queue, an old page's fields): refused and answered, so the
                # browser drops it instead of sending it forever.
                outcome, message = REFUSED, _("This saved action could not be read.")
            receipt.outcome, receipt.message = outcome, message
            record("offline.synced", "sync_receipt", receipt.id, after={"kind": kind, "outcome": outcome},
                   actor_id=user.id)
            db.session.flush()
    except IntegrityError:
        existing = db.session.scalar(select(SyncReceipt).where(SyncReceipt.user_id == user.id,
                                                               SyncReceipt.client_key == key))
        return {"key": key, "status": DUPLICATE, "outcome": existing.outcome if existing else APPLIED,
                "message": existing.message if existing else ""}
    return {"key": key, "status": outcome, "outcome": outcome, "message": message}


def apply_actions(user, actions: list) -> list[dict]:
    """Apply a batch in the order the browser queued it."""
    return [apply_action(user, a if isinstance(a, dict) else {}) for a in actions[:MAX_ACTIONS]]


# --- chunked evidence uploads ----------------------------------------------------------------


def partial_dir() -> Path:
    """Where unfinished uploads wait: outside the served storage, never under a public path."""
    path = Path(current_app.config.get("PARTIAL_UPLOAD_DIR") or Path(current_app.instance_path) / "partial-uploads")
    path.mkdir(parents=True, exist_ok=True)
    return path


def partial_path(upload: PartialUpload) -> Path:
    return partial_dir() / upload.token


def start_upload(user, record, task, filename: str, size: int) -> PartialUpload:
    """A new upload of ``size`` bytes for the learner's task; refused above the file limit."""
    from academy.certification.uploads import UploadError, max_upload_bytes
    from academy.core.uploads import format_size

    if size <= 0:
        raise UploadError(_("“%(name)s” is empty.", name=filename or "?"))
    if size > max_upload_bytes():
        raise UploadError(_("“%(name)s” is larger than %(size)s.", name=filename or "?",
                            size=format_size(max_upload_bytes())))
    upload = PartialUpload(token=secrets.token_urlsafe(32), user_id=user.id, record_id=record.id, task_id=task.id,
                           filename=(filename or "file")[:255], size_bytes=size)
    db.session.add(upload)
    db.session.flush()
    partial_path(upload).write_bytes(b"")
    return upload


class OffsetMismatch(ValueError):
    """The chunk does not start where the server's copy ends; the client asks for the offset."""


def append_chunk(upload: PartialUpload, start: int, total: int, data: bytes) -> PartialUpload:
    """Add ``data`` at ``start`` (which must be the bytes received so far). On the last
    chunk the file's content is checked (the same check as a one-piece upload)."""
    from academy.certification.uploads import UploadError, sniff

    path = partial_path(upload)
    on_disk = path.stat().st_size if path.exists() else 0
    if on_disk != upload.received_bytes:
        # A chunk written but not committed (the link dropped before the answer): the file is the truth.
        upload.received_bytes = min(on_disk, upload.size_bytes)
    if total != upload.size_bytes or start != upload.received_bytes:
        raise OffsetMismatch(upload.received_bytes)
    if start + len(data) > upload.size_bytes:
        raise UploadError(_("“%(name)s” is larger than announced.", name=upload.filename))
    with path.open("ab") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    upload.received_bytes = start + len(data)
    upload.updated_at = utcnow()
    if upload.received_bytes == upload.size_bytes:
        with path.open("rb") as fh:
            head = fh.read(upload.size_bytes)
        if sniff(head) is None:
            discard(upload)
            raise UploadError(_("“%(name)s” is not a PDF, Word (DOCX), Excel (XLSX), PNG or JPEG file.",
                                name=upload.filename))
        upload.is_complete = True
    db.session.flush()
    return upload


class _File:
    """What ``store_upload`` reads: a name and ``read(n)``."""

    def __init__(self, filename: str, path: Path) -> None:
        self.filename, self.path = filename, path

    def read(self, n: int = -1) -> bytes:
        with self.path.open("rb") as fh:
            return fh.read(n)


def finished_uploads(user, record, task, tokens: list[str]):
    """The user's complete uploads for this task among ``tokens``, as files ``store_upload`` takes."""
    if not tokens:
        return []
    rows = db.session.scalars(select(PartialUpload).where(
        PartialUpload.token.in_(tokens[:20]), PartialUpload.user_id == user.id, PartialUpload.record_id == record.id,
        PartialUpload.task_id == task.id, PartialUpload.is_complete)).all()
    return [(row, _File(row.filename, partial_path(row))) for row in rows]


def discard(upload: PartialUpload) -> None:
    """Remove an upload's row (flushed) and its bytes."""
    partial_path(upload).unlink(missing_ok=True)
    db.session.delete(upload)
    db.session.flush()


def remove_abandoned(older_than: timedelta | None = None) -> int:
    """Delete uploads untouched for ``older_than`` (PARTIAL_UPLOAD_TTL_HOURS, default 24):
    their rows and their bytes, and stray files no row names."""
    hours = float(current_app.config.get("PARTIAL_UPLOAD_TTL_HOURS", 24))
    cutoff = utcnow() - (older_than if older_than is not None else timedelta(hours=hours))
    rows = db.session.scalars(select(PartialUpload).where(PartialUpload.updated_at < cutoff)).all()
    for row in rows:
        partial_path(row).unlink(missing_ok=True)
    if rows:
        db.session.execute(delete(PartialUpload).where(PartialUpload.id.in_([r.id for r in rows])))
    known = set(db.session.scalars(select(PartialUpload.token)))
    for path in partial_dir().iterdir():
        if path.name not in known and path.stat().st_mtime < cutoff.timestamp():
            path.unlink(missing_ok=True)
    return len(rows)
