"""Phase 3 grading: rubric grades and a second instructor's moderation, refused when someone
else changed the submission meanwhile."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from academy.assessments.rubrics import score
from academy.auth.models import User
from academy.certification import queries
from academy.certification.enums import GradeDecision, GradeKind, ModerationOutcome, NotificationKind, SubmissionStatus
from academy.certification.models import PracticeSubmission, SubmissionCriterionGrade, SubmissionFile, SubmissionGrade
from academy.certification.notifications import notify
from academy.certification.services.common import (
    CertificationError,
    ConcurrentGradeError,
    recipient_task_title,
    task_path,
)
from academy.certification.services.phases import evaluate
from academy.certification.uploads import StoredUpload
from academy.core.audit import record as audit
from academy.core.models import utcnow
from academy.extensions import db


def _check_version(sub: PracticeSubmission, expected_version: int) -> None:
    if sub.version != expected_version:
        last = sub.grades[-1] if sub.grades else None
        who = last.grader.full_name if last and last.grader else _("someone else")
        raise ConcurrentGradeError(
            _("%(name)s changed this submission while you were grading it. Your grade was not saved: "
              "review their decision below before grading again.", name=who))


def _flush_versioned() -> None:
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise ConcurrentGradeError(
            _("Another instructor saved a grade for this submission at the same moment. Your grade was not "
              "saved: reload the page to see theirs.")) from None


def grade(sub: PracticeSubmission, grader: User, *, expected_version: int, picks: dict[int, int],
          criterion_feedback: dict[int, str], feedback: str, decision: GradeDecision,
          feedback_file: StoredUpload | None = None) -> SubmissionGrade:
    """Grade a submitted piece of work on its rubric and pass, fail or return it.

    ``picks`` maps criterion id → level id (one for every criterion). A pass needs the
    rubric's threshold met; a return needs resubmissions left. Refused (ConcurrentGradeError)
    when the submission changed since ``expected_version`` was read.
    """
    _check_version(sub, expected_version)
    if sub.status != SubmissionStatus.SUBMITTED:
        raise CertificationError(_("Only submitted work can be graded."))
    if not queries.can_grade(grader, sub.record):
        raise CertificationError(_("You do not teach this learner's cohort."))
    rubric = sub.rubric
    result = score(rubric, picks)
    if result.missing:
        raise CertificationError(_("Choose a level for every criterion."))
    decision = GradeDecision(decision)
    if decision == GradeDecision.PASS and not result.passes:
        raise CertificationError(_("The work cannot pass: %(why)s", why=" ".join(result.shortfalls)))
    limit = sub.record.programme.resubmission_limit
    if decision == GradeDecision.REVISE and sub.revision_count >= limit:
        raise CertificationError(_("The resubmission limit (%(limit)s) is reached: pass or fail the work.",
                                   limit=limit))
    if decision != GradeDecision.PASS and not feedback.strip():
        raise CertificationError(_("Explain in the overall feedback what is missing."))
    row = SubmissionGrade(submission_id=sub.id, kind=GradeKind.GRADE, grader_id=grader.id, decision=decision,
                          total_points=result.total, max_points=result.maximum, feedback=feedback.strip(),
                          submitted_at=sub.submitted_at)
    for criterion in rubric.criteria:
        row.criteria.append(SubmissionCriterionGrade(criterion_id=criterion.id, level_id=picks[criterion.id],
                                                     feedback=(criterion_feedback.get(criterion.id) or "").strip()))
    db.session.add(row)
    _apply_decision(sub, decision)
    _flush_versioned()
    if feedback_file is not None:
        db.session.add(SubmissionFile(submission_id=sub.id, grade_id=row.id, storage_key=feedback_file.storage_key,
                                      filename=feedback_file.filename, content_type=feedback_file.content_type,
                                      size_bytes=feedback_file.size_bytes, sha256=feedback_file.sha256,
                                      uploaded_by_id=grader.id))
        db.session.flush()
    audit("certification.submission.grade", "practice_submission", sub.id,
          after={"decision": decision.value, "total": result.total, "max": result.maximum,
                 "levels": {str(k): v for k, v in picks.items()}})
    _notify_decision(sub, row)
    evaluate(sub.record)
    return row


def _apply_decision(sub: PracticeSubmission, decision: GradeDecision) -> None:
    sub.graded_at = utcnow()
    if decision == GradeDecision.PASS:
        sub.status = SubmissionStatus.PASSED
    elif decision == GradeDecision.FAIL:
        sub.status = SubmissionStatus.FAILED
    else:
        sub.status = SubmissionStatus.RETURNED
        sub.revision_count += 1


def moderate(sub: PracticeSubmission, moderator: User, *, expected_version: int, outcome: ModerationOutcome,
             note: str, decision: GradeDecision | None = None) -> SubmissionGrade:
    """A second instructor agrees with the latest grade or overrides its decision, with a note."""
    _check_version(sub, expected_version)
    if not queries.can_grade(moderator, sub.record):
        raise CertificationError(_("You do not teach this learner's cohort."))
    last = sub.grades[-1] if sub.grades else None
    if last is None or last.kind != GradeKind.GRADE or last.submitted_at != sub.submitted_at:
        raise CertificationError(_("There is no new grade to moderate."))
    if last.grader_id == moderator.id:
        raise CertificationError(_("A grade is moderated by a second instructor, not by its grader."))
    if sub.status == SubmissionStatus.SUBMITTED:
        raise CertificationError(_("There is no new grade to moderate."))
    outcome = ModerationOutcome(outcome)
    if outcome == ModerationOutcome.OVERRIDE:
        if not note.strip():
            raise CertificationError(_("Explain the override in a note."))
        if decision is None or GradeDecision(decision) == last.decision:
            raise CertificationError(_("Choose a decision different from the grader's to override it."))
        decision = GradeDecision(decision)
        if decision == GradeDecision.PASS:
            levels = {c.criterion_id: c.level_id for c in last.criteria}
            if not score(sub.rubric, levels).passes:
                raise CertificationError(_("The grade's rubric total does not meet the pass threshold."))
        # Undo the grader's decision before applying the moderator's.
        if last.decision == GradeDecision.REVISE:
            sub.revision_count -= 1
        if decision == GradeDecision.REVISE and sub.revision_count >= sub.record.programme.resubmission_limit:
            raise CertificationError(_("The resubmission limit is reached: pass or fail the work."))
        _apply_decision(sub, decision)
    else:
        decision = last.decision
    row = SubmissionGrade(submission_id=sub.id, kind=GradeKind.MODERATION, grader_id=moderator.id,
                          decision=decision, moderation=outcome, total_points=last.total_points,
                          max_points=last.max_points, feedback=note.strip(), submitted_at=sub.submitted_at)
    db.session.add(row)
    sub.updated_at = utcnow()  # bumps the version: a grader racing the moderator is refused
    _flush_versioned()
    audit("certification.submission.moderate", "practice_submission", sub.id,
          after={"outcome": outcome.value, "decision": decision.value, "note": note.strip()})
    if outcome == ModerationOutcome.OVERRIDE:
        _notify_decision(sub, row)
    evaluate(sub.record)
    return row


def _notify_decision(sub: PracticeSubmission, row: SubmissionGrade) -> None:
    task_title = recipient_task_title(sub.task, sub.record.user)
    link = task_path(sub.record, sub.task)
    if row.decision == GradeDecision.PASS:
        kind = NotificationKind.SUBMISSION_PASSED
        render = lambda: (_("Your practice task “%(task)s” passed", task=task_title),  # noqa: E731
                          _("Your instructor passed “%(task)s”. Read the feedback on the task page.",
                            task=task_title))
    elif row.decision == GradeDecision.REVISE:
        kind = NotificationKind.SUBMISSION_RETURNED
        render = lambda: (_("Your practice task “%(task)s” was returned for revision", task=task_title),  # noqa: E731
                          _("Your instructor returned “%(task)s” with feedback. Revise it and submit it again "
                            "before the deadline.", task=task_title))
    else:
        kind = NotificationKind.SUBMISSION_FAILED
        render = lambda: (_("Your practice task “%(task)s” did not pass", task=task_title),  # noqa: E731
                          _("Your instructor graded “%(task)s” as not passed. Read the feedback on the task page.",
                            task=task_title))
    notify(sub.record.user, kind, render, link=link, dedupe_key=f"grade:{row.id}")
