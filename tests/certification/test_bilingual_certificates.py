"""Bilingual certification certificates: an admin chooses on the programme page a second
language for the certificates of that programme; each learner's certificate then prints
the learner's language and that one on the same page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from academy.certificates.models import Certificate
from academy.certificates.services import pdf_bytes
from academy.certification import services
from academy.certification.models import CertificationProgramme
from academy.core.audit import AuditEvent
from academy.extensions import db
from tests.certificates.conftest import pdf_text
from tests.certification.world import build
from tests.conftest import login

TITLES = {"en": "Patent Search Certification", "ar": "شهادة البحث في البراءات"}


@pytest.fixture
def world(app_ctx, make_user, mini_course):
    admin = make_user("admin", full_name="Ada Admin")
    learner = make_user("learner", full_name="نورة القحطاني", full_name_latin="Noura Al-Qahtani",
                        gender="woman", preferred_language="ar")
    english = make_user("learner", full_name="Liam English", preferred_language="en")
    w = build(mini_course, make_user("instructor"), [learner, english])
    w.admin, w.learner, w.course = admin, learner, mini_course
    return w


def programme_data(w, **over) -> dict:
    data = {"code": w.programme.code, "title_en": TITLES["en"], "title_ar": TITLES["ar"],
            "course_ids": [str(w.course.id)], "min_attendance_percent": "80", "validity_months": "36",
            "resubmission_limit": "2"}
    data.update(over)
    return data


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_admin_makes_a_programme_bilingual_and_the_awarded_certificate_prints_both(world, client):
    login(client, world.admin)
    page = client.get(f"/certification/admin/programmes/{world.programme.id}").get_data(as_text=True)
    assert 'name="certificate_second_language"' in page and "None: one language" in page
    resp = client.post(f"/certification/admin/programmes/{world.programme.id}",
                       data=programme_data(world, certificate_second_language="en"))
    assert resp.status_code == 302
    db.session.expire_all()
    assert world.programme.certificate_second_language == "en"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "certification.programme.update")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.after["certificate_second_language"] == "en"

    arabic, english = world.records
    services.award(arabic)
    services.award(english)
    db.session.commit()  # the certificate is issued once the award commits
    db.session.expire_all()
    cert = db.session.get(Certificate, arabic.certificate_id)
    assert (cert.language, cert.second_language) == ("ar", "en")
    text = _flat(pdf_text(pdf_bytes(cert)))
    for phrase in ("شهادة مهنية", "Professional Certificate", "قد نالت الشهادة المهنية",
                   "has been awarded the professional certification", TITLES["ar"], TITLES["en"],
                   "Noura Al-Qahtani"):
        assert phrase in text, phrase
    # An English-speaking learner's certificate is already in English: one language.
    assert db.session.get(Certificate, english.certificate_id).second_language is None


def test_the_programme_form_offers_every_language_and_keeps_the_setting_when_not_sent(world, client):
    login(client, world.admin)
    resp = client.post("/certification/admin/programmes/new", data={
        **programme_data(world, code="TISC-AR", certificate_second_language="fr")})
    assert resp.status_code == 302
    programme = db.session.scalar(select(CertificationProgramme).where(CertificationProgramme.code == "TISC-AR"))
    assert programme.certificate_second_language == "fr"
    # A script posting the older form leaves the choice alone; "" goes back to one language.
    client.post(f"/certification/admin/programmes/{programme.id}", data=programme_data(world, code="TISC-AR"))
    db.session.expire_all()
    assert programme.certificate_second_language == "fr"
    client.post(f"/certification/admin/programmes/{programme.id}",
                data=programme_data(world, code="TISC-AR", certificate_second_language=""))
    db.session.expire_all()
    assert programme.certificate_second_language is None


def test_a_language_not_offered_is_refused_on_the_field_and_nothing_changes(world, client):
    login(client, world.admin)
    resp = client.post(f"/certification/admin/programmes/{world.programme.id}",
                       data=programme_data(world, title_en="Renamed", certificate_second_language="xx"))
    assert resp.status_code == 400
    assert 'id="certificate_second_language-error"' in resp.get_data(as_text=True)
    db.session.expire_all()
    assert world.programme.certificate_second_language is None
    assert world.programme.titles["en"] == "Test certification"


def test_the_services_refuse_a_language_not_offered(world):
    with pytest.raises(services.CertificateLanguageError, match="Choose a language from the list."):
        services.update_programme(world.programme, min_attendance_percent=80, validity_months=36,
                                  resubmission_limit=2, courses=[world.course], certificate_second_language="xx")
