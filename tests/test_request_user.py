"""Who is asking, on a read-only request: RequestUser, a row instead of an ORM User."""

from __future__ import annotations

from academy.auth.models import User
from academy.auth.views import RequestUser, load_user
from academy.core.enums import Role
from academy.extensions import db
from tests.conftest import login


def test_read_only_request_gets_the_users_row_and_roles(app, make_user):
    user = make_user(role="instructor", full_name="Amina Diallo", institution_other="INPI")
    with app.test_request_context("/", method="GET"):
        seen = load_user(user.get_id())
        assert isinstance(seen, RequestUser)
        assert (seen.id, seen.full_name, seen.email, seen.gender, seen.get_id()) == \
            (user.id, "Amina Diallo", user.email, user.gender, user.get_id())
        assert seen.is_authenticated and seen.is_active
        assert seen.has_role(Role.INSTRUCTOR) and seen.has_role("learner", "admin")
        assert not seen.has_role(Role.ADMIN)
        assert seen.roles == {Role.INSTRUCTOR, Role.LEARNER}
        # Anything else comes from the User, loaded on first use.
        assert seen.institution_name == "INPI" and seen.tisc is None
        assert seen.user is db.session.get(User, user.id)


def test_state_changing_request_gets_the_orm_user(app, make_user):
    user = make_user()
    for method in ("POST", "PUT", "DELETE"):
        with app.test_request_context("/", method=method):
            assert isinstance(load_user(user.get_id()), User)


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


def test_a_write_through_the_request_user_reaches_the_database(app, make_user):
    user = make_user(full_name="Before")
    with app.test_request_context("/", method="GET"):
        seen = load_user(user.get_id())
        seen.full_name = "After"
        assert seen.full_name == "After"
        db.session.commit()
    db.session.expire_all()
    assert db.session.get(User, user.id).full_name == "After"


def test_role_change_takes_effect_on_the_next_page(app, make_user, client):
    from academy.auth.models import UserRole

    user = make_user()
    login(client, user)
    assert client.get("/admin/").status_code == 403
    db.session.add(UserRole(user_id=user.id, role=Role.ADMIN))
    db.session.commit()
    assert client.get("/admin/").status_code == 200


def test_badge_read_with_the_user_row_is_recounted_after_a_change_in_the_same_request(app, make_user):
    from flask import g

    from academy.certification.enums import NotificationKind
    from academy.certification.models import Notification
    from academy.certification.notifications import mark_all_read, notify
    from academy.core.template_helpers import fill_header

    user = make_user()
    db.session.add(Notification(user_id=user.id, kind=NotificationKind.CERTIFIED, message="One", link=""))
    db.session.commit()
    with app.test_request_context("/", method="GET"):
        from flask_login import login_user

        login_user(load_user(user.get_id()))
        assert g.academy_badge == (user.id, 1)  # read in the user's query, not a query of its own
        assert ">1</span>" in fill_header("@@academy-badge@@")
        notify(user, NotificationKind.CERTIFIED, lambda: ("Two", "Two"))
        assert "academy_badge" not in g
        assert ">2</span>" in fill_header("@@academy-badge@@")
        mark_all_read(user.id)
        assert 'class="badge' not in fill_header("@@academy-badge@@")
