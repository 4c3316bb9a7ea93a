"""Bilingual certificates: the learner's language and a second one (English, or another
chosen) on one page, each line in its own language and direction. Chosen per course by an
admin (completion certificates) or at issue time (bulk issue, re-issue)."""

from __future__ import annotations

from academy.certificates.models import Certificate
from academy.certificates.pdf import get_renderer
from academy.certificates.services import (
    certificate_context,
    issue_certificate,
    pdf_bytes,
    reissue,
    sample_certificate,
)
from academy.extensions import db
from tests.certificates.conftest import pdf_text
from tests.conftest import login

TITLES = {"ar": "استخدام المعلومات المتعلقة بالبراءات", "en": "Using Patent Information"}


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_an_arabic_and_english_certificate_prints_both_with_their_own_direction(make_user):
    learner = make_user(full_name="نورة القحطاني", full_name_latin="Noura Al-Qahtani", gender="woman")
    cert = issue_certificate(user=learner, kind="course", subject_code="DL177", titles=TITLES, language="ar",
                             hours=12, second_language="en")
    db.session.commit()
    text = _flat(pdf_text(pdf_bytes(cert)))
    for phrase in ("شهادة إتمام", "Certificate of Completion", "قد أتمّت", "has successfully completed the course",
                   "Using Patent Information", "Noura Al-Qahtani", "Director of Training", "إدارة التدريب"):
        assert phrase in text, phrase
    html = get_renderer().render_html(certificate_context(cert), cert.design, cert.paper)
    assert '<html lang="ar" dir="rtl"' in html
    assert '<span class="second" lang="en" dir="ltr">Certificate of Completion</span>' in html


def test_an_english_page_carries_arabic_lines_right_to_left(app_ctx):
    cert = sample_certificate("en", second_language="ar", kind="certification", gender="man", design="modern")
    html = get_renderer().render_html(certificate_context(cert), cert.design, cert.paper)
    assert '<html lang="en" dir="ltr"' in html
    assert '<span class="second" lang="ar" dir="rtl">شهادة مهنية</span>' in html


def test_a_second_language_equal_to_the_first_prints_one_language(make_user):
    cert = issue_certificate(user=make_user(), kind="course", subject_code="DL177", titles=TITLES, language="en",
                             second_language="en")
    assert cert.second_language is None


def test_the_course_setting_makes_completion_certificates_bilingual(client, make_user, mini_course, complete_course):
    admin = make_user("admin")
    login(client, admin)
    resp = client.post(f"/admin/courses/{mini_course.id}/certificate-language", data={"second_language": "en"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert mini_course.certificate_second_language == "en"
    enrollment = complete_course(make_user(gender="woman"), mini_course, "fr")
    cert = db.session.scalar(db.select(Certificate).where(Certificate.enrollment_id == enrollment.id))
    assert (cert.language, cert.second_language) == ("fr", "en")
    text = _flat(pdf_text(pdf_bytes(cert)))
    assert "Certificat de réussite" in text and "Certificate of Completion" in text
    assert "Mini cours" in text and "Mini course" in text


def test_an_unknown_course_language_is_refused_and_nothing_changes(client, make_user, mini_course):
    login(client, make_user("admin"))
    resp = client.post(f"/admin/courses/{mini_course.id}/certificate-language", data={"second_language": "xx"},
                       follow_redirects=True)
    assert "Choose a language from the list." in resp.get_data(as_text=True)
    db.session.expire_all()
    assert mini_course.certificate_second_language is None


def test_a_reissue_may_add_or_drop_the_second_language(client, make_user):
    cert = issue_certificate(user=make_user(), kind="course", subject_code="DL177", titles=TITLES, language="ar")
    db.session.commit()
    login(client, make_user("admin"))
    resp = client.post(f"/admin/certificates/{cert.id}/reissue",
                       data={"reason": "Bilingual for a partner abroad", "design": cert.design, "paper": cert.paper,
                             "second_language": "en"})
    assert resp.status_code == 302
    db.session.expire_all()
    new = db.session.get(Certificate, cert.id).superseded_by
    assert new.second_language == "en" and "Certificate of Completion" in pdf_text(pdf_bytes(new))
    again = reissue(new, reason="One language again", second_language=None)
    assert again.second_language is None
    kept = reissue(again, reason="New design", design="modern")
    assert kept.second_language is None


def test_a_bilingual_certificate_with_long_lines_stays_on_one_page_in_every_design_and_paper(app_ctx):
    import io

    from pypdf import PdfReader

    from academy.certificates.services import render_certificate_pdf

    for design in ("classic", "modern"):
        for paper in ("a4", "letter"):
            cert = sample_certificate("ru", second_language="ar", design=design, paper=paper, kind="certification",
                                      name_latin="Ekaterina Aleksandrovna Smirnova")
            assert len(PdfReader(io.BytesIO(render_certificate_pdf(cert))).pages) == 1, (design, paper)
