"""The award and its certificate (issued on the queue once the award commits)."""

from __future__ import annotations

from flask_babel import format_date
from flask_babel import gettext as _

from academy.certification.enums import NotificationKind
from academy.certification.models import CertificationRecord
from academy.certification.notifications import notify
from academy.certification.queries import add_months
from academy.certification.services.common import record_path
from academy.core import signals
from academy.core.audit import record as audit
from academy.core.models import utcnow
from academy.extensions import db


def award(record: CertificationRecord) -> None:
    """Award the certification: award date, expiry from the programme's validity; notifies.
    The certificate is issued on the queue once the award commits (``issue_award_certificate``):
    rendering its PDF stays out of the grading request, and the learner sees it being prepared."""
    from academy.certification.tasks import issue_certification_certificate

    if record.awarded_at is not None:
        return
    now = utcnow()
    record.awarded_at = now
    record.expires_at = add_months(now, record.programme.validity_months)
    db.session.flush()
    signals.certified.send(record)
    audit("certification.award", "certification_record", record.id,
          after={"awarded_at": now.isoformat(), "expires_at": record.expires_at.isoformat()})
    issue_certification_certificate.after_commit(record.id)
    programme_title = record.programme.title(record.user.preferred_language)
    expires = record.expires_at
    notify(record.user, NotificationKind.CERTIFIED,
           lambda: (_("You are certified: %(programme)s", programme=programme_title),
                    _("Congratulations! You passed all three phases of %(programme)s. Your certification is "
                      "valid until %(date)s.", programme=programme_title, date=format_date(expires, "long"))),
           link=record_path(record), dedupe_key=f"record:{record.id}:certified")


def issue_award_certificate(record: CertificationRecord):
    """The certification certificate of an awarded record (in the learner's language, and the
    programme's second language if it has one; issued and expiring with the award); idempotent:
    a record already linked keeps its certificate."""
    from academy.certificates.models import Certificate, CertificateKind
    from academy.certificates.services import issue_certificate

    if record.awarded_at is None:
        return None
    if record.certificate_id is not None:
        existing = db.session.get(Certificate, record.certificate_id)
        if existing is not None:
            return existing
    programme = record.programme
    language = record.user.preferred_language or "en"
    certificate = issue_certificate(user=record.user, kind=CertificateKind.CERTIFICATION,
                                    subject_code=programme.code, titles=dict(programme.titles), language=language,
                                    issued_at=record.awarded_at, expires_at=record.expires_at,
                                    certification_record_id=record.id,
                                    # issue_certificate prints one language when it is the learner's own
                                    second_language=programme.certificate_second_language)
    record.certificate_id = certificate.id
    db.session.flush()
    _link_renewed_certificate(record, certificate)
    audit("certification.certificate", "certification_record", record.id, after={"certificate": certificate.serial})
    return certificate


def _link_renewed_certificate(record: CertificationRecord, certificate) -> None:
    """Point the expired certificate a recertification renews at the new one.

    Its status stays as stored, so its verification page still says "expired" (with the
    date) and links to the new certificate; nothing about the old award is rewritten.
    """
    from academy.certificates.models import Certificate

    previous = record.previous_record
    if previous is None or previous.certificate_id is None:
        return
    old = db.session.get(Certificate, previous.certificate_id)
    if old is None or old.superseded_by_id is not None:
        return
    old.superseded_by_id = certificate.id
    old.superseded_at = certificate.issued_at
    old.supersede_reason = "recertification"
    db.session.flush()
