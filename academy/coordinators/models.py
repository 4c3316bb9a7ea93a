"""What a coordinator may see: one row per assigned country or TISC."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.extensions import db


class CoordinatorScope(db.Model):
    __tablename__ = "coordinator_scope"
    __table_args__ = (
        UniqueConstraint("user_id", "country_code", "tisc_id"),
        CheckConstraint("(country_code IS NULL) <> (tisc_id IS NULL)", name="country_or_tisc"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    country_code: Mapped[Optional[str]] = mapped_column(String(2))
    tisc_id: Mapped[Optional[int]] = mapped_column(ForeignKey("tisc.id", ondelete="CASCADE"))

    tisc = relationship("Tisc", lazy="joined")
