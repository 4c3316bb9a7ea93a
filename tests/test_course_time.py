"""Honest time (issue 19): the importer computes how long a course takes from its content.

DL177 said ``estimated_hours: 10`` while its text is a one-hour read; the certificate printed
"10 hours of study". Now the time comes from the words (characters for Chinese) at a study
reading speed per language, plus the quizzes (and exercises), per language version.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from academy.certificates.models import Certificate
from academy.courses.models import CourseVersion
from academy.courses.package import STUDY_READING_SPEED, PackageError, load_package, text_length
from academy.extensions import db
from tests.conftest import FIXTURES

DL177 = Path(__file__).resolve().parents[1] / "academy" / "courses" / "packages" / "dl177"


def test_dl177_takes_what_its_text_and_quizzes_take_in_each_language(app_ctx):
    pkg = load_package(DL177)
    for lang in pkg.languages:
        words = sum(pkg.words(lang, m.key, les.key) for m in pkg.modules for les in m.lessons)
        reading = words / STUDY_READING_SPEED[lang]
        assert pkg.estimated_minutes[lang] >= reading + pkg.activity_minutes[lang] - 1, lang
        assert pkg.estimated_minutes[lang] <= reading + pkg.activity_minutes[lang] + 1, lang
    # Not the hand-written ten hours; a learner needs more than the bare reading.
    assert 90 <= pkg.estimated_minutes["en"] < 10 * 60


def test_chinese_is_counted_in_characters_and_other_languages_in_words():
    assert text_length("<p>专利合作条约 PCT</p>", "zh") == 7
    assert text_length("<p>Patent Cooperation Treaty</p>", "en") == 3


def test_a_hand_written_estimate_is_refused_with_the_reason(tmp_path, app_ctx):
    dest = tmp_path / "mini"
    shutil.copytree(FIXTURES / "mini", dest)
    manifest = dest / "course.yaml"
    manifest.write_text(manifest.read_text().replace("slug: mini\n", "slug: mini\nestimated_hours: 10\n")
                        .replace("{key: first}", "{key: first, minutes: 15}"))
    with pytest.raises(PackageError) as exc:
        load_package(dest)
    found = [str(p) for p in exc.value.problems]
    assert any(p.startswith("course.yaml:") and "estimated_hours: remove it" in p for p in found), found
    assert any("lesson 'first': minutes: remove it" in p for p in found), found


def test_the_course_page_shows_the_computed_time_of_the_language_shown(client, import_course):
    course = import_course(DL177)
    minutes = {v.language: v.estimated_minutes for v in course.versions}
    assert all(minutes.values())
    page = client.get("/courses/dl177/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    en = minutes["en"]
    assert f"about {en // 60} h {en % 60} min of study" in page
    assert "about 10 hours" not in page


def test_the_certificate_prints_the_computed_hours_of_the_learners_language(make_user, import_course):

    course = import_course(FIXTURES / "mini")
    fr = db.session.scalar(select(CourseVersion).where(CourseVersion.course_id == course.id,
                                                       CourseVersion.language == "fr"))
    fr.estimated_minutes = 200
    db.session.commit()
    from academy.courses.models import Lesson, Module
    from academy.courses.services import complete_lesson, enroll

    learner = make_user()
    enrollment = enroll(learner, course, "fr")
    db.session.flush()
    for lesson in db.session.scalars(select(Lesson).join(Module).where(Module.course_id == course.id)):
        complete_lesson(enrollment, lesson)
    db.session.commit()
    cert = db.session.scalar(select(Certificate).where(Certificate.enrollment_id == enrollment.id))
    assert cert is not None and cert.hours == 3.5  # 200 minutes, to the nearest half hour
