"""The REST API as an integration and a learner's own program use it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from openapi_spec_validator import validate
from sqlalchemy import func, select

from academy.extensions import db
from tests.api.conftest import bearer
from tests.api.schema_check import check
from tests.conftest import login

UTC_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def spec_of(client) -> dict:
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    return resp.get_json()


def test_the_openapi_description_is_valid_openapi_3(client):
    spec = spec_of(client)
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert len(spec["paths"]) >= 14


def test_the_reference_page_lists_every_operation_without_any_outside_script(client):
    spec = spec_of(client)
    html = client.get("/api/v1/docs").get_data(as_text=True)
    for path, item in spec["paths"].items():
        for method in item:
            if method in ("get", "post", "put"):
                assert f"{method.upper()} {path}" in html
    assert "<script" not in html and "cdn" not in html.lower()


def _url(path: str, w) -> str:
    ids = {"user_id": w.learner.id, "enrolment_id": w.enrolment.id, "course_id": w.course.id,
           "cert_id": w.certificate.id, "record_id": 1, "external_id": "HR-77"}
    return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)


BODIES = {
    ("post", "/api/v1/enrolments/"): lambda w: {"user_id": w.other.id, "course_code": "QUIZ1", "language": "fr"},
    ("put", "/api/v1/learners/{external_id}"): lambda w: {
        "email": "hr77@example.org", "full_name": "Registry Person", "gender": "woman", "country_code": "ke",
        "institution_other": "Ministry"},
    ("post", "/api/v1/certificates/"): lambda w: {"enrolment_id": w.enrolment.id},
    ("post", "/api/v1/certificates/{cert_id}/revoke"): lambda w: {"reason": "Issued in error"},
}


def test_every_documented_endpoint_answers_with_the_schema_it_documents(app, client, api_world):
    w = api_world
    spec = spec_of(client)
    seen = 0
    for path, item in spec["paths"].items():
        if path.endswith("openapi.json"):
            continue
        for method in ("get", "post", "put"):
            if method not in item:
                continue
            url = _url(path, w)
            if path.endswith("certification-records/{record_id}"):
                continue  # no certification record in this world: its 404 is checked below
            body = BODIES.get((method, path), lambda w: None)(w)
            resp = client.open(url, method=method.upper(), json=body, headers=bearer(w.secret))
            assert resp.status_code in (200, 201), (method, url, resp.status_code, resp.get_data(as_text=True))
            if resp.mimetype == "application/pdf":
                assert resp.data.startswith(b"%PDF")
            else:
                check(spec, path, method, resp.status_code, resp.get_json())
            for header in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
                assert resp.headers[header].isdigit()
            seen += 1
    assert seen >= 17
    resp = client.get("/api/v1/certification-records/99999", headers=bearer(w.secret))
    check(spec, "/api/v1/certification-records/{record_id}", "get", 404, resp.get_json())
    assert resp.get_json() == {"code": "not_found", "message": "No such record.", "field": None}


def test_timestamps_are_utc_with_a_z_and_progress_is_what_the_learner_did(client, api_world):
    w = api_world
    body = client.get(f"/api/v1/enrolments/{w.enrolment.id}", headers=bearer(w.secret)).get_json()
    assert UTC_Z.match(body["enrolled_at"]) and UTC_Z.match(body["completed_at"])
    assert body["status"] == "completed" and body["progress_percent"] == 100 and body["language"] == "fr"
    cert = client.get(f"/api/v1/certificates/{w.certificate.id}", headers=bearer(w.secret)).get_json()
    assert cert["status"] == "valid"
    assert cert["links"]["verify"].endswith(f"/verify/{w.certificate.verification_code}")
    assert cert["links"]["pdf"].endswith(f"/api/v1/certificates/{w.certificate.id}/pdf")


def test_the_statistics_are_the_dashboards_with_its_suppression(client, api_world):
    from academy.stats import figures
    from academy.stats.queries import Filters

    w = api_world
    body = client.get("/api/v1/stats/dashboard?suppression=on&threshold=5", headers=bearer(w.secret)).get_json()
    assert [f["name"] for f in body["figures"]] == figures.DASHBOARD
    language = next(f for f in body["figures"] if f["name"] == "language")
    expected = figures.build_figure("language", Filters(), figures.auto_suppression(5, "on")).table
    assert language["rows"] == expected.rows and language["suppressed"] == expected.suppressed
    assert UTC_Z.match(body["counted_at"])
    bad = client.get("/api/v1/stats/dashboard?date_from=2026-02-01&date_to=2026-01-01", headers=bearer(w.secret))
    assert bad.status_code == 422 and bad.get_json()["field"] == "date_to", bad.get_json()["filters"]
    unknown = client.get("/api/v1/stats/dashboard?gendre=woman", headers=bearer(w.secret))
    assert unknown.status_code == 422 and unknown.get_json()["field"] == "gendre"


# --- authentication ---------------------------------------------------------------------


def test_a_browser_session_opens_nothing_in_the_api_not_even_a_post_without_csrf(app, client, api_world):
    login(client, api_world.admin)
    assert client.get("/admin/").status_code == 200  # the session works on the site
    resp = client.get("/api/v1/users/")
    assert resp.status_code == 401 and resp.get_json()["code"] == "unauthorized"
    # A cross-site form would carry the cookie: it is not even read, so there is nothing to forge.
    resp = client.post("/api/v1/certificates/1/revoke", json={"reason": "forged"})
    assert resp.status_code == 401
    assert "Set-Cookie" not in resp.headers


def test_revoked_expired_and_unknown_tokens_are_refused(client, api_world):
    from datetime import timedelta

    from academy.api.services import revoke_token
    from academy.core.models import utcnow

    w = api_world
    assert client.get("/api/v1/courses/", headers=bearer("acd_nonsense")).status_code == 401
    assert client.get("/api/v1/courses/", headers={"Authorization": "Basic eDp5"}).status_code == 401
    assert client.get("/api/v1/courses/", headers=bearer(w.secret)).status_code == 200
    revoke_token(w.token, actor=w.admin)
    db.session.commit()
    assert client.get("/api/v1/courses/", headers=bearer(w.secret)).status_code == 401
    w.personal.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/enrolments/", headers=bearer(w.personal_secret)).status_code == 401


def test_tokens_are_kept_as_hashes_only(api_world):
    from academy.api.models import ApiToken

    w = api_world
    stored = db.session.get(ApiToken, w.token.id)
    assert w.secret not in (stored.token_hash, stored.prefix)
    assert len(stored.token_hash) == 64 and w.secret.startswith(stored.prefix)


def test_token_use_is_audited_once_per_window_and_every_write(client, api_world):
    from academy.api.models import ApiToken
    from academy.core.audit import AuditEvent

    w = api_world
    for _ in range(5):
        client.get("/api/v1/courses/", headers=bearer(w.secret))
    client.post("/api/v1/enrolments/", json={"user_id": w.other.id, "course_code": "QUIZ1", "language": "en"},
                headers=bearer(w.secret))
    db.session.expire_all()
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("api%"))).all()
    assert actions.count("api_token.used") == 1
    assert actions.count("api.enrolment") == 1
    client.post(f"/api/v1/certificates/{w.certificate.id}/revoke", json={"reason": "Issued in error"},
                headers=bearer(w.secret))
    assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "api.certificate_revoke")).all()
    assert db.session.get(ApiToken, w.token.id).last_used_at is not None


def test_the_rate_limit_counts_across_workers_and_answers_429_with_its_headers(app, database_url, tmp_path,
                                                                               api_world):
    from tests.conftest import make_test_app

    w = api_world
    other_worker = make_test_app(tmp_path, database_url)  # a second process's app, same database
    app.config["API_RATE_LIMIT"] = other_worker.config["API_RATE_LIMIT"] = "3 per hour"
    try:
        first = app.test_client().get("/api/v1/courses/", headers=bearer(w.secret))
        assert first.headers["X-RateLimit-Limit"] == "3" and first.headers["X-RateLimit-Remaining"] == "2"
        assert other_worker.test_client().get("/api/v1/courses/", headers=bearer(w.secret)).status_code == 200
        assert app.test_client().get("/api/v1/courses/", headers=bearer(w.secret)).status_code == 200
        refused = other_worker.test_client().get("/api/v1/courses/", headers=bearer(w.secret))
        assert refused.status_code == 429
        assert refused.get_json()["code"] == "rate_limited"
        assert refused.headers["X-RateLimit-Remaining"] == "0" and int(refused.headers["Retry-After"]) >= 1
    finally:
        app.config["API_RATE_LIMIT"] = "3600 per hour"


# --- scopes -----------------------------------------------------------------------------


def _operations(spec):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put") and "x-scope" in op:
                yield path, method, op


def test_scopes_by_endpoint_each_token_reaches_only_what_its_scopes_allow(client, api_world):
    """The access table: one token per scope (and a learner's personal token) × every operation."""
    from academy.api.models import TokenKind
    from academy.api.services import SCOPES, create_token

    w = api_world
    spec = spec_of(client)
    tokens = {scope: create_token(name=scope, scopes=[scope], created_by=w.admin)[1] for scope in SCOPES}
    tokens["personal"] = w.personal_secret
    db.session.commit()
    table = []
    for path, method, op in _operations(spec):
        url = _url(path, w).replace(str(w.learner.id), str(w.learner.id))
        for holder, secret in tokens.items():
            resp = client.open(url, method=method.upper(), json={}, headers=bearer(secret))
            needed = op["x-scope"]
            if holder == "personal":
                allowed = needed == "any token" or op["x-personal-token"]
            else:
                allowed = needed in ("any token", holder)
            got = resp.status_code != 403
            table.append((method.upper(), path, holder, resp.status_code))
            assert got == allowed, f"{method.upper()} {path} with {holder}: {resp.status_code}"
    assert len(table) >= 17 * 8
    assert TokenKind.PERSONAL.value == "personal"


# --- a personal token -------------------------------------------------------------------


def test_a_learners_personal_token_reads_their_records_and_nobody_elses(client, api_world):
    w = api_world
    mine = bearer(w.personal_secret)
    listed = client.get("/api/v1/enrolments/", headers=mine).get_json()["data"]
    assert {e["user_id"] for e in listed} == {w.learner.id} and len(listed) == 2
    assert client.get(f"/api/v1/enrolments/?user_id={w.other.id}", headers=mine).status_code == 403
    assert client.get(f"/api/v1/enrolments/{w.other_enrolment.id}", headers=mine).status_code == 404
    assert client.get(f"/api/v1/enrolments/{w.enrolment.id}", headers=mine).status_code == 200
    assert client.get("/api/v1/certificates/", headers=mine).get_json()["data"][0]["user_id"] == w.learner.id
    assert client.get("/api/v1/quiz-results/", headers=mine).get_json()["data"][0]["user_id"] == w.learner.id
    assert client.get(f"/api/v1/quiz-results/?user_id={w.other.id}", headers=mine).status_code == 403
    assert client.get(f"/api/v1/users/{w.learner.id}", headers=mine).status_code == 403
    assert client.get("/api/v1/stats/dashboard", headers=mine).status_code == 403
    resp = client.post("/api/v1/enrolments/", json={"user_id": w.learner.id, "course_code": "QUIZ1", "language": "en"},
                       headers=mine)
    assert resp.status_code == 403


# --- pagination -------------------------------------------------------------------------


def test_paging_through_thousands_of_enrolments_sees_each_once_in_id_order(client, api_world):
    from academy.core.enums import EnrollmentStatus
    from academy.courses.models import Enrollment

    w = api_world
    users = [make for make in _bulk_users(2600)]
    db.session.execute(Enrollment.__table__.insert(), [
        {"user_id": uid, "course_id": w.course.id, "language": "en", "status": EnrollmentStatus.ENROLLED,
         "enrolled_at": w.enrolment.enrolled_at, "progress_percent": 0} for uid in users])
    db.session.commit()
    total = db.session.scalar(select(func.count()).select_from(Enrollment))
    seen, cursor, pages = [], None, 0
    while True:
        url = "/api/v1/enrolments/?limit=500" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url, headers=bearer(w.secret)).get_json()
        seen += [e["id"] for e in body["data"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == total > 2600 and seen == sorted(set(seen))
    assert pages == -(-total // 500)
    filtered = client.get(f"/api/v1/enrolments/?course_id={w.quizzed.id}&limit=500", headers=bearer(w.secret))
    assert [e["course_id"] for e in filtered.get_json()["data"]] == [w.quizzed.id]


def test_an_integration_narrows_each_list_by_the_filters_it_documents(client, api_world, make_user):
    w = api_world
    peru = make_user("instructor", country_code="PE", email="Rosa.Quispe@example.org")
    peru.external_id = "HR-PE-1"
    db.session.commit()
    headers = bearer(w.secret)

    def ids(url: str) -> set[int]:
        resp = client.get(url, headers=headers)
        assert resp.status_code == 200, (url, resp.get_json())
        return {item["id"] for item in resp.get_json()["data"]}

    assert ids("/api/v1/users/?country=pe") == {peru.id}
    assert ids("/api/v1/users/?email=%20ROSA.QUISPE@example.org%20") == {peru.id}
    assert ids("/api/v1/users/?external_id=HR-PE-1") == {peru.id}
    assert ids("/api/v1/users/?role=instructor&country=PE") == {peru.id}
    assert ids("/api/v1/users/?role=admin") == {w.admin.id}
    assert ids("/api/v1/users/?tisc_id=0") == set()
    assert ids("/api/v1/users/?email=") >= {w.learner.id, peru.id}
    assert ids("/api/v1/tiscs/?country=zz") == set()
    assert ids(f"/api/v1/enrolments/?user_id={w.other.id}") == {w.other_enrolment.id}
    assert ids(f"/api/v1/enrolments/?user_id={w.learner.id}&course_id={w.course.id}&language=fr") == {w.enrolment.id}
    assert ids(f"/api/v1/enrolments/?course_id={w.course.id}&status=completed") == {w.enrolment.id}
    assert ids(f"/api/v1/quiz-results/?user_id={w.learner.id}&course_id={w.quizzed.id}") == {w.attempt.id}
    assert ids(f"/api/v1/quiz-results/?course_id={w.course.id}") == set()
    assert ids("/api/v1/certification-records/?programme_code=NO-SUCH") == set()
    assert ids(f"/api/v1/certificates/?user_id={w.learner.id}&status=valid") == {w.certificate.id}
    assert ids(f"/api/v1/certificates/?subject_code={w.certificate.subject_code}") == {w.certificate.id}
    assert ids("/api/v1/certificates/?status=revoked") == set()
    assert ids("/api/v1/certificates/?issued_after=2000-01-01T00:00:00Z") == {w.certificate.id}
    assert ids("/api/v1/certificates/?issued_after=2999-01-01T00:00:00Z") == set()


def _bulk_users(n: int) -> list[int]:
    from academy.auth.models import User

    rows = [{"email": f"bulk{i}@example.org", "full_name": f"Bulk {i}", "password_hash": "x", "gender": "woman",
             "country_code": "KE", "preferred_language": "en", "is_active": True, "session_version": 1,
             "created_at": None, "updated_at": None} for i in range(n)]
    from academy.core.models import utcnow

    now = utcnow()
    for r in rows:
        r["created_at"] = r["updated_at"] = now
    db.session.execute(User.__table__.insert(), rows)
    db.session.flush()
    return db.session.scalars(select(User.id).where(User.email.like("bulk%"))).all()


# --- writes -----------------------------------------------------------------------------

LEARNER = {"email": "amina@example.org", "full_name": "Amina Diallo", "gender": "woman", "country_code": "SN",
           "institution_other": "OAPI", "preferred_language": "fr"}


def test_a_staff_registry_creates_then_updates_a_learner_by_their_registry_id(client, api_world):
    from academy.admin.models import NameCorrection
    from academy.auth.models import User

    w = api_world
    first = client.put("/api/v1/learners/HR-1", json=LEARNER, headers=bearer(w.secret))
    assert first.status_code == 201 and first.get_json()["external_id"] == "HR-1"
    again = client.put("/api/v1/learners/HR-1", json=LEARNER, headers=bearer(w.secret))
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    moved = client.put("/api/v1/learners/HR-1", json={**LEARNER, "full_name": "Amina Diallo Sow"},
                       headers=bearer(w.secret))
    assert moved.status_code == 200 and moved.get_json()["full_name"] == "Amina Diallo Sow"
    assert db.session.scalar(select(func.count()).select_from(User).where(User.external_id == "HR-1")) == 1
    # The rename is a name correction, as in the admin console: the old name is kept with the reason.
    correction = db.session.scalar(select(NameCorrection))
    assert (correction.old_name, correction.new_name) == ("Amina Diallo", "Amina Diallo Sow")
    assert correction.corrected_by_id == w.admin.id and "HR-1" in correction.reason


@pytest.mark.parametrize(("body", "status", "field"), [
    ({k: v for k, v in LEARNER.items() if k != "email"}, 422, "email"),
    ({**LEARNER, "email": "not an address"}, 422, "email"),
    ({**LEARNER, "gender": "robot"}, 422, "gender"),
    ({**LEARNER, "country_code": "SEN"}, 422, "country_code"),
    ({**LEARNER, "preferred_language": "xx"}, 422, "preferred_language"),
    ({**LEARNER, "tisc_id": 999999}, 422, "tisc_id"),
    ({**LEARNER, "full_name": "   "}, 422, "full_name"),
    ({**LEARNER, "unknown": 1}, 422, "unknown"),
], ids=["no email", "bad email", "bad gender", "bad country", "bad language", "no such tisc", "blank name",
        "unknown field"])
def test_a_bad_learner_is_refused_naming_the_field_and_nothing_is_written(client, api_world, body, status, field):
    from academy.auth.models import User

    w = api_world
    before = db.session.scalar(select(func.count()).select_from(User))
    resp = client.put("/api/v1/learners/HR-2", json=body, headers=bearer(w.secret))
    assert (resp.status_code, resp.get_json()["field"]) == (status, field), resp.get_json()
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_a_registry_learner_with_a_taken_email_is_a_conflict(client, api_world):
    w = api_world
    resp = client.put("/api/v1/learners/HR-3", json={**LEARNER, "email": w.other.email}, headers=bearer(w.secret))
    assert resp.status_code == 409 and resp.get_json()["field"] == "email"


@pytest.mark.parametrize(("body", "field"), [
    ({"course_code": "QUIZ1", "language": "en"}, "user_id"),
    ({"user_id": 1, "external_id": "x", "course_code": "QUIZ1", "language": "en"}, "user_id"),
    ({"user_id": -5, "course_code": "QUIZ1", "language": "en"}, "user_id"),
    ({"external_id": "nobody", "course_code": "QUIZ1", "language": "en"}, "external_id"),
    ({"user_id": None, "course_code": "NOPE", "language": "en"}, "user_id"),
    ("OTHER", "course_code"),
    ("LANG", "language"),
    ("MISSING_LANG", "language"),
], ids=["no learner", "two learners", "no such user", "no such registry id", "null user", "no such course",
        "no such language version", "no language"])
def test_a_bad_enrolment_is_refused_naming_the_field_and_nothing_is_written(client, api_world, body, field):
    from academy.courses.models import Enrollment

    w = api_world
    if body == "OTHER":
        body = {"user_id": w.other.id, "course_code": "NOPE", "language": "en"}
    elif body == "LANG":
        body = {"user_id": w.other.id, "course_code": "QUIZ1", "language": "zh"}
    elif body == "MISSING_LANG":
        body = {"user_id": w.other.id, "course_code": "QUIZ1"}
    before = db.session.scalar(select(func.count()).select_from(Enrollment))
    resp = client.post("/api/v1/enrolments/", json=body, headers=bearer(w.secret))
    assert resp.status_code == 422 and resp.get_json()["field"] == field, resp.get_json()
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Enrollment)) == before


def test_a_certificate_is_issued_only_for_a_completed_enrolment_and_revoked_once(client, api_world):
    from academy.certificates.models import Certificate

    w = api_world
    before = db.session.scalar(select(func.count()).select_from(Certificate))
    resp = client.post("/api/v1/certificates/", json={"enrolment_id": w.other_enrolment.id}, headers=bearer(w.secret))
    assert resp.status_code == 409 and resp.get_json()["field"] == "enrolment_id"
    assert client.post("/api/v1/certificates/", json={"enrolment_id": "x"},
                       headers=bearer(w.secret)).get_json()["field"] == "enrolment_id"
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == before
    same = client.post("/api/v1/certificates/", json={"enrolment_id": w.enrolment.id}, headers=bearer(w.secret))
    assert same.status_code == 201 and same.get_json()["id"] == w.certificate.id  # idempotent
    url = f"/api/v1/certificates/{w.certificate.id}/revoke"
    assert client.post(url, json={"reason": ""}, headers=bearer(w.secret)).get_json()["field"] == "reason"
    assert client.post(url, json={"reason": "Issued in error"}, headers=bearer(w.secret)).get_json()["status"] == \
        "revoked"
    again = client.post(url, json={"reason": "Again"}, headers=bearer(w.secret))
    assert again.status_code == 409 and again.get_json()["code"] == "conflict"


def test_other_pages_keep_their_own_error_pages(client):
    resp = client.get("/no-such-page")
    assert resp.status_code == 404 and resp.mimetype == "text/html"
    assert client.delete("/account").status_code == 405


def test_an_unknown_api_address_or_method_answers_with_the_error_object(client):
    resp = client.get("/api/v1/no-such-thing")
    assert resp.status_code == 404 and resp.get_json()["code"] == "not_found"
    resp = client.delete("/api/v1/users/")
    assert resp.status_code == 405 and resp.get_json()["code"] == "method_not_allowed"


# --- errors an integration meets ---------------------------------------------------------


def test_a_broken_or_oversized_body_and_a_server_fault_answer_with_the_error_object(app, client, api_world,
                                                                                    monkeypatch):
    """Every error under /api/v1 is {code, message, field}, never the site's HTML error page."""
    from sqlalchemy.exc import OperationalError

    from academy.api import resources

    w = api_world
    spec = spec_of(client)
    headers = {**bearer(w.secret), "Content-Type": "application/json"}
    broken = client.post("/api/v1/enrolments/", data='{"user_id": 1,', headers=headers)
    assert broken.status_code == 400 and broken.mimetype == "application/json"
    assert broken.get_json()["code"] == "bad_request" and set(broken.get_json()) == {"code", "message", "field"}

    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 200)
    big = client.put("/api/v1/learners/HR-9", data='{"full_name": "' + "x" * 500 + '"}', headers=headers)
    assert big.status_code == 413 and big.get_json()["code"] == "too_large"
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 12 * 1024 * 1024)

    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)

    def fault(*_args, **_kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(resources, "page_of", fault)
    crashed = client.get("/api/v1/courses/", headers=bearer(w.secret))
    assert crashed.status_code == 500 and crashed.get_json()["code"] == "server_error"
    assert "a bug" not in crashed.get_data(as_text=True)

    def locked(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("database is locked"))

    monkeypatch.setattr(resources, "page_of", locked)
    down = client.get("/api/v1/courses/", headers=bearer(w.secret))
    assert down.status_code == 503 and down.get_json()["code"] == "unavailable"
    assert down.headers["Retry-After"] == "30"
    for resp in (broken, big, crashed, down):
        check(spec, "/api/v1/courses/", "get", 401, resp.get_json())  # the one error schema


def test_the_description_tells_an_integrator_about_the_rate_limit_and_its_headers(client):
    spec = spec_of(client)
    text = spec["info"]["description"]
    for word in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After", "429"):
        assert word in text
    listing = spec["paths"]["/api/v1/enrolments/"]["get"]["responses"]["200"]
    assert set(listing["headers"]) >= {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"}


def test_a_time_given_without_an_offset_or_a_date_alone_is_read_as_utc(client, api_world):
    w = api_world
    issued = w.certificate.issued_at
    for given in (issued.strftime("%Y-%m-%dT%H:%M:%S"), issued.strftime("%Y-%m-%d"),
                  issued.strftime("%Y-%m-%dT%H:%M:%SZ"), issued.strftime("%Y-%m-%dT%H:%M:%S+00:00")):
        resp = client.get("/api/v1/certificates/", query_string={"issued_after": given}, headers=bearer(w.secret))
        assert resp.status_code == 200, (given, resp.get_data(as_text=True))
        assert [c["id"] for c in resp.get_json()["data"]] == [w.certificate.id], given
    later = (issued.replace(microsecond=0) + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S")
    assert client.get(f"/api/v1/certificates/?issued_after={later}", headers=bearer(w.secret)).get_json()["data"] == []
    bad = client.get("/api/v1/certificates/?issued_after=yesterday", headers=bearer(w.secret))
    assert bad.status_code == 422 and bad.get_json()["field"] == "issued_after"


def test_the_status_filter_matches_the_status_each_certificate_shows_expired_included(client, api_world):
    from academy.core.models import utcnow

    w = api_world
    w.certificate.issued_at = utcnow() - timedelta(days=400)
    w.certificate.expires_at = utcnow() - timedelta(days=35)
    db.session.commit()
    headers = bearer(w.secret)
    shown = client.get(f"/api/v1/certificates/{w.certificate.id}", headers=headers).get_json()["status"]
    assert shown == "expired"
    by_status = {status: [c["id"] for c in client.get(f"/api/v1/certificates/?status={status}",
                                                       headers=headers).get_json()["data"]]
                 for status in ("valid", "expired", "revoked", "superseded")}
    assert by_status == {"valid": [], "expired": [w.certificate.id], "revoked": [], "superseded": []}


def test_certification_records_answer_with_their_phases_as_documented(client, api_world, make_user):
    from tests.certification.world import build

    w = api_world
    spec = spec_of(client)
    cert_world = build(w.course, make_user("instructor"), [w.learner, w.other])
    mine, theirs = cert_world.records
    listed = client.get("/api/v1/certification-records/", headers=bearer(w.secret))
    check(spec, "/api/v1/certification-records/", "get", 200, listed.get_json())
    assert {r["id"] for r in listed.get_json()["data"]} == {mine.id, theirs.id}
    detail = client.get(f"/api/v1/certification-records/{mine.id}", headers=bearer(w.secret))
    check(spec, "/api/v1/certification-records/{record_id}", "get", 200, detail.get_json())
    body = detail.get_json()
    assert body["programme_code"] == "TEST-F" and [p["phase"] for p in body["phases"]] == [1, 2, 3]
    assert all(p["passed_at"] is None or UTC_Z.match(p["passed_at"]) for p in body["phases"])
    own = client.get("/api/v1/certification-records/", headers=bearer(w.personal_secret)).get_json()["data"]
    assert [r["id"] for r in own] == [mine.id]
    assert client.get(f"/api/v1/certification-records/{theirs.id}",
                      headers=bearer(w.personal_secret)).status_code == 404


def test_a_reporting_pipeline_fetches_only_what_changed_since_its_last_run(client, api_world):
    """Incremental sync: completions, activity and graded quizzes after a time."""
    w = api_world
    headers = bearer(w.secret)

    def ids(path: str, **query) -> set[int]:
        resp = client.get(path, query_string=query, headers=headers)
        assert resp.status_code == 200, (path, query, resp.get_json())
        return {item["id"] for item in resp.get_json()["data"]}

    completed = w.enrolment.completed_at
    just_before = (completed - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    after = (completed + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S")  # no offset: UTC
    assert ids("/api/v1/enrolments/", completed_after=just_before) == {w.enrolment.id}
    assert ids("/api/v1/enrolments/", completed_after=after) == set()
    active = ids("/api/v1/enrolments/", active_after=just_before)
    assert w.enrolment.id in active and w.other_enrolment.id not in active  # never opened a lesson
    assert ids("/api/v1/enrolments/", active_after="2999-01-01") == set()
    graded = w.attempt.graded_at
    assert ids("/api/v1/quiz-results/", graded_after=(graded - timedelta(seconds=1)).isoformat()) == {w.attempt.id}
    assert ids("/api/v1/quiz-results/", graded_after="2999-01-01") == set()
    bad = client.get("/api/v1/enrolments/", query_string={"completed_after": "last week"}, headers=headers)
    assert bad.status_code == 422 and bad.get_json()["field"] == "completed_after"


@pytest.mark.parametrize("clash", ["external_id", "email"])
def test_two_registry_calls_creating_the_same_learner_at_once_give_one_account_and_a_conflict(
        client, api_world, monkeypatch, clash):
    """The second of two simultaneous PUTs for a new learner finds the first one's row only
    when it writes: a 409 naming the field, to send again, not a 500 and not half an account."""
    from sqlalchemy import insert

    from academy.api import learners
    from academy.auth.models import User
    from academy.core.models import utcnow

    w = api_world
    real_create_user = learners.create_user

    def create_after_the_other_request(**kwargs):
        now = utcnow()
        db.session.execute(insert(User).values(
            email=LEARNER["email"] if clash == "email" else "first@example.org", full_name="First Request",
            password_hash="x", gender="woman", country_code="SN", preferred_language="fr", session_version=1,
            external_id="HR-RACE" if clash == "external_id" else None, created_at=now, updated_at=now))
        return real_create_user(**kwargs)

    monkeypatch.setattr(learners, "create_user", create_after_the_other_request)
    before = db.session.scalar(select(func.count()).select_from(User))
    resp = client.put("/api/v1/learners/HR-RACE", json=LEARNER, headers=bearer(w.secret))
    assert resp.status_code == 409 and resp.get_json()["field"] == clash, resp.get_json()
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_enrolling_a_learner_already_enrolled_answers_200_with_the_same_enrolment(client, api_world):
    w = api_world
    spec = spec_of(client)
    body = {"user_id": w.other.id, "course_id": w.course.id, "language": "en"}
    again = client.post("/api/v1/enrolments/", json=body, headers=bearer(w.secret))
    assert again.status_code == 200 and again.get_json()["id"] == w.other_enrolment.id
    check(spec, "/api/v1/enrolments/", "post", 200, again.get_json())
    switched = client.post("/api/v1/enrolments/", json={**body, "language": "fr"}, headers=bearer(w.secret))
    assert switched.status_code == 200 and switched.get_json()["language"] == "fr"
    new = client.post("/api/v1/enrolments/", json={**body, "course_code": "QUIZ1", "course_id": None},
                      headers=bearer(w.secret))
    assert new.status_code == 201 and new.get_json()["id"] != w.other_enrolment.id
