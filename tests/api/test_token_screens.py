"""Admins create integration tokens and learners their personal token: shown once, revocable."""

from __future__ import annotations

import re

from sqlalchemy import select

from academy.extensions import db
from tests.api.conftest import bearer
from tests.conftest import login

SECRET = re.compile(r'<code id="new-token">(acd_[A-Za-z0-9_-]+)</code>')


def test_an_admin_creates_an_integration_token_that_is_shown_once(client, make_user):
    from academy.api.models import ApiToken

    login(client, make_user("admin"))
    resp = client.post("/admin/api-tokens/", data={"name": "HR registry", "scopes": ["read:users", "write:learners"],
                                                   "expires_on": "2999-12-31"})
    assert resp.status_code == 200
    secret = SECRET.search(resp.get_data(as_text=True)).group(1)
    token = db.session.scalar(select(ApiToken))
    assert token.scopes == ["read:users", "write:learners"] and token.expires_at.year == 2999
    assert secret not in client.get("/admin/api-tokens/").get_data(as_text=True)
    assert client.get("/api/v1/users/", headers=bearer(secret)).status_code == 200
    assert client.get("/api/v1/stats/dashboard", headers=bearer(secret)).status_code == 403
    page = client.get("/admin/api-tokens/").get_data(as_text=True)
    assert "HR registry" in page and token.prefix in page


def test_each_scope_shows_its_code_left_to_right_beside_its_description_in_the_admins_language(
        client, make_user):
    login(client, make_user("admin", preferred_language="ar"))
    page = client.get("/admin/api-tokens/").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    options = re.findall(r'<li><input[^>]*value="([^"]+)"[^>]*> <label for="scopes-\d+">(.*?)</label></li>', page, re.S)
    assert [value for value, _label in options][:2] == ["read:users", "read:progress"]
    label = dict(options)["read:users"]
    # The code in an element of its own, left to right; the description beside it, in Arabic.
    assert re.search(r'<code dir="ltr"[^>]*>read:users</code>\s*<span class="scope-description">'
                     r'قراءة حسابات الأشخاص</span>', label), label
    assert "read:users:" not in page


def test_a_token_without_scopes_or_with_a_past_expiry_is_refused(client, make_user):
    from academy.api.models import ApiToken

    login(client, make_user("admin"))
    assert client.post("/admin/api-tokens/", data={"name": "No scopes"}).status_code == 400
    resp = client.post("/admin/api-tokens/", data={"name": "Old", "scopes": ["read:stats"], "expires_on": "2001-01-01"})
    assert resp.status_code == 400 and "future" in resp.get_data(as_text=True)
    assert db.session.scalar(select(ApiToken)) is None


def test_a_learner_creates_a_read_only_personal_token_and_revokes_it(client, make_user):
    from academy.api.models import ApiToken

    learner = make_user("learner")
    login(client, learner)
    assert "/account/api-token" in client.get("/account").get_data(as_text=True)
    resp = client.post("/account/api-token", data={"name": "My spreadsheet", "scopes": ["write:certificates"]})
    secret = SECRET.search(resp.get_data(as_text=True)).group(1)
    token = db.session.scalar(select(ApiToken))
    assert token.owner_id == learner.id and token.scopes == ["read:progress", "read:certificates"]
    assert client.get("/api/v1/enrolments/", headers=bearer(secret)).status_code == 200
    resp = client.post(f"/account/api-token/{token.id}/revoke")
    assert resp.status_code == 303
    assert client.get("/api/v1/enrolments/", headers=bearer(secret)).status_code == 401


def test_the_token_pages_the_api_reference_and_the_xapi_page_are_valid_html(app, client, make_user, tmp_path):
    from tests.test_html_validity import run_vnu

    admin, learner = make_user("admin"), make_user("learner")
    login(client, admin)
    pages = [client.post("/admin/api-tokens/", data={"name": "HR", "scopes": ["read:users"]}),
             client.get("/admin/api-tokens/"), client.get("/api/v1/docs"), client.get("/admin/xapi/")]
    other = app.test_client()
    login(other, learner)
    pages += [other.post("/account/api-token", data={"name": "Mine"}), other.get("/account/api-token")]
    files = []
    for n, resp in enumerate(pages):
        assert resp.status_code == 200
        files.append(tmp_path / f"page{n}.html")
        files[-1].write_bytes(resp.get_data())
    errors = run_vnu(files)
    assert errors == [], "\n".join(f"{m.get('url')[-10:]} {m.get('lastLine')}: {m['message']}" for m in errors)
