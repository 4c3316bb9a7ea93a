"""Accounts under attack: forged Host headers, password guessing across workers, open
redirects, cookies replayed after logout, names that print as something else, timing
of reset requests, and admin rights slipped into an invitation file."""

from __future__ import annotations

import io
import multiprocessing
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from academy.admin.models import NameCorrection
from academy.auth.models import User
from academy.config import load_config
from academy.core import mail
from academy.core.enums import Role
from academy.extensions import db
from tests.conftest import TEST_PASSWORD, login, make_test_app

ACADEMY = "https://academy.example.org"


def _reset_links() -> list[str]:
    return [re.search(r"\S+/reset-password/\S+", m.get_content()).group(0) for m in mail.outbox]


# --- 1. links in e-mails are built on ACADEMY_BASE_URL, never on the Host header ----------------


def test_a_reset_asked_for_through_a_forged_host_mails_a_link_to_the_academy(app, client, make_user,
                                                                              monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", ACADEMY)
    user = make_user()
    resp = client.post("/reset-password", data={"email": user.email}, headers={"Host": "evil.example"})
    assert resp.status_code == 302
    [link] = _reset_links()
    assert link.startswith(f"{ACADEMY}/reset-password/")
    assert "evil.example" not in mail.outbox[0].get_content()


def test_an_admins_reset_link_and_invitation_ignore_a_forged_host(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", ACADEMY + "/academy/")  # served under a path
    admin, learner = make_user("admin"), make_user()
    evil = {"Host": "evil.example"}
    client.post("/login", data={"email": admin.email, "password": TEST_PASSWORD}, headers=evil)
    assert client.post(f"/admin/people/{learner.id}/password-reset", headers=evil).status_code == 302
    csv = "name,email,gender,country\nAmina Njeri,amina@example.org,woman,KE\n"
    resp = client.post("/admin/people/invite", headers=evil, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(csv.encode()), "people.csv"), "mode": "all"})
    assert resp.status_code == 200
    bodies = [m.get_content() for m in mail.outbox]
    assert len(bodies) == 2 and not any("evil.example" in body for body in bodies)
    assert f"{ACADEMY}/academy/reset-password/" in bodies[0]
    assert f"{ACADEMY}/academy/invitation/" in bodies[1]


