"""Certification work on the queue: the award's certificate.

The award (date, expiry, notification) is committed by the grading request; rendering the
PDF takes a second or more and would hold the instructor's page, so the certificate is
issued here once the award commits. Idempotent: a record has at most one certificate
(``issue_certificate`` returns the existing one, the unique key settles a race), so a
retried or duplicated task links the same certificate again.
"""

from __future__ import annotations

import logging

from academy.core.queue import retries_left, task
from academy.extensions import db

log = logging.getLogger(__name__)


@task(retries=2, retry_delay=10)
def issue_certification_certificate(record_id: int, task=None) -> None:
    """The certificate of an awarded certification record (sent when the award commits)."""
    from academy.certification.models import CertificationRecord
    from academy.certification.services.awards import issue_award_certificate

    record = db.session.get(CertificationRecord, record_id)
    if record is None or record.awarded_at is None:
        return
    try:
        issue_award_certificate(record)
    except Exception:
        log.warning("could not issue the certificate for certification record %s (%s more tries)", record_id,
                    retries_left(task))
        raise
    db.session.commit()
