"""A learner who holds a certificate asks, in a real browser (CSRF on), for the name it
prints to change: the account page shows the name read-only with a link, the request form
refuses a request without a reason and names the field, then sends it and shows it waiting."""

from __future__ import annotations

import os

import pytest

from academy.auth.models import NameChangeRequest, NameChangeStatus
from academy.certificates.services import issue_certificate
from academy.extensions import db
from tests.browser.conftest import browser_login
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_learner_asks_for_a_name_change_through_the_form(page, make_user):
    learner = make_user(full_name="Amina Diallo", email="amina@example.org")
    issue_certificate(user=learner, kind="course", subject_code="DL177", titles={"en": "Patent information"},
                      language="en", hours=12)
    db.session.commit()

    browser_login(page, learner.email, TEST_PASSWORD)
    page.goto("/account")
    assert page.locator("input[name=full_name]").count() == 0  # printed on a certificate: not free any more
    page.get_by_role("link", name="Ask for a change of name").click()
    page.wait_for_url("**/account/name")
    assert page.locator("#requested_name").input_value() == "Amina Diallo"

    page.fill("#requested_name", "Amina Diallo Sow")
    page.click("#name-change-form button[type=submit]")
    error = page.locator(".field.has-error .error")
    error.wait_for()
    assert page.locator(".error-summary").is_visible()
    assert page.locator("#reason").get_attribute("aria-invalid") == "true"
    assert page.locator("#requested_name").input_value() == "Amina Diallo Sow"  # nothing typed is lost

    page.fill("#reason", "Marriage: the name in my new passport")
    page.click("#name-change-form button[type=submit]")
    page.locator(".flash-success").wait_for()
    assert page.locator("#name-change-form").count() == 0
    assert "Amina Diallo Sow" in page.locator("table").inner_text()
    if os.environ.get("CERT_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["CERT_SCREENSHOTS"], "name-change.png"), full_page=True)

    db.session.expire_all()
    req = db.session.scalar(db.select(NameChangeRequest))
    assert (req.status, req.requested_name) == (NameChangeStatus.PENDING, "Amina Diallo Sow")
