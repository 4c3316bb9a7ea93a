"""Learning events become xAPI statements in an outbox; the queue sends them, never a page."""

from __future__ import annotations

import json
import re

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from academy.extensions import db
from tests.conftest import login
from tests.xapi.journey import EXPECTED_VERBS, journey


def _statements():
    from academy.xapi.models import XapiStatement

    return [r.statement for r in db.session.scalars(select(XapiStatement).order_by(XapiStatement.id))]


def test_a_learners_journey_is_recorded_as_xapi_statements(app, make_user, import_course):
    j = journey(make_user, import_course)
    mine = [s for s in _statements() if s["actor"].get("account", {}).get("name") == str(j.learner.id)]
    kinds = [(s["verb"]["id"].rsplit("/", 1)[-1], s["object"]["definition"]["type"].rsplit("/", 1)[-1])
             for s in mine]
    assert kinds[0] == ("registered", "lms")
    for expected in [("registered", "course"), ("completed", "lesson"), ("completed", "course"),
                     ("scored", "assessment"), ("passed", "objective"), ("passed", "certification"),
                     ("earned", "certificate"), ("revoked", "certificate")]:
        assert expected in kinds, expected
    assert kinds.count(("completed", "lesson")) == 5  # four in the mini course, one in the quizzed one
    assert kinds.count(("passed", "objective")) == 3  # the three phases
    assert kinds.count(("earned", "certificate")) == 2  # the course's and the certification's
    assert {s["verb"]["id"] for s in mine} >= EXPECTED_VERBS


def test_statements_name_the_learner_by_account_and_activities_in_every_language(app, make_user, import_course):
    j = journey(make_user, import_course)
    statements = _statements()
    for s in statements:
        assert s["actor"] == {"objectType": "Agent",
                              "account": {"homePage": "http://localhost/", "name": s["actor"]["account"]["name"]}}
        assert "mbox" not in json.dumps(s["actor"]) and "@" not in json.dumps(s["actor"])
        assert s["timestamp"].endswith("Z") and s["version"] == "1.0.3"
    course = next(s for s in statements if s["verb"]["id"].endswith("/completed")
                  and s["object"]["definition"]["type"].endswith("/course"))
    assert course["object"]["definition"]["name"] == {"en": "Mini course", "fr": "Mini cours"}
    lesson = next(s for s in statements if s["object"]["definition"]["type"].endswith("/lesson"))
    assert set(lesson["object"]["definition"]["name"]) == {"en", "fr"}
    assert lesson["context"]["contextActivities"]["parent"][0]["id"] == "http://localhost/courses/mini"
    quiz = next(s for s in statements if s["verb"]["id"].endswith("/scored"))
    assert quiz["result"]["score"]["raw"] == j.attempt.score
    assert quiz["result"]["success"] is bool(j.attempt.is_passed)
    assert quiz["context"]["language"] == "fr"
    assert quiz["context"]["registration"]


def test_the_email_goes_into_statements_only_when_configured(app, make_user):
    app.config["XAPI_ACTOR_EMAIL"] = True
    try:
        user = make_user("learner")
    finally:
        app.config["XAPI_ACTOR_EMAIL"] = False
    assert _statements()[-1]["actor"] == {"objectType": "Agent", "mbox": f"mailto:{user.email}"}


def test_a_page_never_waits_for_the_lrs_and_an_lrs_that_is_down_leaves_statements_for_later(
        app, client, make_user, mini_course, held_queue):
    from academy.xapi.models import XapiStatement
    from academy.xapi.services import LRSError, send_pending

    app.config["XAPI_LRS_URL"] = "http://127.0.0.1:9/xAPI"  # nothing listens on the discard port
    try:
        learner = make_user("learner")
        login(client, learner)
        resp = client.post("/courses/mini/enrol", data={"language": "en"})
        assert resp.status_code == 302 and resp.location.endswith("/learn/mini/")
        assert held_queue.pending_count() >= 1  # the send waits for a consumer
        try:
            send_pending()
        except LRSError:
            pass
        else:
            raise AssertionError("the LRS is down: the send must fail so the queue retries")
    finally:
        app.config["XAPI_LRS_URL"] = ""
    db.session.expire_all()
    rows = db.session.scalars(select(XapiStatement)).all()
    assert rows and all(r.sent_at is None and r.claimed_at is None for r in rows)
    assert all("unreachable" in (r.error or "") for r in rows)


