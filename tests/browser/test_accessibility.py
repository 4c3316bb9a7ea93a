"""WCAG 2.1 AA in a real browser: axe-core on the key pages in English and Arabic, keyboard use, RTL.

axe-core is vendored (tests/browser/vendor/axe.min.js, see its README), injected into each
page; nothing is fetched at run time. One browser context per language walks every page,
so the whole check stays a few seconds.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.browser.conftest import browser_login
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
DL177 = Path(__file__).resolve().parent.parent.parent / "academy" / "courses" / "packages" / "dl177"
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
               "resultTypes": ["violations"]}
BLOCKING = {"serious", "critical"}


def axe_violations(page) -> list[dict]:
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"] if v["impact"] in BLOCKING
    ]


def _report(found: dict[str, list[dict]]) -> str:
    return json.dumps({url: v for url, v in found.items() if v}, indent=1, ensure_ascii=False)


@pytest.fixture
def a11y_world(app_ctx, make_user, import_course):
    """DL177 and a learner enrolled in each language checked, with one lesson done."""
    from academy.courses.services import complete_lesson, enroll
    from academy.extensions import db

    course = import_course(DL177)
    learners = {}
    for lang in ("en", "ar"):
        user = make_user(preferred_language=lang)
        enrollment = enroll(user, course, lang)
        for lesson in course.modules[0].lessons:  # module 1 done: its quiz is open
            complete_lesson(enrollment, lesson)
        learners[lang] = user
    admins = {lang: make_user("admin", preferred_language=lang) for lang in ("en", "ar")}
    # A finished short course gives each learner a certificate (issued on completion).
    from academy.certificates.models import Certificate
    from academy.courses.services import mark_completed

    mini = import_course()
    for user in learners.values():
        mark_completed(enroll(user, mini, "en"))
    db.session.commit()
    certificate = db.session.scalars(db.select(Certificate).order_by(Certificate.id)).first()
    assert certificate is not None, "completing a course issues a certificate"
    module = course.modules[0]
    from academy.assessments.models import Quiz

    quiz_id = db.session.scalar(db.select(Quiz.id).where(Quiz.course_id == course.id, Quiz.key == module.key))
    return {"course": course, "learners": learners, "admins": admins, "module": module.key,
            "lesson": module.lessons[1].key, "certificate": certificate, "quiz_id": quiz_id}


def _learner_pages(world) -> list[str]:
    slug = world["course"].slug
    return [
        "/courses/",
        f"/courses/{slug}/",
        f"/learn/{slug}/",
        f"/learn/{slug}/{world['module']}/{world['lesson']}",
        f"/learn/{slug}/assignments/search-report/",
        "/dashboard",
        "/account",
        "/account/password",
        "/certificates/",
    ]


def _admin_pages(world) -> list[str]:
    course_id, learner_id = world["course"].id, world["learners"]["en"].id
    return [
        "/admin/",
        "/admin/people",
        f"/admin/people/{learner_id}",
        f"/admin/people/{learner_id}/name",
        "/admin/people/invite",
        "/admin/courses",
        f"/admin/courses/{course_id}",
        "/admin/courses/upload",
        "/admin/tiscs",
        "/admin/tiscs/new",
        "/admin/audit",
        "/admin/certificates/",
        f"/admin/certificates/{world['certificate'].id}",
        "/admin/certificates/issue",
        "/quizzes/",
        f"/quizzes/{world['quiz_id']}/stats",
        "/admin/stats/",
        "/admin/stats/crosstab",
        "/admin/stats/enrolments",
        "/admin/stats/exports",
        "/teaching/assignments/",
    ]


ANONYMOUS_PAGES = ["/login", "/register", "/reset-password", "/no-such-page"]


def axe_context(browser, base_url: str, lang: str):
    """A browser context in ``lang`` with axe-core loaded into every page (CSP bypassed for it alone)."""
    context = browser.new_context(base_url=base_url, locale="ar-SA" if lang == "ar" else "en-GB",
                                  extra_http_headers={"Accept-Language": lang}, bypass_csp=True)
    context.add_init_script(path=str(AXE))
    context.set_default_timeout(15_000)
    return context


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_key_pages_have_no_serious_accessibility_violations(browser, live_server, a11y_world, lang):
    context = axe_context(browser, live_server, lang)
    page = context.new_page()
    found: dict[str, list[dict]] = {}
    checked = 0
    try:
        cert = a11y_world["certificate"]
        # by code: the full page; by serial: the status and the holder form
        for url in ANONYMOUS_PAGES + ["/verify/", f"/verify/{cert.verification_code}", f"/verify/{cert.serial}"]:
            page.goto(url)
            assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
            found[url] = axe_violations(page)
            checked += 1
        # Forms showing their errors are pages too.
        page.goto("/register")
        page.click("form.stack button[type=submit]")
        page.locator(".error-summary").wait_for()
        found["/register (errors)"] = axe_violations(page)
        page.goto("/login")
        page.fill("#email", "nobody@example.org")
        page.fill("#password", "not the password")
        page.click("form.stack button[type=submit]")
        page.locator(".error-summary").wait_for()
        found["/login (errors)"] = axe_violations(page)
        checked += 2
        browser_login(page, a11y_world["learners"][lang].email, TEST_PASSWORD)
        for url in _learner_pages(a11y_world):
            response = page.goto(url)
            assert response.status == 200, url
            assert page.locator("html").get_attribute("lang") == lang
            found[url] = axe_violations(page)
            checked += 1
        # The module quiz: its page, an attempt, and the result with its review.
        slug = a11y_world["course"].slug
        page.goto(f"/learn/{slug}/quiz/{a11y_world['module']}")
        found["quiz"] = axe_violations(page)
        page.click("main form button.primary")
        page.wait_for_url("**/attempts/*")
        found["quiz attempt"] = axe_violations(page)
        page.click("button[data-submit]")
        page.wait_for_url("**/result")
        found["quiz result"] = axe_violations(page)
        page.goto("/attempts/")
        found["my quiz attempts"] = axe_violations(page)
        checked += 4
        if lang == "ar":
            assert_mirrored(page, a11y_world)
        page.click(".site-header button.link")  # log out
        page.wait_for_url("**/courses/")
        browser_login(page, a11y_world["admins"][lang].email, TEST_PASSWORD)
        for url in _admin_pages(a11y_world):
            response = page.goto(url)
            assert response.status == 200, url
            assert page.locator("html").get_attribute("lang") == lang
            found[url] = axe_violations(page)
            checked += 1
        if lang == "ar":
            assert_chart_mirrored(page)
    finally:
        context.close()
    assert checked >= 40
    assert not any(found.values()), _report(found)


def test_axe_reports_what_it_should(browser, live_server):
    """The harness itself: a page with a missing label and poor contrast fails."""
    context = axe_context(browser, live_server, "en")
    try:
        page = context.new_page()
        page.goto("/login")
        page.evaluate("""() => {
            document.querySelector('label[for=email]').remove();
            document.querySelector('h1').style.color = '#bbbbbb';
        }""")
        ids = {v["id"] for v in axe_violations(page)}
    finally:
        context.close()
    assert {"label", "color-contrast"} <= ids


def test_keyboard_alone_logs_in_and_reaches_a_lesson(page, mini_course, make_user, app_ctx):
    """Tab order reaches every control, focus is visible, and Enter activates."""
    from academy.courses.services import enroll
    from academy.extensions import db

    learner = make_user()
    enroll(learner, mini_course, "en")
    db.session.commit()
    page.goto("/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#content"
    page.focus("#email")
    page.keyboard.type(learner.email)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "focus must be visible"
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/dashboard*")
    # From the dashboard to the course and into a lesson, by keyboard only.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('table.data') !== null"):
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**/learn/mini/*")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('primary')"):
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**/learn/mini/one/first*")
    assert page.locator("article.lesson h1").is_visible()


def test_error_summary_takes_focus_and_links_to_each_field(page, live_server):
    page.goto("/register")
    page.click("form.stack button[type=submit]")
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    first_link = summary.locator("a").first
    target = first_link.get_attribute("href")
    first_link.click()
    assert page.evaluate("document.activeElement.id") == target.lstrip("#")
    described = page.locator(target).get_attribute("aria-describedby")
    assert described and page.locator(f"#{described.split()[0]}").inner_text().strip()
    assert page.locator(target).get_attribute("aria-invalid") == "true"


def assert_mirrored(page, world) -> None:
    """In Arabic the layout runs right to left: header, tables, progress bars, lesson text, pager."""
    page.goto("/dashboard")
    width = page.evaluate("document.documentElement.clientWidth")
    brand = page.locator(".brand").bounding_box()
    switcher = page.locator(".lang-switcher").bounding_box()
    assert brand["x"] > width / 2, "the brand starts on the right"
    assert switcher["x"] < brand["x"], "the language switcher sits at the line's end, on the left"
    first_cell = page.locator("table.data th").first.bounding_box()
    last_cell = page.locator("table.data th").last.bounding_box()
    assert first_cell["x"] > last_cell["x"], "the first column is on the right"
    assert page.evaluate("getComputedStyle(document.querySelector('table.data th')).textAlign") in {"start", "right"}

    slug = world["course"].slug
    page.goto(f"/learn/{slug}/{world['module']}/{world['lesson']}")
    assert page.locator("article.lesson").get_attribute("dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.querySelector('article.lesson')).direction") == "rtl"
    bar = page.locator(".lesson-actions progress").bounding_box()
    text = page.locator(".lesson-actions .progress-text").bounding_box()
    assert text["x"] < bar["x"], "the percentage follows the bar, to its left"
    prev_link = page.locator(".pager a[rel=prev]").bounding_box()
    next_link = page.locator(".pager a[rel=next]").bounding_box()
    assert prev_link["x"] > next_link["x"], "previous on the right, next on the left"
    page.screenshot(path=str(Path(os.environ.get("ACADEMY_SCREENSHOTS", "/tmp")) / "academy-lesson-ar.png"),
                    full_page=False)


def assert_chart_mirrored(page) -> None:
    """Arabic charts: category labels right of the axis, bars growing leftwards, values at their ends."""
    page.goto("/admin/stats/")
    chart = page.locator("svg.chart").first
    label = chart.locator("text.chart-label").first.bounding_box()
    bar = chart.locator("rect.bar").first.bounding_box()
    value = chart.locator("text.chart-value").first.bounding_box()
    assert label["x"] >= bar["x"] + bar["width"] - 1, "the label sits right of its bar"
    assert value["x"] + value["width"] <= bar["x"] + 1, "the value sits at the bar's left end"


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_statistics_dashboard_with_every_figure_has_no_serious_violations(browser, live_server, make_user,
                                                                          import_course, app_ctx, lang):
    """The dashboard as an admin sees it with data in every figure: the wide tables (the
    cohort table has nine columns) scroll inside their own region, reachable by keyboard."""
    from tests.stats_population import add_certification, build_population

    add_certification(build_population(make_user, import_course))
    admin = make_user("admin", preferred_language=lang, email=f"stats-a11y-{lang}@example.org")
    context = axe_context(browser, live_server, lang)
    page = context.new_page()
    page.set_viewport_size({"width": 1024, "height": 768})
    try:
        browser_login(page, admin.email, TEST_PASSWORD)
        found = {}
        for url in ("/admin/stats/", "/admin/stats/crosstab?rows=cohort&cols=certification_phase"
                                     "&measure=cert_candidates"):
            assert page.goto(url).status == 200, url
            found[url] = axe_violations(page)
        assert not any(found.values()), _report(found)
        page.goto("/admin/stats/")
        wrap = page.locator("#figure-certification-cohort .table-wrap")
        scrolls = wrap.evaluate("el => el.scrollWidth > el.clientWidth")
        assert scrolls, "the cohort table is wider than the page here: the check below would prove nothing"
        # Keyboard alone reaches the scrolling table and scrolls it.
        for _ in range(400):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.closest('#figure-certification-cohort .table-wrap') !== null"):
                break
        else:
            pytest.fail("Tab never reached the cohort table")
        assert page.evaluate("document.activeElement.getAttribute('role')") == "region"
        assert page.evaluate("document.activeElement.getAttribute('aria-labelledby')")
        page.keyboard.press("ArrowRight" if lang == "en" else "ArrowLeft")
        page.wait_for_function("el => el.scrollLeft !== 0", arg=wrap.element_handle())
    finally:
        context.close()
