"""Hands-on exercises: tasks done in a real patent database in another tab, answered here.

An exercise belongs to a module and has a stable key from the course package (a re-import
updates it in place; one dropped from the package is retired, never deleted). Its texts are
per language. A learner's answer is one row per enrolment and exercise, so saving twice
(a double click, a retry after a lost connection) keeps one answer, the latest.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.core.models import UTCDateTime, utcnow
from academy.extensions import db


class Exercise(db.Model):
    __tablename__ = "exercise"
    __table_args__ = (
        UniqueConstraint("course_id", "key"),
        CheckConstraint("minutes >= 1", name="minutes_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    #: the answer's question type (numeric, short_answer, single_choice...) or "open"
    type: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer)
    minutes: Mapped[int] = mapped_column(Integer, default=10)
    url: Mapped[str] = mapped_column(String(500))
    is_retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    texts: Mapped[list[ExerciseText]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    def spec(self, language: str, fallback: str = "en") -> dict:
        texts = {t.language: t.spec for t in self.texts}
        return texts.get(language) or texts.get(fallback) or next(iter(texts.values()))

    @property
    def is_graded(self) -> bool:
        return self.type != "open"


class ExerciseText(db.Model):
    __tablename__ = "exercise_text"
    __table_args__ = (UniqueConstraint("exercise_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercise.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    spec: Mapped[dict] = mapped_column(JSON)


class ExerciseAnswer(db.Model):
    __tablename__ = "exercise_answer"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "exercise_id"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 1)", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercise.id", ondelete="CASCADE"), index=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollment.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    response: Mapped[Optional[object]] = mapped_column(JSON)
    #: 0–1 for an exercise graded automatically; None for an open one (compared with the worked answer)
    score: Mapped[Optional[float]] = mapped_column(Numeric(5, 4, asdecimal=False))
    attempts: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    exercise: Mapped[Exercise] = relationship()
