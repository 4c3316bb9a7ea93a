"""An API world: learners with progress, a quiz result, a certificate, tokens of every kind."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from academy.extensions import db


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def api_world(app_ctx, make_user, import_course):
    from academy.api.models import TokenKind
    from academy.api.services import SCOPES, create_token
    from academy.assessments.models import Quiz
    from academy.assessments.services import grade_attempt, start_attempt, submit_attempt
    from academy.certificates.services import issue_for_enrollment
    from academy.courses.models import Lesson, Module
    from academy.courses.services import complete_lesson, enroll
    from tests.conftest import FIXTURES

    w = SimpleNamespace()
    w.course = import_course()
    w.quizzed = import_course(FIXTURES / "quizzed")
    w.admin = make_user("admin")
    w.learner = make_user("learner", full_name="Ada Learner")
    w.other = make_user("learner", full_name="Other Learner")
    w.enrolment = enroll(w.learner, w.course, "fr")
    db.session.flush()
    for lesson in db.session.scalars(db.select(Lesson).join(Module).where(Module.course_id == w.course.id)
                                     .order_by(Module.position, Lesson.position)):
        complete_lesson(w.enrolment, lesson)
    w.other_enrolment = enroll(w.other, w.course, "en")
    quizzed = enroll(w.learner, w.quizzed, "en")
    db.session.flush()
    module_one = next(m for m in w.quizzed.modules if m.key == "one")
    for lesson in module_one.lessons:
        complete_lesson(quizzed, lesson)
    quiz = db.session.scalar(db.select(Quiz).where(Quiz.module_id == module_one.id))
    attempt = start_attempt(quiz, quizzed)
    submit_attempt(attempt)
    if attempt.graded_at is None:
        grade_attempt(attempt)
    w.attempt = attempt
    db.session.commit()
    w.certificate = issue_for_enrollment(w.enrolment)
    db.session.commit()
    w.token, w.secret = create_token(name="Everything", scopes=list(SCOPES), created_by=w.admin)
    w.personal, w.personal_secret = create_token(name="Mine", kind=TokenKind.PERSONAL, owner=w.learner,
                                                 created_by=w.learner)
    db.session.commit()
    return w
