"""Rubrics: criteria with ordered levels (points and descriptors) and a pass threshold.

A rubric grades one piece of work: the grader picks one level per criterion, the total
is the sum of the picked levels' points, and the work meets the rubric when the total
reaches ``pass_threshold`` and every criterion with a ``min_level_position`` is graded at
that level or above.

A rubric that has graded work is never changed: editing it makes a new version
(``previous_id`` points back, ``version`` counts up) that the task uses from then on,
while the work already submitted keeps being graded, and shown, on the version it was
submitted against.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.core.models import UTCDateTime, utcnow
from academy.extensions import db


class Rubric(db.Model):
    __tablename__ = "rubric"
    __table_args__ = (
        CheckConstraint("pass_threshold >= 0", name="pass_threshold_not_negative"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    pass_threshold: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    #: the version this one replaced (None for the first)
    previous_id: Mapped[Optional[int]] = mapped_column(ForeignKey("rubric.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    criteria: Mapped[list[RubricCriterion]] = relationship(
        back_populates="rubric", cascade="all, delete-orphan", order_by="RubricCriterion.position",
        lazy="selectin",
    )

    @property
    def max_points(self) -> int:
        return sum(c.max_points for c in self.criteria)


class RubricCriterion(db.Model):
    __tablename__ = "rubric_criterion"
    __table_args__ = (
        UniqueConstraint("rubric_id", "position"),
        CheckConstraint("min_level_position IS NULL OR min_level_position >= 1", name="min_level_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # The lowest acceptable level (by position, 1 = lowest); None: any level will do.
    min_level_position: Mapped[Optional[int]] = mapped_column(Integer)

    rubric: Mapped[Rubric] = relationship(back_populates="criteria")
    levels: Mapped[list[RubricLevel]] = relationship(
        back_populates="criterion", cascade="all, delete-orphan", order_by="RubricLevel.position",
        lazy="selectin",
    )

    @property
    def max_points(self) -> int:
        return max((lv.points for lv in self.levels), default=0)

    @property
    def min_level(self) -> RubricLevel | None:
        if self.min_level_position is None:
            return None
        return next((lv for lv in self.levels if lv.position == self.min_level_position), None)


class RubricLevel(db.Model):
    """One level of a criterion; ``position`` orders them from lowest (1) to highest."""

    __tablename__ = "rubric_level"
    __table_args__ = (
        UniqueConstraint("criterion_id", "position"),
        CheckConstraint("points >= 0", name="points_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("rubric_criterion.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(100))
    points: Mapped[int] = mapped_column(Integer)
    descriptor: Mapped[str] = mapped_column(Text, default="")

    criterion: Mapped[RubricCriterion] = relationship(back_populates="levels")


# --- translations ---------------------------------------------------------------------
# A rubric is written in its programme's source language; these rows hold the same words
# in another language. They belong to one rubric version (through its criteria and
# levels), so the words a submission was graded on stay with the version it was pinned to.


class RubricTranslation(db.Model):
    __tablename__ = "rubric_translation"
    __table_args__ = (UniqueConstraint("rubric_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))


class RubricCriterionTranslation(db.Model):
    __tablename__ = "rubric_criterion_translation"
    __table_args__ = (UniqueConstraint("criterion_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("rubric_criterion.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")


class RubricLevelTranslation(db.Model):
    __tablename__ = "rubric_level_translation"
    __table_args__ = (UniqueConstraint("level_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    level_id: Mapped[int] = mapped_column(ForeignKey("rubric_level.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(100))
    descriptor: Mapped[str] = mapped_column(Text, default="")
