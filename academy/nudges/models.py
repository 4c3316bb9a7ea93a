"""Per-programme thresholds of the nudges; a programme without a row uses the defaults."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from academy.core.models import TimestampMixin
from academy.extensions import db

DEFAULT_INACTIVE_DAYS = 30
DEFAULT_EXPIRY_FIRST_DAYS = 90
DEFAULT_EXPIRY_FINAL_DAYS = 30


class ProgrammeNudgeSettings(TimestampMixin, db.Model):
    __tablename__ = "programme_nudge_settings"
    __table_args__ = (
        CheckConstraint("inactive_days >= 1", name="inactive_days_positive"),
        CheckConstraint("expiry_final_days >= 1 AND expiry_first_days > expiry_final_days", name="expiry_days_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("certification_programme.id", ondelete="CASCADE"),
                                              unique=True)
    #: a learner with no activity for this many days in an open phase is nudged
    inactive_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_INACTIVE_DAYS)
    #: the two expiry reminders, this many days before the certification expires
    expiry_first_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_EXPIRY_FIRST_DAYS)
    expiry_final_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_EXPIRY_FINAL_DAYS)
