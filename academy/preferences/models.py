"""A user's choice of e-mail delivery per notification kind, and what waits for the digest.

No row means "immediately" (the default). The in-app notification is always kept: the
choice is about e-mail. A notification held for the weekly digest is a ``DigestItem``
until the digest that carries it is sent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.core.enums import TitledEnum
from academy.core.models import UTCDateTime, enum_column, utcnow
from academy.extensions import db


class Delivery(TitledEnum):
    IMMEDIATE = "immediate"
    WEEKLY = "weekly"
    OFF = "off"

    @classmethod
    def _titles(cls) -> dict:
        return {cls.IMMEDIATE: _l("By e-mail, immediately"), cls.WEEKLY: _l("In a weekly e-mail digest"),
                cls.OFF: _l("No e-mail (in the app only)")}


class NotificationPreference(db.Model):
    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: a NotificationKind value
    kind: Mapped[str] = mapped_column(String(32))
    delivery: Mapped[Delivery] = mapped_column(enum_column(Delivery, "notification_delivery"))


class DigestItem(db.Model):
    __tablename__ = "digest_item"
    __table_args__ = (Index("ix_digest_item_unsent", "sent_at", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    notification_id: Mapped[int] = mapped_column(ForeignKey("notification.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    notification = relationship("Notification", lazy="joined")
