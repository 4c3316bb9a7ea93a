"""Follow-up surveys: the survey and its questions, when it is sent, whom it was sent to,
and what they answered.

A ``SurveySendPoint`` attaches a survey to a course (months after completion) or to a
certification programme (months after the award). Each learner it reaches gets one
``SurveyInvitation`` per send point (the unique pair makes sending idempotent), which
holds when it was sent, reminded and closes; their answers are ``SurveyAnswer`` rows, one
per chosen option for a multiple-choice question, so the statistics can count options.
"""

from __future__ import annotations

from datetime import datetime
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
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.core.models import TimestampMixin, UTCDateTime, enum_column, utcnow
from academy.extensions import db
from academy.surveys.enums import QuestionKind


class Survey(TimestampMixin, db.Model):
    __tablename__ = "survey"
    __table_args__ = (
        CheckConstraint("open_days >= 1", name="open_days_positive"),
        CheckConstraint("reminder_after_days >= 1", name="reminder_after_days_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    #: {language: title}; every site language is required
    titles: Mapped[dict] = mapped_column(JSON)
    #: how long a learner may answer (and change their answers) after the survey is sent
    open_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    #: the one reminder goes this many days after sending, to those who have not answered
    reminder_after_days: Mapped[int] = mapped_column(Integer, default=14, server_default="14")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")

    questions: Mapped[list[SurveyQuestion]] = relationship(
        back_populates="survey", cascade="all, delete-orphan", order_by="SurveyQuestion.position", lazy="selectin"
    )
    send_points: Mapped[list[SurveySendPoint]] = relationship(
        back_populates="survey", cascade="all, delete-orphan", order_by="SurveySendPoint.months_after"
    )

    def title(self, language: str = "en") -> str:
        return self.titles.get(language) or self.titles.get("en") or self.code


class SurveyQuestion(db.Model):
    __tablename__ = "survey_question"
    __table_args__ = (UniqueConstraint("survey_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[QuestionKind] = mapped_column(enum_column(QuestionKind, "survey_question_kind"))
    #: {language: question}
    texts: Mapped[dict] = mapped_column(JSON)
    #: [{"key": ..., "labels": {language: label}}] for single and multiple choice
    options: Mapped[list] = mapped_column(JSON, default=list)
    is_required: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")

    survey: Mapped[Survey] = relationship(back_populates="questions")

    def text(self, language: str = "en") -> str:
        return self.texts.get(language) or self.texts.get("en") or self.key

    def option_labels(self, language: str = "en") -> list[tuple[str, str]]:
        from academy.surveys.enums import LIKERT_POINTS

        if self.kind == QuestionKind.LIKERT:
            return [(key, str(label)) for key, label in LIKERT_POINTS]
        return [(o["key"], o["labels"].get(language) or o["labels"].get("en") or o["key"]) for o in self.options]


class SurveySendPoint(db.Model):
    """When a survey goes out: ``months_after`` a course's completion or a programme's award."""

    __tablename__ = "survey_send_point"
    __table_args__ = (
        UniqueConstraint("survey_id", "course_id", "programme_id", "months_after"),
        CheckConstraint("(course_id IS NULL) <> (programme_id IS NULL)", name="course_or_programme"),
        CheckConstraint("months_after >= 1 AND months_after <= 120", name="months_after_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[Optional[int]] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("certification_programme.id", ondelete="CASCADE"), index=True)
    months_after: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    survey: Mapped[Survey] = relationship(back_populates="send_points")
    course = relationship("Course", lazy="joined")
    programme = relationship("CertificationProgramme", lazy="joined")


class SurveyInvitation(db.Model):
    """One learner asked at one send point; ``submitted_at`` is set once they answer."""

    __tablename__ = "survey_invitation"
    __table_args__ = (
        UniqueConstraint("send_point_id", "user_id"),
        Index("ix_survey_invitation_open", "submitted_at", "reminded_at", "closes_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    send_point_id: Mapped[int] = mapped_column(ForeignKey("survey_send_point.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: the completion or award the send point counts from
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: the cohort of the award (for the statistics), when the send point is a programme's
    cohort_id: Mapped[Optional[int]] = mapped_column(ForeignKey("cohort.id", ondelete="SET NULL"), index=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reminded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    updated_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    #: the learner's language when it is sent, then the language they answered in
    language: Mapped[Optional[str]] = mapped_column(String(8))

    send_point: Mapped[SurveySendPoint] = relationship(lazy="joined")
    user = relationship("User", lazy="joined")
    answers: Mapped[list[SurveyAnswer]] = relationship(
        back_populates="invitation", cascade="all, delete-orphan", order_by="SurveyAnswer.id"
    )

    @property
    def is_closed(self) -> bool:
        return self.closes_at <= utcnow()


class SurveyAnswer(db.Model):
    """One answer: a chosen option (one row per option of a multiple choice), a number or a text."""

    __tablename__ = "survey_answer"
    __table_args__ = (Index("ix_survey_answer_question_option", "question_id", "option_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("survey_invitation.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_question.id", ondelete="CASCADE"))
    option_key: Mapped[Optional[str]] = mapped_column(String(64))
    number: Mapped[Optional[float]] = mapped_column(Numeric(12, 2, asdecimal=False))
    text: Mapped[Optional[str]] = mapped_column(Text)

    invitation: Mapped[SurveyInvitation] = relationship(back_populates="answers")
    question: Mapped[SurveyQuestion] = relationship()
