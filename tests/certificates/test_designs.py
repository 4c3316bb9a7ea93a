"""Both designs in every script and on both papers; the vector QR code scans; admins pick
the design and paper; the issuer and signatory follow the certificate's language."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from academy.certificates.models import Certificate, CertificateStatus
from academy.certificates.pdf import DESIGNS
from academy.certificates.services import (
    CertificateError,
    certificate_context,
    issue_for_enrollment,
    render_certificate_pdf,
    sample_certificate,
    verify_url,
)
from academy.extensions import db
from tests.certificates.conftest import pdf_text

NOV_22 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
#: language -> (learner name, heading, localized date) as each must appear in the PDF
SCRIPTS = {
    "en": ("Jane Wanjiku Mwangi", "Certificate of Completion", "November 22, 2026"),
    "fr": ("Hérimanana Rakotomalala", "Certificat de réussite", "22 novembre 2026"),
    "es": ("María Fernanda Quispe", "Certificado de finalización", "22 de noviembre de 2026"),
    "ru": ("Екатерина Смирнова", "Сертификат об окончании курса", "22 ноября 2026"),
    "zh": ("王小明", "结业证书", "2026年11月22日"),
    "ar": ("فاطمة عبد الرحمن القحطاني", "شهادة إتمام", "نوفمبر"),
}
BOTH = sorted(DESIGNS)


def _sample(lang: str, design: str, **kw):
    cert = sample_certificate(lang, name=SCRIPTS[lang][0], design=design, **kw)
    cert.issued_at = NOV_22
    return cert


def test_there_are_at_least_two_designs_each_on_a4_and_letter():
    assert {"classic", "modern"} <= set(DESIGNS)
    for design in DESIGNS.values():
        assert set(design.papers) == {"a4", "letter"}, design.name


@pytest.mark.parametrize("design", BOTH)
@pytest.mark.parametrize("lang", sorted(SCRIPTS))
def test_each_design_prints_name_heading_and_date_in_every_script(app_ctx, design, lang):
    name, heading, date = SCRIPTS[lang]
    data = render_certificate_pdf(_sample(lang, design))
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert name in text and heading in text and date in text, text
    assert "DL177-2026-000123" in text


@pytest.mark.parametrize("design", BOTH)
def test_each_design_on_a4_and_letter_landscape(app_ctx, design):
    sizes = {}
    for paper in ("a4", "letter"):
        box = PdfReader(io.BytesIO(render_certificate_pdf(_sample("fr", design, paper=paper)))).pages[0].mediabox
        sizes[paper] = (round(float(box.width)), round(float(box.height)))
    assert sizes == {"a4": (842, 595), "letter": (792, 612)}


@pytest.mark.parametrize("design", BOTH)
def test_each_design_keeps_a_very_long_name_on_one_page(app_ctx, design):
    name = "Maria del Carmen de la Santísima Trinidad Fernández y Quispe Huamán Rakotomalala-Andriamanjato " * 2
    data = render_certificate_pdf(sample_certificate("es", name=name.strip(), design=design))
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1 and "Andriamanjato" in reader.pages[0].extract_text()


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("design", BOTH)
def test_each_design_embeds_one_subset_font_per_script(app_ctx, design, tmp_path):
    for lang in ("en", "zh", "ar"):
        path = tmp_path / f"{design}-{lang}.pdf"
        path.write_bytes(render_certificate_pdf(_sample(lang, design)))
        rows = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                              check=True).stdout.splitlines()[2:]
        assert len(rows) in (1, 2), rows  # the script's face (Latin serial and URL may add one)
        assert all(row.split()[-5:-3] == ["yes", "yes"] for row in rows), rows  # embedded, subset


def _scan(pdf: bytes, tmp_path) -> list[tuple[str, float, tuple[int, int, int]]]:
    """The QR codes on the page as a phone would see them (150 dpi): what each says, where
    its centre is (a share of the page width) and the colour of its top-left corner module."""
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", str(path), str(tmp_path / "c")], check=True)
    with Image.open(tmp_path / "c.png") as image:
        image = image.convert("RGB")
        found = []
        for code in zxingcpp.read_barcodes(image):
            corner, far = code.position.top_left, code.position.bottom_right
            centre = (corner.x + far.x) / 2 / image.width
            found.append((code.text, centre, image.getpixel((corner.x + 2, corner.y + 2))))
    return found


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize(("design", "lang", "paper"), [("classic", "en", "a4"), ("classic", "ar", "letter"),
                                                       ("modern", "zh", "a4"), ("modern", "ar", "letter")])
def test_the_qr_code_scans_to_the_verification_url_at_the_far_end_of_the_reading_side(
        app_ctx, tmp_path, design, lang, paper):
    cert = _sample(lang, design, paper=paper)
    [(text, centre, _colour)] = _scan(render_certificate_pdf(cert), tmp_path)
    assert text == verify_url(cert.verification_code)
    # bottom right in left-to-right languages, bottom left in Arabic (the signature opposite)
    assert centre < 0.25 if lang == "ar" else centre > 0.75


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize(("design", "colour"), [("classic", (0x1B, 0x1F, 0x24)), ("modern", (0x0B, 0x3B, 0x4F))])
def test_the_qr_code_takes_the_colour_its_design_names(app_ctx, tmp_path, design, colour):
    assert DESIGNS[design].qr_color == "#{:02x}{:02x}{:02x}".format(*colour)
    [(_text, _centre, printed)] = _scan(render_certificate_pdf(_sample("fr", design)), tmp_path)
    assert printed == colour


def test_the_qr_code_is_vector_not_a_raster_image(app_ctx):
    data = render_certificate_pdf(sample_certificate("en"))
    reader = PdfReader(io.BytesIO(data))
    xobjects = reader.pages[0]["/Resources"].get("/XObject") or {}
    assert not [name for name, ref in xobjects.items() if ref.get_object().get("/Subtype") == "/Image"]
    assert len(data) < 40_000  # a few fonts' subsets and paths, no picture


# --- issuer and signatory per language -----------------------------------------------------


def test_issuer_and_signatory_follow_the_certificate_language_with_a_fallback(app, app_ctx, monkeypatch):
    monkeypatch.setitem(app.config, "CERTIFICATE_ISSUER_NAME", "Academy Training")
    monkeypatch.setitem(app.config, "CERTIFICATE_SIGNATORY_NAME", "Grace Njeri")
    monkeypatch.setitem(app.config, "CERTIFICATE_SIGNATORY_TITLE", "Director of Training")
    monkeypatch.setitem(app.config, "CERTIFICATE_ISSUER_BY_LANGUAGE", {
        "fr": {"issuer_name": "Académie de formation", "signatory_name": "Grace Njeri",
               "signatory_title": "Directrice de la formation"},
        "ar": {"signatory_title": "مديرة التدريب"},  # the rest falls back to the defaults
    })
    fr = pdf_text(render_certificate_pdf(sample_certificate("fr", design="modern")))
    assert "ACADÉMIE DE FORMATION" in fr and "Directrice de la formation" in fr  # the issuer in capitals
    assert "Director of Training" not in fr
    ar = certificate_context(sample_certificate("ar"))
    assert (ar["issuer_name"], ar["signatory_name"], ar["signatory_title"]) == (
        "Academy Training", "Grace Njeri", "مديرة التدريب")
    assert "مديرة التدريب" in pdf_text(render_certificate_pdf(sample_certificate("ar")))
    en = certificate_context(sample_certificate("en"))
    assert (en["issuer_name"], en["signatory_title"]) == ("Academy Training", "Director of Training")


def test_design_paper_and_issuers_from_the_environment(monkeypatch):
    from academy.certificates import _config_from_environment

    cfg = {"CERTIFICATE_DESIGN": "classic", "CERTIFICATE_PAPER": "a4", "CERTIFICATE_ISSUER_BY_LANGUAGE": {}}
    monkeypatch.setenv("ACADEMY_CERTIFICATE_DESIGN", "modern")
    monkeypatch.setenv("ACADEMY_CERTIFICATE_PAPER", "Letter")
    monkeypatch.setenv("ACADEMY_CERTIFICATE_ISSUER_BY_LANGUAGE", '{"fr": {"signatory_title": "Directrice"}}')
    _config_from_environment(SimpleNamespace(config=cfg))
    assert cfg == {"CERTIFICATE_DESIGN": "modern", "CERTIFICATE_PAPER": "letter",
                   "CERTIFICATE_ISSUER_BY_LANGUAGE": {"fr": {"signatory_title": "Directrice"}}}
    monkeypatch.setenv("ACADEMY_CERTIFICATE_DESIGN", "baroque")
    with pytest.raises(ValueError, match="baroque"):
        _config_from_environment(SimpleNamespace(config=cfg))


# --- choosing the design ---------------------------------------------------------------------


def test_new_certificates_take_the_configured_design_and_paper(app, make_user, issue, monkeypatch):
    monkeypatch.setitem(app.config, "CERTIFICATE_DESIGN", "modern")
    monkeypatch.setitem(app.config, "CERTIFICATE_PAPER", "letter")
    cert = issue(make_user())
    assert (cert.design, cert.paper) == ("modern", "letter")
    assert issue(make_user(), design="classic", paper="a4").design == "classic"


def test_admin_bulk_issues_in_the_chosen_design_and_paper(client, make_user, mini_course, login_as):
    from academy.core.enums import EnrollmentStatus
    from academy.core.models import utcnow
    from academy.courses.services import enroll

    login_as(make_user("admin"))
    e = enroll(make_user(), mini_course, "fr")
    e.status, e.completed_at = EnrollmentStatus.COMPLETED, utcnow()
    db.session.commit()
    html = client.get("/admin/certificates/issue").get_data(as_text=True)
    assert 'name="design"' in html and 'value="modern"' in html and 'value="letter"' in html
    resp = client.post("/admin/certificates/issue", data={"course_id": mini_course.id, "design": "nope"})
    assert resp.status_code == 200 and db.session.scalar(select(Certificate)) is None  # field error shown
    client.post("/admin/certificates/issue", data={"course_id": mini_course.id, "design": "modern", "paper": "letter"})
    cert = db.session.scalar(select(Certificate))
    assert (cert.design, cert.paper, cert.language) == ("modern", "letter", "fr")


def test_admin_reissues_in_another_design_and_paper(client, make_user, issue, login_as):
    login_as(make_user("admin"))
    cert = issue(make_user(), language="fr")
    html = client.get(f"/admin/certificates/{cert.id}").get_data(as_text=True)
    assert 'value="modern"' in html and 'value="letter"' in html
    resp = client.post(f"/admin/certificates/{cert.id}/reissue",
                       data={"reason": "New design", "design": "modern", "paper": "letter"})
    assert resp.status_code == 302
    db.session.expire_all()
    new = db.session.get(Certificate, cert.superseded_by_id)
    assert (new.design, new.paper, new.status) == ("modern", "letter", CertificateStatus.VALID)
    resp = client.post(f"/admin/certificates/{new.id}/reissue", data={"reason": "x", "design": "baroque"})
    assert resp.status_code == 400 and "Not a valid choice" in resp.get_data(as_text=True)


def test_a_design_without_that_paper_is_refused(make_user, mini_course, complete_course, monkeypatch):
    from academy.certificates import pdf

    monkeypatch.setitem(pdf.DESIGNS, "a4only", pdf.DESIGNS["classic"].__class__(
        **{**pdf.DESIGNS["classic"].__dict__, "name": "a4only", "papers": ("a4",)}))
    enrollment = complete_course(make_user(), mini_course)
    db.session.execute(db.delete(Certificate))
    with pytest.raises(CertificateError, match="no letter layout"):
        issue_for_enrollment(enrollment, design="a4only", paper="letter")
