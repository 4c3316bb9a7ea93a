"""Reads for assignments."""

from __future__ import annotations

from sqlalchemy import select

from academy.assignments.models import AssignmentSubmission, CourseAssignment
from academy.core.enums import Role
from academy.extensions import cache, db


def assignment_for(course_id: int, key: str) -> CourseAssignment | None:
    return db.session.scalar(select(CourseAssignment).where(
        CourseAssignment.course_id == course_id, CourseAssignment.key == key, ~CourseAssignment.is_retired))


def course_assignments(course_id: int) -> list[CourseAssignment]:
    return list(db.session.scalars(select(CourseAssignment).where(
        CourseAssignment.course_id == course_id, ~CourseAssignment.is_retired).order_by(CourseAssignment.key)))


def course_assignment_titles(course) -> tuple[tuple[int, str, dict[str, str]], ...]:
    """(id, key, {language: title}) of the course's open assignments, from the shared cache.

    Every course home asks, and most courses have none: the answer is the same for everyone and
    is keyed on the course's content token, which the import renews when assignments change.
    """
    key = f"course-assignments:{course.id}:{course.content_token}"
    hit = cache.get(key)
    if hit is not None:
        return hit
    built = tuple((a.id, a.key, {t.language: t.title for t in a.texts}) for a in course_assignments(course.id))
    cache.set(key, built)
    return built


def submission_of(assignment_id: int, user_id: int) -> AssignmentSubmission | None:
    return db.session.scalar(select(AssignmentSubmission).where(
        AssignmentSubmission.assignment_id == assignment_id, AssignmentSubmission.user_id == user_id))


def can_grade(user, sub: AssignmentSubmission) -> bool:
    """Instructors and admins grade course assignments; never their own report."""
    return sub.user_id != user.id and user.has_role(Role.INSTRUCTOR, Role.ADMIN)


def can_view(user, sub: AssignmentSubmission) -> bool:
    return sub.user_id == user.id or can_grade(user, sub)


def grading_queue(limit: int = 200) -> list[AssignmentSubmission]:
    """Reports waiting for a grade, oldest first."""
    return list(db.session.scalars(select(AssignmentSubmission).where(AssignmentSubmission.graded_at.is_(None))
                                   .order_by(AssignmentSubmission.submitted_at).limit(limit)))


def recently_graded(limit: int = 50) -> list[AssignmentSubmission]:
    return list(db.session.scalars(select(AssignmentSubmission).where(AssignmentSubmission.graded_at.is_not(None))
                                   .order_by(AssignmentSubmission.graded_at.desc()).limit(limit)))
