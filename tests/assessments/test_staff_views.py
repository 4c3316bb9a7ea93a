"""What instructors and admins see of quizzes; the demo data's quiz attempts."""

from __future__ import annotations

from sqlalchemy import func, select

from academy.assessments.enums import AttemptState
from academy.assessments.models import Quiz, QuizAttempt
from academy.extensions import db
from tests.assessments.conftest import quiz_named, take_quiz
from tests.conftest import login


def test_only_admins_see_who_took_a_quiz(learner, login_as, make_user):
    take_quiz(login_as(learner), "quizzed", "one", right=True)
    quiz = quiz_named("one")
    staff = login_as(make_user("instructor"))
    page = staff.get(f"/quizzes/{quiz.id}/stats").get_data(as_text=True)
    assert learner.full_name not in page and "Latest attempts" not in page
    admin = staff.application.test_client()
    login(admin, make_user("admin"))
    page = admin.get(f"/quizzes/{quiz.id}/stats").get_data(as_text=True)
    assert "Latest attempts" in page and learner.full_name in page
    assert f"/admin/users/{learner.id}/attempts" in page


def test_the_learner_sees_their_own_attempt_history(learner, login_as):
    client = login_as(learner)
    take_quiz(client, "quizzed", "one", right=False)
    take_quiz(client, "quizzed", "one", right=True)
    page = client.get("/attempts/").get_data(as_text=True)
    assert page.count("Not passed") == 1 and page.count(">Passed<") == 1
    assert "Quiz: Module one" in page


def test_demo_learners_take_quizzes_and_some_complete_the_course(app, app_ctx):
    from academy.courses.models import Enrollment

    app.config["DEMO_PASSWORD"] = "demo password for tests"
    try:
        result = app.test_cli_runner().invoke(args=["academy", "seed-demo"])
    finally:
        app.config["DEMO_PASSWORD"] = None
    assert result.exit_code == 0, result.output
    graded = db.session.scalar(
        select(func.count(QuizAttempt.id)).where(QuizAttempt.state == AttemptState.GRADED)
    )
    assert graded > 0
    assert not db.session.scalar(
        select(func.count(QuizAttempt.id)).where(QuizAttempt.state != AttemptState.GRADED)
    )
    # (The certification demo may also complete enrolments directly, without the exam.)
    examined = db.session.scalars(
        select(Enrollment).where(
            Enrollment.completed_at.is_not(None),
            Enrollment.id.in_(
                select(QuizAttempt.enrollment_id).join(Quiz).where(Quiz.key == "final-exam", QuizAttempt.is_passed)
            ),
        )
    ).all()
    assert examined, "some pilot learners finish DL177 by passing its final exam"
    for e in examined:
        assert e.final_score is not None and e.final_score >= 70
        assert e.completed_at.year < 2026  # the story's dates, not the seeding moment