def test_production_refuses_a_host_it_does_not_serve(tmp_path, database_url, app):
    production = make_test_app(tmp_path, database_url, ACADEMY_ENV="production", BASE_URL=ACADEMY)
    client = production.test_client()
    assert client.get("/login", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/login", headers={"Host": "academy.example.org"}).status_code == 200
    assert client.get("/login", headers={"Host": "127.0.0.1:8000"}).status_code == 200  # local health checks


def test_more_hosts_can_be_trusted_and_development_answers_any(monkeypatch):
    monkeypatch.setenv("ACADEMY_TRUSTED_HOSTS", "www.academy.example.org, academy.internal")
    production = load_config({"ACADEMY_ENV": "production", "SECRET_KEY": "k" * 40, "BASE_URL": ACADEMY})
    assert {"academy.example.org", "www.academy.example.org", "academy.internal"} <= set(production["TRUSTED_HOSTS"])
    assert "TRUSTED_HOSTS" not in load_config({"ACADEMY_ENV": "testing"})


# --- 2. the per-account login limit holds across workers ----------------------------------------

LIMITED = {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT_ACCOUNT": "4 per 5 minutes",
           "LOGIN_RATE_LIMIT_IP": "100 per minute"}


def _worker_logins(database_url: str, instance_dir: str, email: str, passwords: list[str]) -> list[tuple[int, str]]:
    """Log-in attempts through a worker of its own: a separate process with its own app."""
    app = make_test_app(Path(instance_dir), database_url, **LIMITED)
    client = app.test_client()
    answers = []
    for password in passwords:
        resp = client.post("/login", data={"email": email, "password": password})
        answers.append((resp.status_code, resp.get_data(as_text=True)))
    with app.app_context():
        db.engine.dispose()
    return answers


def test_wrong_passwords_spread_over_workers_count_together(tmp_path, database_url, app, app_ctx, make_user):
    user = make_user()
    workers = multiprocessing.get_context("spawn")
    with workers.Pool(1) as first, workers.Pool(1) as second:
        answers = first.apply(_worker_logins, (database_url, str(tmp_path / "a"), user.email, ["wrong guess"] * 4))
        assert [status for status, _page in answers] == [401] * 4
        # The next worker knows about those four: even the right password waits now.
        answers = second.apply(_worker_logins, (database_url, str(tmp_path / "b"), user.email,
                                                ["wrong guess", TEST_PASSWORD]))
    assert [status for status, _page in answers] == [429, 429]
    page = answers[1][1]
    assert "You can try again in 5 minutes" in page
    assert 'href="/reset-password"' in page


def test_the_wait_is_told_in_the_learners_language(tmp_path, database_url, app, app_ctx, make_user):
    user = make_user()
    client = make_test_app(tmp_path, database_url, **LIMITED).test_client()
    client.post("/language", data={"lang": "fr"})
    for _ in range(5):
        resp = client.post("/login", data={"email": user.email, "password": "wrong"})
    assert resp.status_code == 429
    assert "dans 5 minutes" in resp.get_data(as_text=True)


def test_a_successful_login_starts_the_count_again(tmp_path, database_url, app, app_ctx, make_user):
    user = make_user()
    client = make_test_app(tmp_path, database_url, **LIMITED).test_client()
    for _ in range(3):
        assert client.post("/login", data={"email": user.email, "password": "wrong"}).status_code == 401
    login(client, user)
    client.post("/logout")
    for _ in range(3):
        assert client.post("/login", data={"email": user.email, "password": "wrong"}).status_code == 401
    login(client, user)


# --- 4. after login, only a path on this site ---------------------------------------------------


@pytest.mark.parametrize("target", [
    "//evil.example",
    "/\\evil.example",
    "/\t/evil.example",  # /%09/evil.example: browsers drop the tab
    "/%09/evil.example",  # the same, encoded twice
    "/%2F/evil.example",
    "/dashboard\r\nSet-Cookie: stolen=1",  # %0d%0a
    "https://evil.example/",
    "javascript:alert(1)",
    " /dashboard",
])
def test_login_never_sends_the_learner_off_site(client, app_ctx, make_user, target):
    resp = client.post("/login", query_string={"next": target},
                       data={"email": make_user().email, "password": TEST_PASSWORD})
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/dashboard"


def test_login_returns_to_the_page_that_asked_for_it(client, app_ctx, make_user):
    resp = client.post("/login", query_string={"next": "/account/password?from=menu"},
                       data={"email": make_user().email, "password": TEST_PASSWORD})
    assert resp.headers["Location"] == "/account/password?from=menu"


# --- 5. logout revokes the session and the remember-me cookie ---------------------------------


def test_cookies_copied_before_logout_no_longer_log_anyone_in(app, make_user):
    user = make_user()
    browser = app.test_client()
    browser.post("/login", data={"email": user.email, "password": TEST_PASSWORD, "remember": "y"})
    assert browser.get("/dashboard").status_code == 200
    session_cookie = browser.get_cookie("session").value
    remember_cookie = browser.get_cookie("remember_token").value
    assert browser.post("/logout").status_code == 302

    with_session = app.test_client()
    with_session.set_cookie("session", session_cookie)
    assert with_session.get("/dashboard").status_code == 302  # a page view (read-only loader)
    assert with_session.post("/account/password", data={}).status_code == 302  # a form post (ORM loader)
    with_remember = app.test_client()
    with_remember.set_cookie("remember_token", remember_cookie)
    assert with_remember.get("/dashboard").status_code == 302


def test_logging_out_signs_out_every_device(app, make_user):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user)
    login(phone, user)
    laptop.post("/logout")
    assert phone.get("/dashboard").status_code == 302
    login(phone, user)  # and logging in again works
    assert phone.get("/dashboard").status_code == 200


# --- 6. names print as typed --------------------------------------------------------------------

BAD_NAMES = [
    ("Ali\x00ce", "control character"),
    ("Ali\x1b[31mce", "control character"),
    ("Ali\u202eecilA", "reverse the direction"),
    ("\u2066Amina\u2069 Njeri", "reverse the direction"),
    ("\u200b\u200c\u200d", "invisible characters"),
    ("\u3164", "invisible characters"),
]
GOOD_NAMES = [
    ("نورة القحطاني", "نورة القحطاني"),
    ("王芳", "王芳"),
    ("Jose\u0301 Pe\u0301rez", "José Pérez"),  # combining accents, stored composed (NFC)
    ("می\u200cخواهم", "می\u200cخواهم"),  # a zero-width non-joiner inside a Persian name
    ("क्\u200dष", "क्\u200dष"),  # a zero-width joiner inside a Devanagari conjunct
]


def _registration(name: str) -> dict:
    return {"full_name": name, "email": "new.learner@example.org", "password": "a long phrase nobody uses",
            "confirm": "a long phrase nobody uses", "gender": "woman", "country_code": "KE", "tisc_id": "",
            "institution_other": "Test institute", "preferred_language": "en"}


@pytest.mark.parametrize(("name", "problem"), BAD_NAMES)
def test_registration_refuses_a_name_that_would_not_print_as_typed(client, app_ctx, name, problem):
    resp = client.post("/register", data=_registration(name))
    assert resp.status_code == 422
    assert problem in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


