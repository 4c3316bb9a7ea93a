"""Accounts: registration, login, throttling, password change and reset, roles."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from academy.auth.models import Tisc, User
from academy.core import mail
from academy.extensions import db
from tests.conftest import TEST_PASSWORD, csrf_token_from, login, make_test_app


def registration(**overrides):
    data = {
        "full_name": "王芳",
        "email": "wang.fang@example.cn",
        "password": "a long phrase nobody uses",
        "confirm": "a long phrase nobody uses",
        "gender": "woman",
        "country_code": "CN",
        "tisc_id": "",
        "institution_other": "Tongji University",
        "preferred_language": "zh",
    }
    data.update(overrides)
    return data


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


@pytest.mark.parametrize("name", ["王芳", "نورة القحطاني", "Елена Смирнова", "José Huamán Flores", "N"])
def test_learner_registers_with_a_name_in_any_script(client, app_ctx, name):
    resp = client.post("/register", data=registration(full_name=name))
    assert resp.status_code == 302
    user = db.session.scalar(select(User))
    assert user.full_name == name
    assert user.gender.value == "woman" and user.country_code == "CN" and user.preferred_language == "zh"
    assert user.password_hash.startswith("$argon2")
    assert client.get("/dashboard").status_code == 200  # logged in after registering


def test_learner_picks_a_tisc_of_their_country(client, app_ctx):
    tisc = Tisc(name="TISC Tongji", host_institution="Tongji University", city="Shanghai", country_code="CN")
    db.session.add(tisc)
    db.session.commit()
    resp = client.post("/register", data=registration(tisc_id=str(tisc.id), institution_other=""))
    assert resp.status_code == 302
    assert db.session.scalar(select(User)).tisc_id == tisc.id


def test_a_tisc_from_another_country_is_refused(client, app_ctx):
    tisc = Tisc(name="TISC Nairobi", host_institution="KIPI", city="Nairobi", country_code="KE")
    db.session.add(tisc)
    db.session.commit()
    resp = client.post("/register", data=registration(tisc_id=str(tisc.id)))
    assert resp.status_code == 422
    assert "Choose a TISC in your country" in resp.get_data(as_text=True)
    assert user_count() == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("full_name", "", "This field is required"),
        ("full_name", "x" * 201, "200"),
        ("email", "not-an-email", "Invalid email"),
        ("password", "short pass", "at least 12 characters"),
        ("password", "password1234", "too common"),
        ("password", "aaaaaaaaaaaaaaaa", "too common"),
        ("gender", "", "This field is required"),
        ("gender", "robot", "Not a valid choice"),
        ("country_code", "XX", "Not a valid choice"),
        ("preferred_language", "tlh", "Not a valid choice"),
        ("institution_other", "", "Name your institution"),
    ],
)
def test_bad_registration_fields_are_named_and_nothing_is_written(client, app_ctx, field, value, message):
    data = registration(**{field: value})
    if field == "password":
        data["confirm"] = value
    resp = client.post("/register", data=data)
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert message in html
    assert 'aria-invalid="true"' in html
    assert user_count() == 0


def test_mismatched_password_confirmation_is_refused(client, app_ctx):
    resp = client.post("/register", data=registration(confirm="something else entirely"))
    assert resp.status_code == 422
    assert "The passwords do not match." in resp.get_data(as_text=True)


def test_duplicate_email_in_another_case_is_refused(client, app_ctx, make_user):
    make_user(email="wang.fang@example.cn")
    resp = client.post("/register", data=registration(email="Wang.Fang@EXAMPLE.cn"))
    assert resp.status_code == 422
    assert "already exists" in resp.get_data(as_text=True)
    assert user_count() == 1


def test_the_database_refuses_a_duplicate_email_too(app_ctx, make_user):
    from sqlalchemy.exc import IntegrityError

    from academy.auth.passwords import hash_password

    make_user(email="dup@example.org")
    db.session.add(User(email="dup@example.org", full_name="X", password_hash=hash_password("x" * 12),
                        gender="man", country_code="KE"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_login_with_email_in_any_case_and_logout(client, app_ctx, make_user):
    make_user(email="kamau@example.ke")
    login(client, "KAMAU@example.ke")
    assert client.get("/dashboard").status_code == 200
    client.post("/logout")
    assert client.get("/dashboard").status_code == 302


def test_wrong_password_gives_one_message_for_unknown_and_known_accounts(client, app_ctx, make_user):
    make_user(email="known@example.org")
    a = client.post("/login", data={"email": "known@example.org", "password": "wrong password here"})
    b = client.post("/login", data={"email": "nobody@example.org", "password": "wrong password here"})
    assert a.status_code == b.status_code == 401
    assert "Wrong email or password." in a.get_data(as_text=True)
    assert "Wrong email or password." in b.get_data(as_text=True)


def test_login_redirects_only_to_local_next(client, app_ctx, make_user):
    user = make_user()
    resp = client.post("/login?next=https://evil.example/", data={"email": user.email, "password": TEST_PASSWORD})
    assert resp.headers["Location"] == "/dashboard"
    client.post("/logout")
    resp = client.post("/login?next=/account", data={"email": user.email, "password": TEST_PASSWORD})
    assert resp.headers["Location"] == "/account"


def test_remember_me_sets_a_persistent_cookie(client, app_ctx, make_user):
    user = make_user()
    client.post("/login", data={"email": user.email, "password": TEST_PASSWORD, "remember": "y"})
    assert client.get_cookie("remember_token") is not None


def test_deactivated_account_cannot_log_in(client, app_ctx, make_user):
    user = make_user()
    user.is_active_account = False
    db.session.commit()
    resp = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert resp.status_code == 401


def test_password_change_logs_out_other_sessions(app, app_ctx, make_user):
    user = make_user()
    first, second = app.test_client(), app.test_client()
    login(first, user)
    login(second, user)
    resp = first.post("/account/password", data={
        "current_password": TEST_PASSWORD, "password": "a brand new long phrase", "confirm": "a brand new long phrase"})
    assert resp.status_code == 302
    assert first.get("/dashboard").status_code == 200  # this session continues
    assert second.get("/dashboard").status_code == 302  # the other one is logged out
    login(second, user, "a brand new long phrase")


def test_password_change_needs_the_current_password(client, app_ctx, make_user):
    login(client, make_user())
    resp = client.post("/account/password", data={
        "current_password": "not my password", "password": "a brand new long phrase",
        "confirm": "a brand new long phrase"})
    assert "Your current password is not correct." in resp.get_data(as_text=True)


def test_password_reset_by_emailed_link_works_once(client, app_ctx, make_user):
    user = make_user(email="reset.me@example.org")
    resp = client.post("/reset-password", data={"email": "Reset.Me@example.org"})
    assert resp.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://localhost(/reset-password/\S+)", mail.outbox[0].get_content()).group(1)
    assert client.get(link).status_code == 200
    resp = client.post(link, data={"password": "my fresh new passphrase", "confirm": "my fresh new passphrase"})
    assert resp.status_code == 302
    login(client, user, "my fresh new passphrase")
    client.post("/logout")
    # The link is single-use: the password it was made for has changed.
    assert client.get(link).status_code == 302
    resp = client.post(link, data={"password": "another new passphrase", "confirm": "another new passphrase"})
    login(client, user, "my fresh new passphrase")


def test_reset_for_unknown_email_looks_the_same_and_sends_nothing(client, app_ctx):
    resp = client.post("/reset-password", data={"email": "nobody@example.org"})
    assert resp.status_code == 302
    assert mail.outbox == []


def test_expired_reset_link_is_refused(app, client, app_ctx, make_user):
    from academy.auth.services import make_reset_token

    user = make_user()
    with app.test_request_context():
        token = make_reset_token(user)
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    try:
        assert client.get(f"/reset-password/{token}").status_code == 302
    finally:
        app.config["PASSWORD_RESET_MAX_AGE"] = 3600


def test_forms_refuse_a_post_without_csrf_token(app, client, app_ctx, make_user):
    user = make_user()
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        resp = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
        assert resp.status_code == 303  # refused: back to the login form, which says the form expired
        page = client.get("/login").get_data(as_text=True)
        resp = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD,
                                           "csrf_token": csrf_token_from(page)})
        assert resp.status_code == 302
        resp = client.post("/logout")
        assert resp.status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_login_is_throttled_per_account_without_locking_others_out(tmp_path, database_url, app, app_ctx, make_user):
    throttled = make_test_app(tmp_path, database_url, RATELIMIT_ENABLED=True,
                              LOGIN_RATE_LIMIT_ACCOUNT="3 per minute", LOGIN_RATE_LIMIT_IP="100 per minute")
    victim, other = make_user(), make_user()
    client = throttled.test_client()
    for _ in range(3):
        assert client.post("/login", data={"email": victim.email, "password": "wrong guess 123"}).status_code == 401
    assert client.post("/login", data={"email": victim.email, "password": "wrong guess 123"}).status_code == 429
    # Another account from the same address is not affected.
    assert client.post("/login", data={"email": other.email, "password": TEST_PASSWORD}).status_code == 302


def test_login_is_throttled_per_ip(tmp_path, database_url, app, app_ctx, make_user):
    throttled = make_test_app(tmp_path, database_url, RATELIMIT_ENABLED=True,
                              LOGIN_RATE_LIMIT_ACCOUNT="100 per minute", LOGIN_RATE_LIMIT_IP="5 per minute")
    client = throttled.test_client()
    codes = [client.post("/login", data={"email": f"guess{i}@example.org", "password": "wrong guess 123"}).status_code
             for i in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429


def test_language_choice_survives_login(client, app_ctx, make_user):
    user = make_user(preferred_language="en")
    client.post("/language", data={"lang": "fr", "next": "/login"})
    login(client, user)
    assert db.session.get(User, user.id).preferred_language == "en"
    client.post("/language", data={"lang": "fr", "next": "/"})
    html = client.get("/dashboard").get_data(as_text=True)
    assert '<html lang="fr"' in html
    db.session.expire_all()
    assert db.session.get(User, user.id).preferred_language == "fr"


def test_profile_update(client, app_ctx, make_user):
    user = make_user()
    login(client, user)
    resp = client.post("/account", data={"full_name": "Njeri Mwangi", "gender": "undisclosed", "country_code": "KE",
                                          "tisc_id": "", "institution_other": "KIPI", "preferred_language": "en"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).full_name == "Njeri Mwangi"


def test_roles_guard_routes(app, client, app_ctx, make_user):
    from flask import Flask

    from academy.auth.access import admin_required

    assert isinstance(app, Flask)
    assert getattr(admin_required(lambda: "x"), "required_roles", None)
