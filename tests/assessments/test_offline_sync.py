"""Work done offline and sent later through /sync: applied in order, each action once
(however often a browser or a second tab sends it), and a timed quiz's deadline still rules."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select, update

from academy.assessments.enums import AttemptState
from academy.assessments.models import QuizAttempt
from academy.core.audit import AuditEvent
from academy.core.models import utcnow
from academy.courses.models import LessonProgress
from academy.extensions import db
from academy.offline.models import SyncReceipt
from tests.assessments.conftest import page_count, page_form, set_quiz
from tests.conftest import csrf_token_from, login, make_test_app


def start(client, key: str = "one") -> int:
    resp = client.post(f"/learn/quizzed/quiz/{key}/start")
    return int(resp.location.split("/attempts/")[1].split("?")[0])


def fields(attempt_id: int, page: int, right=True) -> list[list[str]]:
    return [[k, v] for k, v in page_form(attempt_id, page, right, "autosave").items(multi=True) if k != "action"]


def sync(client, *actions, user=None):
    body = {"actions": list(actions)}
    if user is not None:
        body["user"] = user
    return client.post("/sync", json=body)


def test_lessons_marked_complete_offline_count_once_when_the_queue_is_sent_twice(learner, login_as):
    client = login_as(learner)
    actions = [{"key": f"complete-{les}-0001", "type": "complete", "course": "quizzed", "module": "one",
                "lesson": les} for les in ("first",)]
    first = sync(client, *actions).get_json()["results"]
    again = sync(client, *actions).get_json()["results"]  # a second tab, or a reply lost on the way
    assert [r["status"] for r in first] == ["applied"]
    assert [r["status"] for r in again] == ["duplicate"] and again[0]["outcome"] == "applied"
    assert db.session.scalar(select(func.count(LessonProgress.id)).where(LessonProgress.completed_at.is_not(None))) == 1
    assert db.session.scalar(select(func.count(SyncReceipt.id))) == 1
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "offline.synced")) == 1


def test_quiz_answers_and_submit_queued_offline_are_applied_in_order_once(learner, login_as):
    client = login_as(learner)
    attempt_id = start(client)
    assert page_count(attempt_id) == 2
    queued = [
        {"key": "answers-page1-wrong", "type": "answers", "attempt": attempt_id,
         "fields": fields(attempt_id, 1, False)},
        {"key": "answers-page1-right", "type": "answers", "attempt": attempt_id, "fields": fields(attempt_id, 1, True)},
        {"key": "submit-page2-right", "type": "submit", "attempt": attempt_id, "fields": fields(attempt_id, 2, True)},
    ]
    results = sync(client, *queued).get_json()["results"]
    assert [r["status"] for r in results] == ["applied", "applied", "applied"]
    assert [r["status"] for r in sync(client, *queued).get_json()["results"]] == ["duplicate"] * 3
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.state == AttemptState.GRADED and attempt.score == 100.0  # the later answers won


def test_a_timed_quiz_answer_that_arrives_after_the_deadline_is_not_kept_and_the_learner_is_told(learner, login_as):
    set_quiz("one", time_limit_minutes=10)
    client = login_as(learner)
    attempt_id = start(client)
    client.post(f"/attempts/{attempt_id}", data=page_form(attempt_id, 1, True, "page:2"))  # in time, online
    late = {"key": "late-submit-0001", "type": "submit", "attempt": attempt_id, "fields": fields(attempt_id, 2)}
    db.session.execute(update(QuizAttempt).where(QuizAttempt.id == attempt_id)
                       .values(deadline_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    result = sync(client, late).get_json()["results"][0]
    assert result["status"] == "late" and "time limit" in result["message"]
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.expired_at is not None and attempt.score == round(100 * 5 / 7, 2)


def test_another_learners_attempt_and_a_bad_action_are_refused_without_stopping_the_rest(learner, make_user,
                                                                                       login_as, app):
    client = login_as(learner)
    attempt_id = start(client)
    other = make_user(preferred_language="en")
    other_client = app.test_client()
    login(other_client, other)
    results = sync(other_client,
                   {"key": "steal-answers-01", "type": "answers", "attempt": attempt_id, "fields": []},
                   {"key": "x", "type": "answers"},
                   {"key": "bad-fields-0001", "type": "answers", "attempt": attempt_id, "fields": "not a list"},
                   {"key": "unknown-kind-01", "type": "delete-everything"}).get_json()["results"]
    assert [r["status"] for r in results] == ["refused", "refused", "refused", "refused"]
    assert db.session.scalar(select(func.count(SyncReceipt.id))) == 2  # only the well-formed ones are remembered


def test_work_queued_by_another_account_on_the_same_browser_is_not_applied(learner, login_as):
    client = login_as(learner)
    resp = sync(client, {"key": "someone-elses-01", "type": "complete", "course": "quizzed", "module": "one",
                         "lesson": "first"}, user=learner.id + 1000)
    assert resp.status_code == 409
    assert db.session.scalar(select(func.count(SyncReceipt.id))) == 0


def test_sync_needs_a_csrf_token_which_the_token_endpoint_gives(learner, tmp_path, database_url, app):
    live = make_test_app(tmp_path, database_url, WTF_CSRF_ENABLED=True, STORAGE_DIR=app.config["STORAGE_DIR"])
    client = live.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"email": learner.email, "password": "correct horse battery staple",
                                "csrf_token": csrf_token_from(login_page)})
    action = {"key": "csrf-check-0001", "type": "complete", "course": "quizzed", "module": "one", "lesson": "first"}
    assert client.post("/sync", json={"actions": [action]}).status_code == 400  # no token: refused
    token = client.get("/sync/token").get_json()["csrf_token"]
    resp = client.post("/sync", json={"actions": [action]}, headers={"X-CSRFToken": token})
    assert resp.status_code == 200 and resp.get_json()["results"][0]["status"] == "applied"


def test_two_tabs_sending_the_same_queue_at_once_apply_each_action_once(learner, app, login_as):
    action = {"key": "two-tabs-0001", "type": "complete", "course": "quizzed", "module": "one", "lesson": "first"}
    clients = [login_as(learner), app.test_client()]
    login(clients[1], learner)
    barrier = threading.Barrier(2)
    statuses: list = []

    def tab(c):
        barrier.wait()
        statuses.append(c.post("/sync", json={"actions": [action]}).get_json()["results"][0]["status"])

    threads = [threading.Thread(target=tab, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(statuses) == ["applied", "duplicate"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count(SyncReceipt.id))) == 1
    assert db.session.scalar(select(func.count(LessonProgress.id)).where(LessonProgress.completed_at.is_not(None))) == 1
