"""Attempts that lose nothing: saving, resuming, submitting once, expiry, limits, locks."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select, update

from academy.assessments.enums import AttemptState
from academy.assessments.models import AttemptAnswer, QuizAttempt
from academy.core.models import utcnow
from academy.courses.queries import enrollment_for
from academy.extensions import db
from tests.assessments.conftest import complete_lessons, page_form, quiz_named, set_quiz, take_quiz
from tests.conftest import login, make_test_app


def graded_count() -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count(QuizAttempt.id)).where(QuizAttempt.state == AttemptState.GRADED)
    )


def start(client, key: str = "one") -> int:
    resp = client.post(f"/learn/quizzed/quiz/{key}/start")
    assert resp.status_code == 302 and "/attempts/" in resp.location, resp.location
    return int(resp.location.split("/attempts/")[1].split("?")[0])


def test_learner_fails_retakes_and_passes_a_module_quiz(learner, login_as):
    client = login_as(learner)
    first = take_quiz(client, "quizzed", "one", right=False)
    page = client.get(f"/attempts/{first}/result").get_data(as_text=True)
    assert "Not passed" in page and "0%" in page
    second = take_quiz(client, "quizzed", "one", right=True)
    page = client.get(f"/attempts/{second}/result").get_data(as_text=True)
    assert "Passed" in page and "100%" in page
    attempts = db.session.scalars(select(QuizAttempt).order_by(QuizAttempt.number)).all()
    assert [(a.number, a.score, a.is_passed) for a in attempts] == [
        (1, 0.0, False),
        (2, 100.0, True),
    ]
    history = client.get("/learn/quizzed/quiz/one").get_data(as_text=True)
    assert "Passed. Best score: 100%" in history


def test_partial_credit_adds_up_to_the_attempt_score(learner, login_as):
    client = login_as(learner)
    # 7 questions, shown in authored order: right, right, wrong, wrong, right, right, wrong.
    attempt_id = take_quiz(
        client, "quizzed", "one", right=[True, True, False, False, True, True, False]
    )
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.score == round(100 * 4 / 7, 2)
    assert attempt.is_passed is False  # pass mark 70


def test_answers_are_saved_per_page_and_a_reload_shows_them(learner, login_as):
    client = login_as(learner)
    attempt_id = start(client)
    resp = client.post(f"/attempts/{attempt_id}", data=page_form(attempt_id, 1, True, "page:2"))
    assert resp.location.endswith(f"/attempts/{attempt_id}?page=2")
    assert db.session.scalar(select(func.count(AttemptAnswer.id))) == 5
    page1 = client.get(f"/attempts/{attempt_id}?page=1").get_data(as_text=True)
    assert page1.count(" checked") >= 3  # single, multiple (3 boxes), true/false
    assert "5 of 7 questions answered" in page1
    # A second tab (a new session for the same learner) resumes the same attempt.
    other_tab = client.application.test_client()
    login(other_tab, learner)
    assert start(other_tab) == attempt_id


def test_the_attempt_page_carries_the_other_pages_inert_for_paging_offline(learner, login_as):
    client = login_as(learner)
    attempt_id = start(client)
    client.post(f"/attempts/{attempt_id}", data=page_form(attempt_id, 2, True, "page:1"))
    attempt = db.session.get(QuizAttempt, attempt_id)
    page1 = client.get(f"/attempts/{attempt_id}?page=1").get_data(as_text=True)
    open_part, _sep, other = page1.partition('<template data-attempt-page="2">')
    other = other[:other.index("</template>")]
    # Page 1 is the form's; page 2 (with its saved answers) waits in a template, which a browser
    # neither shows nor posts: without JavaScript, paging stays the server's.
    assert [f'data-question="{item["q"]}"' in open_part for item in attempt.layout] == [True] * 5 + [False] * 2
    assert all(f'data-question="{item["q"]}"' in other for item in attempt.layout[5:])
    assert " checked" in other or " selected" in other
    assert "<template" not in open_part


def test_autosave_answers_in_json_and_says_closed_once_submitted(learner, login_as):
    client = login_as(learner)
    attempt_id = start(client)
    headers = {"Accept": "application/json"}
    resp = client.post(
        f"/attempts/{attempt_id}", data=page_form(attempt_id, 1, True, "autosave"), headers=headers
    )
    assert resp.status_code == 200 and resp.get_json()["status"] == "saved"
    client.post(f"/attempts/{attempt_id}", data=page_form(attempt_id, 2, True, "submit"))
    resp = client.post(
        f"/attempts/{attempt_id}", data=page_form(attempt_id, 1, False, "autosave"), headers=headers
    )
    assert resp.status_code == 409
    assert resp.get_json()["redirect"].endswith(f"/attempts/{attempt_id}/result")
    assert (
        db.session.get(QuizAttempt, attempt_id).score == 100.0
    )  # the late autosave changed nothing


def test_double_submit_grades_once_and_a_stale_form_shows_the_result(learner, login_as):
    client = login_as(learner)
    attempt_id = start(client)
    client.post(f"/attempts/{attempt_id}", data=page_form(attempt_id, 1, True, "page:2"))
    form = page_form(attempt_id, 2, True, "submit")
    first = client.post(f"/attempts/{attempt_id}", data=form)
    second = client.post(f"/attempts/{attempt_id}", data=form)
    assert first.status_code == second.status_code == 302
    assert second.location.endswith(f"/attempts/{attempt_id}/result")
    page = client.get(second.location).get_data(as_text=True)
    assert "This attempt was already submitted" in page and "100%" in page
    assert graded_count() == 1
    assert db.session.scalar(select(func.count(AttemptAnswer.id))) == 7


def test_two_sessions_submitting_at_once_produce_exactly_one_graded_attempt(app, learner, login_as):
    client = login_as(learner)
    attempt_id = start(client)
    client.post(f"/attempts/{attempt_id}", data=page_form(attempt_id, 1, True, "page:2"))
    form = page_form(attempt_id, 2, True, "submit")
    clients = [client, app.test_client()]
    login(clients[1], learner)
    barrier = threading.Barrier(2)
    results: list = []

    def submit(c):
        barrier.wait()
        results.append(c.post(f"/attempts/{attempt_id}", data=form))

    threads = [threading.Thread(target=submit, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(r.status_code for r in results) == [302, 302]
    assert [r.location for r in results] == [f"/attempts/{attempt_id}/result"] * 2
    assert graded_count() == 1
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.score == 100.0 and attempt.graded_at is not None
    assert db.session.scalar(select(func.count(AttemptAnswer.id))) == 7


def test_two_starts_at_once_open_a_single_attempt(app, learner, login_as):
    clients = [login_as(learner), app.test_client()]
    login(clients[1], learner)
    barrier = threading.Barrier(2)
    locations: list = []

    def go(c):
        barrier.wait()
        locations.append(c.post("/learn/quizzed/quiz/one/start").location)

    threads = [threading.Thread(target=go, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(QuizAttempt.id))) == 1
    assert len(set(locations)) == 1 and "/attempts/" in locations[0]


def test_submit_after_the_time_limit_grades_only_what_was_saved_in_time(learner, login_as):
    set_quiz("one", time_limit_minutes=10)
    client = login_as(learner)
    attempt_id = start(client)
    client.post(
        f"/attempts/{attempt_id}", data=page_form(attempt_id, 1, True, "page:2")
    )  # 5 right, saved
    db.session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt_id)
        .values(deadline_at=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()
    resp = client.post(f"/attempts/{attempt_id}", data=page_form(attempt_id, 2, True, "submit"))
    assert resp.location.endswith(f"/attempts/{attempt_id}/result")
    page = client.get(resp.location).get_data(as_text=True)
    assert "Time ran out" in page
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert (
        attempt.state == AttemptState.GRADED
        and attempt.expired_at is not None
        and attempt.submitted_at is None
    )
    assert attempt.score == round(100 * 5 / 7, 2)  # page 2 arrived too late
    assert graded_count() == 1


def test_a_late_autosave_closes_and_grades_the_attempt_although_it_answers_409(learner, login_as):
    set_quiz("one", time_limit_minutes=10)
    client = login_as(learner)
    attempt_id = start(client)
    client.post(f"/attempts/{attempt_id}", data=page_form(attempt_id, 1, True, "page:2"))  # saved in time
    db.session.execute(
        update(QuizAttempt).where(QuizAttempt.id == attempt_id).values(deadline_at=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()
    resp = client.post(f"/attempts/{attempt_id}", data=page_form(attempt_id, 2, True, "autosave"),
                       headers={"Accept": "application/json"})
    assert resp.status_code == 409 and resp.get_json()["status"] == "closed"
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.state == AttemptState.GRADED and attempt.expired_at is not None  # kept, not rolled back
    assert graded_count() == 1


def test_the_server_expires_an_abandoned_timed_attempt(learner, login_as):
    set_quiz("one", time_limit_minutes=5)
    client = login_as(learner)
    attempt_id = start(client)
    db.session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt_id)
        .values(deadline_at=utcnow() - timedelta(hours=1))
    )
    db.session.commit()
    resp = client.get(f"/attempts/{attempt_id}")
    assert resp.location.endswith(f"/attempts/{attempt_id}/result")
    attempt = db.session.get(QuizAttempt, attempt_id)
    db.session.refresh(attempt)
    assert attempt.state == AttemptState.GRADED and attempt.score == 0.0


def test_an_answer_just_inside_the_grace_period_is_kept(learner, login_as):
    set_quiz("one", time_limit_minutes=10)
    client = login_as(learner)
    attempt_id = start(client)
    db.session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt_id)
        .values(deadline_at=utcnow() - timedelta(seconds=5))
    )
    db.session.commit()
    client.post(f"/attempts/{attempt_id}", data=page_form(attempt_id, 1, True, "page:2"))
    client.post(f"/attempts/{attempt_id}", data=page_form(attempt_id, 2, True, "submit"))
    attempt = db.session.get(QuizAttempt, attempt_id)
    db.session.refresh(attempt)
    assert attempt.submitted_at is not None and attempt.score == 100.0


def test_an_attempt_resumes_after_a_server_restart(app, database_url, learner, login_as, tmp_path):
    client = login_as(learner)
    attempt_id = start(client)
    client.post(f"/attempts/{attempt_id}", data=page_form(attempt_id, 1, True, "page:2"))
    # A new app instance (a restarted server) on the same database.
    restarted = make_test_app(tmp_path, database_url)
    new_client = restarted.test_client()
    login(new_client, learner)
    assert start(new_client) == attempt_id
    page = new_client.get(f"/attempts/{attempt_id}?page=1").get_data(as_text=True)
    assert "5 of 7 questions answered" in page
    resp = new_client.post(f"/attempts/{attempt_id}", data=page_form(attempt_id, 2, True, "submit"))
    assert resp.location.endswith("/result")
    with restarted.app_context():
        db.session.remove()
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt_id).score == 100.0


def test_starting_beyond_the_maximum_attempts_is_refused_with_the_reason(learner, login_as):
    set_quiz("one", max_attempts=2)
    client = login_as(learner)
    take_quiz(client, "quizzed", "one", right=False)
    take_quiz(client, "quizzed", "one", right=False)
    resp = client.post("/learn/quizzed/quiz/one/start")
    assert resp.location.endswith("/learn/quizzed/quiz/one")
    page = client.get(resp.location).get_data(as_text=True)
    assert "You have used all 2 attempts allowed for this quiz." in page
    assert db.session.scalar(select(func.count(QuizAttempt.id))) == 2


def test_the_waiting_period_between_attempts_is_enforced(learner, login_as):
    set_quiz("one", wait_minutes=30)
    client = login_as(learner)
    first = take_quiz(client, "quizzed", "one", right=False)
    resp = client.post("/learn/quizzed/quiz/one/start")
    page = client.get(resp.location).get_data(as_text=True)
    assert "You can start your next attempt at" in page
    db.session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == first)
        .values(submitted_at=utcnow() - timedelta(minutes=31))
    )
    db.session.commit()
    assert "/attempts/" in client.post("/learn/quizzed/quiz/one/start").location


def test_the_quiz_of_a_locked_module_cannot_be_started(learner, login_as, quizzed):
    client = login_as(learner)
    resp = client.post("/learn/quizzed/quiz/two/start")
    page = client.get(resp.location).get_data(as_text=True)
    assert "This quiz opens when you complete “Module one”." in page
    assert db.session.scalar(select(func.count(QuizAttempt.id))) == 0


def test_passing_the_quiz_completes_the_module_and_unlocks_the_next(learner, login_as, quizzed):
    client = login_as(learner)
    complete_lessons(learner, quizzed, "one")
    home = client.get("/learn/quizzed/").get_data(as_text=True)
    assert (
        "Locked: this module opens when you complete “Module one”." in home
    )  # lessons alone are not enough
    assert "Take the quiz" in home
    take_quiz(client, "quizzed", "one", right=True)
    home = client.get("/learn/quizzed/").get_data(as_text=True)
    assert "Locked: this module opens" not in home
    assert "Module complete" in home
    assert "/attempts/" in client.post("/learn/quizzed/quiz/two/start").location


def test_the_course_completes_when_the_final_exam_is_passed_with_the_best_score(
    learner, login_as, quizzed
):
    from academy.core.signals import course_completed

    fired = []

    def on_completed(sender, enrollment):
        fired.append((enrollment.id, enrollment.final_score))

    course_completed.connect(on_completed)
    try:
        client = login_as(learner)
        resp = client.post("/learn/quizzed/quiz/final-exam/start")
        page = client.get(resp.location).get_data(as_text=True)
        assert "The final exam opens when you have completed every module." in page
        for key in ("one", "two"):
            complete_lessons(learner, quizzed, key)
            take_quiz(client, "quizzed", key, right=True)
        enrollment = enrollment_for(learner.id, quizzed.id)
        assert enrollment.completed_at is None  # the final exam is still to pass
        take_quiz(client, "quizzed", "final-exam", right=[True, False, False])  # 33%: fail
        db.session.expire_all()
        assert enrollment_for(learner.id, quizzed.id).completed_at is None
        take_quiz(client, "quizzed", "final-exam", right=[True, True, False])  # 66.67%: pass (60)
        db.session.expire_all()
        enrollment = enrollment_for(learner.id, quizzed.id)
        assert enrollment.status.value == "completed" and enrollment.final_score == 66.67
        assert fired == [(enrollment.id, 66.67)]
        take_quiz(client, "quizzed", "final-exam", right=True)  # the third and last attempt
        db.session.expire_all()
        assert enrollment_for(learner.id, quizzed.id).final_score == 100.0  # best attempt counts
        assert len(fired) == 1  # completion fires once
        home = client.get("/learn/quizzed/").get_data(as_text=True)
        assert "Completed on" in home
    finally:
        course_completed.disconnect(on_completed)


def test_the_final_exam_draws_its_questions_from_the_pool(learner, login_as, quizzed):
    for key in ("one", "two"):
        complete_lessons(learner, quizzed, key)
    client = login_as(learner)
    for key in ("one", "two"):
        take_quiz(client, "quizzed", key, right=True)
    attempt_id = start(client, "final-exam")
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert len(attempt.layout) == 3 and len(set(attempt.question_ids)) == 3
    assert attempt.deadline_at is not None
    assert "Time left:" in client.get(f"/attempts/{attempt_id}").get_data(as_text=True)


def test_review_shows_answers_only_as_the_quiz_allows(learner, login_as, quizzed, make_user):
    client = login_as(learner)
    complete_lessons(learner, quizzed, "one")
    first = take_quiz(client, "quizzed", "one", right=False)  # after_each_attempt: shown
    page = client.get(f"/attempts/{first}/result").get_data(as_text=True)
    assert "tag-right" in page and "WIPO&#39;s headquarters are in Geneva." in page
    assert "No, WIPO is in Geneva." in page  # the feedback of the option the learner chose
    take_quiz(client, "quizzed", "one", right=True)
    failed = take_quiz(client, "quizzed", "two", right=False)  # once_passed: hidden until passed
    page = client.get(f"/attempts/{failed}/result").get_data(as_text=True)
    assert "tag-right" not in page and "shown once you pass" in page
    take_quiz(client, "quizzed", "two", right=True)
    page = client.get(f"/attempts/{failed}/result").get_data(as_text=True)
    assert "tag-right" in page
    # Another learner cannot see the attempt; an admin sees everything.
    other = make_user("learner")
    other_client = client.application.test_client()
    login(other_client, other)
    assert other_client.get(f"/attempts/{failed}/result").status_code == 404
    admin_client = client.application.test_client()
    login(admin_client, make_user("admin"))
    assert admin_client.get(f"/attempts/{failed}/result").status_code == 200
    history = admin_client.get(f"/admin/users/{learner.id}/attempts").get_data(as_text=True)
    assert history.count("/result") == 4


def test_staff_see_quiz_statistics_per_language_and_overall(learner, login_as, quizzed, make_user):
    from academy.courses.services import enroll

    client = login_as(learner)
    take_quiz(client, "quizzed", "one", right=True)
    french = make_user("learner", preferred_language="fr")
    enroll(french, quizzed, "fr")
    db.session.commit()
    fr_client = client.application.test_client()
    login(fr_client, french)
    take_quiz(fr_client, "quizzed", "one", right=[False, True, True, True, True, True, True])
    staff = client.application.test_client()
    login(staff, make_user("instructor"))
    quiz = quiz_named("one")
    assert f"/quizzes/{quiz.id}/stats" in staff.get("/quizzes/").get_data(as_text=True)
    page = staff.get(f"/quizzes/{quiz.id}/stats").get_data(as_text=True)
    assert 'data-stat="attempts">2<' in page and 'data-stat="pass-rate">100%<' in page
    capital = page[page.index('data-question-key="capital"') :]
    assert "<td data-share-correct>50%</td>" in capital[:800]
    page = staff.get(f"/quizzes/{quiz.id}/stats?language=fr").get_data(as_text=True)
    assert 'data-stat="attempts">1<' in page
    capital = page[page.index('data-question-key="capital"') :]
    assert "<td data-share-correct>0%</td>" in capital[:800] and "Quelle ville" in capital[:800]
