"""/healthz is what a load balancer asks before sending users: "ok" must mean that the
app can save what users do, not only that the database answers a SELECT."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import make_url

from academy.extensions import db
from tests.conftest import PG_URL, make_test_app


def _read_only_app(tmp_path, database_url):
    """An app whose database connections refuse every write, as on a read-only file or a
    replica: PostgreSQL's default_transaction_read_only, SQLite's query_only."""
    if PG_URL:
        url = make_url(database_url).update_query_dict({"options": "-c default_transaction_read_only=on"})
        return make_test_app(tmp_path, url.render_as_string(hide_password=False))
    app = make_test_app(tmp_path, database_url)
    with app.app_context():
        @event.listens_for(db.engine, "connect")
        def _query_only(dbapi_connection, _record):
            dbapi_connection.execute("PRAGMA query_only = ON")
    return app


def test_healthz_is_ok_when_the_database_takes_writes_and_files_can_be_stored(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ok", "database": "ok", "storage": "ok"}


def test_healthz_is_503_when_the_database_answers_but_refuses_writes(app, tmp_path, database_url):
    read_only = _read_only_app(tmp_path, database_url)
    resp = read_only.test_client().get("/healthz")
    assert resp.status_code == 503
    body = resp.get_json()
    assert body["status"] == "error" and body["failed"] == ["database"]
    assert body["database"] == "not writable" and body["storage"] == "ok"
    assert read_only.test_client().get("/livez").status_code == 200  # the process itself is alive
    with read_only.app_context():
        db.engine.dispose()


def test_healthz_is_503_when_files_cannot_be_stored(app, tmp_path, database_url):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the storage directory should be")
    no_storage = make_test_app(tmp_path, database_url, STORAGE_DIR=str(blocker / "storage"))
    resp = no_storage.test_client().get("/healthz")
    assert resp.status_code == 503
    body = resp.get_json()
    assert body["failed"] == ["storage"] and body["storage"] == "not writable"
    assert body["reasons"]["storage"] == "ENOTDIR" and body["database"] == "ok"
    with no_storage.app_context():
        db.engine.dispose()
