"""A course is never completed before the learner enrolled in it: the service refuses it and the
database refuses it (tests/test_app.py checks that the migration repairs existing rows)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from academy.core.models import frozen_clock
from academy.courses.models import Enrollment, EnrollmentStatus
from academy.courses.services import EnrollmentError, enroll, mark_completed
from academy.extensions import db

ENROLLED = datetime(2024, 5, 10, 9, 0, tzinfo=UTC)


def test_completing_a_course_at_a_moment_before_the_enrolment_is_refused(make_user, mini_course):
    learner = make_user()
    with frozen_clock(ENROLLED):
        enrollment = enroll(learner, mini_course, "en")
        db.session.commit()
    with frozen_clock(ENROLLED - timedelta(days=3)), pytest.raises(EnrollmentError) as refused:
        mark_completed(enrollment)
    assert "before" in str(refused.value) and "2024-05-10" in str(refused.value)
    db.session.rollback()
    assert db.session.get(Enrollment, enrollment.id).completed_at is None


def test_completion_at_the_moment_of_enrolment_or_later_is_accepted(make_user, mini_course):
    learner = make_user()
    with frozen_clock(ENROLLED):
        enrollment = enroll(learner, mini_course, "en")
        db.session.flush()
        assert mark_completed(enrollment)
    db.session.commit()
    assert enrollment.completed_at == ENROLLED and enrollment.status == EnrollmentStatus.COMPLETED


def test_the_database_refuses_an_enrolment_completed_before_it_started(make_user, mini_course):
    learner = make_user()
    with pytest.raises(IntegrityError):
        db.session.execute(insert(Enrollment).values(
            user_id=learner.id, course_id=mini_course.id, language="en", status=EnrollmentStatus.COMPLETED,
            enrolled_at=ENROLLED, completed_at=ENROLLED - timedelta(days=93), progress_percent=100))
        db.session.flush()
    db.session.rollback()
