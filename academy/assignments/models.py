"""Course assignments: work a learner does outside the platform, uploads, and an instructor grades on a rubric.

A course package declares an assignment with one file per language (``<lang>/assignments/<key>.yaml``):
its title, instructions, the rubric in that language and the template offered for download. Each
language version has its own rubric rows, so an instructor grades a French report on the French
criteria. A rubric is never edited once it could have graded work: a changed package makes a new
rubric version, and a submission keeps the version it was submitted against.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

import academy.assessments.rubric_models  # noqa: F401  (the rubric tables these rows point at)
from academy.core.models import UTCDateTime, utcnow
from academy.extensions import db


class CourseAssignment(db.Model):
    __tablename__ = "course_assignment"
    __table_args__ = (UniqueConstraint("course_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    #: the module whose lessons lead to it (shown with it on the course home)
    module_key: Mapped[str] = mapped_column(String(64), default="")
    #: no longer in the package: hidden from learners, kept for the work already graded
    is_retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    course = relationship("Course")
    texts: Mapped[list[CourseAssignmentText]] = relationship(
        back_populates="assignment", cascade="all, delete-orphan", lazy="selectin")

    def text_for(self, language: str, default: str = "en") -> CourseAssignmentText | None:
        by_lang = {t.language: t for t in self.texts}
        return by_lang.get(language) or by_lang.get(default) or next(iter(by_lang.values()), None)


class CourseAssignmentText(db.Model):
    """One language version of an assignment, with the rubric written in that language."""

    __tablename__ = "course_assignment_text"
    __table_args__ = (UniqueConstraint("assignment_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("course_assignment.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    instructions_html: Mapped[str] = mapped_column(Text, default="")
    #: the download's sheets: [{name, columns? | fields?, choices?}], labels in this language
    template: Mapped[dict] = mapped_column(JSON, default=dict)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id", ondelete="RESTRICT"), index=True)
    #: digest of the rubric as the package describes it: a new digest means a new rubric version
    rubric_sha256: Mapped[str] = mapped_column(String(64), default="")

    assignment: Mapped[CourseAssignment] = relationship(back_populates="texts")
    rubric = relationship("Rubric", lazy="joined")


class AssignmentSubmission(db.Model):
    """A learner's report for an assignment: the latest file, and every grade it received.

    ``version`` is bumped on every write, so two instructors grading at once cannot both win.
    """

    __tablename__ = "assignment_submission"
    __table_args__ = (UniqueConstraint("assignment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("course_assignment.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    #: the rubric version the report is graded on, fixed when it is submitted
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id", ondelete="RESTRICT"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    #: None while the latest report waits for an instructor
    graded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    assignment: Mapped[CourseAssignment] = relationship(lazy="joined")
    user = relationship("User", lazy="joined")
    rubric = relationship("Rubric")
    grades: Mapped[list[AssignmentGrade]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="AssignmentGrade.id")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_awaiting_grade(self) -> bool:
        return self.graded_at is None

    @property
    def latest_grade(self) -> AssignmentGrade | None:
        return self.grades[-1] if self.grades else None


class AssignmentGrade(db.Model):
    """One grading of a report; a resubmitted report is graded again and both stay."""

    __tablename__ = "assignment_grade"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("assignment_submission.id", ondelete="CASCADE"),
                                               index=True)
    grader_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id", ondelete="RESTRICT"))
    total_points: Mapped[int] = mapped_column(Integer)
    max_points: Mapped[int] = mapped_column(Integer)
    is_passing: Mapped[bool] = mapped_column(Boolean)
    feedback: Mapped[str] = mapped_column(Text, default="")
    #: when the graded report was submitted (a later report is not covered by this grade)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    submission: Mapped[AssignmentSubmission] = relationship(back_populates="grades")
    grader = relationship("User", lazy="joined")
    criteria: Mapped[list[AssignmentCriterionGrade]] = relationship(
        back_populates="grade", cascade="all, delete-orphan", lazy="selectin")


class AssignmentCriterionGrade(db.Model):
    __tablename__ = "assignment_criterion_grade"
    __table_args__ = (UniqueConstraint("grade_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grade_id: Mapped[int] = mapped_column(ForeignKey("assignment_grade.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("rubric_criterion.id", ondelete="CASCADE"))
    level_id: Mapped[int] = mapped_column(ForeignKey("rubric_level.id", ondelete="CASCADE"))
    feedback: Mapped[str] = mapped_column(Text, default="")

    grade: Mapped[AssignmentGrade] = relationship(back_populates="criteria")
    criterion = relationship("RubricCriterion", lazy="joined")
    level = relationship("RubricLevel", lazy="joined")
