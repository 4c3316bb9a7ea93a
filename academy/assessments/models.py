"""Quizzes, their questions (per-language texts), attempts and saved answers.

A quiz and its questions have stable keys from the course package, so a re-import
updates them in place and keeps every attempt. Questions dropped from the package are
retired, never deleted: old attempts still point at them.

The database guards the attempt rules that matter under concurrency: one attempt number
per learner and quiz (so racing starts cannot exceed the maximum), at most one attempt in
progress per learner and quiz (a partial unique index), and one answer row per question
per attempt.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.assessments.enums import AttemptState, QuizKind, ShowAnswers
from academy.core.models import TimestampMixin, UTCDateTime, enum_column, utcnow
from academy.extensions import db

#: The key of a course's final exam (module quizzes use their module's key).
FINAL_EXAM_KEY = "final-exam"


class Quiz(TimestampMixin, db.Model):
    __tablename__ = "quiz"
    __table_args__ = (
        UniqueConstraint("course_id", "key"),
        CheckConstraint("pass_mark >= 0 AND pass_mark <= 100", name="pass_mark_range"),
        CheckConstraint("max_attempts IS NULL OR max_attempts >= 1", name="max_attempts_positive"),
        CheckConstraint(
            "time_limit_minutes IS NULL OR time_limit_minutes >= 1", name="time_limit_positive"
        ),
        CheckConstraint("draw_count IS NULL OR draw_count >= 1", name="draw_count_positive"),
        CheckConstraint("wait_minutes >= 0", name="wait_minutes_nonnegative"),
        CheckConstraint("questions_per_page >= 1", name="questions_per_page_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    # Null for the final exam.
    module_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("module.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[QuizKind] = mapped_column(enum_column(QuizKind, "quiz_kind"))
    pass_mark: Mapped[int] = mapped_column(Integer, default=70)
    max_attempts: Mapped[Optional[int]] = mapped_column(Integer)
    time_limit_minutes: Mapped[Optional[int]] = mapped_column(Integer)
    shuffle_questions: Mapped[bool] = mapped_column(Boolean, default=False)
    shuffle_options: Mapped[bool] = mapped_column(Boolean, default=False)
    draw_count: Mapped[Optional[int]] = mapped_column(Integer)
    show_answers: Mapped[ShowAnswers] = mapped_column(
        enum_column(ShowAnswers, "show_answers"), default=ShowAnswers.AFTER_EACH_ATTEMPT
    )
    wait_minutes: Mapped[int] = mapped_column(Integer, default=0)
    questions_per_page: Mapped[int] = mapped_column(Integer, default=5)
    is_retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    course = relationship("Course")
    module = relationship("Module")
    questions: Mapped[list[Question]] = relationship(
        back_populates="quiz", cascade="all, delete-orphan", order_by="Question.position"
    )

    @property
    def is_final_exam(self) -> bool:
        return self.kind == QuizKind.FINAL_EXAM

    @property
    def active_questions(self) -> list[Question]:
        return [q for q in self.questions if not q.is_retired]

    @property
    def question_count(self) -> int:
        """How many questions one attempt has (the draw, or the whole pool)."""
        pool = len(self.active_questions)
        return min(self.draw_count, pool) if self.draw_count else pool

    def settings(self) -> dict:
        return {
            "pass_mark": self.pass_mark,
            "max_attempts": self.max_attempts,
            "time_limit_minutes": self.time_limit_minutes,
            "shuffle_questions": self.shuffle_questions,
            "shuffle_options": self.shuffle_options,
            "draw": self.draw_count,
            "show_answers": self.show_answers.value,
            "wait_minutes": self.wait_minutes,
            "questions_per_page": self.questions_per_page,
        }


class Question(db.Model):
    __tablename__ = "question"
    __table_args__ = (UniqueConstraint("quiz_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer)
    is_retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    quiz: Mapped[Quiz] = relationship(back_populates="questions")
    texts: Mapped[list[QuestionText]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    def spec(self, language: str, fallback: str = "en") -> dict:
        """The authored definition in ``language`` (prompt, options, answers, feedback)."""
        by_lang = {t.language: t.spec for t in self.texts}
        return by_lang.get(language) or by_lang.get(fallback) or next(iter(by_lang.values()))


class QuestionText(db.Model):
    """A question as authored in one language: the whole normalised YAML definition."""

    __tablename__ = "question_text"
    __table_args__ = (UniqueConstraint("question_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("question.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(String(8))
    spec: Mapped[dict] = mapped_column(JSON)
    #: for a translation: the hash of the default-language definition it was made from
    translated_from: Mapped[Optional[str]] = mapped_column(String(64))


class AttemptStatus:
    """What an attempt's state says."""

    @property
    def is_open(self) -> bool:
        return self.state == AttemptState.IN_PROGRESS

    @property
    def is_graded(self) -> bool:
        return self.state == AttemptState.GRADED

    @property
    def ended_at(self) -> datetime | None:
        return self.submitted_at or self.expired_at or self.graded_at


class QuizAttempt(AttemptStatus, db.Model):
    __tablename__ = "quiz_attempt"
    __table_args__ = (
        UniqueConstraint("quiz_id", "enrollment_id", "number"),
        # At most one open attempt per learner and quiz, whatever Python does.
        Index(
            "uq_quiz_attempt_open",
            "quiz_id",
            "enrollment_id",
            unique=True,
            sqlite_where=text("state = 'in_progress'"),
            postgresql_where=text("state = 'in_progress'"),
        ),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score_range"),
        CheckConstraint(
            "state != 'graded' OR "
            "(score IS NOT NULL AND graded_at IS NOT NULL AND is_passed IS NOT NULL)",
            name="graded_has_score",
        ),
        Index("ix_quiz_attempt_quiz_state", "quiz_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"))
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollment.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(8))
    state: Mapped[AttemptState] = mapped_column(
        enum_column(AttemptState, "attempt_state"), default=AttemptState.IN_PROGRESS
    )
    # The questions drawn for this attempt, in the order shown, with each one's option
    # order: [{"q": question_id, "o": [...]}, ...]. Fixed at the start so a reload,
    # another tab or a restart shows the same attempt.
    layout: Mapped[list] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deadline_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    last_saved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    submitted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    expired_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    graded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    score: Mapped[Optional[float]] = mapped_column(Numeric(5, 2, asdecimal=False))
    is_passed: Mapped[Optional[bool]] = mapped_column(Boolean)

    quiz: Mapped[Quiz] = relationship()
    enrollment = relationship("Enrollment")
    user = relationship("User")
    answers: Mapped[list[AttemptAnswer]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan"
    )

    @property
    def question_ids(self) -> list[int]:
        return [item["q"] for item in self.layout]

    def seconds_left(self, now: datetime | None = None) -> int | None:
        if self.deadline_at is None:
            return None
        left = (self.deadline_at - (now or utcnow())) / timedelta(seconds=1)
        return max(0, int(left))


class AttemptAnswer(db.Model):
    """A learner's saved answer to one question of one attempt (then its grade)."""

    __tablename__ = "attempt_answer"
    __table_args__ = (
        UniqueConstraint("attempt_id", "question_id"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 1)", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempt.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(
        ForeignKey("question.id", ondelete="CASCADE"), index=True
    )
    # None until the learner answers; a JSON value shaped by the question type.
    response: Mapped[Optional[dict | list | str | bool]] = mapped_column(JSON(none_as_null=True))
    saved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    score: Mapped[Optional[float]] = mapped_column(Numeric(5, 4, asdecimal=False))
    is_correct: Mapped[Optional[bool]] = mapped_column(Boolean)

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()
