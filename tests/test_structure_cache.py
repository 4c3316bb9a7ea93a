"""The per-process course structure cache: current after every change, shared by nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from academy.core.models import utcnow
from academy.courses import services
from academy.courses.models import Course, Lesson, LessonProgress, LessonText, ModuleText
from academy.courses.queries import course_outline
from academy.courses.services import enroll, record_visit
from academy.courses.structure import lesson_body, structure
from academy.extensions import db
from tests.conftest import login


def _first_lesson(course: Course) -> Lesson:
    return course.modules[0].lessons[0]


def test_every_structural_edit_gives_the_course_a_new_token(mini_course):
    tokens = [mini_course.content_token]
    lesson = _first_lesson(mini_course)
    edits = [
        lambda: setattr(lesson, "estimated_minutes", lesson.estimated_minutes + 1),
        lambda: setattr(db.session.scalar(select(LessonText).where(LessonText.lesson_id == lesson.id)), "title", "X"),
        lambda: setattr(db.session.scalar(select(ModuleText)), "title", "Y"),
        lambda: setattr(mini_course.modules[0], "position", 7),
    ]
    for edit in edits:
        edit()
        db.session.commit()
        db.session.refresh(mini_course)
        assert mini_course.content_token not in tokens
        tokens.append(mini_course.content_token)


def test_outline_and_lesson_body_follow_an_edit(mini_course, make_user):
    learner = make_user()
    enrollment = enroll(learner, mini_course, "en")
    db.session.commit()
    lesson = _first_lesson(mini_course)
    before = course_outline(mini_course, enrollment, "en")[0].lessons[0].title
    assert structure(mini_course) is structure(mini_course)  # served from the cache
    text = db.session.scalar(select(LessonText).where(LessonText.lesson_id == lesson.id, LessonText.language == "en"))
    text.title, text.body_html = "Renamed lesson", "<p>New body</p>"
    db.session.commit()
    assert course_outline(mini_course, enrollment, "en")[0].lessons[0].title == "Renamed lesson" != before
    assert lesson_body(mini_course, lesson.id, "en").body_html == "<p>New body</p>"


def test_retired_lesson_leaves_the_outline_at_once(mini_course):
    lesson = _first_lesson(mini_course)
    keys = [les.lesson.key for m in course_outline(mini_course, None, "en") for les in m.lessons]
    assert lesson.key in keys
    lesson.is_retired = True
    db.session.commit()
    keys = [les.lesson.key for m in course_outline(mini_course, None, "en") for les in m.lessons]
    assert lesson.key not in keys


def test_lesson_page_after_edit_through_the_web(client, mini_course, make_user):
    learner = make_user()
    enroll(learner, mini_course, "en")
    db.session.commit()
    login(client, learner)
    lesson = _first_lesson(mini_course)
    module = mini_course.modules[0]
    url = f"/learn/{mini_course.slug}/{module.key}/{lesson.key}"
    assert client.get(url).status_code == 200
    text = db.session.scalar(select(LessonText).where(LessonText.lesson_id == lesson.id, LessonText.language == "en"))
    text.body_html = "<p>Fresh words</p>"
    db.session.commit()
    assert "Fresh words" in client.get(url).get_data(as_text=True)


def test_a_reload_within_the_resolution_writes_nothing(mini_course, make_user, monkeypatch):
    learner = make_user()
    enrollment = enroll(learner, mini_course, "en")
    db.session.commit()
    lesson = _first_lesson(mini_course)
    first = record_visit(enrollment, lesson)
    db.session.commit()
    visited = first.last_visited_at
    assert record_visit(enrollment, lesson) is None
    assert not db.session.dirty
    later = utcnow() + services.VISIT_RESOLUTION + timedelta(seconds=1)
    monkeypatch.setattr(services, "utcnow", lambda: later)
    row = record_visit(enrollment, lesson)
    db.session.commit()
    assert row is not None and row.last_visited_at > visited
    assert db.session.scalar(select(LessonProgress.last_visited_at)) == row.last_visited_at


def test_another_lesson_is_recorded_at_once(import_course, make_user):
    course = import_course()
    learner = make_user()
    enrollment = enroll(learner, course, "en")
    db.session.commit()
    lessons = [les for m in course.modules for les in m.lessons]
    assert len(lessons) >= 2
    record_visit(enrollment, lessons[0])
    db.session.commit()
    assert record_visit(enrollment, lessons[1]) is not None
    db.session.commit()
    assert enrollment.last_lesson_id == lessons[1].id
