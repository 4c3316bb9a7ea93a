"""What every part of the certification's services shares: its refusals and the learner's links."""

from __future__ import annotations

from academy.certification.models import CertificationRecord, PracticeTask


class CertificationError(ValueError):
    """A write refused for a reason the user can act on (already translated)."""


class SourceLanguageError(CertificationError):
    """The programme's task language cannot change now (shown on that field)."""


class CertificateLanguageError(CertificationError):
    """The certificate's second language is not one the site offers (shown on that field)."""


class ConcurrentGradeError(CertificationError):
    """Someone else changed the submission since the grader loaded it."""


def recipient_task_title(task: PracticeTask, user) -> str:
    """The task's title in the user's language (the source's where not translated)."""
    from academy.certification.translations import task_words

    return task_words(task, user.preferred_language).title


def record_path(record: CertificationRecord) -> str:
    return f"/certification/records/{record.id}"


def task_path(record: CertificationRecord, task: PracticeTask) -> str:
    return f"/certification/records/{record.id}/tasks/{task.id}"
