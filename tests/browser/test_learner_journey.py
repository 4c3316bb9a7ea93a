"""A new learner registers, enrols in French, completes a lesson and sees progress move."""

import pytest

pytestmark = pytest.mark.browser


def test_register_enrol_in_french_complete_lesson_progress_moves(page, mini_course, app_ctx):
    from academy.auth.models import Tisc
    from academy.extensions import db

    db.session.add(Tisc(name="CATI OMAPI", host_institution="OMAPI", city="Antananarivo", country_code="MG"))
    db.session.commit()

    page.goto("/register")
    page.fill("#full_name", "Voahangy Randrianarisoa")
    page.fill("#email", "voahangy@example.mg")
    page.fill("#password", "tsiky sy fanantenana 2026")
    page.fill("#confirm", "tsiky sy fanantenana 2026")
    page.select_option("#gender", "woman")
    page.select_option("#country_code", "MG")
    page.select_option("#tisc_id", label="CATI OMAPI — Antananarivo")
    page.select_option("#preferred_language", "fr")
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/courses/")
    assert page.locator("html").get_attribute("lang") == "fr"

    page.click("text=Mini cours")
    page.select_option("#language", "fr")
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/learn/mini/")
    assert page.locator(".summary progress").get_attribute("value") == "0"

    page.click(".modules a >> nth=0")
    page.wait_for_url("**/learn/mini/one/first")
    assert "first fr" in page.locator("article.lesson h1").inner_text()
    page.click("form[data-progress-form] button")
    page.locator(".lesson-actions [role=status]").wait_for()
    assert page.locator(".lesson-actions progress").get_attribute("value") == "25"

    page.goto("/learn/mini/")
    assert page.locator(".summary progress").get_attribute("value") == "25"
    assert page.locator(".modules li.module").nth(1).locator(".locked-note").count() == 1


def test_lesson_completion_works_with_javascript_off(page_no_js, mini_course, make_user, app_ctx):
    from academy.courses.services import enroll
    from academy.extensions import db
    from tests.browser.conftest import browser_login
    from tests.conftest import TEST_PASSWORD

    user = make_user()
    enroll(user, mini_course, "en")
    db.session.commit()
    page = page_no_js
    browser_login(page, user.email, TEST_PASSWORD)
    page.goto("/learn/mini/one/first")
    page.click("form[data-progress-form] button")
    page.wait_for_url("**/learn/mini/one/second")
    page.goto("/learn/mini/")
    assert page.locator(".summary progress").get_attribute("value") == "25"


def test_tisc_list_follows_the_chosen_country(page, app_ctx):
    from academy.auth.models import Tisc
    from academy.extensions import db

    db.session.add_all([
        Tisc(name="CATI OMAPI", host_institution="OMAPI", city="Antananarivo", country_code="MG"),
        Tisc(name="TISC KIPI", host_institution="KIPI", city="Nairobi", country_code="KE"),
    ])
    db.session.commit()
    page.goto("/register")
    page.select_option("#country_code", "KE")
    visible = page.eval_on_selector_all("#tisc_id optgroup:not([hidden])", "gs => gs.map(g => g.label)")
    assert visible == ["Kenya"]
