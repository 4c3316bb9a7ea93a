"""When the source of a lesson or quiz question changes, its translations show as out of date."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from tests.conftest import FIXTURES, login


@pytest.fixture
def package(tmp_path):
    dest = tmp_path / "quizzed"
    shutil.copytree(FIXTURES / "quizzed", dest)
    return dest


def import_cli(app, path):
    result = app.test_cli_runner().invoke(args=["academy", "courses", "import", str(path)])
    assert result.exit_code == 0, result.output
    return result.output


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_editing_the_english_sources_lists_their_french_translations_as_out_of_date(
        app, app_ctx, package, make_user, client):
    from academy.courses.freshness import stale_translations
    from academy.courses.models import Course
    from academy.extensions import db

    assert "out of date" not in import_cli(app, package)
    # An author edits an English lesson and an English quiz question; the French stays as it was.
    edit(package / "en" / "one" / "first.md", "Some text about patents.", "Some text about patents and designs.")
    edit(package / "en" / "one" / "quiz.yaml", "Which city is the seat of WIPO?", "In which city is WIPO?")
    output = import_cli(app, package)
    assert "out of date in fr: 2 translation(s)" in output
    assert "lesson first: First lesson (en)" in output and "question one/capital: In which city is WIPO?" in output

    course = db.session.scalar(db.select(Course))
    login(client, make_user("admin"))
    page = client.get(f"/admin/courses/{course.id}").get_data(as_text=True)
    assert 'data-language="fr"' in page
    assert 'data-stale="lesson:first"' in page and 'data-stale="question:one/capital"' in page

    # The translator updates the French lesson: it is current again; the question still lags.
    edit(package / "fr" / "one" / "first.md", "Some text about patents.", "Du texte sur les brevets et dessins.")
    output = import_cli(app, package)
    assert "lesson first" not in output and "question one/capital" in output
    assert [i.key for i in stale_translations(course)["fr"]] == ["one/capital"]
    # Importing again without changes changes nothing: the question stays out of date.
    assert "question one/capital" in import_cli(app, package)


def test_a_translator_can_say_which_source_version_a_lesson_was_translated_from(app, app_ctx, package):
    from academy.courses.freshness import stale_translations
    from academy.courses.models import Course
    from academy.extensions import db

    import_cli(app, package)
    old = hashlib.sha256((package / "en" / "one" / "first.md").read_bytes()).hexdigest()
    edit(package / "en" / "one" / "first.md", "Some text about patents.", "Some text about patents and designs.")
    # The French file is touched (a typo fixed) but says it still follows the old English.
    edit(package / "fr" / "one" / "first.md", "title: First lesson (fr)",
         f"title: Première leçon\ntranslated_from: {old[:12]}")
    output = import_cli(app, package)
    assert "lesson first" in output
    course = db.session.scalar(db.select(Course))
    assert [i.key for i in stale_translations(course)["fr"]] == ["first"]
