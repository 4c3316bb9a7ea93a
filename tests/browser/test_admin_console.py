"""An admin, with JavaScript off and CSRF on, uploads a course package, checks the
preview, applies it, and deactivates an account."""

import os

import pytest

from tests.browser.conftest import browser_login
from tests.conftest import FIXTURES, TEST_PASSWORD
from tests.test_admin_courses import zip_folder

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("ACADEMY_SCREENSHOTS")


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_admin_uploads_previews_and_applies_a_package_without_javascript(page_no_js, make_user, tmp_path, app_ctx):
    page = page_no_js
    admin = make_user("admin", full_name="Ada Admin")
    learner = make_user(full_name="Wanjiru Kamau")
    browser_login(page, admin.email, TEST_PASSWORD)

    page.click("text=Admin")
    page.wait_for_url("**/admin/")
    page.click(".admin-nav >> text=Courses")
    page.click("text=Upload a course package")
    archive = tmp_path / "mini.zip"
    archive.write_bytes(zip_folder(FIXTURES / "mini"))
    page.set_input_files("#file", str(archive))
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/admin/courses/upload/*")
    assert "4 new lessons" in page.inner_text("main")
    shot(page, "upload-preview")
    page.click("text=Apply these changes")
    page.wait_for_url("**/admin/courses/*")
    assert "Lessons added: 4;" in page.inner_text(".flashes")
    page.click("a[hreflang=fr] >> nth=0")
    assert page.locator("article.lesson").get_attribute("lang") == "fr"

    page.goto(f"/admin/people?q={learner.full_name.split()[0]}")
    shot(page, "people")
    page.click(f"text={learner.full_name}")
    page.click("text=Deactivate the account")
    assert "cannot log in" in page.inner_text(".flashes")
    shot(page, "user")
    page.goto("/admin/audit")
    assert "user.deactivated" in page.inner_text("table.audit")
    assert "course.imported" in page.inner_text("table.audit")
    shot(page, "audit")
