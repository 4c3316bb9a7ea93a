"""Admin console, people: search, roles, deactivation, resets, name corrections, invitations."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from academy.admin.models import Invitation, NameCorrection
from academy.admin.services import AdminError, remove_role, set_active
from academy.auth.models import User
from academy.core import mail
from academy.core.audit import AuditEvent
from academy.core.enums import Role
from academy.extensions import db
from tests.conftest import TEST_PASSWORD


@pytest.fixture
def admin(make_user):
    return make_user("admin", full_name="Ada Admin")


@pytest.fixture
def as_admin(admin, login_as):
    return login_as(admin)


def actions(target_id=None) -> list[str]:
    stmt = select(AuditEvent.action).order_by(AuditEvent.id)
    if target_id is not None:
        stmt = stmt.where(AuditEvent.target_id == str(target_id))
    return list(db.session.scalars(stmt))


def isolated(app, client, method, path, **kwargs):
    """One request in its own app context, as on a real server. (The test's app context
    would otherwise keep flask-login's cached user in ``g`` across clients.)"""
    with app.app_context():
        return client.open(path, method=method, **kwargs)


def fresh(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


# --- search -------------------------------------------------------------------------------


def test_admin_finds_people_by_name_in_any_script_and_filters(as_admin, make_user):
    make_user(full_name="王芳", country_code="CN", gender="woman", preferred_language="zh")
    make_user(full_name="Ирина Иванова", country_code="RU", preferred_language="ru")
    make_user(full_name="فاطمة الزهراء", country_code="SA", gender="woman", preferred_language="ar")
    make_user(
        "instructor",
        full_name="Juan Pérez",
        country_code="PE",
        gender="man",
        preferred_language="es",
    )

    page = as_admin.get("/admin/people?q=芳").get_data(as_text=True)
    assert "王芳" in page and "Иванова" not in page
    assert "فاطمة" in as_admin.get("/admin/people?q=الزهراء").get_data(as_text=True)
    assert "Ирина" in as_admin.get("/admin/people?q=Иван").get_data(as_text=True)
    page = as_admin.get("/admin/people?role=instructor").get_data(as_text=True)
    assert "Juan Pérez" in page and "王芳" not in page
    page = as_admin.get("/admin/people?gender=man&country=PE&language=es").get_data(as_text=True)
    assert "Juan Pérez" in page and "Ирина" not in page


def test_people_search_is_case_insensitive_beyond_ascii_on_sqlite(as_admin, make_user):
    make_user(full_name="Ирина Иванова")
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL folds case by its collation")
    assert "Ирина" in as_admin.get("/admin/people?q=иванова").get_data(as_text=True)


def test_people_list_sorts_and_paginates(as_admin, make_user):
    for i in range(55):
        make_user(full_name=f"Person {i:02d}", email=f"p{i:02d}@example.org")
    first = as_admin.get("/admin/people?q=Person&sort=name&dir=desc").get_data(as_text=True)
    assert first.index("Person 54") < first.index("Person 53")
    assert "Person 00" not in first and "Page 1 of 2" in first
    second = as_admin.get("/admin/people?q=Person&sort=name&dir=desc&page=2").get_data(as_text=True)
    assert "Person 00" in second and "Person 54" not in second


def test_status_filter_separates_deactivated_and_invited(as_admin, make_user):
    gone = make_user(full_name="Gone Person")
    as_admin.post(f"/admin/people/{gone.id}/deactivate")
    page = as_admin.get("/admin/people?status=deactivated").get_data(as_text=True)
    assert "Gone Person" in page and "Ada Admin" not in page
    page = as_admin.get("/admin/people?status=active").get_data(as_text=True)
    assert "Gone Person" not in page and "Ada Admin" in page


# --- roles and last-admin protection -------------------------------------------------------


def test_admin_grants_and_removes_a_role_and_both_are_audited(as_admin, make_user):
    learner = make_user()
    assert (
        as_admin.post(
            f"/admin/people/{learner.id}/roles/grant", data={"role": "instructor"}
        ).status_code
        == 302
    )
    assert fresh(learner).has_role(Role.INSTRUCTOR)
    assert (
        as_admin.post(
            f"/admin/people/{learner.id}/roles/remove", data={"role": "instructor"}
        ).status_code
        == 302
    )
    assert not fresh(learner).has_role(Role.INSTRUCTOR)
    assert actions(learner.id) == ["user.role_granted", "user.role_removed"]
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "user.role_granted")
    ).one()
    assert event.before["roles"] == ["learner"] and event.after["roles"] == [
        "instructor",
        "learner",
    ]
    assert event.ip_address == "127.0.0.1"


