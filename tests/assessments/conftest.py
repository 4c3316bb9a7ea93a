"""Fixtures for quiz tests: the quizzed fixture course, an enrolled learner, answer builders."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from academy.assessments.models import Question, Quiz, QuizAttempt
from academy.extensions import db
from tests.conftest import FIXTURES


@pytest.fixture(autouse=True)
def _one_user_cache_per_request(monkeypatch):
    """Tests run inside one app context, so Flask-Login's user cache (g._login_user) would
    leak from one test client to the next: a second "browser" would act as the first user.
    Forget it before every request, as a real server does; the CSRF token Flask-WTF keeps
    for the request (g.csrf_token) likewise."""
    from flask import g, has_app_context
    from flask.testing import FlaskClient

    original = FlaskClient.open

    def open_(self, *args, **kwargs):
        if has_app_context():
            g.pop("_login_user", None)
            g.pop("csrf_token", None)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(FlaskClient, "open", open_)


@pytest.fixture
def quizzed(import_course):
    return import_course(FIXTURES / "quizzed")


@pytest.fixture
def learner(make_user, quizzed):
    from academy.courses.services import enroll

    user = make_user("learner")
    enroll(user, quizzed, "en")
    db.session.commit()
    return user


def quiz_named(key: str) -> Quiz:
    return db.session.scalar(select(Quiz).where(Quiz.key == key))


def set_quiz(key: str, **settings) -> Quiz:
    quiz = quiz_named(key)
    for name, value in settings.items():
        setattr(quiz, name, value)
    db.session.commit()
    return quiz


def answer_fields(
    question: Question, language: str, order: list, right: bool
) -> list[tuple[str, str]]:
    """Form fields answering ``question`` rightly (or wrongly, where a wrong answer exists)."""
    spec = question.spec(language)
    name = f"q{question.id}"
    t = question.type
    if t == "single_choice":
        keys = [o["key"] for o in spec["options"] if o["correct"] == right]
        return [(name, keys[0])]
    if t == "multiple_choice":
        return [(name, o["key"]) for o in spec["options"] if o["correct"] == right]
    if t == "true_false":
        return [(name, "true" if spec["answer"] == right else "false")]
    if t == "short_answer":
        return [(name, spec["accepted"][0] if right else "something else")]
    if t == "numeric":
        return [(name, str(spec["answer"]) if right else str(spec["answer"] + 1000))]
    if t == "matching":
        n = len(spec["pairs"])
        return [(f"{name}-{i}", str(i if right else (i + 1) % n)) for i in range(n)]
    if t == "ordering":
        n = len(spec["items"])
        return [(f"{name}-{i}", str(i + 1 if right else n - i)) for i in range(n)]
    raise AssertionError(t)


def page_form(
    attempt_id: int, page: int, right: bool | list[bool] = True, action: str = "save"
) -> MultiDict:
    """The form of one page of an attempt, every question answered right (or per ``right`` list)."""
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt_id)
    per_page = attempt.quiz.questions_per_page
    items = attempt.layout[(page - 1) * per_page : page * per_page]
    fields: list[tuple[str, str]] = [("page", str(page)), ("action", action)]
    for i, item in enumerate(items):
        ok = right if isinstance(right, bool) else right[(page - 1) * per_page + i]
        fields += answer_fields(
            db.session.get(Question, item["q"]), attempt.language, item["o"], ok
        )
    return MultiDict(fields)


def page_count(attempt_id: int) -> int:
    attempt = db.session.get(QuizAttempt, attempt_id)
    per_page = attempt.quiz.questions_per_page
    return -(-len(attempt.layout) // per_page)


def take_quiz(client, slug: str, key: str, right: bool | list[bool] = True) -> int:
    """Start (or resume) a quiz, answer every page and submit. Returns the attempt id."""
    resp = client.post(f"/learn/{slug}/quiz/{key}/start")
    assert resp.status_code == 302, resp.status_code
    assert "/attempts/" in resp.location, resp.location
    attempt_id = int(resp.location.rstrip("/").split("/")[-1].split("?")[0])
    pages = page_count(attempt_id)
    for page in range(1, pages + 1):
        action = "submit" if page == pages else f"page:{page + 1}"
        resp = client.post(
            f"/attempts/{attempt_id}", data=page_form(attempt_id, page, right, action)
        )
        assert resp.status_code == 302
    assert resp.location.endswith(f"/attempts/{attempt_id}/result")
    return attempt_id


def complete_lessons(user, course, module_key: str) -> None:
    from academy.courses.models import Module
    from academy.courses.queries import enrollment_for
    from academy.courses.services import complete_lesson

    enrollment = enrollment_for(user.id, course.id)
    module = db.session.scalar(
        select(Module).where(Module.course_id == course.id, Module.key == module_key)
    )
    for lesson in module.lessons:
        complete_lesson(enrollment, lesson)
    db.session.commit()
