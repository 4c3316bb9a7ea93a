"""Nothing one learner sees of their own reaches another.

Two learners with different names, e-mails, progress and languages open every
learner-facing page, one after the other, in the same process with the shared cache warm
(the second round is served from whatever the first one cached): neither page holds the
other's name, e-mail, progress figure or CSRF token.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from academy.courses.models import Enrollment
from academy.courses.services import enroll
from academy.extensions import db
from tests.assessments.conftest import take_quiz
from tests.conftest import FIXTURES, login

PAGES = (
    "/",
    "/courses/quizzed/",
    "/learn/quizzed/",
    "/learn/quizzed/one/first",
    "/learn/quizzed/quiz/one",
    "/dashboard",
    "/account",
    "/account/password",
    "/attempts/",
    "/certificates/",
    "/certification/",
    "/certification/notifications",
)


def _get(client, url: str):
    """As a production request: in a thread of its own, with its own app context and session."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: client.get(url)).result()


def _tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', html))


def _progress_marks(percent: int) -> tuple[str, ...]:
    # The figure as the pages write it: the bar's value, and the text in English and French.
    return (f'value="{percent}"', f"{percent}%", f"{percent}\u00a0%", f"{percent}\u202f%")


def test_two_learners_never_see_each_others_name_email_progress_or_token(app, make_user, import_course,
                                                                         monkeypatch):
    course = import_course(FIXTURES / "quizzed")
    amina = make_user(full_name="Amina Diallo-Kouyaté", email="amina.privacy@example.org", preferred_language="en")
    bruno = make_user(full_name="Bruno Ferreira-Lindqvist", email="bruno.privacy@example.org",
                      preferred_language="fr")
    people = {amina.id: (amina, "en", 37), bruno.id: (bruno, "fr", 64)}
    for user, language, _percent in people.values():
        enroll(user, course, language)
    db.session.commit()
    clients = {}
    for uid, (user, _language, _percent) in people.items():
        clients[uid] = app.test_client()
        login(clients[uid], user)
    take_quiz(clients[amina.id], "quizzed", "one", right=True)  # an attempt of her own to list
    for user, _language, percent in people.values():
        db.session.scalar(select(Enrollment).where(Enrollment.user_id == user.id)).progress_percent = percent
    db.session.commit()
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # the forms carry their tokens

    seen: dict[int, dict[str, str]] = {uid: {} for uid in people}
    for _round in range(2):  # the second round finds the shared cache warm
        for url in PAGES:
            for uid, client in clients.items():
                resp = _get(client, url)
                assert resp.status_code == 200, (url, resp.status_code)
                seen[uid][url] = resp.get_data(as_text=True)

    for uid, (user, _language, percent) in people.items():
        other_id = next(o for o in people if o != uid)
        other, _other_language, other_percent = people[other_id]
        other_tokens = set().union(*(_tokens(html) for html in seen[other_id].values()))
        assert other_tokens, "the pages carry CSRF tokens"
        for url, html in seen[uid].items():
            assert other.full_name not in html and other.email not in html, url
            assert not any(mark in html for mark in _progress_marks(other_percent)), url
            assert not (_tokens(html) & other_tokens), url
        # And each does see their own.
        assert user.full_name in seen[uid]["/account"]
        assert any(mark in seen[uid]["/learn/quizzed/"] for mark in _progress_marks(percent))
    assert 'lang="fr"' in seen[bruno.id]["/"] and "Se déconnecter" in seen[bruno.id]["/"]
    assert "Log out" in seen[amina.id]["/"]


def test_the_module_outline_is_shared_but_each_learner_sees_only_their_own_ticks_and_locks(
        app, make_user, import_course, monkeypatch):
    from academy.courses import views as course_views
    from tests.assessments.conftest import complete_lessons

    course = import_course(FIXTURES / "quizzed")
    amina = make_user(full_name="Amina Outline", preferred_language="en")
    carla = make_user(full_name="Carla Outline", preferred_language="en")
    for user in (amina, carla):
        enroll(user, course, "en")
    db.session.commit()
    complete_lessons(amina, course, "one")
    clients = {}
    for user in (amina, carla):
        clients[user.id] = app.test_client()
        login(clients[user.id], user)
    take_quiz(clients[amina.id], "quizzed", "one", right=True)  # module two opens for her alone

    built = []
    real = course_views.render_outline_parts
    monkeypatch.setattr(course_views, "render_outline_parts", lambda *a: built.append(a) or real(*a))
    pages = {}
    for _round in range(2):
        for user in (amina, carla):
            resp = _get(clients[user.id], "/learn/quizzed/")
            assert resp.status_code == 200
            pages[user.id] = resp.get_data(as_text=True)

    assert len(built) == 1, "the static part is rendered once, then shared by both learners"
    second_lesson = 'href="/learn/quizzed/two/second"'
    assert second_lesson in pages[amina.id] and 'class="done"' in pages[amina.id]
    assert second_lesson not in pages[carla.id] and 'class="done"' not in pages[carla.id]
    assert "Module two" in pages[carla.id] and "Locked" in pages[carla.id]
