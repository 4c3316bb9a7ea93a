"""Who is asking: the ORM User that Flask-Login's user loader returns, on every method."""

from __future__ import annotations

from academy.auth.models import User
from academy.auth.views import load_user
from academy.core.enums import Role
from academy.extensions import db
from tests.conftest import login


def test_every_request_gets_the_orm_user_with_its_roles(app, make_user):
    user = make_user(role="instructor", full_name="Amina Diallo", institution_other="INPI")
    for method in ("GET", "POST"):
        with app.test_request_context("/", method=method):
            seen = load_user(user.get_id())
            assert isinstance(seen, User) and seen.id == user.id and seen.full_name == "Amina Diallo"
            assert seen.has_role(Role.INSTRUCTOR) and not seen.has_role(Role.ADMIN)
            assert seen.institution_name == "INPI"


def test_an_old_session_version_is_refused_on_every_method(app, make_user):
    user = make_user()
    stale = f"{user.id}:{user.session_version}"
    user.session_version += 1
    db.session.commit()
    for method in ("GET", "POST"):
        with app.test_request_context("/", method=method):
            assert load_user(stale) is None
            assert load_user(f"{user.id + 999}:1") is None
            assert load_user("not-an-id") is None


def test_role_change_takes_effect_on_the_next_page(app, make_user, client):
    from academy.auth.models import UserRole

    user = make_user()
    login(client, user)
    assert client.get("/admin/").status_code == 403
    db.session.add(UserRole(user_id=user.id, role=Role.ADMIN))
    db.session.commit()
    assert client.get("/admin/").status_code == 200


def test_the_header_badge_counts_unread_notifications_as_they_change(app, make_user, client):
    from academy.certification.enums import NotificationKind
    from academy.certification.models import Notification
    from academy.certification.notifications import mark_all_read

    user = make_user()
    db.session.add(Notification(user_id=user.id, kind=NotificationKind.CERTIFIED, message="One", link=""))
    db.session.commit()
    login(client, user)
    badge = '<span aria-hidden="true">{0}</span><span class="visually-hidden">{0} unread</span>'
    assert badge.format(1) in client.get("/dashboard").text
    db.session.add(Notification(user_id=user.id, kind=NotificationKind.CERTIFIED, message="Two", link=""))
    db.session.commit()
    assert badge.format(2) in client.get("/dashboard").text
    mark_all_read(user.id)
    db.session.commit()
    assert 'class="badge count"' not in client.get("/dashboard").text
