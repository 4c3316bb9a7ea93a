"""A schedule (who gets which summary how often) and each period it was sent for."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.core.enums import TitledEnum
from academy.core.models import UTCDateTime, enum_column, utcnow
from academy.extensions import db


class Frequency(TitledEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"

    @classmethod
    def _titles(cls) -> dict:
        return {cls.MONTHLY: _l("Every month"), cls.QUARTERLY: _l("Every quarter")}


class ScheduledReport(db.Model):
    __tablename__ = "scheduled_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    frequency: Mapped[Frequency] = mapped_column(enum_column(Frequency, "report_frequency"))
    #: e-mail addresses, with or without an account here
    recipients: Mapped[list] = mapped_column(JSON)
    language: Mapped[str] = mapped_column(String(8), default="en")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    sends: Mapped[list[ReportSend]] = relationship(back_populates="report", cascade="all, delete-orphan",
                                                   order_by="ReportSend.sent_at.desc()")


class ReportSend(db.Model):
    """One period's report, sent once (the unique pair), its files kept in storage."""

    __tablename__ = "report_send"
    __table_args__ = (UniqueConstraint("report_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("scheduled_report.id", ondelete="CASCADE"), index=True)
    #: "2026-11" or "2026-Q4"
    period: Mapped[str] = mapped_column(String(8))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recipients: Mapped[list] = mapped_column(JSON)
    #: the numbers as sent, for the audit trail and the tests
    figures: Mapped[dict] = mapped_column(JSON)

    report: Mapped[ScheduledReport] = relationship(back_populates="sends")
