"""axe-core on the certification screens, in English and Arabic: learner, instructor, admin.

The world comes from tests/certification/world.py: a programme with a cohort, a training
session with attendance, a passed phase 2 and a practice submission waiting for grading.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import browser_login
from tests.browser.test_accessibility import _report, axe_context, axe_violations
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_certification_pages_have_no_serious_accessibility_violations(browser, live_server, mini_course,
                                                                      make_user, app_ctx, lang):
    from academy.certification import services
    from academy.certification.enums import AssessmentOutcome, AttendanceStatus
    from academy.extensions import db
    from tests.certification.world import build, complete_course

    instructor = make_user("instructor", preferred_language=lang)
    learner = make_user(preferred_language=lang)
    admin = make_user("admin", preferred_language=lang)
    w = build(mini_course, instructor, [learner])
    record = w.records[0]
    complete_course(learner, mini_course)
    services.record_attendance(w.session, {record.id: {d: AttendanceStatus.PRESENT for d in w.session.days}},
                               instructor)
    services.assess(record, w.session, outcome=AssessmentOutcome.PASS, comments="", score_value=None, by=instructor)
    sub = services.submission_for(record, w.tasks[0], create=True)
    services.save_draft(sub, "Search report for a solar dryer.", [], learner)
    services.submit(sub)
    db.session.commit()

    pages = {
        learner: ["/certification/", f"/certification/records/{record.id}",
                  f"/certification/records/{record.id}/tasks/{w.tasks[0].id}", "/certification/notifications"],
        instructor: ["/certification/teaching", f"/certification/cohorts/{w.cohort.id}",
                     f"/certification/sessions/{w.session.id}/attendance",
                     f"/certification/records/{record.id}/assessment", f"/certification/submissions/{sub.id}/grade"],
        admin: ["/certification/admin/", f"/certification/admin/programmes/{w.programme.id}",
                "/certification/admin/programmes/new", f"/certification/admin/programmes/{w.programme.id}/tasks/new",
                f"/certification/admin/tasks/{w.tasks[0].id}"],
    }
    context = axe_context(browser, live_server, lang)
    page = context.new_page()
    found: dict[str, list[dict]] = {}
    try:
        for user, urls in pages.items():
            page.context.clear_cookies()
            browser_login(page, user.email, TEST_PASSWORD)
            for url in urls:
                response = page.goto(url)
                assert response.status == 200, url
                assert page.locator("html").get_attribute("lang") == lang
                found[url] = axe_violations(page)
    finally:
        context.close()
    assert sum(len(urls) for urls in pages.values()) == 14
    assert not any(found.values()), _report(found)
