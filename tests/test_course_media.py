"""Course images are as public as the lessons that show them: a course or a language
version still being prepared does not leak its figures to anyone guessing the address;
admins still see them while previewing."""

from __future__ import annotations

from academy.admin.services import set_course_published, set_version_published
from academy.extensions import db
from tests.conftest import login

IMAGE = "/courses/mini/media/diagram.png"  # shown by the English lesson one/first only


def test_a_published_lessons_image_is_public_and_cacheable(client, mini_course):
    resp = client.get(IMAGE)
    assert resp.status_code == 200 and resp.mimetype == "image/png"
    assert resp.headers["Cache-Control"] == "public, max-age=86400"


def _as(app, user):
    client = app.test_client()
    login(client, user)
    return client


def test_the_images_of_an_unpublished_course_are_hidden_from_everyone_but_admins(app, client, mini_course,
                                                                                   make_user):
    set_course_published(mini_course, False)
    db.session.commit()
    assert client.get(IMAGE).status_code == 404
    assert _as(app, make_user()).get(IMAGE).status_code == 404
    assert _as(app, make_user("instructor")).get(IMAGE).status_code == 404

    preview = _as(app, make_user("admin")).get(IMAGE)
    assert preview.status_code == 200
    assert preview.headers["Cache-Control"] == "private, no-store"  # no shared cache keeps it


def test_an_image_shown_only_by_an_unpublished_language_version_is_hidden(client, mini_course, make_user, login_as):
    set_version_published(mini_course.version("en"), False)  # the French version stays published
    db.session.commit()
    login_as(make_user())
    assert client.get(IMAGE).status_code == 404

    set_version_published(mini_course.version("en"), True)
    db.session.commit()
    assert client.get(IMAGE).status_code == 200
