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


def test_the_admin_corrects_the_latin_form_and_the_certificates_printed_with_the_old_one_are_redone(
        as_admin, make_user):
    from academy.admin.models import NameCorrection
    from academy.auth.models import User
    from academy.core.audit import AuditEvent

    learner = make_user(full_name="王芳", full_name_latin="Wang Fan")
    cert = issue(learner)
    page = as_admin.get(f"/admin/people/{learner.id}/name").get_data(as_text=True)
    assert 'name="full_name_latin"' in page and 'value="Wang Fan"' in page
    resp = as_admin.post(f"/admin/people/{learner.id}/name",
                         data={"full_name": "王芳", "full_name_latin": "Wang  Fang", "reason": "Passport copy"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/admin/people/{learner.id}/name")
    db.session.expire_all()
    assert db.session.get(User, learner.id).full_name_latin == "Wang Fang"
    correction = db.session.scalars(select(NameCorrection)).one()
    assert (correction.old_name_latin, correction.new_name_latin) == ("Wang Fan", "Wang Fang")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.name_corrected")).one()
    assert event.before["full_name_latin"] == "Wang Fan" and event.after["full_name_latin"] == "Wang Fang"
    # The certificate that prints "Wang Fan" is offered for re-issue, as after a correction of the name.
    page = as_admin.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Documents with an old name" in page and f"Re-issue {cert.serial}" in page
    # The earlier corrections show the Latin forms before and after.
    assert '<bdi lang="und-Latn">Wang Fan</bdi>' in page and '<bdi lang="und-Latn">Wang Fang</bdi>' in page
    as_admin.post(f"/admin/certificates/{cert.id}/reissue", data={"reason": "Latin form corrected",
                                                                  "design": "classic"})
    db.session.expire_all()
    new = db.session.get(Certificate, cert.id).superseded_by
    assert (new.learner_name, new.learner_name_latin) == ("王芳", "Wang Fang")


def test_the_latin_form_is_suggested_when_there_is_none_and_must_be_in_latin_letters(as_admin, make_user):
    from academy.admin.models import NameCorrection
    from academy.auth.models import User

    learner = make_user(full_name="Юрий Гагарин")
    page = as_admin.get(f"/admin/people/{learner.id}/name").get_data(as_text=True)
    assert 'value="Iurii Gagarin"' in page and "check it against the passport" in page
    resp = as_admin.post(f"/admin/people/{learner.id}/name",
                         data={"full_name": "Юрий Гагарин", "full_name_latin": "Юрий", "reason": "Passport"})
    assert resp.status_code == 422
    assert "Write this form of the name in Latin letters" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, learner.id).full_name_latin is None
    assert db.session.scalar(select(NameCorrection)) is None
    resp = as_admin.post(f"/admin/people/{learner.id}/name",
                         data={"full_name": "Юрий Гагарин", "full_name_latin": "Iurii Gagarin", "reason": "Passport"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, learner.id).full_name_latin == "Iurii Gagarin"
