"""Admin console and quizzes: preview in any language, question changes in an upload,
a learner's attempts on the user page."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select

from academy.assessments.models import QuizAttempt
from academy.extensions import db
from tests.conftest import FIXTURES
from tests.test_admin_courses import upload, zip_folder

QUIZZED = FIXTURES / "quizzed"


@pytest.fixture
def as_admin(make_user, login_as):
    return login_as(make_user("admin"))


@pytest.fixture
def quizzed(import_course):
    return import_course(QUIZZED)


def test_admin_previews_a_quiz_in_french_without_an_attempt(as_admin, quizzed):
    page = as_admin.get(f"/admin/courses/{quizzed.id}").get_data(as_text=True)
    assert f"/admin/courses/{quizzed.id}/preview/fr/quiz/two" in page and "Final exam" in page

    page = as_admin.get(f"/admin/courses/{quizzed.id}/preview/fr/quiz/two").get_data(as_text=True)
    assert "Quel office gère Espacenet ?" in page and "OEB" in page
    assert 'lang="fr"' in page and "Pass mark" in page
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 0

    revealed = as_admin.get(f"/admin/courses/{quizzed.id}/preview/en/quiz/one?answers=1").get_data(as_text=True)
    assert "WIPO&#39;s headquarters are in Geneva." in revealed or "WIPO's headquarters are in Geneva." in revealed
    assert as_admin.get(f"/admin/courses/{quizzed.id}/preview/fr/quiz/nope").status_code == 404
    assert as_admin.get(f"/admin/courses/{quizzed.id}/preview/ar/quiz/two").status_code == 404


def test_upload_preview_lists_new_changed_and_retired_questions(as_admin, quizzed, tmp_path):
    package = tmp_path / "quizzed"
    shutil.copytree(QUIZZED, package)
    for lang, extra in (("en", "Which office runs PATENTSCOPE?"), ("fr", "Quel office gère PATENTSCOPE ?")):
        quiz = package / lang / "two" / "quiz.yaml"
        text = quiz.read_text().split("  - key: espacenet")[0]  # drop "espacenet"
        text += f'  - key: patentscope\n    type: true_false\n    prompt: "{extra}"\n    answer: true\n'
        quiz.write_text(text)
    fr_one = package / "fr" / "one" / "quiz.yaml"
    fr_one.write_text(fr_one.read_text().replace("Genève", "Genève (Suisse)", 1))

    resp = upload(as_admin, zip_folder(package))
    assert resp.status_code == 302, resp.get_data(as_text=True)
    page = as_admin.get(resp.headers["Location"]).get_data(as_text=True)
    assert "New quiz questions (1)" in page and "two/patentscope" in page
    assert "Quiz questions to retire (1)" in page and "two/espacenet" in page
    assert "Changed quiz questions (1)" in page and "one/capital (text: fr)" in page


def test_user_page_lists_quiz_attempts(as_admin, quizzed, make_user):
    from academy.assessments import queries as quiz_queries
    from academy.assessments.services import start_attempt
    from academy.courses.services import enroll

    learner = make_user(full_name="Quiz Taker")
    enrollment = enroll(learner, quizzed, "fr")
    db.session.flush()
    start_attempt(quiz_queries.quiz_by_key(quizzed.id, "one"), enrollment)
    db.session.commit()
    page = as_admin.get(f"/admin/people/{learner.id}").get_data(as_text=True)
    assert "Quiz attempts" in page and "Quiz: Module un" in page and "QUIZ1" in page
    assert f"/admin/users/{learner.id}/attempts" in page
