"""JavaScript off, in French: a learner finishes a lesson, takes the module quiz and submits it.

Slow or locked-down computers often run without JavaScript; every learner step must still
work with plain links and forms. Selectors are structural, so the page can stay French.
"""

import pytest

pytestmark = pytest.mark.browser


def answer_rightly(page, language: str, only_visible: bool = False) -> None:
    """Answer every question on the current attempt page with its right answer (with
    ``only_visible``, those of the quiz page the learner sees, not the other pages the
    attempt page carries for paging offline)."""
    from academy.assessments.models import Question
    from academy.extensions import db

    selector = "fieldset[data-question]:visible" if only_visible else "fieldset[data-question]"
    qids = page.locator(selector).evaluate_all("els => els.map(e => e.dataset.question)")
    assert qids, "no question on the page"
    for qid in qids:
        db.session.expire_all()
        q = db.session.get(Question, int(qid))
        spec = q.spec(language)
        name = f"q{q.id}"
        if q.type in ("single_choice", "multiple_choice"):
            for opt in spec["options"]:
                if opt.get("correct"):
                    page.check(f"input[name={name}][value={opt['key']}]")
        elif q.type == "true_false":
            page.check(f"input[name={name}][value={'true' if spec['answer'] else 'false'}]")
        elif q.type == "short_answer":
            page.fill(f"#{name}", spec["accepted"][0])
        elif q.type == "numeric":
            page.fill(f"#{name}", str(spec["answer"]))
        elif q.type == "matching":
            for i in range(len(spec["pairs"])):
                page.select_option(f"#{name}-{i}", str(i))
        elif q.type == "ordering":
            for i in range(len(spec["items"])):
                page.select_option(f"#{name}-{i}", str(i + 1))


def test_lesson_then_quiz_then_submit_in_french_without_javascript(page_no_js, import_course, make_user, app_ctx):
    from academy.courses.services import enroll
    from academy.extensions import db
    from tests.browser.conftest import browser_login
    from tests.conftest import FIXTURES, TEST_PASSWORD

    course = import_course(FIXTURES / "quizzed")
    user = make_user(preferred_language="fr")
    enroll(user, course, "fr")
    db.session.commit()
    page = page_no_js
    browser_login(page, user.email, TEST_PASSWORD)

    page.goto("/learn/quizzed/one/first")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert "Leçon 1 sur 1" in page.locator("main").inner_text()
    page.click("form[data-progress-form] button")  # a plain POST and a redirect
    page.wait_for_url("**/learn/quizzed/")
    page.click(".module-quiz a.button")
    page.wait_for_url("**/learn/quizzed/quiz/one")
    page.click("main form button.primary")  # « Commencer le quiz »
    page.wait_for_url("**/attempts/*")
    pages = max(1, page.locator(".attempt-pages button").count())
    for number in range(1, pages + 1):  # every page of the attempt, saving as it goes
        answer_rightly(page, "fr")
        if number < pages:
            page.click(".attempt-actions button.primary")  # « Enregistrer et continuer »
            page.wait_for_url(f"**page={number + 1}*")
    page.click("button[data-submit]")  # « Soumettre mes réponses »
    page.wait_for_url("**/result")
    summary = page.locator(".result-summary").inner_text()
    assert "Réussi" in summary and "100" in summary

    page.goto("/learn/quizzed/")
    second = page.locator(".modules li.module").nth(1)
    assert second.locator(".locked-note").count() == 0  # module 2 opened without a line of JavaScript
