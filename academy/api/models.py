"""API tokens and their use: what lets a system outside the site read and write through /api/v1."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.core.enums import TitledEnum
from academy.core.models import UTCDateTime, enum_column, utcnow
from academy.extensions import db


class TokenKind(TitledEnum):
    INTEGRATION = "integration"
    PERSONAL = "personal"

    @classmethod
    def _titles(cls) -> dict:
        return {cls.INTEGRATION: _l("Integration"), cls.PERSONAL: _l("Personal")}


class ApiToken(db.Model):
    """A bearer token. The secret is shown once; only its SHA-256 is kept (the secret has
    256 bits of randomness, so a slow password hash would add nothing but latency to
    every API call)."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TokenKind] = mapped_column(enum_column(TokenKind, "api_token_kind"))
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the secret, shown in lists so a token can be recognised.
    prefix: Mapped[str] = mapped_column(String(16))
    scopes: Mapped[list] = mapped_column(JSON)
    # A personal token reads only its owner's records; an integration token is not tied to a learner.
    owner_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    last_used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    owner = relationship("User", foreign_keys=[owner_id])

    def is_usable(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class ApiUsage(db.Model):
    """How many requests a token made in one rate-limit window. In the database, like the
    login throttle's failures, so every worker and server counts the same requests; the
    row's creation is also the token's audit grain (one audit event per token per window)."""

    __tablename__ = "api_usage"
    __table_args__ = (UniqueConstraint("token_id", "window_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_token.id", ondelete="CASCADE"))
    window_start: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    request_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
