"""The request is the transaction boundary (academy/core/transactions.py): what a request
writes is kept when it answers with a success or a redirect, and nothing of it when it
answers with an error, however far it got; views never commit by themselves."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import abort, redirect
from sqlalchemy import create_engine, func, select, text

from academy.auth.models import Tisc
from academy.core.transactions import after_commit
from academy.extensions import db
from scripts.check_view_transactions import check_source
from scripts.check_view_transactions import main as check_views
from tests.conftest import make_test_app

ROOT = Path(__file__).resolve().parent.parent
FOLLOW_UPS: list[int] = []


def _tisc(name: str) -> Tisc:
    return Tisc(name=name, host_institution="Host", city="Nairobi", country_code="KE")


@pytest.fixture
def boundary_app(tmp_path, database_url, app):
    """An app with routes that write one TISC each, then answer in different ways; as in
    production, an exception becomes the error page instead of reaching the test."""
    other = make_test_app(tmp_path, database_url, PROPAGATE_EXCEPTIONS=False)

    def write(name: str) -> None:
        db.session.add(_tisc(name))
        db.session.flush()

    @other.post("/t/ok")
    def ok():
        write("kept")
        return "saved"

    @other.post("/t/redirect")
    def moved():
        write("kept after redirect")
        return redirect("/")

    @other.post("/t/form-error")
    def form_error():
        write("half a form")
        return "the form again, with its errors", 422

    @other.post("/t/abort")
    def aborted():
        write("aborted")
        abort(404)

    @other.post("/t/crash")
    def crash():
        write("crashed")
        raise RuntimeError("a bug after the flush")

    @other.post("/t/follow-up/<int:status>")
    def follow_up(status: int):
        write(f"follow-up {status}")
        after_commit(lambda: FOLLOW_UPS.append(status))
        return "", status

    @other.post("/t/refused-at-commit")
    def refused_at_commit():
        db.session.add(_tisc("twin"))
        db.session.add(_tisc("twin"))  # the unique constraint refuses it only at the commit
        return "saved (it says)"

    yield other
    with other.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


def _names_in_database(database_url: str) -> set[str]:
    """Read from a connection of its own: only committed rows are seen."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        names = set(conn.scalars(text("SELECT name FROM tisc")))
    engine.dispose()
    return names


def test_a_request_that_succeeds_or_redirects_keeps_what_it_wrote(boundary_app, database_url):
    client = boundary_app.test_client()
    assert client.post("/t/ok").status_code == 200
    assert client.post("/t/redirect").status_code == 302
    assert _names_in_database(database_url) == {"kept", "kept after redirect"}


@pytest.mark.parametrize(("path", "status"), [
    ("/t/form-error", 422), ("/t/abort", 404), ("/t/crash", 500),
])
def test_a_request_that_answers_with_an_error_keeps_nothing_it_wrote(boundary_app, database_url, path, status):
    assert boundary_app.test_client().post(path).status_code == status
    assert _names_in_database(database_url) == set()


def test_a_commit_the_database_refuses_is_an_error_page_not_a_success(boundary_app, database_url):
    resp = boundary_app.test_client().post("/t/refused-at-commit")
    assert resp.status_code == 500
    assert "saved" not in resp.get_data(as_text=True)
    assert _names_in_database(database_url) == set()


def test_the_next_request_starts_clean_after_a_refused_commit(boundary_app, database_url):
    client = boundary_app.test_client()
    assert client.post("/t/refused-at-commit").status_code == 500
    assert client.post("/t/ok").status_code == 200
    with boundary_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Tisc)) == 1


def test_what_waits_for_the_commit_happens_after_it_and_only_if_it_happens(boundary_app, database_url):
    FOLLOW_UPS.clear()
    client = boundary_app.test_client()
    assert client.post("/t/follow-up/200").status_code == 200
    assert client.post("/t/follow-up/400").status_code == 400
    assert FOLLOW_UPS == [200]
    assert _names_in_database(database_url) == {"follow-up 200"}


# --- the rule, checked on the code -----------------------------------------------------------


def test_a_view_that_commits_or_writes_the_audit_log_is_flagged():
    source = "\n".join([
        "from flask import Blueprint",
        "from academy.core.audit import record as audit",
        "from academy.extensions import db",
        "bp = Blueprint('x', __name__)",
        "@bp.post('/x')",
        "def save():",
        "    audit('x.save', 'x', 1)",
        "    db.session.commit()",
        "    return ''",
    ])
    assert [p.split(":")[1] for p in check_source(source, "views.py")] == ["7", "8"]


def test_a_class_based_api_view_that_commits_is_flagged():
    source = "\n".join([
        "from academy.extensions import db",
        "@api.route('/items')",
        "class Items(MethodView):",
        "    def post(self):",
        "        db.session.commit()",
    ])
    assert [p.split(":")[1] for p in check_source(source, "api.py")] == ["5"]


def test_services_jobs_and_commands_may_commit():
    source = "from academy.extensions import db\ndef run_job(job):\n    db.session.commit()\n"
    assert check_source(source, "tasks.py") == []


def test_no_view_of_the_app_commits_or_writes_the_audit_log(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert check_views(["academy"]) == 0, capsys.readouterr().out
