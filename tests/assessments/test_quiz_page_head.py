"""The top of the quiz page (title, breadcrumb, the quiz's settings) is rendered once per
quiz, course content token and languages, and the rest per request: an edit shows at once,
and nothing of one learner (attempts, results, CSRF token) reaches another."""

from __future__ import annotations

import re
from contextlib import contextmanager

from flask import template_rendered
from sqlalchemy import select

from academy.assessments.forms import StartAttemptForm
from academy.assessments.models import QuizAttempt
from academy.courses.models import Module, ModuleText
from academy.courses.services import enroll
from academy.extensions import db
from tests.assessments.conftest import complete_lessons, set_quiz, take_quiz
from tests.conftest import csrf_token_from, login

QUIZ = "/learn/quizzed/quiz/one"


@contextmanager
def rendered(app):
    names: list[str] = []

    def record(sender, template, context, **extra):
        names.append(template.name)

    template_rendered.connect(record, app)
    try:
        yield names
    finally:
        template_rendered.disconnect(record, app)


def page(client, url: str = QUIZ) -> str:
    resp = client.get(url)
    assert resp.status_code == 200, resp.status_code
    return resp.get_data(as_text=True)


def second_learner(app, course, language: str = "en", **fields):
    from academy.auth.services import create_user
    from academy.core.enums import Role
    from tests.conftest import TEST_PASSWORD

    user = create_user(email=f"second-{language}@example.org", full_name="Second Learner", password=TEST_PASSWORD,
                       gender="man", country_code="CH", institution_other="Test institute",
                       preferred_language=fields.get("preferred_language", language), roles=[Role.LEARNER])
    enroll(user, course, language)
    db.session.commit()
    client = app.test_client()
    login(client, user)
    return user, client


def test_the_head_is_rendered_once_and_the_learners_part_every_time(app, learner, login_as):
    client = login_as(learner)
    page(client)  # first view of this quiz with this token: the head is rendered
    with rendered(app) as names:
        page(client)
        page(client)
    assert names.count("assessments/_quiz_head.html") == 0
    assert names.count("assessments/quiz.html") == 2


def test_a_learners_attempts_never_reach_another_learner_through_the_cached_head(app, learner, login_as, quizzed):
    first = login_as(learner)
    _other, second = second_learner(app, quizzed)
    passed_id = take_quiz(first, "quizzed", "one", right=True)
    first.post(f"{QUIZ}/start")
    open_id = db.session.scalar(select(QuizAttempt.id).where(QuizAttempt.state == "in_progress"))
    mine = page(first)  # warms the head with a learner who has a result and an open attempt
    assert "Passed. Best score: 100%" in mine and "Resume attempt 2" in mine
    assert f"/attempts/{passed_id}/result" in mine and f"/attempts/{open_id}" in mine
    theirs = page(second)
    assert "You have not taken this quiz yet." in theirs and "Start the quiz" in theirs
    for leaked in ("Best score", "Resume attempt", "Your attempts", f"/attempts/{passed_id}", f"/attempts/{open_id}"):
        assert leaked not in theirs, leaked
    # The other way round: a fresh learner's page (read from the same head) hides no attempt.
    take_quiz(second, "quizzed", "one", right=False)
    theirs = page(second)
    assert "Not passed yet. Best score: 0%" in theirs and "Resume attempt" not in theirs
    mine = page(first)
    assert "Passed. Best score: 100%" in mine and "Resume attempt 2" in mine and "Not passed yet" not in mine


