"""The PDF: names in every script, localized dates, embedded fonts, safe resource fetching."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime

import pytest

from academy.certificates.pdf import AppFileFetcher, display_width, size_class, text_dir
from academy.certificates.services import pdf_bytes, render_certificate_pdf, sample_certificate
from tests.certificates.conftest import pdf_text

NOV_22 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def test_chinese_certificate_has_the_chinese_name_title_and_date(make_user, issue):
    cert = issue(make_user(full_name="王小明"), language="zh", titles={"zh": "专利信息使用电子教程"}, issued_at=NOV_22)
    text = pdf_text(pdf_bytes(cert))
    assert "王小明" in text and "专利信息使用电子教程" in text
    assert "2026年11月22日" in text and "结业证书" in text
    assert cert.serial in text


def test_arabic_certificate_has_the_arabic_name_and_localized_date(make_user, issue):
    cert = issue(make_user(full_name="فاطمة القحطاني"), language="ar",
                 titles={"ar": "استخدام المعلومات المتعلقة بالبراءات"}, issued_at=NOV_22)
    text = pdf_text(pdf_bytes(cert))
    assert "فاطمة القحطاني" in text
    assert "نوفمبر" in text and "شهادة إتمام" in text


def test_french_and_russian_wording_and_dates(make_user, issue):
    fr = issue(make_user(full_name="Hérimanana Rakoto"), language="fr", issued_at=NOV_22)
    text = pdf_text(pdf_bytes(fr))
    assert "Certificat de réussite" in text and "22 novembre 2026" in text and "12 heures de formation" in text
    ru = issue(make_user(full_name="Екатерина Смирнова"), language="ru", titles={"ru": "Патентная информация"},
               issued_at=NOV_22, hours=3)
    text = pdf_text(pdf_bytes(ru))
    assert "Екатерина Смирнова" in text and "22 ноября 2026" in text and "3 часа обучения" in text


def _glyphs_for(data: bytes, char: str) -> set[tuple[str, str]]:
    """(font, glyph code) pairs the PDF's embedded fonts map back to ``char`` (ToUnicode)."""
    import io
    import re

    from pypdf import PdfReader

    target = f"<{ord(char):04x}>"
    found = set()
    for name, ref in PdfReader(io.BytesIO(data)).pages[0]["/Resources"]["/Font"].items():
        cmap = ref.get_object()["/ToUnicode"].get_object().get_data().decode("ascii")
        found |= {(name, code) for code, text in re.findall(r"(<[0-9a-f]+>) (<[0-9a-f]+>)", cmap.lower())
                  if text == target}
    return found


def test_arabic_is_shaped_letters_take_their_joined_forms(app_ctx):
    # Beh three times joins as its initial, medial and final forms: three glyphs, one letter.
    # Unshaped text would print the isolated form three times (one glyph).
    data = render_certificate_pdf(sample_certificate("ar", name="ببب"))
    assert "ببب" in pdf_text(data)
    assert len(_glyphs_for(data, "ب")) >= 3


def test_chinese_glyphs_come_from_the_embedded_cjk_face(app_ctx):
    data = render_certificate_pdf(sample_certificate("zh", name="王小明"))
    assert "王小明" in pdf_text(data)
    for char in "王小明":
        assert [font for font, _code in _glyphs_for(data, char)], char


def test_a_name_in_another_script_than_the_certificate(make_user, issue):
    cert = issue(make_user(full_name="王小明 (Wang Xiaoming)"), language="ar", titles={"ar": "دورة"})
    assert "王小明" in pdf_text(pdf_bytes(cert))


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")
def test_every_font_is_embedded(make_user, issue, tmp_path):
    cert = issue(make_user(full_name="王小明 فاطمة Jane"), language="zh", titles={"zh": "专利"})
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf_bytes(cert))
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows, out
    for row in rows:
        assert row.split()[-5] == "yes", row  # the "emb" column
    assert "CJK" in out and "Arabic" in out


def test_letter_paper_and_a4_landscape(app_ctx):
    import io

    from pypdf import PdfReader

    a4 = PdfReader(io.BytesIO(render_certificate_pdf(sample_certificate("en")))).pages[0].mediabox
    letter = PdfReader(io.BytesIO(render_certificate_pdf(sample_certificate("en", paper="letter")))).pages[0].mediabox
    assert (round(float(a4.width)), round(float(a4.height))) == (842, 595)
    assert (round(float(letter.width)), round(float(letter.height))) == (792, 612)


def test_long_names_get_smaller_type():
    assert size_class("Jane Doe", ((28, "xl"), (56, "m"), (10**6, "s"))) == "xl"
    assert size_class("x" * 80, ((28, "xl"), (56, "m"), (10**6, "s"))) == "s"
    assert display_width("王小明") == 6
    assert text_dir("فاطمة Jane") == "rtl" and text_dir("(Jane) فاطمة") == "ltr"


def test_a_very_long_name_stays_on_one_page(app_ctx):
    import io

    from pypdf import PdfReader

    name = "Maria del Carmen de la Santísima Trinidad Fernández y Quispe Huamán Rakotomalala-Andriamanjato " * 2
    data = render_certificate_pdf(sample_certificate("es", name=name.strip()))
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    assert "Rakotomalala" in reader.pages[0].extract_text()


def test_the_fetcher_serves_only_the_apps_own_files():
    fetcher = AppFileFetcher()
    ok = fetcher.fetch("https://academy.invalid/design/classic/certificate.css")
    assert b"@page" in ok.read()
    for url in (
        "https://example.org/x.png",
        "http://academy.invalid/design/classic/certificate.css",
        "file:///etc/passwd",
        "https://academy.invalid/design/classic/../../../../etc/passwd",
        "https://academy.invalid/design/classic/%2e%2e/%2e%2e/models.py",
        "https://academy.invalid/static/../config.py",
        "https://academy.invalid/other/x",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain,hi").read() == b"hi"
