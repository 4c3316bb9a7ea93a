"""A form refused for its size or for an expired token says why, how much fits, and how
to go on; what the learner typed survives wherever the server received it."""

from __future__ import annotations

import io
import re
from html import unescape

import pytest

from academy.extensions import db
from tests.certification import test_views as practice
from tests.certification.test_views import PDF, task_url
from tests.conftest import csrf_token_from, login, make_test_app

setup = practice.setup  # the fixture: a learner in phase 3 of a certification, with an instructor

TYPED = "Three hours of work: the search strategy, the family table and my conclusions."


def _send(client, url, files, text=TYPED, **headers):
    data = {"text": text, "save": "1", "files": [(io.BytesIO(content), name) for name, content in files]}
    return client.post(url, data=data, content_type="multipart/form-data", headers=headers)


def _textarea(html: str) -> str:
    match = re.search(r"<textarea[^>]*>(.*?)</textarea>", html, re.S)
    return unescape(match.group(1)).strip() if match else ""


@pytest.fixture
def small_limits(app):
    """Limits small enough to test with: 1 KB a file, two files at a time, 4 KB a request
    for every other form."""
    saved = {k: app.config.get(k) for k in ("PRACTICE_UPLOAD_MAX_BYTES", "PRACTICE_UPLOAD_MAX_FILES",
                                            "MAX_CONTENT_LENGTH")}
    app.config.update(PRACTICE_UPLOAD_MAX_BYTES=1024, PRACTICE_UPLOAD_MAX_FILES=2, MAX_CONTENT_LENGTH=4096)
    yield
    for key, value in saved.items():
        if value is None:
            app.config.pop(key, None)
        else:
            app.config[key] = value


def test_a_file_over_the_limit_is_named_on_the_form_and_the_typed_text_comes_back(setup, client, small_limits):
    w = setup
    login(client, w.learner)
    resp = _send(client, task_url(w), [("survey.pdf", PDF + b"x" * 20_000)])  # larger than the site-wide 4 KB
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "“survey.pdf” is larger than 1 kB." in html
    assert _textarea(html) == TYPED
    assert 'id="files-error"' in html  # the message sits on the file field


def test_the_form_says_how_large_files_may_be_and_checks_them_in_the_browser(setup, client, small_limits):
    w = setup
    login(client, w.learner)
    html = client.get(task_url(w)).get_data(as_text=True)
    assert 'data-max-bytes="1024"' in html and 'data-max-files="2"' in html
    assert "upload-limits.js" in html


def test_too_many_files_at_once_are_refused_on_the_form_with_the_text_kept(setup, client, small_limits):
    w = setup
    login(client, w.learner)
    resp = _send(client, task_url(w), [("a.pdf", PDF), ("b.pdf", PDF), ("c.pdf", PDF)])
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "Choose at most 2 files at a time." in html and _textarea(html) == TYPED


def test_a_request_over_every_limit_says_the_limit_in_the_readers_language_and_leads_back(setup, client, app,
                                                                                            small_limits, monkeypatch):
    from academy.certification import uploads
    from academy.certification.uploads import practice_body_limit

    monkeypatch.setattr(uploads, "FORM_ROOM", 200_000)  # 2 × (1 KB + 64 KB) + 200 KB: a 325 kB cap
    w = setup
    w.learner.preferred_language = "fr"
    db.session.commit()
    login(client, w.learner)
    with app.test_request_context():
        over = practice_body_limit() + 1
    resp = _send(client, task_url(w), [("video.pdf", PDF + b"x" * over)])
    assert resp.status_code == 413
    html = resp.get_data(as_text=True)
    assert "325\u202fko" in html  # this form's limit, written as a French reader writes it
    assert f'href="{task_url(w)}"' in html  # back to the form


def test_an_expired_form_says_so_on_its_own_page(app, tmp_path, database_url, make_user):
    guarded = make_test_app(tmp_path, database_url, WTF_CSRF_ENABLED=True)
    client = guarded.test_client()
    user = make_user()
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"email": user.email, "password": "wrong", "csrf_token": "stale-token"})
    resp = client.post("/login", data={"email": user.email, "password": "x"})  # no token at all
    assert resp.status_code == 303 and resp.headers["Location"] == "/login"
    html = client.get("/login").get_data(as_text=True)
    assert "This form has expired. Reload the page and try again." in html
    assert "The request was not understood" not in html
    assert csrf_token_from(page)  # the form's page hands out a fresh token to try again with

    client.post("/login", data={"email": user.email}, headers={"Accept-Language": "fr"})
    assert "Ce formulaire a expiré. Rechargez la page et réessayez." in client.get(
        "/login", headers={"Accept-Language": "fr"}).get_data(as_text=True)


def test_an_expired_action_without_a_page_of_its_own_says_so_and_links_back(app, tmp_path, database_url, make_user,
                                                                              mini_course):
    guarded = make_test_app(tmp_path, database_url, WTF_CSRF_ENABLED=True)
    client = guarded.test_client()
    user = make_user()
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"email": user.email, "password": "correct horse battery staple",
                                "csrf_token": csrf_token_from(page)})
    resp = client.post("/learn/mini/one/first/complete", headers={"Referer": "http://localhost/learn/mini/one/first"})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "This form has expired. Reload the page and try again." in html
    assert 'href="/learn/mini/one/first"' in html
    json = client.post("/learn/mini/one/first/complete", headers={"Accept": "application/json"})
    assert json.status_code == 400 and "expired" in json.get_json()["message"]
