"""A learner on a slow link who comes back to a lesson gets a 304 of under 1 KB, as long as
nothing the page shows has changed; their progress or language changing makes a new page."""

from __future__ import annotations

from sqlalchemy import select

from academy.courses.models import Enrollment
from academy.courses.services import enroll
from academy.extensions import db
from tests.conftest import login

LESSON = "/learn/mini/one/first"
BROWSER = {"Accept-Encoding": "gzip, deflate, br"}


def _wire_headers(resp) -> int:
    """The status line and headers as they go on the wire, in bytes."""
    lines = [f"HTTP/1.1 {resp.status}"] + [f"{name}: {value}" for name, value in resp.headers.items()]
    return len("\r\n".join(lines).encode()) + 4


def _text(resp) -> str:
    import brotli

    data = resp.get_data()
    return (brotli.decompress(data) if resp.headers.get("Content-Encoding") == "br" else data).decode()


def _revisit(client, etag: str):
    return client.get(LESSON, headers={**BROWSER, "If-None-Match": etag})


def test_coming_back_to_an_unchanged_lesson_costs_a_304_of_under_1_kb(app, mini_course, make_user):
    learner = make_user()
    enroll(learner, mini_course, "en")
    db.session.commit()
    client = app.test_client()
    login(client, learner)
    first = client.get(LESSON, headers=BROWSER)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')  # the page as it reads, whatever the compression
    assert "private" in first.headers["Cache-Control"] and "no-cache" in first.headers["Cache-Control"]
    again = _revisit(client, etag)
    assert again.status_code == 304
    assert again.get_data() == b""
    assert _wire_headers(again) < 1024, (_wire_headers(again), again.headers)
    print("304 headers:", _wire_headers(again), "bytes")
    assert again.headers["ETag"] == etag


def test_progress_language_and_another_learner_each_change_the_etag(app, mini_course, make_user):
    learner, other = make_user(), make_user()
    for user in (learner, other):
        enroll(user, mini_course, "en")
    db.session.commit()
    client, other_client = app.test_client(), app.test_client()
    login(client, learner)
    login(other_client, other)
    etag = client.get(LESSON).headers["ETag"]
    assert _revisit(client, etag).status_code == 304

    # Another learner's copy is never theirs.
    assert other_client.get(LESSON, headers={"If-None-Match": etag}).status_code == 200

    # Progress elsewhere in the course changes the figure the page shows.
    enrollment = db.session.scalar(select(Enrollment).where(Enrollment.user_id == learner.id))
    enrollment.progress_percent = 50
    db.session.commit()
    fresh = _revisit(client, etag)
    assert fresh.status_code == 200 and fresh.headers["ETag"] != etag
    etag = fresh.headers["ETag"]

    # Completing this very lesson.
    assert client.post(f"{LESSON}/complete").status_code == 302
    fresh = _revisit(client, etag)
    assert fresh.status_code == 200 and "You have completed this lesson." in _text(fresh)
    etag = fresh.headers["ETag"]
    assert _revisit(client, etag).status_code == 304

    # The interface language.
    client.post("/language", data={"lang": "fr", "next": "/"})
    fresh = _revisit(client, etag)
    assert fresh.status_code == 200 and '<html lang="fr"' in _text(fresh)
    etag = fresh.headers["ETag"]

    # The course language.
    assert client.post("/learn/mini/language", data={"language": "fr"}).status_code == 302
    fresh = _revisit(client, etag)
    assert fresh.status_code == 200 and fresh.headers["ETag"] != etag


def test_a_lessons_image_and_stylesheet_come_back_as_304s(app, mini_course, client):
    for url in ("/courses/mini/media/diagram.png", "/static/css/academy.css"):
        first = client.get(url, headers=BROWSER)
        assert first.status_code == 200 and first.headers["ETag"], url
        again = client.get(url, headers={**BROWSER, "If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.get_data() == b"", url
        assert _wire_headers(again) < 1024, url
