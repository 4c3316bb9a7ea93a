"""Certificates: what was certified, for whom, and the PDF exactly as issued.

A certificate is never edited after issue. A name correction or a new design makes a new
certificate that supersedes the old one (``superseded_by_id``); revocation only sets the
status and records who, when and why.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.core.enums import TitledEnum
from academy.core.models import UTCDateTime, enum_column, utcnow
from academy.extensions import db


class CertificateKind(TitledEnum):
    COURSE = "course"
    CERTIFICATION = "certification"

    @classmethod
    def _titles(cls) -> dict:
        return {cls.COURSE: _l("Course completion"), cls.CERTIFICATION: _l("Certification")}


class CertificateStatus(TitledEnum):
    VALID = "valid"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    #: never stored: a valid certificate past its expiry date shows as expired
    EXPIRED = "expired"

    @classmethod
    def _titles(cls) -> dict:
        return {
            cls.VALID: _l("Valid"),
            cls.REVOKED: _l("Revoked"),
            cls.SUPERSEDED: _l("Superseded"),
            cls.EXPIRED: _l("Expired"),
        }


class Certificate(db.Model):
    __tablename__ = "certificate"
    __table_args__ = (
        # One certificate per enrolment (or certification record) and revision: completion
        # signalled twice, or by two workers at once, cannot issue two.
        UniqueConstraint("enrollment_id", "revision", name="uq_certificate_enrollment_revision"),
        UniqueConstraint(
            "certification_record_id", "revision", name="uq_certificate_certification_record_revision"
        ),
        CheckConstraint("revision >= 0", name="revision_not_negative"),
        CheckConstraint("expires_at IS NULL OR expires_at > issued_at", name="expiry_after_issue"),
        CheckConstraint(
            "(status = 'revoked') = (revoked_at IS NOT NULL)", name="revoked_has_date"
        ),
        CheckConstraint("wording IN ('feminine', 'masculine', 'neutral')", name="wording_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    kind: Mapped[CertificateKind] = mapped_column(enum_column(CertificateKind, "certificate_kind"))
    #: the course code (DL177) or programme code the certificate is for; starts the serial
    subject_code: Mapped[str] = mapped_column(String(32), index=True)
    #: the title in the certificate's language, as printed
    title: Mapped[str] = mapped_column(String(300))
    #: every known title by language, for the verification page in other languages
    titles: Mapped[dict] = mapped_column(JSON)
    language: Mapped[str] = mapped_column(String(8))
    #: the learner's name exactly as printed on the PDF
    learner_name: Mapped[str] = mapped_column(String(200))
    #: the name in Latin script, printed under ``learner_name`` when the learner gave one
    learner_name_latin: Mapped[Optional[str]] = mapped_column(String(200))
    #: a bilingual certificate's second language (its text printed beside ``language``'s)
    second_language: Mapped[Optional[str]] = mapped_column(String(8))
    #: the grammatical form the printed wording agrees with (from the learner's gender at issue)
    wording: Mapped[str] = mapped_column(String(16), default="neutral", server_default="neutral")
    hours: Mapped[Optional[float]] = mapped_column(Numeric(6, 1, asdecimal=False))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    expires_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    serial: Mapped[str] = mapped_column(String(48), unique=True)
    verification_code: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[CertificateStatus] = mapped_column(
        enum_column(CertificateStatus, "certificate_status"), default=CertificateStatus.VALID, index=True
    )
    design: Mapped[str] = mapped_column(String(64), default="classic")
    paper: Mapped[str] = mapped_column(String(16), default="a4")
    # (no separate index: the unique keys below start with these columns)
    enrollment_id: Mapped[Optional[int]] = mapped_column(ForeignKey("enrollment.id", ondelete="SET NULL"))
    #: the certification feature's record id (no foreign key: that feature owns the table)
    certification_record_id: Mapped[Optional[int]] = mapped_column(Integer)
    #: 0 for the first certificate, +1 for each re-issue that supersedes the previous one
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    pdf_sha256: Mapped[str] = mapped_column(String(64), index=True)
    pdf_size: Mapped[int] = mapped_column(Integer)
    storage_key: Mapped[str] = mapped_column(String(300))
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    revocation_reason: Mapped[Optional[str]] = mapped_column(Text)
    revoked_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    superseded_by_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("certificate.id", ondelete="SET NULL"), index=True
    )
    superseded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    supersede_reason: Mapped[Optional[str]] = mapped_column(Text)

    user = relationship("User", foreign_keys=[user_id])
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])
    superseded_by: Mapped[Optional[Certificate]] = relationship(remote_side=[id], foreign_keys=[superseded_by_id])

    def effective_status(self, now: datetime | None = None) -> CertificateStatus:
        """The stored status, or EXPIRED for a valid certificate past its expiry date."""
        if self.status == CertificateStatus.VALID and self.expires_at is not None:
            if self.expires_at <= (now or utcnow()):
                return CertificateStatus.EXPIRED
        return self.status

    @property
    def is_currently_valid(self) -> bool:
        return self.effective_status() == CertificateStatus.VALID

    def title_in(self, language: str) -> str:
        return self.titles.get(language) or self.title