def test_an_admin_downloads_every_statement_as_json_lines(app, client, make_user):
    admin = make_user("admin")
    make_user("learner")
    login(client, admin)
    resp = client.get("/admin/xapi/statements.jsonl")
    assert resp.status_code == 200 and resp.mimetype == "application/x-ndjson"
    lines = [json.loads(line) for line in resp.get_data(as_text=True).splitlines()]
    assert len(lines) == 2 and all(line["verb"]["id"].endswith("/registered") for line in lines)
    assert client.get("/admin/xapi/statements.jsonl?since=2999-01-01").get_data() == b""
    assert client.get("/admin/xapi/statements.jsonl?since=soon").status_code == 400



def _survey_statements() -> list[dict]:
    return [s for s in _statements() if s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/responded"]


def test_a_learner_who_answers_a_follow_up_survey_is_recorded_once_without_their_answers(app, client, make_user):
    from academy.core.models import frozen_clock
    from academy.surveys import services
    from academy.surveys.models import SurveyInvitation
    from academy.surveys.tasks import send_surveys
    from tests.surveys.world import LANGS, at, build

    learner = make_user(full_name="Lea Learner")
    w = build([learner], awarded=[at(2024, 3, 15)])
    with frozen_clock(at(2024, 9, 16)):
        send_surveys()
        invitation = db.session.scalar(select(SurveyInvitation))
        path = services.answer_path(invitation)
    assert _survey_statements() == []  # being asked is not responding

    answers = {"q_searches": "12", "q_skills": ["prior-art", "fto"], "q_service": "yes", "q_useful": "4",
               "q_story": "A farmer's irrigation valve."}
    with frozen_clock(at(2024, 9, 18)):
        client.post("/language", data={"lang": "fr"})
        assert client.post(path, data=answers).status_code == 302
    [stmt] = _survey_statements()
    assert stmt["actor"] == {"objectType": "Agent",
                             "account": {"homePage": "http://localhost/", "name": str(learner.id)}}
    assert stmt["verb"] == {"id": "http://adlnet.gov/expapi/verbs/responded", "display": {"en-US": "responded"}}
    survey = stmt["object"]
    assert survey["id"] == f"http://localhost/xapi/activities/surveys/{w.survey.id}"
    assert survey["definition"]["type"] == "http://id.tincanapi.com/activitytype/survey"
    assert set(survey["definition"]["name"]) == set(LANGS)
    assert survey["definition"]["name"]["en"] == "Six months on"
    assert stmt["timestamp"] == "2024-09-18T10:00:00.000Z"
    assert stmt["result"] == {"completion": True}
    assert stmt["context"]["language"] == "fr"
    assert stmt["context"]["contextActivities"]["parent"] == [
        {"objectType": "Activity", "id": "http://localhost/certification/TEST-F"}]
    assert stmt["context"]["extensions"] == {"http://localhost/xapi/extensions/months-after": 6}
    # What the learner wrote or chose stays on the site.
    assert "irrigation" not in json.dumps(stmt) and "prior-art" not in json.dumps(stmt)

    # Changing the answers later records nothing new.
    with frozen_clock(at(2024, 10, 1)):
        assert client.post(path, data={**answers, "q_searches": "15"}).status_code == 302
    assert len(_survey_statements()) == 1


def test_a_course_survey_response_is_grouped_with_the_learners_enrolment(app, make_user, mini_course):
    from academy.core.enums import EnrollmentStatus
    from academy.core.models import frozen_clock
    from academy.courses.models import Enrollment
    from academy.surveys import services
    from academy.surveys.models import SurveyInvitation
    from academy.surveys.tasks import send_surveys
    from academy.xapi.statements import enrolment_registration
    from tests.surveys.world import at, build

    learner = make_user()
    w = build([])
    services.add_send_point(w.survey, months_after=12, course_id=mini_course.id)
    enrollment = Enrollment(user_id=learner.id, course_id=mini_course.id, language="en", enrolled_at=at(2024, 1, 2),
                            status=EnrollmentStatus.COMPLETED, completed_at=at(2024, 2, 1), progress_percent=100)
    db.session.add(enrollment)
    db.session.commit()
    with frozen_clock(at(2025, 2, 2)):
        send_surveys()
        invitation = db.session.scalar(select(SurveyInvitation))
        rows, errors = services.parse_answers(
            w.survey, MultiDict({"q_searches": "3", "q_skills": "fto", "q_service": "no", "q_useful": "5"}), "en")
        assert errors == {}
        services.save_answers(invitation, rows, "en")
    [stmt] = _survey_statements()
    assert stmt["context"]["contextActivities"]["parent"] == [
        {"objectType": "Activity", "id": "http://localhost/courses/mini"}]
    assert stmt["context"]["registration"] == enrolment_registration(enrollment)
    assert stmt["context"]["language"] == "en"
    assert stmt["context"]["extensions"] == {"http://localhost/xapi/extensions/months-after": 12}


def test_an_admin_sees_whether_statements_reach_the_lrs_and_finds_the_download(app, client, make_user, held_queue):
    from academy.xapi.services import LRSError, send_pending

    admin = make_user("admin")
    make_user("learner")
    login(client, admin)
    page = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/xapi/"' in page
    app.config["XAPI_LRS_URL"] = "http://lrs-user:lrs-pass@127.0.0.1:9/xAPI"  # nothing listens there
    try:
        try:
            send_pending()
        except LRSError:
            pass
        html = client.get("/admin/xapi/").get_data(as_text=True)
    finally:
        app.config["XAPI_LRS_URL"] = ""
    facts = html[html.index('id="xapi-outbox"'):]
    assert "127.0.0.1" in facts and "lrs-pass" not in html and "/xAPI" not in facts
    assert "unreachable" in html[html.index('id="xapi-last-error"'):]
    assert [int(n) for n in re.findall(r"<dd>(\d+)", facts)[:3]] == [2, 0, 2]  # kept, sent, waiting
    assert 'action="/admin/xapi/statements.jsonl"' in html
    lines = client.get("/admin/xapi/statements.jsonl", query_string={"since": ""}).get_data(as_text=True)
    assert len(lines.splitlines()) == 2


def test_history_from_before_the_outbox_is_rebuilt_with_the_ids_the_live_statements_have(app, make_user,
                                                                                         import_course):
    """A site that turns xAPI on late (or imported records in bulk) can still send its history."""
    from sqlalchemy import delete

    from academy.xapi.models import XapiStatement

    journey(make_user, import_course)
    live = {s["id"]: (s["verb"]["id"], s["object"]["id"], s["actor"]["account"]["name"]) for s in _statements()}
    assert len(live) >= 19
    db.session.execute(delete(XapiStatement))  # as before migration 0770: no statement kept
    db.session.commit()
    cli = app.test_cli_runner()
    assert "0 statements rebuilt" in cli.invoke(args=["academy", "xapi", "rebuild", "--since", "2999-01-01"]).output
    result = cli.invoke(args=["academy", "xapi", "rebuild", "--since", "2000-01-01"])
    assert result.exit_code == 0 and f"{len(live)} statements rebuilt" in result.output, result.output
    db.session.expire_all()
    rebuilt = {s["id"]: (s["verb"]["id"], s["object"]["id"], s["actor"]["account"]["name"]) for s in _statements()}
    assert rebuilt == live
    lesson = next(s for s in _statements() if s["object"]["definition"]["type"].endswith("/lesson"))
    assert set(lesson["object"]["definition"]["name"]) == {"en", "fr"} and lesson["timestamp"].endswith("Z")
    again = cli.invoke(args=["academy", "xapi", "rebuild", "--since", "2000-01-01"])
    assert "0 statements rebuilt" in again.output  # what the outbox has is left alone


def test_the_download_reads_a_since_with_an_offset_as_that_moment(app, client, make_user):
    from datetime import timedelta, timezone

    admin = make_user("admin")
    learner = make_user("learner")
    login(client, admin)
    cairo = timezone(timedelta(hours=2))  # an administrator writing times in UTC+2: the same moments

    def learners_in(since) -> list[str]:
        body = client.get("/admin/xapi/statements.jsonl", query_string={"since": since.astimezone(cairo).isoformat()})
        return [line["actor"]["account"]["name"] for line in map(json.loads, body.get_data(as_text=True).splitlines())]

    assert learners_in(learner.created_at + timedelta(hours=1)) == []
    assert str(learner.id) in learners_in(learner.created_at - timedelta(minutes=1))


def test_the_revoked_verb_resolves_to_what_it_means_in_every_language(app, client, make_user, import_course):
    """The ADL vocabulary has no verb for withdrawing a certificate, so the site names its own:
    an LRS or a person following that IRI reads what it means, in each site language."""
    journey(make_user, import_course)
    revoked = next(s["verb"]["id"] for s in _statements() if s["verb"]["display"]["en-US"] == "revoked")
    base = app.config["BASE_URL"].rstrip("/")
    assert revoked == base + "/xapi/verbs/revoked"
    response = client.get(revoked.removeprefix(base))
    assert response.status_code == 200 and response.mimetype == "application/json"
    meta = response.get_json()
    assert set(meta["name"]) == set(meta["description"]) == set(app.config["LANGUAGES"])
    assert meta["name"]["en"] == "revoked"
    assert meta["name"]["fr"] != "revoked" and meta["description"]["ar"] != meta["description"]["en"]
    assert "public" in response.headers["Cache-Control"]