def test_admin_cannot_remove_their_own_admin_role(as_admin, admin, make_user):
    make_user("admin")  # another admin exists: still refused, they must ask someone else
    resp = as_admin.post(
        f"/admin/people/{admin.id}/roles/remove", data={"role": "admin"}, follow_redirects=True
    )
    assert "cannot remove your own administrator role" in resp.get_data(as_text=True)
    assert fresh(admin).has_role(Role.ADMIN)
    assert actions(admin.id) == []


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(app, admin, make_user):
    # Only reachable when the acting admin is no longer active themselves (e.g. a second
    # admin deactivated mid-session), so it is exercised at the service level.
    other = make_user("admin")
    with app.test_request_context():
        set_active(other, False, actor=admin)
        db.session.commit()
        with pytest.raises(AdminError, match="last active administrator"):
            remove_role(admin, Role.ADMIN, actor=other)
        with pytest.raises(AdminError, match="last active administrator"):
            set_active(admin, False, actor=other)
        db.session.rollback()
    assert fresh(admin).has_role(Role.ADMIN) and fresh(admin).is_active_account


def test_another_admin_can_be_demoted_while_one_remains(as_admin, make_user):
    other = make_user("admin")
    assert (
        as_admin.post(f"/admin/people/{other.id}/roles/remove", data={"role": "admin"}).status_code
        == 302
    )
    assert not fresh(other).has_role(Role.ADMIN)


def test_an_account_keeps_at_least_one_role(as_admin, make_user):
    learner = make_user()
    resp = as_admin.post(
        f"/admin/people/{learner.id}/roles/remove", data={"role": "learner"}, follow_redirects=True
    )
    assert "at least one role" in resp.get_data(as_text=True)
    assert fresh(learner).roles == {Role.LEARNER}


def test_admin_cannot_deactivate_themselves(as_admin, admin):
    resp = as_admin.post(f"/admin/people/{admin.id}/deactivate", follow_redirects=True)
    assert "cannot deactivate your own account" in resp.get_data(as_text=True)
    assert fresh(admin).is_active_account


# --- deactivation ---------------------------------------------------------------------------


def test_deactivated_learner_cannot_log_in_and_is_logged_out_nothing_deleted(
    app, as_admin, make_user, mini_course
):
    from academy.courses.services import enroll

    learner = make_user()
    enroll(learner, mini_course, "en")
    db.session.commit()
    learner_client = app.test_client()
    learner_client.post("/login", data={"email": learner.email, "password": TEST_PASSWORD})
    assert learner_client.get("/dashboard").status_code == 200

    assert as_admin.post(f"/admin/people/{learner.id}/deactivate").status_code == 302
    assert (
        isolated(app, learner_client, "GET", "/dashboard").status_code == 302
    )  # the open session ended
    login = {"email": learner.email, "password": TEST_PASSWORD}
    assert isolated(app, app.test_client(), "POST", "/login", data=login).status_code == 401
    assert fresh(learner) is not None
    assert "Mini course" in isolated(app, as_admin, "GET", f"/admin/people/{learner.id}").get_data(
        as_text=True
    )

    assert (
        isolated(app, as_admin, "POST", f"/admin/people/{learner.id}/reactivate").status_code == 302
    )
    assert isolated(app, app.test_client(), "POST", "/login", data=login).status_code == 302
    assert actions(learner.id) == ["user.deactivated", "user.reactivated"]


# --- password reset -------------------------------------------------------------------------


def test_admin_sends_a_password_reset_link_that_works(app, as_admin, make_user):
    learner = make_user()
    assert as_admin.post(f"/admin/people/{learner.id}/password-reset").status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0]["To"] == learner.email
    link = re.search(r"http://\S+/reset-password/\S+", mail.outbox[0].get_content()).group(0)
    path = link.split("localhost", 1)[1]
    assert app.test_client().get(path).status_code == 200
    assert actions(learner.id) == ["user.password_reset_sent"]


# --- name corrections -----------------------------------------------------------------------


