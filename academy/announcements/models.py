"""An announcement to a cohort, kept with the cohort, in the languages its author wrote."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.core.models import UTCDateTime, utcnow
from academy.extensions import db


class CohortAnnouncement(db.Model):
    __tablename__ = "cohort_announcement"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: {language: {"subject": …, "body": …}}; ``language`` is the one every learner without
    #: a translation of their own gets
    texts: Mapped[dict] = mapped_column(JSON)
    language: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    author = relationship("User", lazy="joined")

    def text_for(self, language: str) -> dict:
        return self.texts.get(language) or self.texts[self.language]
