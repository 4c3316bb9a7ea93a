"""A learner's whole journey sent to a real Learning Record Store, Ralph, and read back
through its own xAPI endpoint (GET /xAPI/statements), which only stores statements that
pass its xAPI 1.0.3 validation.

Ralph's file-system backend (the one that needs no database server) writes each target
file once, so each test has a Ralph of its own and sends its backlog as the consumer
does after an outage: the page views queue, one ``send_pending`` posts the batch.

Ralph runs from .venv/ralph, a virtual environment of its own, pinned by
tests/tools/ralph/requirements.lock and built by `make test-tools`.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from academy.extensions import db
from tests.xapi.journey import EXPECTED_VERBS, journey

RALPH = Path(__file__).resolve().parents[2] / ".venv" / "ralph" / "bin" / "python"
USER, PASSWORD = "academy", "lrs-secret-for-tests"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def ralph(tmp_path_factory):
    if not RALPH.exists():
        pytest.fail("Ralph needs .venv/ralph: run `make test-tools`")
    home = tmp_path_factory.mktemp("ralph")
    hashed = subprocess.run(
        [str(RALPH), "-c", "import bcrypt, sys; print(bcrypt.hashpw(sys.argv[1].encode(), bcrypt.gensalt()).decode())",
         PASSWORD], check=True, capture_output=True, text=True).stdout.strip()
    (home / "auth.json").write_text(json.dumps([{"username": USER, "hash": hashed, "scopes": ["all"],
                                                 "agent": {"mbox": "mailto:lrs@academy.example.org"}}]))
    port = _free_port()
    env = {**os.environ, "RALPH_RUNSERVER_BACKEND": "fs", "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(home),
           "RALPH_AUTH_FILE": str(home / "auth.json"), "RALPH_APP_DIR": str(home)}
    log = (home / "ralph.log").open("w")
    proc = subprocess.Popen([str(RALPH), "-m", "uvicorn", "ralph.api:app", "--host", "127.0.0.1", "--port", str(port)],
                            cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/xAPI"
    try:
        for _ in range(150):
            try:
                get(url + "/statements?limit=1")
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail("Ralph stopped: " + (home / "ralph.log").read_text()[-2000:])
                time.sleep(0.2)
        else:
            pytest.fail("Ralph did not start in 30 s")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def get(url: str) -> dict:
    req = urllib.request.Request(url)
    req.add_header("X-Experience-API-Version", "1.0.3")
    req.add_header("Authorization", "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode())
    with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - 127.0.0.1
        return json.loads(resp.read())


@pytest.fixture
def lrs_configured(app, ralph):
    app.config.update(XAPI_LRS_URL=ralph, XAPI_LRS_KEY=USER, XAPI_LRS_SECRET=PASSWORD)
    yield ralph
    app.config.update(XAPI_LRS_URL="", XAPI_LRS_KEY="", XAPI_LRS_SECRET="")


def read_back(url: str, learner_id: int) -> list[dict]:
    agent = json.dumps({"account": {"homePage": "http://localhost/", "name": str(learner_id)}})
    return get(f"{url}/statements?limit=100&agent={urllib.parse.quote(agent)}")["statements"]


def test_a_learners_whole_journey_reaches_the_lrs_and_reads_back_as_sent(app, make_user, import_course,
                                                                          held_queue, lrs_configured):
    from academy.xapi.models import XapiStatement
    from academy.xapi.services import send_pending

    j = journey(make_user, import_course)
    assert send_pending() >= 17
    db.session.expire_all()
    rows = db.session.scalars(select(XapiStatement).where(XapiStatement.user_id == j.learner.id)).all()
    assert len(rows) >= 16  # the certification's own certificate waits in the held queue
    assert all(r.sent_at is not None for r in rows), [r.error for r in rows if r.sent_at is None][:3]
    stored = {s["id"]: s for s in read_back(lrs_configured, j.learner.id)}
    assert set(stored) == {r.statement_id for r in rows}
    for row in rows:
        sent, got = row.statement, stored[row.statement_id]
        assert got["actor"]["account"] == sent["actor"]["account"]
        assert got["verb"]["id"] == sent["verb"]["id"]
        assert got["object"]["id"] == sent["object"]["id"]
        assert got["object"]["definition"]["name"] == sent["object"]["definition"]["name"]
        assert got.get("result") == sent.get("result")
        assert got["context"].get("registration") == sent["context"].get("registration")
        assert got["context"].get("contextActivities") == sent["context"].get("contextActivities")
    verbs = {s["verb"]["id"] for s in stored.values()}
    assert verbs >= EXPECTED_VERBS
    scored = next(s for s in stored.values() if s["verb"]["id"].endswith("/scored"))
    assert scored["result"]["score"]["raw"] == j.attempt.score and scored["context"]["language"] == "fr"
    course = next(s for s in stored.values() if s["object"]["id"] == "http://localhost/courses/mini"
                  and s["verb"]["id"].endswith("/completed"))
    assert course["object"]["definition"]["name"] == {"en": "Mini course", "fr": "Mini cours"}


def test_replaying_history_sends_it_again_and_the_lrs_keeps_one_copy(app, make_user, held_queue, lrs_configured):
    from academy.xapi.services import send_pending

    learner = make_user("learner")
    assert send_pending() == 1
    before = read_back(lrs_configured, learner.id)
    assert len(before) == 1  # registered
    result = app.test_cli_runner().invoke(args=["academy", "xapi", "replay", "--since", "2000-01-01", "--now"])
    assert result.exit_code == 0, result.output
    assert "statements sent" in result.output
    assert [s["id"] for s in read_back(lrs_configured, learner.id)] == [s["id"] for s in before]
    # A site whose outbox lost its rows (or predates it) replays what its records say happened.
    from sqlalchemy import delete

    from academy.xapi.models import XapiStatement

    db.session.execute(delete(XapiStatement))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["academy", "xapi", "replay", "--since", "2000-01-01", "--now"])
    assert "1 statements rebuilt from history" in result.output and "1 statements sent" in result.output
    assert [s["id"] for s in read_back(lrs_configured, learner.id)] == [s["id"] for s in before]


def test_a_follow_up_survey_response_reaches_the_lrs_with_its_context(app, make_user, held_queue, lrs_configured):
    """The one event of the journey that comes months later: a learner responds to a follow-up survey."""
    from werkzeug.datastructures import MultiDict

    from academy.core.models import frozen_clock
    from academy.surveys import services
    from academy.surveys.models import SurveyInvitation
    from academy.surveys.tasks import send_surveys
    from academy.xapi.services import send_pending
    from tests.surveys.world import at, build

    learner = make_user(full_name="Lea Learner")
    w = build([learner], awarded=[at(2024, 3, 15)])
    with frozen_clock(at(2024, 9, 16)):
        send_surveys()
        invitation = db.session.scalar(select(SurveyInvitation))
        rows, errors = services.parse_answers(
            w.survey, MultiDict({"q_searches": "3", "q_skills": "fto", "q_service": "no", "q_useful": "5"}), "fr")
        assert errors == {}
        services.save_answers(invitation, rows, "fr")
    db.session.commit()
    assert send_pending() >= 2  # registered, responded (and what the world's award recorded)
    [got] = [s for s in read_back(lrs_configured, learner.id) if s["verb"]["id"].endswith("/responded")]
    assert got["verb"]["id"] == "http://adlnet.gov/expapi/verbs/responded"
    assert got["actor"]["account"] == {"homePage": "http://localhost/", "name": str(learner.id)}
    assert got["object"]["id"] == f"http://localhost/xapi/activities/surveys/{w.survey.id}"
    assert got["result"] == {"completion": True}
    assert got["context"]["language"] == "fr"
    assert got["context"]["contextActivities"]["parent"][0]["id"] == "http://localhost/certification/TEST-F"
    assert got["context"]["extensions"] == {"http://localhost/xapi/extensions/months-after": 6}