@pytest.mark.parametrize(("name", "stored"), GOOD_NAMES)
def test_registration_keeps_names_in_every_script(client, app_ctx, name, stored):
    assert client.post("/register", data=_registration(name)).status_code == 302
    assert db.session.scalar(select(User.full_name)) == stored


@pytest.mark.parametrize(("name", "problem"), BAD_NAMES[:3])
def test_the_profile_refuses_such_a_name_and_keeps_the_old_one(client, app_ctx, make_user, name, problem):
    user = make_user(full_name="Amina Njeri")
    login(client, user)
    data = {"full_name": name, "gender": "woman", "country_code": "KE", "tisc_id": "",
            "institution_other": "Test institute", "preferred_language": "en"}
    page = client.post("/account", data=data).get_data(as_text=True)
    assert problem in page
    db.session.expire_all()
    assert db.session.get(User, user.id).full_name == "Amina Njeri"


def test_an_admin_name_correction_refuses_such_a_name(client, app_ctx, make_user):
    admin, learner = make_user("admin"), make_user(full_name="Amina Njeri")
    login(client, admin)
    resp = client.post(f"/admin/people/{learner.id}/name",
                       data={"full_name": "Amina\u202e Njeri", "reason": "Passport copy received"})
    assert resp.status_code == 422
    assert "reverse the direction" in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(NameCorrection)) == 0


def test_an_invitation_file_reports_the_row_with_such_a_name(client, app_ctx, make_user):
    login(client, make_user("admin"))
    csv = ("name,email,gender,country\n"
           "Amina Njeri,amina@example.org,woman,KE\n"
           "\u200b\u200b,ghost@example.org,woman,KE\n")
    resp = client.post("/admin/people/invite", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(csv.encode()), "people.csv"), "mode": "all"})
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert "made only of invisible characters" in page and "<td>3</td>" in page
    assert db.session.scalar(select(func.count()).where(User.email == "amina@example.org")) == 0


def test_services_refuse_such_names_too(app_ctx, make_user):
    from academy.admin.services import AdminError, correct_name
    from academy.auth.services import AccountError

    with pytest.raises(AccountError):
        make_user(full_name="Bob\x00")
    admin, learner = make_user("admin"), make_user()
    with pytest.raises(AdminError):
        correct_name(learner, "\u2067Bob", "typo", actor=admin)


# --- 7. a reset request answers as fast with or without an account ------------------------------


def _queued_deliveries(monkeypatch) -> list[int]:
    """What the reset request hands to the queue, kept from it (a consumer would send it)."""
    from academy.core.mail import deliver

    handed = []
    monkeypatch.setattr(deliver, "after_commit", lambda mail_id: handed.append(mail_id))
    return handed


def test_a_reset_request_does_not_wait_for_the_mail_server(client, app_ctx, make_user, monkeypatch):
    from academy.core.mail import OutgoingMail

    user = make_user()
    handed = _queued_deliveries(monkeypatch)

    def no_mail_server(msg):
        raise AssertionError("the request talked to the mail server")

    monkeypatch.setattr(mail, "_transmit", no_mail_server)
    resp = client.post("/reset-password", data={"email": user.email})
    assert resp.status_code == 302
    # The request only wrote the message to the outbox; the queue sends it.
    queued = db.session.scalars(select(OutgoingMail)).one()
    assert handed == [queued.id] and queued.to == user.email and queued.sent_at is None


def test_a_reset_request_for_an_unknown_address_takes_the_same_path(client, app_ctx, monkeypatch):
    from academy.core.mail import OutgoingMail

    handed = _queued_deliveries(monkeypatch)
    assert client.post("/reset-password", data={"email": "nobody@example.org"}).status_code == 302
    assert handed == [] and db.session.scalars(select(OutgoingMail)).all() == []
    assert mail.outbox == []


# --- 8. an invitation file cannot make administrators ------------------------------------------


def test_an_invitation_file_cannot_make_an_administrator(client, app_ctx, make_user):
    login(client, make_user("admin"))
    csv = ("name,email,gender,country,role\n"
           "Amina Njeri,amina@example.org,woman,KE,instructor\n"
           "Eve Intruder,eve@example.org,woman,KE,admin\n")
    resp = client.post("/admin/people/invite", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(csv.encode()), "people.csv"), "mode": "valid"})
    page = resp.get_data(as_text=True)
    assert "The administrator role cannot be given by an invitation file" in page
    assert db.session.scalar(select(func.count()).where(User.email == "eve@example.org")) == 0
    amina = db.session.scalar(select(User).where(User.email == "amina@example.org"))
    assert amina.roles == {Role.LEARNER, Role.INSTRUCTOR}
