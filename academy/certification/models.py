"""The three-phase certification: programmes, cohorts, sessions, attendance, practice.

A learner's way through a programme is one ``CertificationRecord``: it ties them to a
cohort and keeps the date each phase was passed (phases open in order, so the date a
phase was passed is the date the next one opened), the award and its expiry.
Recertification after expiry is a new record with the next ``attempt`` number, linked to
the expired one by ``previous_record_id`` (see ``queries.phase1_met`` for its rules).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Optional

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

# The rubric models these tables refer to by name: registered whenever these are, so the
# mappers configure whichever module is imported first.
import academy.assessments.rubric_models  # noqa: F401
from academy.certification.enums import (
    AssessmentOutcome,
    AttendanceStatus,
    GradeDecision,
    GradeKind,
    ModerationOutcome,
    NotificationKind,
    SessionMode,
    SubmissionStatus,
)
from academy.core.models import TimestampMixin, UTCDateTime, enum_column, utcnow
from academy.extensions import db


class CertificationProgramme(TimestampMixin, db.Model):
    __tablename__ = "certification_programme"
    __table_args__ = (
        CheckConstraint("min_attendance_percent BETWEEN 0 AND 100", name="attendance_range"),
        CheckConstraint("validity_months >= 1", name="validity_positive"),
        CheckConstraint("resubmission_limit >= 0", name="resubmission_limit_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    #: {language: title}; English is the fallback
    titles: Mapped[dict] = mapped_column(JSON)
    description: Mapped[str] = mapped_column(Text, default="")
    min_attendance_percent: Mapped[int] = mapped_column(Integer, default=80, server_default="80")
    validity_months: Mapped[int] = mapped_column(Integer, default=36, server_default="36")
    resubmission_limit: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    #: the language its practice tasks and rubrics are written in; translations fall back to it
    source_language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    #: certification certificates also print this language (None: the learner's language only)
    certificate_second_language: Mapped[Optional[str]] = mapped_column(String(8))

    required_courses: Mapped[list[ProgrammeCourse]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="ProgrammeCourse.position",
        lazy="selectin",
    )
    tasks: Mapped[list[PracticeTask]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="PracticeTask.position",
    )

    def title(self, language: str = "en") -> str:
        return self.titles.get(language) or self.titles.get("en") or self.code


class ProgrammeCourse(db.Model):
    """A course that must be completed in phase 1 (distance learning)."""

    __tablename__ = "programme_course"
    __table_args__ = (UniqueConstraint("programme_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("certification_programme.id", ondelete="CASCADE"),
                                              index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="RESTRICT"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=1)

    programme: Mapped[CertificationProgramme] = relationship(back_populates="required_courses")
    course = relationship("Course", lazy="joined")


class PracticeTask(db.Model):
    """A piece of on-the-job work for phase 3, graded on its rubric."""

    __tablename__ = "practice_task"
    __table_args__ = (
        UniqueConstraint("programme_id", "key"),
        CheckConstraint("due_days >= 1", name="due_days_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("certification_programme.id", ondelete="CASCADE"),
                                              index=True)
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str] = mapped_column(Text)
    #: the deadline, in days after phase 3 opens for the learner
    due_days: Mapped[int] = mapped_column(Integer, default=60)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id", ondelete="RESTRICT"), index=True)

    programme: Mapped[CertificationProgramme] = relationship(back_populates="tasks")
    rubric = relationship("Rubric", lazy="joined")
    translations: Mapped[list[PracticeTaskTranslation]] = relationship(
        back_populates="task", cascade="all, delete-orphan", lazy="selectin",
    )


class PracticeTaskTranslation(db.Model):
    """A practice task's title and instructions in a language other than its programme's source language.

    ``source_hash`` is the hash of the source words (task and rubric) the translation was
    made from: when the source is edited the hashes differ and the translation shows as
    out of date until a translator saves it again.
    """

    __tablename__ = "practice_task_translation"
    __table_args__ = (UniqueConstraint("task_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("practice_task.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str] = mapped_column(Text)
    source_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    task: Mapped[PracticeTask] = relationship(back_populates="translations")


class Cohort(TimestampMixin, db.Model):
    __tablename__ = "cohort"
    __table_args__ = (UniqueConstraint("programme_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("certification_programme.id", ondelete="RESTRICT"),
                                              index=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[Optional[date]] = mapped_column(Date)
    ends_on: Mapped[Optional[date]] = mapped_column(Date)

    programme: Mapped[CertificationProgramme] = relationship(lazy="joined")
    instructors: Mapped[list[CohortInstructor]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan", lazy="selectin"
    )
    sessions: Mapped[list[TrainingSession]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan", order_by="TrainingSession.starts_on"
    )

    @property
    def instructor_ids(self) -> set[int]:
        return {ci.user_id for ci in self.instructors}


class CohortInstructor(db.Model):
    __tablename__ = "cohort_instructor"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)

    cohort: Mapped[Cohort] = relationship(back_populates="instructors")
    user = relationship("User", lazy="joined")


class TrainingSession(db.Model):
    """The instructor-led training of phase 2: one or more consecutive days."""

    __tablename__ = "training_session"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="dates_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    mode: Mapped[SessionMode] = mapped_column(enum_column(SessionMode, "session_mode"))
    place: Mapped[str] = mapped_column(String(300), default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    language: Mapped[str] = mapped_column(String(8), default="en")

    cohort: Mapped[Cohort] = relationship(back_populates="sessions")

    @property
    def days(self) -> list[date]:
        n = (self.ends_on - self.starts_on).days + 1
        return [self.starts_on + timedelta(days=i) for i in range(n)]


class CertificationRecord(TimestampMixin, db.Model):
    __tablename__ = "certification_record"
    __table_args__ = (
        UniqueConstraint("user_id", "programme_id", "attempt"),
        UniqueConstraint("cohort_id", "user_id"),
        CheckConstraint("attempt >= 1", name="attempt_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("certification_programme.id", ondelete="RESTRICT"),
                                              index=True)
    cohort_id: Mapped[Optional[int]] = mapped_column(ForeignKey("cohort.id", ondelete="SET NULL"), index=True)
    attempt: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    #: for a recertification: the record whose (expired) award it renews
    previous_record_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("certification_record.id", ondelete="SET NULL"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    phase1_passed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    phase2_passed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    phase3_passed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    awarded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime(), index=True)
    expires_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime(), index=True)
    certificate_id: Mapped[Optional[int]] = mapped_column(Integer)

    user = relationship("User", lazy="joined")
    programme: Mapped[CertificationProgramme] = relationship(lazy="joined")
    cohort: Mapped[Optional[Cohort]] = relationship()
    previous_record: Mapped[Optional[CertificationRecord]] = relationship(remote_side=[id])

    @property
    def is_recertification(self) -> bool:
        return self.previous_record_id is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= utcnow()


class Attendance(db.Model):
    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("session_id", "record_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_session.id", ondelete="CASCADE"), index=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("certification_record.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    status: Mapped[AttendanceStatus] = mapped_column(enum_column(AttendanceStatus, "attendance_status"))
    recorded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class InstructorAssessment(db.Model):
    """The instructor's verdict on a learner's participation in the training (phase 2)."""

    __tablename__ = "instructor_assessment"
    __table_args__ = (
        UniqueConstraint("record_id"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("certification_record.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(ForeignKey("training_session.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[AssessmentOutcome] = mapped_column(enum_column(AssessmentOutcome, "assessment_outcome"))
    comments: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[Optional[float]] = mapped_column(Numeric(5, 2, asdecimal=False))
    assessed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    session: Mapped[TrainingSession] = relationship()
    assessed_by = relationship("User")


class DeadlineExtension(db.Model):
    """A new practice deadline for one learner (one task, or every task when task_id is empty)."""

    __tablename__ = "deadline_extension"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("certification_record.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[Optional[int]] = mapped_column(ForeignKey("practice_task.id", ondelete="CASCADE"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text)
    granted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    task: Mapped[Optional[PracticeTask]] = relationship()
    granted_by = relationship("User")


class PracticeSubmission(TimestampMixin, db.Model):
    """One learner's evidence for one task, through drafts, grading and revisions.

    ``version`` is bumped on every write (SQLAlchemy's version counter), so two
    instructors saving a grade at once cannot both win: the second is refused.
    """

    __tablename__ = "practice_submission"
    __table_args__ = (
        UniqueConstraint("record_id", "task_id"),
        Index("ix_practice_submission_status_submitted", "status", "submitted_at"),
        CheckConstraint("revision_count >= 0", name="revision_count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("certification_record.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("practice_task.id", ondelete="CASCADE"), index=True)
    #: the rubric version the work is graded on, fixed when it is first submitted
    rubric_id: Mapped[Optional[int]] = mapped_column(ForeignKey("rubric.id", ondelete="RESTRICT"), index=True)
    status: Mapped[SubmissionStatus] = mapped_column(
        enum_column(SubmissionStatus, "submission_status"), default=SubmissionStatus.DRAFT
    )
    text: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    graded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    #: how many times the work was returned for revision
    revision_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    record: Mapped[CertificationRecord] = relationship(lazy="joined")
    task: Mapped[PracticeTask] = relationship(lazy="joined")
    pinned_rubric = relationship("Rubric")
    files: Mapped[list[SubmissionFile]] = relationship(
        order_by="SubmissionFile.id",
        primaryjoin="and_(SubmissionFile.submission_id == PracticeSubmission.id, SubmissionFile.grade_id.is_(None))",
        viewonly=True,
    )
    grades: Mapped[list[SubmissionGrade]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="SubmissionGrade.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_editable(self) -> bool:
        return self.status in (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)

    @property
    def rubric(self):
        """The rubric this work is graded on: its own version once submitted, else the task's."""
        return self.pinned_rubric if self.rubric_id is not None else self.task.rubric


class SubmissionFile(db.Model):
    """An uploaded file: evidence (grade_id empty) or an instructor's feedback file."""

    __tablename__ = "submission_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("practice_submission.id", ondelete="CASCADE"),
                                               index=True)
    grade_id: Mapped[Optional[int]] = mapped_column(ForeignKey("submission_grade.id", ondelete="CASCADE"),
                                                    index=True)
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    submission: Mapped[PracticeSubmission] = relationship(foreign_keys=[submission_id])


