"""Learning objectives (issue 19): the course, each module and each lesson say what the learner
will be able to do, the pages show it, and every quiz item checks one of them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from academy.courses.package import PackageError, load_package
from tests.conftest import FIXTURES

DL177 = Path(__file__).resolve().parents[1] / "academy" / "courses" / "packages" / "dl177"

OBJECTIVES = """objectives:
  - key: know-wipo
    text: {en: "Say where WIPO is", fr: "Dire où se trouve l'OMPI"}
"""


@pytest.fixture
def package_copy(tmp_path, app_ctx):
    dest = tmp_path / "quizzed"
    shutil.copytree(FIXTURES / "quizzed", dest)
    return dest


def problems_of(path) -> list[str]:
    with pytest.raises(PackageError) as exc:
        load_package(path)
    return [str(p) for p in exc.value.problems]


def test_dl177_has_objectives_for_the_course_every_module_and_every_lesson(app_ctx):
    pkg = load_package(DL177)
    assert len(pkg.objectives) >= 3
    for module in pkg.modules:
        assert module.objectives, module.key
        for lesson in module.lessons:
            assert lesson.objectives, lesson.key
    for objective in pkg.all_objectives().values():
        assert set(objective.text) == set(pkg.languages), objective.key


def test_every_dl177_quiz_item_checks_a_declared_objective_and_every_lesson_objective_is_checked(app_ctx):
    pkg = load_package(DL177)
    objectives = pkg.all_objectives()
    linked = set()
    for quiz in pkg.extra["quizzes"]:
        for question in quiz.questions:
            key = question.texts["en"]["objective"]
            assert key in objectives, question.key
            linked.add(key)
    lesson_objectives = {o.key for m in pkg.modules for les in m.lessons for o in les.objectives}
    assert lesson_objectives <= linked


def test_once_a_package_has_objectives_an_item_without_one_or_with_an_unknown_one_is_refused(package_copy):
    manifest = package_copy / "course.yaml"
    manifest.write_text(manifest.read_text().replace("modules:\n", OBJECTIVES + "modules:\n", 1))
    quiz = package_copy / "en/two/quiz.yaml"
    quiz.write_text(quiz.read_text().replace("    type: true_false\n",
                                             "    type: true_false\n    objective: nowhere\n", 1))
    problems = problems_of(package_copy)
    assert any(p.startswith("en/two/quiz.yaml:") and "unknown objective 'nowhere'" in p for p in problems), problems
    assert any(p.startswith("en/one/quiz.yaml:") and "needs an objective" in p for p in problems), problems


def test_an_objective_missing_a_language_is_refused(package_copy):
    manifest = package_copy / "course.yaml"
    manifest.write_text(manifest.read_text().replace("modules:\n", OBJECTIVES.replace(
        ', fr: "Dire où se trouve l\'OMPI"', "") + "modules:\n", 1))
    problems = problems_of(package_copy)
    assert any("objective 'know-wipo' text is missing the 'fr' text" in p for p in problems), problems


def test_the_learner_sees_the_objectives_on_the_course_page_the_course_home_and_the_lesson(
        client, import_course, make_user, login_as):
    course = import_course(DL177)
    page = client.get("/courses/dl177/").get_data(as_text=True)
    assert "By the end of the course you will be able to" in page
    assert "Read a patent document, its family, its dates and its legal status correctly" in page
    assert "Decode the front page of a patent document" in page  # a module objective
    client = login_as(make_user())
    client.post("/courses/dl177/enrol", data={"language": "fr"})
    home = client.get("/learn/dl177/").get_data(as_text=True)
    assert "Dans ce module, vous apprenez à" in home or "In this module you learn to" in home
    assert "Décoder la page de garde d&#39;un document de brevet" in home
    lesson = client.get("/learn/dl177/basics/what-is-a-patent").get_data(as_text=True)
    assert "Expliquer ce qu&#39;un brevet protège" in lesson
    assert course.code == "DL177"
