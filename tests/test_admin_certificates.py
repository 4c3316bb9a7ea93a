"""Admin console and certificates: after a name correction the admin is shown the valid
certificates that carry the old name and re-issues them; the person page lists them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from academy.certificates.models import Certificate, CertificateStatus
from academy.extensions import db


@pytest.fixture
def as_admin(make_user, login_as):
    return login_as(make_user("admin"))


def issue(user) -> Certificate:
    from academy.certificates.services import issue_certificate

    cert = issue_certificate(user=user, kind="course", subject_code="DL177",
                             titles={"en": "E-tutorial on using patent information"}, language="en", hours=12)
    db.session.commit()
    return cert


def test_name_correction_leads_to_reissuing_certificates_with_the_old_name(as_admin, make_user):
    learner = make_user(full_name="Jose Perez")
    cert = issue(learner)
    resp = as_admin.post(f"/admin/people/{learner.id}/name",
                         data={"full_name": "José Pérez", "reason": "Passport copy received"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/admin/people/{learner.id}/name")
    page = as_admin.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Documents with an old name" in page and f"Re-issue {cert.serial}" in page

    resp = as_admin.post(f"/admin/certificates/{cert.id}/reissue",
                         data={"reason": "Name corrected: passport copy", "design": "classic"})
    assert resp.status_code == 302
    db.session.expire_all()
    old = db.session.get(Certificate, cert.id)
    assert old.status == CertificateStatus.SUPERSEDED and old.superseded_by.learner_name == "José Pérez"
    page = as_admin.get(f"/admin/people/{learner.id}/name").get_data(as_text=True)
    assert "Documents with an old name" not in page
    person = as_admin.get(f"/admin/people/{learner.id}").get_data(as_text=True)
    assert old.superseded_by.serial in person and cert.serial in person


def test_a_correction_without_old_documents_returns_to_the_person_page(as_admin, make_user):
    learner = make_user(full_name="Amina Njeri")
    issue(make_user())  # someone else's certificate is not this person's business
    resp = as_admin.post(f"/admin/people/{learner.id}/name", data={"full_name": "Amina W. Njeri", "reason": "Typo"})
    assert resp.headers["Location"].endswith(f"/admin/people/{learner.id}")
    assert db.session.scalars(select(Certificate)).one().status == CertificateStatus.VALID
