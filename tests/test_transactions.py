"""A savepoint opened as a transaction's first write must stay inside that transaction.

pysqlite only sends BEGIN before INSERT/UPDATE/DELETE, not before SAVEPOINT, so on SQLite a
``begin_nested()`` that came first would start (and, at RELEASE, commit) a transaction of its
own: a later rollback of the request would leave the row behind. academy/__init__.py sends
BEGIN before such a savepoint; PostgreSQL behaves this way natively.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from academy.courses.models import Enrollment, LessonProgress
from academy.courses.services import enroll, record_visit
from academy.extensions import db


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_enrolment_rolled_back_with_its_request(make_user, mini_course):
    learner = make_user()
    db.session.commit()
    enroll(learner, mini_course, "en")
    db.session.rollback()
    assert _count(Enrollment) == 0


def test_lesson_visit_rolled_back_with_its_request(make_user, mini_course):
    learner = make_user()
    enrollment = enroll(learner, mini_course, "en")
    db.session.commit()
    lesson = mini_course.modules[0].lessons[0]
    record_visit(enrollment, lesson)
    db.session.rollback()
    assert _count(LessonProgress) == 0


def test_savepoint_rollback_keeps_outer_work(make_user, mini_course):
    learner = make_user()
    db.session.commit()
    enroll(learner, mini_course, "en")  # first write: a savepoint, released
    with pytest.raises(IntegrityError), db.session.begin_nested():  # the duplicate is refused…
        db.session.add(Enrollment(user_id=learner.id, course_id=mini_course.id, language="en"))
    db.session.commit()
    assert _count(Enrollment) == 1  # …and the first row survives