def test_admin_corrects_a_name_with_a_reason_kept_in_history(as_admin, make_user, admin):
    learner = make_user(full_name="Jose Perez")
    resp = as_admin.post(
        f"/admin/people/{learner.id}/name",
        data={"full_name": "José  Pérez", "reason": "Accents missing; passport copy received"},
    )
    assert resp.status_code == 302
    assert fresh(learner).full_name == "José Pérez"
    correction = db.session.scalars(select(NameCorrection)).one()
    assert (correction.old_name, correction.new_name, correction.corrected_by_id) == (
        "Jose Perez",
        "José Pérez",
        admin.id,
    )
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "user.name_corrected")
    ).one()
    assert event.before == {"full_name": "Jose Perez", "full_name_latin": None} and event.after["reason"].startswith(
        "Accents"
    )
    page = as_admin.get(f"/admin/people/{learner.id}").get_data(as_text=True)
    assert "Accents missing" in page


def test_a_name_correction_needs_a_reason(as_admin, make_user):
    learner = make_user(full_name="Jose Perez")
    resp = as_admin.post(
        f"/admin/people/{learner.id}/name", data={"full_name": "José Pérez", "reason": ""}
    )
    assert resp.status_code == 422
    assert fresh(learner).full_name == "Jose Perez"
    assert db.session.scalar(select(func.count()).select_from(NameCorrection)) == 0


# --- CSV invitations ------------------------------------------------------------------------

MIXED_CSV = (
    "name,email,gender,country,tisc,language,role\n"
    "Amina Njeri,amina@example.org,woman,KE,,en,learner\n"
    "Bad Email,not-an-email,woman,KE,,en,learner\n"
    "李娜,li.na@example.org,woman,cn,,zh,instructor\n"
    "Wrong Things,wrong@example.org,robot,XX,Nowhere TISC,tlh,wizard\n"
)


def _post_csv(client, text: str, mode: str = "all", filename: str = "people.csv"):
    import io

    return client.post(
        "/admin/people/invite",
        data={"file": (io.BytesIO(text.encode()), filename), "mode": mode},
        content_type="multipart/form-data",
    )


def _users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_csv_invite_with_a_bad_row_writes_nothing_and_reports_every_row(as_admin):
    before = _users()
    resp = _post_csv(as_admin, MIXED_CSV, "all")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "2 rows have errors, so nobody was invited" in page
    assert "not a valid email address" in page
    for message in (
        "Gender must be one of",
        "is not a two-letter country code",
        "No active TISC",
        "Language must be one of",
        "Role must be one of",
    ):
        assert message in page
    assert _users() == before and mail.outbox == []
    assert actions() == []
    assert "Import the 2 valid rows" in page


def test_import_the_valid_rows_after_the_report_without_uploading_again(app, as_admin):
    page = _post_csv(as_admin, MIXED_CSV, "all").get_data(as_text=True)
    csv_text = re.search(r'name="csv_text" value="([^"]*)"', page).group(1)
    import html

    resp = as_admin.post(
        "/admin/people/invite", data={"csv_text": html.unescape(csv_text), "mode": "valid"}
    )
    assert resp.status_code == 200
    emails = set(
        db.session.scalars(select(User.email).join(Invitation, Invitation.user_id == User.id))
    )
    assert emails == {"amina@example.org", "li.na@example.org"}
    li = db.session.scalars(select(User).where(User.email == "li.na@example.org")).one()
    assert (
        li.country_code == "CN"
        and li.preferred_language == "zh"
        and li.roles == {Role.LEARNER, Role.INSTRUCTOR}
    )
    assert sorted(m["To"] for m in mail.outbox) == ["amina@example.org", "li.na@example.org"]
    assert actions().count("user.invited") == 2


def test_csv_invite_valid_only_mode_in_one_step_and_the_invitation_link(app, as_admin):
    resp = _post_csv(as_admin, MIXED_CSV, "valid")
    assert resp.status_code == 200
    assert "2 rows were skipped" in resp.get_data(as_text=True)
    message = next(m for m in mail.outbox if m["To"] == "amina@example.org")
    path = re.search(r"http://localhost(/invitation/\S+)", message.get_content()).group(1)

    invited = app.test_client()
    assert isolated(app, invited, "GET", path).status_code == 200
    new_password = "a fresh long passphrase 42"
    resp = isolated(
        app, invited, "POST", path, data={"password": new_password, "confirm": new_password}
    )
    assert resp.status_code == 302
    login = {"email": "amina@example.org", "password": new_password}
    assert isolated(app, invited, "POST", "/login", data=login).status_code == 302
    # The link is single-use.
    resp = isolated(app, app.test_client(), "GET", path)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/login")
    assert (
        db.session.scalars(
            select(Invitation)
            .join(User, User.id == Invitation.user_id)
            .where(User.email == "amina@example.org")
        )
        .one()
        .accepted_at
        is not None
    )


