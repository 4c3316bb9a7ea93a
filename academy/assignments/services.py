"""Writes for assignments: the package import, a learner's report, an instructor's grade.

Services add and flush and record audit events; the request (or the import) commits.
"""

from __future__ import annotations

import hashlib
import json

from flask_babel import gettext as _
from sqlalchemy import select

from academy.assessments import rubrics
from academy.assignments.models import (
    AssignmentCriterionGrade,
    AssignmentGrade,
    AssignmentSubmission,
    CourseAssignment,
    CourseAssignmentText,
)
from academy.core import audit
from academy.core.models import utcnow
from academy.courses.structure import new_token
from academy.extensions import db


class AssignmentError(ValueError):
    """Something the user can fix; the message is in their language."""


class ConcurrentGradeError(AssignmentError):
    pass


def _plain(value):
    """The YAML reader's line-numbered dicts and lists as plain JSON values."""
    return json.loads(json.dumps(value))


def sync_assignments(course, pkg=None, **_kw) -> None:
    """On ``course-imported``: create or update the package's assignments (one rubric per language).

    A rubric whose description changed becomes a new version (``previous_id`` points back); reports
    already submitted stay on the version they were submitted against. Assignments no longer in the
    package are retired, not deleted, so their graded reports remain.
    """
    specs = (pkg.extra.get("assignments") if pkg is not None else None) or []
    existing = {a.key: a for a in db.session.scalars(
        select(CourseAssignment).where(CourseAssignment.course_id == course.id))}
    for spec in specs:
        assignment = existing.pop(spec.key, None)
        if assignment is None:
            assignment = CourseAssignment(course_id=course.id, key=spec.key)
            db.session.add(assignment)
        assignment.module_key = spec.module
        assignment.is_retired = False
        by_lang = {t.language: t for t in assignment.texts}
        for lang, src in spec.texts.items():
            rubric_spec = _plain(src["rubric"])
            digest = hashlib.sha256(json.dumps(rubric_spec, sort_keys=True).encode()).hexdigest()
            text = by_lang.get(lang)
            if text is None or text.rubric_sha256 != digest:
                rubric = rubrics.build_rubric(rubric_spec)
                if text is not None:
                    rubric.previous_id = text.rubric_id
                    rubric.version = text.rubric.version + 1
                if text is None:
                    text = CourseAssignmentText(language=lang, rubric_id=rubric.id)
                    assignment.texts.append(text)
                text.rubric_id = rubric.id
                text.rubric_sha256 = digest
            text.title = src["title"]
            text.instructions_html = src["instructions_html"]
            text.template = _plain(src["template"])
    for leftover in existing.values():
        leftover.is_retired = True
    if specs or existing:
        course.content_token = new_token()  # the course home's cached list of assignments follows it
    db.session.flush()


def submit_report(assignment: CourseAssignment, user, language: str, upload,
                  note: str) -> tuple[AssignmentSubmission, str | None]:
    """Store the learner's report (a checked upload) as their latest, waiting for an instructor.

    A second report replaces the first; earlier grades stay in the history. Returns the submission
    and the replaced file's storage key (or None), for the caller to delete once the transaction
    has committed.
    """
    text = assignment.text_for(language)
    if text is None or assignment.is_retired:
        raise AssignmentError(_("This assignment is not open."))
    sub = db.session.scalar(select(AssignmentSubmission).where(
        AssignmentSubmission.assignment_id == assignment.id, AssignmentSubmission.user_id == user.id))
    replaced = None
    if sub is None:
        sub = AssignmentSubmission(assignment_id=assignment.id, user_id=user.id)
        db.session.add(sub)
    else:
        replaced = sub.storage_key
    sub.language = text.language
    sub.rubric_id = text.rubric_id
    sub.note = note.strip()
    sub.storage_key = upload.storage_key
    sub.filename = upload.filename
    sub.content_type = upload.content_type
    sub.size_bytes = upload.size_bytes
    sub.sha256 = upload.sha256
    sub.submitted_at = utcnow()
    sub.graded_at = None
    db.session.flush()
    audit.record("assignment.submitted", "assignment_submission", sub.id,
                 after={"assignment": assignment.key, "course_id": assignment.course_id, "sha256": upload.sha256,
                        "size_bytes": upload.size_bytes, "replaced": replaced is not None})
    return sub, replaced


def grade_report(sub: AssignmentSubmission, grader, *, expected_version: int, picks: dict[int, int],
                 criterion_feedback: dict[int, str], feedback: str) -> AssignmentGrade:
    """Grade the latest report on its rubric: one level per criterion, and feedback.

    Refused, with every reason, when a criterion has no level, when the report changed since the
    grader opened it (``expected_version``), or when the grader is its author.
    """
    if sub.user_id == grader.id:
        raise AssignmentError(_("You cannot grade your own report."))
    if sub.version != expected_version:
        raise ConcurrentGradeError(_("This report changed while you were grading it (a new report or another "
                                     "grade). Reload the page and grade again."))
    rubric = sub.rubric
    result = rubrics.score(rubric, picks)
    if result.missing:
        raise AssignmentError(" ".join(result.shortfalls[-len(result.missing):]))
    grade = AssignmentGrade(submission=sub, grader_id=grader.id, rubric_id=rubric.id, total_points=result.total,
                            max_points=result.maximum, is_passing=result.passes, feedback=feedback.strip(),
                            submitted_at=sub.submitted_at)
    for criterion in rubric.criteria:
        grade.criteria.append(AssignmentCriterionGrade(criterion_id=criterion.id, level_id=picks[criterion.id],
                                                       feedback=(criterion_feedback.get(criterion.id) or "").strip()))
    sub.graded_at = utcnow()
    db.session.add(grade)
    db.session.flush()
    audit.record("assignment.graded", "assignment_submission", sub.id,
                 after={"grade_id": grade.id, "total": result.total, "max": result.maximum,
                        "passing": result.passes, "learner_id": sub.user_id})
    return grade
