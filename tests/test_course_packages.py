"""Course packages: validated whole, imported atomically, re-imported without losing progress."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from academy.courses.models import Course, Lesson, LessonProgress, LessonText
from academy.courses.package import PackageError, load_package
from academy.courses.services import complete_lesson, enroll, import_package
from academy.extensions import db
from tests.conftest import FIXTURES

DL177 = Path(__file__).resolve().parent.parent / "academy" / "courses" / "packages" / "dl177"


@pytest.fixture
def pkg_dir(tmp_path):
    target = tmp_path / "mini"
    shutil.copytree(FIXTURES / "mini", target)
    return target


def problems(path) -> list[str]:
    with pytest.raises(PackageError) as exc:
        load_package(path)
    return [str(p) for p in exc.value.problems]


def course_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Course))


def test_dl177_ships_three_modules_of_real_lessons_in_english_and_french():
    pkg = load_package(DL177)
    assert pkg.code == "DL177"
    assert {"en", "fr"} <= set(pkg.languages)
    assert [m.key for m in pkg.modules] == ["basics", "search", "analysis"]
    for module in pkg.modules:
        assert len(module.lessons) >= 3
        for lesson in module.lessons:
            for lang in ("en", "fr"):
                src = pkg.lessons[(lang, module.key, lesson.key)]
                assert len(src.html) > 2500, (lang, lesson.key)
                assert "lorem" not in src.html.lower()
    basics = " ".join(pkg.lessons[("en", "basics", les.key)].html for les in pkg.modules[0].lessons)
    for term in ("claim", "kind code", "famil", "INID", "PCT"):
        assert term.lower() in basics.lower(), term
    search = " ".join(pkg.lessons[("en", "search", les.key)].html for les in pkg.modules[1].lessons)
    for term in ("PATENTSCOPE", "Espacenet", "Boolean", "IPC", "CPC", "legal status"):
        assert term.lower() in search.lower(), term


def test_import_creates_the_course_and_sanitises_lesson_html(app_ctx, pkg_dir):
    course, summary = import_package(load_package(pkg_dir))
    db.session.commit()
    assert summary["created"] and summary["lessons_added"] == 4
    assert {v.language for v in course.versions} == {"en", "fr"}
    html = db.session.scalar(select(LessonText.body_html).join(Lesson).where(
        Lesson.key == "first", LessonText.language == "en"))
    assert "<script" not in html
    assert 'loading="lazy"' in html and 'alt="A diagram of a patent"' in html
    assert 'src="/courses/mini/media/diagram.png"' in html
    second = db.session.scalar(select(LessonText.body_html).join(Lesson).where(
        Lesson.key == "second", LessonText.language == "en"))
    assert "<table>" in second and "<li>one</li>" in second


def test_cli_imports_a_package(app, app_ctx, pkg_dir):
    result = app.test_cli_runner().invoke(args=["academy", "courses", "import", str(pkg_dir)])
    assert result.exit_code == 0, result.output
    assert "MINI1 created" in result.output
    result = app.test_cli_runner().invoke(args=["academy", "courses", "import", str(pkg_dir)])
    assert "MINI1 updated" in result.output
    assert course_count() == 1


def test_cli_reports_errors_with_file_and_line_and_writes_nothing(app, app_ctx, pkg_dir):
    (pkg_dir / "fr" / "two" / "fourth.md").unlink()
    result = app.test_cli_runner().invoke(args=["academy", "courses", "import", str(pkg_dir)])
    assert result.exit_code == 1
    assert "fr/two/fourth.md" in result.output and "no 'fr' text" in result.output
    assert course_count() == 0


def test_missing_manifest(pkg_dir):
    (pkg_dir / "course.yaml").unlink()
    assert any("course.yaml" in p and "missing file" in p for p in problems(pkg_dir))


def test_bad_yaml_names_the_line(pkg_dir):
    manifest = pkg_dir / "course.yaml"
    lines = manifest.read_text().splitlines()
    lines[4] = "estimated_hours: [1, 2"
    manifest.write_text("\n".join(lines))
    found = problems(pkg_dir)
    assert any(p.startswith("course.yaml:") and "invalid YAML" in p for p in found), found


def test_duplicate_key_in_yaml_is_an_error(pkg_dir):
    manifest = pkg_dir / "course.yaml"
    manifest.write_text(manifest.read_text().replace("slug: mini\n", "slug: mini\nslug: other\n"))
    found = problems(pkg_dir)
    assert any("course.yaml:3" in p and "duplicate key 'slug'" in p for p in found), found


def test_unknown_lesson_file_is_an_error(pkg_dir):
    (pkg_dir / "en" / "one" / "extra.md").write_text("---\ntitle: Extra\n---\nText\n")
    assert any("en/one/extra.md" in p and "unknown lesson key 'extra'" in p for p in problems(pkg_dir))


def test_lesson_missing_in_one_language(pkg_dir):
    (pkg_dir / "fr" / "one" / "second.md").unlink()
    found = problems(pkg_dir)
    assert found == ["fr/one/second.md: missing file: lesson 'second' has no 'fr' text"]


def test_missing_title_translation_names_the_line(pkg_dir):
    manifest = pkg_dir / "course.yaml"
    manifest.write_text(manifest.read_text().replace('title: {en: "Module two", fr: "Module deux"}',
                                                     'title: {en: "Module two"}'))
    found = problems(pkg_dir)
    assert any("course.yaml:" in p and "module 'two' title is missing the 'fr' text" in p for p in found), found


def test_missing_image_names_file_and_line(pkg_dir):
    (pkg_dir / "media" / "diagram.png").unlink()
    found = problems(pkg_dir)
    assert any(p.startswith("en/one/first.md:6") and "media/diagram.png" in p for p in found), found


def test_front_matter_without_title(pkg_dir):
    (pkg_dir / "en" / "two" / "third.md").write_text("---\nvideo: https://example.org/v\n---\nBody\n")
    assert any("en/two/third.md" in p and "title" in p for p in problems(pkg_dir))


def test_broken_package_changes_nothing_already_imported(app_ctx, pkg_dir):
    import_package(load_package(pkg_dir))
    db.session.commit()
    (pkg_dir / "en" / "one" / "first.md").write_text("---\ntitle: Changed\n---\nNew text\n")
    (pkg_dir / "fr" / "one" / "first.md").unlink()
    with pytest.raises(PackageError):
        load_package(pkg_dir)
    title = db.session.scalar(
        select(LessonText.title).join(Lesson).where(Lesson.key == "first", LessonText.language == "en"))
    assert title == "first en"


def test_reimport_updates_in_place_and_keeps_progress(app_ctx, pkg_dir, make_user):
    course, _ = import_package(load_package(pkg_dir))
    db.session.commit()
    learner = make_user()
    enrollment = enroll(learner, course, "en")
    db.session.commit()
    first = db.session.scalar(select(Lesson).where(Lesson.key == "first"))
    complete_lesson(enrollment, first)
    db.session.commit()

    (pkg_dir / "en" / "one" / "first.md").write_text("---\ntitle: First, revised\n---\nRevised text\n")
    manifest = pkg_dir / "course.yaml"
    manifest.write_text(manifest.read_text().replace("      - {key: fourth}\n", ""))
    (pkg_dir / "en" / "two" / "fourth.md").unlink()
    (pkg_dir / "fr" / "two" / "fourth.md").unlink()
    _, summary = import_package(load_package(pkg_dir))
    db.session.commit()
    assert summary["lessons_updated"] == 1 and summary["lessons_retired"] == 1
    assert db.session.scalar(select(func.count()).select_from(LessonProgress).where(
        LessonProgress.completed_at.is_not(None))) == 1
    db.session.refresh(enrollment)
    assert enrollment.progress_percent == 33  # 1 of the 3 remaining lessons
