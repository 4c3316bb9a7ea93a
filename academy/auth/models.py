"""People: users, their roles, and the TISC directory they belong to."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.core.enums import Gender, Role, TitledEnum
from academy.core.models import TimestampMixin, UTCDateTime, enum_column, utcnow
from academy.extensions import db


class Tisc(TimestampMixin, db.Model):
    """A Technology and Innovation Support Center in the directory."""

    __tablename__ = "tisc"
    __table_args__ = (UniqueConstraint("country_code", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    host_institution: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(120))
    country_code: Mapped[str] = mapped_column(String(2), index=True)
    national_network: Mapped[Optional[str]] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "user"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint("length(full_name) >= 1", name="full_name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased so uniqueness is case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    #: the name in Latin script (for names written in another), printed under ``full_name``
    full_name_latin: Mapped[Optional[str]] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    gender: Mapped[Gender] = mapped_column(enum_column(Gender, "gender"))
    country_code: Mapped[str] = mapped_column(String(2), index=True)
    tisc_id: Mapped[Optional[int]] = mapped_column(ForeignKey("tisc.id"), index=True)
    institution_other: Mapped[Optional[str]] = mapped_column(String(200))
    preferred_language: Mapped[str] = mapped_column(String(8), default="en")
    is_active_account: Mapped[bool] = mapped_column("is_active", Boolean, default=True, server_default="1")
    # Bumped on password change and "log out everywhere": old sessions and remember-me
    # cookies carry the old value and stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    last_login_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    # The person's id in an institution's staff registry: the API creates or updates the
    # account by it, so sending the same registry row twice changes nothing.
    external_id: Mapped[Optional[str]] = mapped_column(String(100), index=True, unique=True)

    tisc: Mapped[Optional[Tisc]] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_active(self) -> bool:  # flask-login refuses inactive users
        return self.is_active_account

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def roles(self) -> set[Role]:
        return {r.role for r in self.role_rows}

    def has_role(self, *roles: Role | str) -> bool:
        wanted = {Role(r) for r in roles}
        return bool(self.roles & wanted)

    @property
    def institution_name(self) -> str:
        return self.tisc.name if self.tisc else (self.institution_other or "")


class UserRole(db.Model):
    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    user: Mapped[User] = relationship(back_populates="role_rows")


class LoginFailure(db.Model):
    """One wrong password given for an e-mail address, kept while it counts towards the
    per-account login limit. In the database, not in a worker's memory, so every worker
    and every server counts the same failures (academy.auth.throttle)."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_account_key_failed_at", "account_key", "failed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The address as typed, normalised, whether or not an account has it: counting only
    # real accounts would tell which addresses have one.
    account_key: Mapped[str] = mapped_column(String(254))
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class NameChangeStatus(TitledEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"

    @classmethod
    def _titles(cls) -> dict:
        return {cls.PENDING: _l("Waiting for a decision"), cls.APPROVED: _l("Approved"),
                cls.REFUSED: _l("Refused")}


class NameChangeRequest(db.Model):
    """A learner's request to change the name their certificates print, once they hold one.

    The names before and after are kept as they were asked for: the decision, and the
    re-issue that follows an approval, can be checked against them later."""

    __tablename__ = "name_change_request"
    __table_args__ = (
        CheckConstraint("(status = 'pending') = (decided_at IS NULL)", name="decided_has_date"),
        CheckConstraint("length(reason) >= 1", name="reason_given"),
        CheckConstraint("length(requested_name) >= 1", name="requested_name_not_empty"),
        # one open request per person: a second would race the first's approval
        Index("uq_name_change_request_one_pending", "user_id", unique=True,
              sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    status: Mapped[NameChangeStatus] = mapped_column(
        enum_column(NameChangeStatus, "name_change_status"), default=NameChangeStatus.PENDING, index=True
    )
    current_name: Mapped[str] = mapped_column(String(200))
    current_name_latin: Mapped[Optional[str]] = mapped_column(String(200))
    requested_name: Mapped[str] = mapped_column(String(200))
    requested_name_latin: Mapped[Optional[str]] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: the admin's note to the learner (required when refusing)
    decision_note: Mapped[Optional[str]] = mapped_column(Text)
    #: the re-issue job an approval started
    job_id: Mapped[Optional[int]] = mapped_column(ForeignKey("job.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[Optional[User]] = relationship(foreign_keys=[decided_by_id])
