"""Issuing: on completion, once per enrolment, supersede, revoke, expiry."""

from __future__ import annotations

import hashlib
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from academy.certificates.models import Certificate, CertificateStatus
from academy.certificates.services import (
    CODE_RE,
    SERIAL_RE,
    CertificateError,
    issue_for_enrollment,
    pdf_bytes,
    reissue,
    revoke,
)
from academy.core.audit import AuditEvent
from academy.core.models import utcnow
from academy.core.storage import get_storage
from academy.courses.services import mark_completed
from academy.extensions import db


def _count() -> int:
    return db.session.scalar(select(func.count(Certificate.id)))


def test_completing_a_course_issues_a_certificate_in_the_enrolment_language(make_user, mini_course, complete_course):
    learner = make_user(full_name="Amani Otieno")
    enrollment = complete_course(learner, mini_course, "fr")
    cert = db.session.scalar(select(Certificate).where(Certificate.enrollment_id == enrollment.id))
    assert cert is not None
    assert cert.language == "fr" and cert.title == "Mini cours"
    assert cert.learner_name == "Amani Otieno"
    assert cert.kind.value == "course" and cert.subject_code == "MINI1"
    assert SERIAL_RE.match(cert.serial) and cert.serial.startswith(f"MINI1-{cert.issued_at.year}-")
    assert CODE_RE.match(cert.verification_code) and len(cert.verification_code) >= 22  # ≥128 bits
    assert cert.issued_at == enrollment.completed_at
    data = pdf_bytes(cert)
    assert data.startswith(b"%PDF-") and hashlib.sha256(data).hexdigest() == cert.pdf_sha256
    assert cert.pdf_size == len(data)


def test_completion_signalled_twice_issues_one_certificate(make_user, mini_course, complete_course):
    enrollment = complete_course(make_user(), mini_course)
    first = issue_for_enrollment(enrollment)
    again = issue_for_enrollment(enrollment)
    from academy.certificates.services import on_course_completed

    on_course_completed(None, enrollment=enrollment)
    assert not mark_completed(enrollment)  # already completed: no second signal
    db.session.commit()
    assert again.id == first.id
    assert _count() == 1


def test_the_database_refuses_a_second_certificate_for_one_enrolment(make_user, mini_course, complete_course):
    from sqlalchemy.exc import IntegrityError

    enrollment = complete_course(make_user(), mini_course)
    cert = db.session.scalar(select(Certificate))
    dup = Certificate(**{c.key: getattr(cert, c.key) for c in Certificate.__table__.columns if c.key != "id"})
    dup.serial, dup.verification_code = "X-2026-999999", "y" * 32
    db.session.add(dup)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert enrollment.id == cert.enrollment_id


def test_concurrent_issue_for_one_enrolment_gives_one_certificate(app, make_user, mini_course):
    from academy.courses.models import Enrollment
    from academy.courses.services import enroll

    learner = make_user()
    enrollment = enroll(learner, mini_course, "en")
    enrollment.completed_at = utcnow()
    db.session.commit()
    enrollment_id = enrollment.id
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        with app.app_context():
            try:
                e = db.session.get(Enrollment, enrollment_id)
                barrier.wait()
                cert = issue_for_enrollment(e)
                db.session.commit()
                results.append(cert.serial)
            except Exception as exc:  # noqa: BLE001 - reported below
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # One worker may lose a SQLite write lock race; it must never create a second row.
    assert _count() == 1
    assert len(set(results)) == 1 and (len(results) + len(errors) == 2)


def test_reissue_supersedes_and_links_the_new_certificate(make_user, issue):
    learner = make_user(full_name="Jon Smiht")
    old = issue(learner)
    learner.full_name = "Jon Smith"
    new = reissue(old, reason="Name corrected")
    db.session.commit()
    assert old.status == CertificateStatus.SUPERSEDED and old.superseded_by_id == new.id
    assert new.learner_name == "Jon Smith" and old.learner_name == "Jon Smiht"
    assert new.revision == old.revision + 1 and new.serial != old.serial
    assert new.issued_at == old.issued_at  # the achievement date does not move
    assert pdf_bytes(old) != pdf_bytes(new)
    assert get_storage().exists(old.storage_key)  # the old PDF is kept, never regenerated
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.reissue"))
    assert event.after["reason"] == "Name corrected"
    with pytest.raises(CertificateError):
        reissue(old, reason="again")


def test_revoke_records_who_when_and_why(make_user, issue):
    admin = make_user("admin")
    cert = issue(make_user())
    revoke(cert, reason="Obtained by fraud", actor=admin)
    db.session.commit()
    assert cert.status == CertificateStatus.REVOKED
    assert cert.revoked_at is not None and cert.revoked_by_id == admin.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.revoke"))
    assert event.actor_id == admin.id and event.target_id == str(cert.id)
    assert event.after["reason"] == "Obtained by fraud" and event.before["status"] == "valid"
    with pytest.raises(CertificateError):
        revoke(cert, reason="twice", actor=admin)
    with pytest.raises(CertificateError):
        reissue(cert, reason="revoked ones cannot be re-issued")


def test_a_certificate_expires_when_its_expiry_date_passes(make_user, issue):
    issued = utcnow() - timedelta(days=400)
    cert = issue(make_user(), issued_at=issued, expires_at=issued + timedelta(days=365))
    assert cert.status == CertificateStatus.VALID  # stored
    assert cert.effective_status() == CertificateStatus.EXPIRED
    assert cert.effective_status(now=issued + timedelta(days=10)) == CertificateStatus.VALID


def test_expiry_before_issue_is_refused(make_user, issue):
    now = utcnow()
    with pytest.raises(CertificateError):
        issue(make_user(), issued_at=now, expires_at=now - timedelta(days=1))


def test_certification_records_are_idempotent_too(make_user, issue):
    learner = make_user()
    a = issue(learner, kind="certification", subject_code="TISC-F", titles={"en": "TISC foundation"},
              certification_record_id=7)
    b = issue(learner, kind="certification", subject_code="TISC-F", titles={"en": "TISC foundation"},
              certification_record_id=7)
    assert a.id == b.id and a.serial.startswith("TISCF-")


def test_unknown_language_design_and_paper_are_refused(make_user, issue):
    with pytest.raises(CertificateError):
        issue(make_user(), language="xx-notalanguage")
    with pytest.raises(CertificateError, match="unknown certificate design"):
        issue(make_user(), design="nope")
    with pytest.raises(CertificateError, match="no legal layout"):
        issue(make_user(), paper="legal")


def test_completion_is_kept_when_rendering_fails(make_user, mini_course, complete_course, monkeypatch, caplog):
    from academy.certificates import services

    def broken(*args, **kwargs):
        raise RuntimeError("renderer down")

    monkeypatch.setattr(services, "render_pdf", broken)
    enrollment = complete_course(make_user(), mini_course)
    assert enrollment.status.value == "completed"
    assert _count() == 0
    assert "could not issue the certificate" in caplog.text