class SubmissionGrade(db.Model):
    """One grading or moderation action; the rows of a submission are its grading history."""

    __tablename__ = "submission_grade"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("practice_submission.id", ondelete="CASCADE"),
                                               index=True)
    kind: Mapped[GradeKind] = mapped_column(enum_column(GradeKind, "grade_kind"), default=GradeKind.GRADE)
    grader_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decision: Mapped[GradeDecision] = mapped_column(enum_column(GradeDecision, "grade_decision"))
    moderation: Mapped[Optional[ModerationOutcome]] = mapped_column(
        enum_column(ModerationOutcome, "moderation_outcome")
    )
    total_points: Mapped[Optional[int]] = mapped_column(Integer)
    max_points: Mapped[Optional[int]] = mapped_column(Integer)
    feedback: Mapped[str] = mapped_column(Text, default="")
    #: when the graded version was submitted (a moderation applies to that version only)
    submitted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    submission: Mapped[PracticeSubmission] = relationship(back_populates="grades")
    grader = relationship("User", lazy="joined")
    criteria: Mapped[list[SubmissionCriterionGrade]] = relationship(
        back_populates="grade", cascade="all, delete-orphan", lazy="selectin"
    )
    files: Mapped[list[SubmissionFile]] = relationship(foreign_keys=[SubmissionFile.grade_id], lazy="selectin",
                                                       viewonly=True)


class SubmissionCriterionGrade(db.Model):
    __tablename__ = "submission_criterion_grade"
    __table_args__ = (UniqueConstraint("grade_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grade_id: Mapped[int] = mapped_column(ForeignKey("submission_grade.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("rubric_criterion.id", ondelete="CASCADE"))
    level_id: Mapped[int] = mapped_column(ForeignKey("rubric_level.id", ondelete="CASCADE"))
    feedback: Mapped[str] = mapped_column(Text, default="")

    grade: Mapped[SubmissionGrade] = relationship(back_populates="criteria")
    criterion = relationship("RubricCriterion", lazy="joined")
    level = relationship("RubricLevel", lazy="joined")


class Notification(db.Model):
    """An in-app message to one user; ``dedupe_key`` makes repeated sends (reminders) no-ops."""

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("user_id", "dedupe_key"),
        Index("ix_notification_user_unread", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(enum_column(NotificationKind, "notification_kind"))
    message: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(300), default="")
    dedupe_key: Mapped[Optional[str]] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    read_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
