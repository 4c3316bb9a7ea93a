"""Certificates that agree with the person: the wording follows the learner's gender where
the language needs it, a neutral wording for "another gender identity" and "prefer not to
say" (never a guess), issuer and signatory in the certificate's language, and a
certification certificate that does not say "certificate" twice."""

from __future__ import annotations

import pytest

from academy.certificates.services import pdf_bytes
from tests.certificates.conftest import pdf_text

CERTIFICATION = {"kind": "certification", "subject_code": "TISC-L1"}

# (language, kind, gender) -> (a phrase the PDF shows, phrases it must not show)
CASES = {
    ("ar", "course", "woman"): ("أتمّت", ["تُمنح"]),
    ("ar", "course", "man"): ("أتمّ بنجاح", ["أتمّت", "تُمنح"]),
    ("ar", "course", "undisclosed"): ("تقديرًا لإتمام الدورة بنجاح", ["أتمّت", "أتمّ بنجاح"]),
    ("ar", "certification", "woman"): ("قد نالت", ["قد نال "]),
    ("ar", "certification", "man"): ("قد نال ", ["قد نالت"]),
    ("ar", "certification", "undisclosed"): ("تقديرًا لنيل", ["قد نال"]),
    ("fr", "certification", "woman"): ("est reconnue titulaire", ["reconnu titulaire"]),
    ("fr", "certification", "man"): ("est reconnu titulaire", ["reconnue"]),
    ("fr", "certification", "undisclosed"): ("pour l’obtention de la certification", ["reconnu"]),
    ("es", "certification", "woman"): ("acreditada", ["acreditado"]),
    ("es", "certification", "man"): ("acreditado", ["acreditada"]),
    ("es", "certification", "undisclosed"): ("por haber obtenido", ["acreditad"]),
    ("pt", "certification", "woman"): ("foi aprovada", ["aprovado"]),
    ("pt", "certification", "man"): ("foi aprovado", ["aprovada"]),
    ("pt", "certification", "undisclosed"): ("por ter obtido", ["aprovad"]),
    ("ru", "course", "woman"): ("успешно прошла курс", ["прошёл", "(а)"]),
    ("ru", "course", "man"): ("успешно прошёл курс", ["прошла", "(а)"]),
    ("ru", "course", "undisclosed"): ("за успешное прохождение курса", ["прошла", "прошёл", "(а)"]),
    ("ru", "certification", "woman"): ("получила", ["получил ", "(а)"]),
    ("ru", "certification", "man"): ("получил ", ["получила", "(а)"]),
    ("ru", "certification", "undisclosed"): ("за получение", ["получила", "получил ", "(а)"]),
}


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(("language", "kind", "gender"), sorted(CASES))
def test_the_certificate_wording_agrees_with_the_learner(make_user, issue, language, kind, gender):
    expected, absent = CASES[(language, kind, gender)]
    extra = CERTIFICATION if kind == "certification" else {}
    cert = issue(make_user(full_name="Amina Diallo", gender=gender), language=language,
                 titles={language: "Patent information"}, **extra)
    text = _flat(pdf_text(pdf_bytes(cert)))
    assert expected in text
    for phrase in absent:
        assert phrase not in text
    assert cert.wording == {"woman": "feminine", "man": "masculine"}.get(gender, "neutral")


def test_another_gender_identity_gets_the_neutral_wording_never_a_guess(make_user, issue):
    cert = issue(make_user(full_name="Sasha Ivanova", gender="another"), language="ru",
                 titles={"ru": "Патентная информация"})
    text = _flat(pdf_text(pdf_bytes(cert)))
    assert "Настоящим сертификатом награждается" in text and "за успешное прохождение курса" in text
    assert "прошла" not in text and "прошёл" not in text


@pytest.mark.parametrize(("language", "heading", "signatory", "issuer"), [
    ("fr", "Certificat professionnel", "Direction de la formation", "ACADÉMIE"),
    ("es", "Certificado profesional", "Dirección de Formación", "ACADEMIA"),
    ("pt", "Certificado profissional", "Direção de Formação", "ACADEMIA"),
    ("ru", "Профессиональный сертификат", "Директор по обучению", "АКАДЕМИЯ"),
    ("zh", "专业证书", "培训主任", "学院"),
    ("ar", "شهادة مهنية", "إدارة التدريب", "الأكاديمية"),
    ("en", "Professional Certificate", "Director of Training", "ACADEMY"),
])
def test_a_certification_certificate_is_named_once_and_signed_in_its_own_language(
        make_user, issue, language, heading, signatory, issuer):
    cert = issue(make_user(), language=language, titles={language: "TISC"}, **CERTIFICATION)
    text = _flat(pdf_text(pdf_bytes(cert)))
    assert heading in text and signatory in text and issuer in text
    assert "Certification" not in text.replace("TISC", "")  # no "Certificate of Certification"
    if language != "en":
        assert "Director of Training" not in text and "Training and Certification" not in text
