"""Courses, their language versions, modules and lessons; enrolments and progress.

Modules and lessons have stable keys shared by every language version; texts live in
per-language rows. Progress is kept per lesson key, so switching language keeps it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Optional

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.core.enums import EnrollmentStatus
from academy.core.models import TimestampMixin, UTCDateTime, enum_column, utcnow
from academy.extensions import db


class Course(TimestampMixin, db.Model):
    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    default_language: Mapped[str] = mapped_column(String(8), default="en")
    # The default language's computed time, rounded; each version has its own minutes.
    estimated_hours: Mapped[int] = mapped_column(Integer, default=1)
    is_published: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    has_sequential_release: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    package_sha256: Mapped[Optional[str]] = mapped_column(String(64))
    #: completion certificates also print this language's wording (bilingual), unless the
    #: learner's language is this one
    certificate_second_language: Mapped[Optional[str]] = mapped_column(String(8))
    # Changes with every change to the course's modules, lessons or their texts; the
    # per-process structure cache (academy.courses.structure) is keyed by it.
    content_token: Mapped[str] = mapped_column(String(32), default=lambda: uuid.uuid4().hex, server_default="0")

    versions: Mapped[list[CourseVersion]] = relationship(
        back_populates="course", cascade="all, delete-orphan", order_by="CourseVersion.language"
    )
    modules: Mapped[list[Module]] = relationship(
        back_populates="course", cascade="all, delete-orphan", order_by="Module.position"
    )

    def version(self, language: str) -> CourseVersion | None:
        return next((v for v in self.versions if v.language == language), None)

    @property
    def published_versions(self) -> list[CourseVersion]:
        return [v for v in self.versions if v.is_published]


class CourseVersion(db.Model):
    """One language version of a course: its title, description and lesson texts."""

    __tablename__ = "course_version"
    __table_args__ = (UniqueConstraint("course_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    # Computed by the package importer from this language's content (reading speed,
    # exercises, quizzes): what the course page shows and the certificate prints.
    estimated_minutes: Mapped[Optional[int]] = mapped_column(Integer)
    # Learning objectives in this language, from the package: [{"key": ..., "text": ...}].
    objectives: Mapped[Optional[list]] = mapped_column(JSON)
    is_published: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")

    course: Mapped[Course] = relationship(back_populates="versions")

    @property
    def estimated_hours(self) -> float | None:
        """The time in hours to the nearest half hour (at least half an hour), or None."""
        if not self.estimated_minutes:
            return None
        return max(0.5, round(self.estimated_minutes / 30) / 2)


class Module(db.Model):
    __tablename__ = "module"
    __table_args__ = (UniqueConstraint("course_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    # A module or lesson dropped from the package is retired, not deleted, so nobody's
    # progress disappears with it.
    is_retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    course: Mapped[Course] = relationship(back_populates="modules")
    texts: Mapped[list[ModuleText]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="module", cascade="all, delete-orphan", order_by="Lesson.position"
    )

    def title(self, language: str, fallback: str = "en") -> str:
        texts = {t.language: t.title for t in self.texts}
        return texts.get(language) or texts.get(fallback) or self.key


class ModuleText(db.Model):
    __tablename__ = "module_text"
    __table_args__ = (UniqueConstraint("module_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    objectives: Mapped[Optional[list]] = mapped_column(JSON)


class Lesson(db.Model):
    __tablename__ = "lesson"
    __table_args__ = (UniqueConstraint("module_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    estimated_minutes: Mapped[int] = mapped_column(Integer, default=10)
    video_url: Mapped[Optional[str]] = mapped_column(String(500))
    is_retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    module: Mapped[Module] = relationship(back_populates="lessons")


class LessonText(db.Model):
    __tablename__ = "lesson_text"
    __table_args__ = (UniqueConstraint("lesson_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    body_html: Mapped[str] = mapped_column(Text)
    source_sha256: Mapped[str] = mapped_column(String(64))
    objectives: Mapped[Optional[list]] = mapped_column(JSON)
    #: for a translation: the ``source_sha256`` of the default-language text it was made
    #: from (None for the default language itself)
    translated_from: Mapped[Optional[str]] = mapped_column(String(64))


class CourseMedia(db.Model):
    """An image from a course package, kept in the database so imports stay atomic."""

    __tablename__ = "course_media"
    __table_args__ = (UniqueConstraint("course_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))


class Enrollment(db.Model):
    __tablename__ = "enrollment"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id"),
        CheckConstraint("progress_percent >= 0 AND progress_percent <= 100", name="progress_range"),
        # A completion before the enrolment makes "average days to complete" negative.
        CheckConstraint("completed_at IS NULL OR completed_at >= enrolled_at", name="completed_after_enrolled"),
        Index("ix_enrollment_course_status", "course_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8), index=True)
    status: Mapped[EnrollmentStatus] = mapped_column(
        enum_column(EnrollmentStatus, "enrollment_status"), default=EnrollmentStatus.ENROLLED
    )
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    last_activity_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    completed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime(), index=True)
    final_score: Mapped[Optional[float]] = mapped_column(Numeric(5, 2, asdecimal=False))
    progress_percent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_lesson_id: Mapped[Optional[int]] = mapped_column(ForeignKey("lesson.id", ondelete="SET NULL"))

    user = relationship("User")
    course: Mapped[Course] = relationship()


class LessonProgress(db.Model):
    """One learner's progress on one lesson; the unique pair stops double counting."""

    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("enrollment_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollment.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"), index=True)
    first_opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_visited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