def test_each_learner_gets_their_own_csrf_token_and_it_starts_the_quiz(app, learner, login_as, quizzed, monkeypatch):
    first = login_as(learner)
    _other, second = second_learner(app, quizzed)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    mine, theirs = page(first), page(second)
    field = re.search(r'<input id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)">\s*'
                      r'<button type="submit" class="primary">Start the quiz', mine)
    assert field, "the start form has the form's own CSRF field"
    their_token = re.search(r'<form method="post" action="/learn/quizzed/quiz/one/start">\s*<input[^>]*value="([^"]+)"',
                            theirs).group(1)
    assert field.group(1) != their_token
    with app.test_request_context():
        assert re.sub(r'value="[^"]+"', "", str(StartAttemptForm().csrf_token)) == re.sub(
            r'value="[^"]+"', "", field.group(0).split(">")[0] + ">")
    assert first.post(f"{QUIZ}/start", data={"csrf_token": their_token}).status_code == 400
    assert db.session.scalar(select(QuizAttempt.id)) is None
    started = first.post(f"{QUIZ}/start", data={"csrf_token": csrf_token_from(mine)})
    assert started.status_code == 302 and "/attempts/" in started.location


def test_quiz_settings_edits_show_at_once(learner, login_as):
    client = login_as(learner)
    html = page(client)
    assert "<dt>Pass mark</dt><dd>70%</dd>" in html and "<dd>Unlimited</dd>" in html
    set_quiz("one", pass_mark=85, max_attempts=4, time_limit_minutes=20)
    html = page(client)
    assert "<dt>Pass mark</dt><dd>85%</dd>" in html and "<dt>Attempts allowed</dt><dd>4</dd>" in html
    assert "<dt>Time limit</dt><dd>20 minutes</dd>" in html and "Attempts used: 0 of 4" in html


def test_a_module_title_edit_shows_in_the_quiz_title_at_once(learner, login_as, quizzed):
    client = login_as(learner)
    assert "<h1>Quiz: Module one</h1>" in page(client)
    text = db.session.scalar(select(ModuleText).join(Module).where(
        Module.course_id == quizzed.id, Module.key == "one", ModuleText.language == "en"))
    text.title = "Patent basics"
    db.session.commit()
    html = page(client)
    assert "<title>Quiz: Patent basics · Academy</title>" in html and "<h1>Quiz: Patent basics</h1>" in html


def test_a_new_course_slug_shows_in_the_breadcrumb(learner, login_as, quizzed):
    client = login_as(learner)
    assert '<a href="/learn/quizzed/">' in page(client)
    quizzed.slug = "renamed"
    db.session.commit()
    html = page(client, "/learn/renamed/quiz/one")
    assert '<a href="/learn/renamed/">' in html and "/learn/quizzed/" not in html


def test_a_retired_quiz_is_gone_at_once(learner, login_as):
    client = login_as(learner)
    page(client)
    set_quiz("one", is_retired=True)
    assert client.get(QUIZ).status_code == 404


def test_learners_in_different_languages_each_see_their_own(app, learner, login_as, quizzed):
    english = login_as(learner)
    _other, french = second_learner(app, quizzed, "fr")
    _third, mixed = second_learner(app, quizzed, "en", preferred_language="fr")
    for _round in range(2):  # rendered, then read from the cache
        assert "<h1>Quiz: Module one</h1>" in page(english) and "<dt>Pass mark</dt><dd>70%</dd>" in page(english)
        html = page(french)
        assert "<h1>Quiz : Module un</h1>" in html and "Seuil de réussite" in html
        # French pages, the module's title in the enrolment's language.
        html = page(mixed)
        assert "<h1>Quiz : Module one</h1>" in html and "Seuil de réussite" in html


def test_a_later_modules_quiz_still_waits_for_the_earlier_module(learner, login_as, quizzed):
    client = login_as(learner)
    assert "This quiz opens when you complete “Module one”." in page(client, "/learn/quizzed/quiz/two")
    complete_lessons(learner, quizzed, "one")
    assert "This quiz opens when you complete “Module one”." in page(client, "/learn/quizzed/quiz/two")
    take_quiz(client, "quizzed", "one", right=True)
    html = page(client, "/learn/quizzed/quiz/two")
    assert "This quiz opens" not in html and "Start the quiz" in html
