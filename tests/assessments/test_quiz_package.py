"""Quizzes in course packages: validated on import with file and line; re-import keeps attempts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from academy.assessments.models import Question, Quiz, QuizAttempt
from academy.courses.package import PackageError, load_package
from tests.conftest import FIXTURES

DL177 = Path(__file__).resolve().parents[2] / "academy" / "courses" / "packages" / "dl177"


@pytest.fixture
def package_copy(tmp_path, app_ctx):
    dest = tmp_path / "quizzed"
    shutil.copytree(FIXTURES / "quizzed", dest)
    return dest


def problems_of(path) -> list[str]:
    with pytest.raises(PackageError) as exc:
        load_package(path)
    return [str(p) for p in exc.value.problems]


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_fixture_and_dl177_load(app_ctx):
    pkg = load_package(FIXTURES / "quizzed")
    assert [q.key for q in pkg.extra["quizzes"]] == ["one", "two", "final-exam"]


def test_dl177_ships_8_questions_per_module_quiz_and_a_final_exam_drawn_from_a_larger_pool(app_ctx):
    pkg = load_package(DL177)
    quizzes = {q.key: q for q in pkg.extra["quizzes"]}
    for module in pkg.modules:
        quiz = quizzes[module.key]
        assert len(quiz.questions) >= 8, module.key
        assert len({q.type for q in quiz.questions}) >= 4, "a quiz mixes the question types"
        for question in quiz.questions:
            assert set(question.texts) == set(pkg.languages)
    exam = quizzes["final-exam"]
    assert exam.settings["draw"] >= 10
    assert len(exam.questions) >= 2 * exam.settings["draw"]


def test_unknown_type_is_reported_with_file_and_line(package_copy):
    replace(package_copy / "fr/one/quiz.yaml", "type: true_false", "type: yes_no")
    problems = problems_of(package_copy)
    assert any(
        p.startswith("fr/one/quiz.yaml:20: question 'territorial': unknown type 'yes_no'")
        for p in problems
    ), problems


def test_single_choice_without_a_correct_option_is_refused(package_copy):
    replace(
        package_copy / "en/two/quiz.yaml",
        '{key: a, text: "EPO", correct: true}',
        '{key: a, text: "EPO"}',
    )
    problems = problems_of(package_copy)
    assert any(p.startswith("en/two/quiz.yaml:") and "no correct option" in p for p in problems), (
        problems
    )


def test_duplicate_question_and_option_keys_are_refused(package_copy):
    replace(package_copy / "en/two/quiz.yaml", "key: espacenet", "key: boolean")
    replace(
        package_copy / "en/one/quiz.yaml", '{key: c, text: "Nairobi"}', '{key: b, text: "Nairobi"}'
    )
    problems = problems_of(package_copy)
    assert any(
        p.startswith("en/two/quiz.yaml:6: duplicate question key 'boolean'") for p in problems
    ), problems
    assert any(
        p.startswith("en/one/quiz.yaml:8:") and "duplicate option key 'b'" in p for p in problems
    ), problems


def test_duplicate_yaml_mapping_keys_are_refused(package_copy):
    replace(
        package_copy / "fr/two/quiz.yaml",
        "    answer: true\n",
        "    answer: true\n    answer: false\n",
    )
    problems = problems_of(package_copy)
    assert any(
        p.startswith("fr/two/quiz.yaml:6:") and "duplicate key 'answer'" in p for p in problems
    ), problems


def test_a_question_missing_in_one_language_is_refused(package_copy):
    path = package_copy / "fr/two/quiz.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("  - key: espacenet")], encoding="utf-8")
    problems = problems_of(package_copy)
    assert any(
        p.startswith("fr/two/quiz.yaml: question 'espacenet' is missing in this language")
        for p in problems
    )


def test_a_structure_that_differs_between_languages_is_refused(package_copy):
    replace(
        package_copy / "fr/two/quiz.yaml",
        '{key: a, text: "OEB", correct: true}',
        '{key: a, text: "OEB"}',
    )
    replace(
        package_copy / "fr/two/quiz.yaml",
        '{key: b, text: "USPTO"}',
        '{key: b, text: "USPTO", correct: true}',
    )
    replace(package_copy / "fr/one/quiz.yaml", "answer: 20\n", "answer: 21\n")
    problems = problems_of(package_copy)
    assert any(
        p.startswith("fr/two/quiz.yaml:6: question 'espacenet': its structure") for p in problems
    ), problems
    assert any(
        p.startswith("fr/one/quiz.yaml:") and "question 'term': its structure" in p
        for p in problems
    )


def test_bad_settings_and_a_draw_larger_than_the_pool_are_refused(package_copy):
    replace(package_copy / "course.yaml", "draw: 3", "draw: 9")
    replace(package_copy / "course.yaml", "show_answers: once_passed", "show_answers: sometimes")
    problems = problems_of(package_copy)
    assert any(
        p.startswith("course.yaml:19: final exam: draw 9 is more than the 6 questions")
        for p in problems
    )
    assert any(
        p.startswith("course.yaml:18: module 'two' quiz: show_answers must be one of")
        for p in problems
    )


def test_a_missing_language_file_and_a_quiz_without_settings_are_refused(package_copy):
    (package_copy / "fr/final-exam.yaml").unlink()
    replace(
        package_copy / "course.yaml", "    quiz: {pass_mark: 50, show_answers: once_passed}\n", ""
    )
    problems = problems_of(package_copy)
    assert "fr/final-exam.yaml: missing file: the final exam has no 'fr' version" in problems
    assert any(
        p.startswith("en/two/quiz.yaml: module 'two' has no 'quiz:' settings") for p in problems
    )


def test_reimport_updates_questions_in_place_and_keeps_attempts(
    package_copy, import_course, make_user
):
    from academy.assessments.services import start_attempt
    from academy.courses.services import enroll
    from academy.extensions import db

    course = import_course(package_copy)
    learner = make_user()
    enrollment = enroll(learner, course, "en")
    quiz = db.session.scalar(select(Quiz).where(Quiz.key == "one"))
    attempt = start_attempt(quiz, enrollment)
    db.session.commit()
    replace(
        package_copy / "en/one/quiz.yaml", "Which city is the seat of WIPO?", "Where is WIPO based?"
    )
    path = package_copy / "en/two/quiz.yaml"
    path.write_text(path.read_text()[: path.read_text().index("  - key: espacenet")])
    path = package_copy / "fr/two/quiz.yaml"
    path.write_text(path.read_text()[: path.read_text().index("  - key: espacenet")])
    import_course(package_copy)
    assert db.session.scalar(select(func.count(QuizAttempt.id))) == 1
    assert db.session.get(QuizAttempt, attempt.id).layout == attempt.layout
    capital = db.session.scalar(select(Question).where(Question.key == "capital"))
    assert capital.spec("en")["prompt"] == "Where is WIPO based?"
    espacenet = db.session.scalar(select(Question).where(Question.key == "espacenet"))
    assert espacenet.is_retired


def test_a_prompt_repeated_in_another_quiz_is_refused(package_copy):
    replace(package_copy / "en/two/quiz.yaml", 'prompt: "AND narrows a search."', 'prompt: "Patents are territorial."')
    problems = problems_of(package_copy)
    assert any(
        p.startswith("en/two/quiz.yaml: question 'boolean' repeats the prompt of question 'territorial' in "
                     "en/one/quiz.yaml") for p in problems
    ), problems


def test_a_draw_from_a_pool_less_than_twice_its_size_is_refused(package_copy):
    replace(package_copy / "course.yaml", "draw: 3", "draw: 4")
    problems = problems_of(package_copy)
    assert any(
        p.startswith("course.yaml:19: final exam: draw 4 needs a pool of at least 8 questions (it has 6)")
        for p in problems
    ), problems


def test_skill_must_be_recall_or_apply_and_the_same_in_every_language(package_copy):
    replace(package_copy / "en/two/quiz.yaml", "    type: true_false\n", "    type: true_false\n    skill: apply\n")
    replace(package_copy / "fr/two/quiz.yaml", "    type: true_false\n", "    type: true_false\n    skill: recall\n")
    replace(package_copy / "en/one/quiz.yaml", "    type: true_false\n", "    type: true_false\n    skill: remember\n")
    problems = problems_of(package_copy)
    assert any("fr/two/quiz.yaml" in p and "skill and objective must be the same" in p for p in problems), problems
    assert any("en/one/quiz.yaml" in p and "skill must be one of recall, apply" in p for p in problems), problems
