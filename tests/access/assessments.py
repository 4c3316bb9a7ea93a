from tests.access import Row, admin_only, logged_in, staff_only

NOT_ENROLLED = {"anon": 302, "learner": 200, "other": 302, "instructor": 302, "admin": 302}
OWNER_ONLY = {"anon": 302, "learner": 200, "other": 404, "instructor": 404, "admin": 404}


def extend_world(w):
    """The quizzed fixture course: the learner has one graded attempt and one open attempt."""
    from sqlalchemy import select

    from academy.assessments.models import Quiz
    from academy.assessments.services import start_attempt, submit_attempt
    from academy.courses.package import load_package
    from academy.courses.services import enroll, import_package
    from academy.extensions import db
    from tests.conftest import FIXTURES

    w.quiz_course, _summary = import_package(load_package(FIXTURES / "quizzed"))
    enrollment = enroll(w.learner, w.quiz_course, "en")
    db.session.flush()
    w.quiz = db.session.scalar(
        select(Quiz).where(Quiz.course_id == w.quiz_course.id, Quiz.key == "one")
    )
    w.graded_attempt = start_attempt(w.quiz, enrollment)
    db.session.flush()
    submit_attempt(w.graded_attempt)
    w.open_attempt = start_attempt(w.quiz, enrollment)
    db.session.flush()


ROWS = [
    Row("assessments.quiz", lambda w: "/learn/quizzed/quiz/one", NOT_ENROLLED),
    Row(
        "assessments.start",
        lambda w: "/learn/quizzed/quiz/one/start",
        {"anon": 302, "learner": 302, "other": 403, "instructor": 403, "admin": 403},
        method="POST",
    ),
    Row("assessments.attempt", lambda w: f"/attempts/{w.open_attempt.id}", OWNER_ONLY),
    Row(
        "assessments.save_page",
        lambda w: f"/attempts/{w.open_attempt.id}",
        {**OWNER_ONLY, "learner": 302},
        method="POST",
        data=lambda w: {"page": "1", "action": "save"},
    ),
    Row(
        "assessments.result",
        lambda w: f"/attempts/{w.graded_attempt.id}/result",
        {**OWNER_ONLY, "admin": 200},
    ),
    Row("assessments.my_attempts", lambda w: "/attempts/", logged_in(200)),
    Row(
        "assessments.user_attempts", lambda w: f"/admin/users/{w.learner.id}/attempts", admin_only()
    ),
    Row("assessments.quiz_list", lambda w: "/quizzes/", staff_only()),
    Row("assessments.quiz_stats", lambda w: f"/quizzes/{w.quiz.id}/stats", staff_only()),
]
