"""Certificates in a real browser: the learner's page, and the public verification page in
Arabic (right to left) checking an uploaded PDF through the real form (CSRF on)."""

from __future__ import annotations

import os

import pytest

from academy.certificates.services import issue_certificate, pdf_bytes
from academy.extensions import db
from tests.browser.conftest import browser_login
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_learner_finds_the_certificate_and_a_stranger_verifies_its_pdf_in_arabic(
    page, browser, live_server, make_user, tmp_path
):
    learner = make_user(full_name="فاطمة القحطاني", preferred_language="ar")
    cert = issue_certificate(user=learner, kind="course", subject_code="DL177",
                             titles={"ar": "استخدام المعلومات المتعلقة بالبراءات"}, language="ar", hours=12)
    db.session.commit()

    browser_login(page, learner.email, TEST_PASSWORD)
    page.goto("/certificates/")
    card = page.locator(".cert-card").first
    assert cert.serial in card.inner_text()
    link = card.locator("input[readonly]").input_value()
    assert link.endswith(f"/verify/{cert.verification_code}")
    assert card.locator("button.copy-link").is_visible()  # shown only with JavaScript
    if os.environ.get("CERT_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["CERT_SCREENSHOTS"], "mine.png"), full_page=True)

    # Someone who was sent the PDF, not logged in, with an Arabic browser.
    stranger = browser.new_context(base_url=live_server, locale="ar")
    try:
        visitor = stranger.new_page()
        visitor.goto(f"/verify/{cert.verification_code}")
        assert visitor.locator("html").get_attribute("dir") == "rtl"
        assert "فاطمة القحطاني" in visitor.locator(".cert-facts").inner_text()
        pdf = tmp_path / "certificate.pdf"
        pdf.write_bytes(pdf_bytes(cert))
        visitor.set_input_files("#pdf", str(pdf))
        visitor.click(".cert-upload button[type=submit]")
        visitor.locator(".cert-check").wait_for()
        assert "cert-check-match" in visitor.locator(".cert-check").get_attribute("class")
        if os.environ.get("CERT_SCREENSHOTS"):
            visitor.screenshot(path=os.path.join(os.environ["CERT_SCREENSHOTS"], "verify-ar.png"), full_page=True)
    finally:
        stranger.close()
