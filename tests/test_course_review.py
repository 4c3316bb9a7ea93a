"""A content reviewer's figures come from the package (issue 19): the glossary report lists the
lessons that stray from a language's glossary, and `courses review` prints the README's tables."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from academy.cli import academy_cli
from academy.courses.package import PackageError, load_package

DL177 = Path(__file__).resolve().parents[1] / "academy" / "courses" / "packages" / "dl177"


@pytest.fixture
def package_copy(tmp_path, app_ctx):
    dest = tmp_path / "dl177"
    shutil.copytree(DL177, dest)
    return dest


def test_a_lesson_using_a_variant_the_glossary_avoids_is_reported_not_refused(package_copy):
    lesson = package_copy / "ru/search/why-search.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nЗаявка PCT подаётся в одно ведомство.\n",
                      encoding="utf-8")
    pkg = load_package(package_copy)  # a report, not an import error
    assert any(line.startswith("ru/search/why-search.md: 1× 'PCT', the glossary says 'РСТ'")
               for line in pkg.extra["glossary_report"])


def test_a_quiz_an_exercise_or_an_objective_using_a_variant_is_reported_as_a_lesson_is(package_copy):
    """A learner reads quizzes, exercises and objectives too: the Russian objective that said PCT went unnoticed."""
    quiz = package_copy / "ru/basics/quiz.yaml"
    quiz.write_text(quiz.read_text(encoding="utf-8").replace("Заявка РСТ в течение 12 месяцев",
                                                              "Заявка PCT в течение 12 месяцев"), encoding="utf-8")
    exercises = package_copy / "zh/search/exercises.yaml"
    text = exercises.read_text(encoding="utf-8")
    assert "您" in text
    exercises.write_text(text.replace("您", "你", 1), encoding="utf-8")
    course = package_copy / "course.yaml"
    course.write_text(course.read_text(encoding="utf-8").replace("сроки приоритета и РСТ", "сроки приоритета и PCT"),
                      encoding="utf-8")
    report = load_package(package_copy).extra["glossary_report"]
    assert "ru/basics/quiz.yaml: 1× 'PCT', the glossary says 'РСТ' (pct)" in report
    assert "zh/search/exercises.yaml: 1× '你', the glossary says '您' (you)" in report
    assert "course.yaml (ru): 1× 'PCT', the glossary says 'РСТ' (pct)" in report


def test_a_variant_inside_a_phrase_the_glossary_allows_is_not_reported(app_ctx):
    """Russian names the English acronym once ("РСТ, англ. PCT") and writes numbers as PCT/IB2004/001234:
    both are right, so DL177's report is empty and a reviewer can clear it."""
    assert "англ. PCT" in (DL177 / "ru/basics/families-priority-pct.md").read_text(encoding="utf-8")
    assert load_package(DL177).extra["glossary_report"] == []


def test_glossaries_must_have_the_same_terms_in_every_language(package_copy):
    glossary = package_copy / "fr/glossary.yaml"
    glossary.write_text(glossary.read_text(encoding="utf-8").replace("key: kind-code", "key: type-code"),
                        encoding="utf-8")
    with pytest.raises(PackageError) as exc:
        load_package(package_copy)
    assert any(str(p).startswith("fr/glossary.yaml: the glossary's keys differ") for p in exc.value.problems)


def test_the_review_command_prints_words_exercises_application_share_and_time(app):
    result = app.test_cli_runner().invoke(academy_cli, ["courses", "review", str(DL177), "--markdown"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "| basics/what-is-a-patent |" in out
    assert "| basics | 4 | 4 |" in out
    assert "| final-exam | 22 | 11 | 11 | 50% | 22 |" in out
    assert "### Estimated study time (computed by the importer)" in out


def test_the_package_readme_quotes_the_review_figures_as_they_are(app):
    """The README's tables are the command's output, pasted: regenerate them when content changes."""
    result = app.test_cli_runner().invoke(academy_cli, ["courses", "review", str(DL177), "--markdown"])
    readme = (DL177 / "README.md").read_text(encoding="utf-8")
    # Words and minutes follow every edit of a lesson; exercises and quizzes are checked here.
    figures = result.output.split("### Exercises per module")[1].split("### Estimated study time")[0]
    assert figures in readme


def test_the_review_command_names_each_problem_of_a_broken_package_and_exits_with_1(app, package_copy):
    (package_copy / "ru/search/why-search.md").unlink()
    result = app.test_cli_runner().invoke(academy_cli, ["courses", "review", str(package_copy)])
    assert result.exit_code == 1
    assert "error: " in result.output and "ru/search/why-search.md" in result.output