def test_csv_invite_reports_file_level_problems(as_admin, make_user):
    make_user(email="taken@example.org")
    resp = _post_csv(as_admin, "nom,courriel\nA,b@example.org\n")
    assert resp.status_code == 422 and "missing columns" in resp.get_data(as_text=True)
    text = (
        "name;email;gender;country\n"
        "One;dup@example.org;man;KE\nTwo;dup@example.org;man;KE\nThree;taken@example.org;woman;KE\n"
    )
    page = _post_csv(as_admin, text).get_data(as_text=True)
    assert "also on line 2" in page and "already exists" in page
    resp = as_admin.post(
        "/admin/people/invite",
        data={"file": (__import__("io").BytesIO(b"\xff\xfe\x00bad"), "x.csv")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422 and "not UTF-8" in resp.get_data(as_text=True)


def test_invite_matches_a_tisc_by_name_in_the_country(as_admin, app_ctx):
    from academy.auth.models import Tisc

    tisc = Tisc(name="KIPI TISC", host_institution="KIPI", city="Nairobi", country_code="KE")
    db.session.add(tisc)
    db.session.commit()
    text = "name,email,gender,country,tisc\nAmina,amina@example.org,woman,KE,kipi tisc\n"
    assert _post_csv(as_admin, text).status_code == 200
    assert (
        db.session.scalars(select(User).where(User.email == "amina@example.org")).one().tisc_id
        == tisc.id
    )


def test_resend_an_invitation(as_admin):
    _post_csv(as_admin, "name,email,gender,country\nAmina,amina@example.org,woman,KE\n")
    user = db.session.scalars(select(User).where(User.email == "amina@example.org")).one()
    mail.outbox.clear()
    assert as_admin.post(f"/admin/people/{user.id}/resend-invitation").status_code == 302
    assert [m["To"] for m in mail.outbox] == ["amina@example.org"]
    assert "user.invitation_resent" in actions(user.id)


def test_two_admins_demoting_each_other_at_once_leave_one_admin(app, make_user):
    import threading
    import time

    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks matter on PostgreSQL; SQLite serialises writers")
    a, b = make_user("admin"), make_user("admin")
    barrier = threading.Barrier(2)
    results: dict[int, str] = {}

    def demote(actor_id: int, target_id: int) -> None:
        with app.test_request_context():
            actor, target = db.session.get(User, actor_id), db.session.get(User, target_id)
            barrier.wait()
            try:
                remove_role(target, Role.ADMIN, actor=actor)
                time.sleep(0.3)  # hold the locks while the other request waits for them
                db.session.commit()
                results[actor_id] = "demoted"
            except AdminError:
                db.session.rollback()
                results[actor_id] = "refused"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=demote, args=pair) for pair in ((a.id, b.id), (b.id, a.id))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results.values()) == ["demoted", "refused"]
    db.session.expire_all()
    assert sum(db.session.get(User, u.id).has_role(Role.ADMIN) for u in (a, b)) == 1


def test_invitations_go_through_the_queue_and_a_refused_one_waits_for_a_retry_or_a_resend(app, as_admin,
                                                                                          monkeypatch):
    import smtplib

    from academy.core import mail as mail_module
    from academy.core.mail import OutgoingMail

    real = mail_module._transmit

    def flaky(msg):
        if msg["To"] == "amina@example.org":
            raise smtplib.SMTPRecipientsRefused({msg["To"]: (550, b"no")})
        real(msg)

    monkeypatch.setattr(mail_module, "_transmit", flaky)
    text = "name,email,gender,country\nAmina,amina@example.org,woman,KE\nLi Na,li.na@example.org,woman,CN\n"
    page = _post_csv(as_admin, text).get_data(as_text=True)
    # The page does not wait for the mail server: both accounts and both messages are in.
    assert "2 invitations sent." in page
    assert [m["To"] for m in mail.outbox] == ["li.na@example.org"]
    db.session.expire_all()
    refused = db.session.scalars(select(OutgoingMail).where(OutgoingMail.to == "amina@example.org")).one()
    assert refused.sent_at is None and refused.error.startswith("SMTPRecipientsRefused")
    amina = db.session.scalars(select(User).where(User.email == "amina@example.org")).one()
    monkeypatch.setattr(mail_module, "_transmit", real)
    as_admin.post(f"/admin/people/{amina.id}/resend-invitation")
    assert mail.outbox[-1]["To"] == "amina@example.org"
