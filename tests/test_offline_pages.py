"""What the browser keeps for offline reading holds nothing of one learner: no name, no
form token, no progress; the service worker may serve the whole site; the app installs
from a manifest; a module downloads as one self-contained HTML file."""

from __future__ import annotations

import re

from academy.courses.models import Course
from academy.courses.services import enroll
from academy.extensions import db
from tests.conftest import login


def test_the_service_worker_is_served_from_the_root_for_the_whole_site(client):
    resp = client.get("/sw.js")
    assert resp.status_code == 200 and resp.mimetype == "text/javascript"
    assert resp.headers["Service-Worker-Allowed"] == "/" and resp.headers["Cache-Control"] == "no-cache"


def test_the_app_can_be_added_to_a_home_screen_in_the_visitors_language(client):
    resp = client.get("/manifest.webmanifest", headers={"Accept-Language": "fr"})
    body = resp.get_json(force=True)
    assert resp.mimetype == "application/manifest+json"
    assert body["start_url"] == "/dashboard" and body["display"] == "standalone" and body["lang"] == "fr"
    assert {i["sizes"] for i in body["icons"]} >= {"192x192", "512x512"}
    for icon in body["icons"]:
        with client.get(icon["src"]) as resp:  # closes the streamed file
            assert resp.status_code == 200
    assert 'rel="manifest"' in client.get("/courses/").get_data(as_text=True)


def test_the_offline_copy_of_a_lesson_carries_no_name_no_form_token_and_no_progress(client, mini_course, make_user):
    user = make_user(full_name="Zanele Quispe-Unique")
    enroll(user, mini_course, "fr")
    db.session.commit()
    login(client, user)
    pack = client.get("/learn/mini/offline.json").get_json()
    assert pack["language"] == "fr" and pack["token"].startswith(mini_course.content_token)
    lessons = [u for u in pack["urls"] if "/offline/fr/" in u and not u.endswith("/")]
    assert lessons and any(u.startswith("/static/css/academy.css?v=") for u in pack["urls"])
    assert pack["pages"]["/learn/mini/one/first"] == "/learn/mini/offline/fr/one/first"
    html = client.get(lessons[0]).get_data(as_text=True)
    assert "first fr" in html and "Offline copy" in html
    assert "Zanele" not in html and "csrf_token" not in html and not re.search(r"<progress", html)
    assert "data-offline-copy" in html


def test_a_module_still_closed_to_the_learner_is_not_in_the_offline_copy(client, import_course, make_user):
    from tests.conftest import FIXTURES

    import_course(FIXTURES / "quizzed")  # sequential release: module two opens after module one's quiz
    user = make_user()
    enroll(user, db.session.scalar(db.select(Course).where(Course.slug == "quizzed")), "en")
    db.session.commit()
    login(client, user)
    pack = client.get("/learn/quizzed/offline.json").get_json()
    assert "/learn/quizzed/one/first" in pack["pages"] and "/learn/quizzed/two/second" not in pack["pages"]
    assert client.get("/learn/quizzed/offline/en/two/second").status_code == 404
    assert client.get("/learn/quizzed/modules/two/download").status_code == 403
    assert "/two/second" not in client.get("/learn/quizzed/offline/en/").get_data(as_text=True)


def test_a_learner_not_enrolled_gets_no_offline_copy(client, mini_course, make_user):
    login(client, make_user())
    assert client.get("/learn/mini/offline.json").status_code == 404
    assert client.get("/learn/mini/offline/en/one/first").status_code == 404


def test_a_module_downloads_as_one_html_file_with_its_lessons_in_the_learners_language(client, mini_course,
                                                                                      make_user):
    user = make_user()
    enroll(user, mini_course, "fr")
    db.session.commit()
    login(client, user)
    home = client.get("/learn/mini/").get_data(as_text=True)
    assert "/learn/mini/modules/one/download" in home and "data-offline-panel" in home
    resp = client.get("/learn/mini/modules/one/download")
    html = resp.get_data(as_text=True)
    assert resp.headers["Content-Disposition"] == 'attachment; filename="mini-one-fr.html"'
    assert "first fr" in html and "<style>" in html and 'lang="fr"' in html
    assert 'src="/' not in html and "<script" not in html  # nothing fetched from the server when read


def test_pages_print_without_the_menus_and_forms():
    from pathlib import Path

    css = (Path(__file__).resolve().parent.parent / "academy/static/css/academy.css").read_text()
    block = css[css.index("@media print"):]
    assert ".site-header" in block and "form" in block and ".pager" in block
