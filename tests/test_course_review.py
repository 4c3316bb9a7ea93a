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
