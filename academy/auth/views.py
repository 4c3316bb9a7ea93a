"""Registration, login, logout, password change and reset, profile."""

from __future__ import annotations

import unicodedata
from functools import cache
from urllib.parse import unquote

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import force_locale, format_timedelta
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, lazyload

from academy.auth.access import learner_required
from academy.auth.forms import (
    LoginForm,
    NameChangeRequestForm,
    PasswordChangeForm,
    ProfileForm,
    RegistrationForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from academy.auth.latin import latin_form_of, suggest_latin
from academy.auth.models import Tisc, User
from academy.auth.passwords import verify_password
from academy.auth.services import (
    AccountError,
    authenticate,
    create_user,
    find_user_by_email,
    make_reset_token,
    name_change_requests,
    name_is_printed,
    pending_name_change,
    request_name_change,
    revoke_sessions,
    set_password,
    set_preferred_language,
    user_from_reset_token,
)
from academy.auth.throttle import clear_login_failures, record_login_failure, wait_before_next_login
from academy.core.i18n import autonym, country_choices, country_name, current_locale, is_country
from academy.core.mail import send_mail
from academy.core.template_helpers import badge_count_column, remember_unread_notifications
from academy.core.urls import external_url
from academy.extensions import db, limiter, login_manager

bp = Blueprint("auth", __name__, template_folder="templates")


@cache
def _user_statement(badge_column):
    """The signed-in user with their roles joined in (every page's menu asks for them) and,
    when a feature registered one, the header's unread badge as a column of the same
    statement: one query for who is asking. The TISC is loaded only by the pages that
    show it. Built once per badge column and run with the id: building the statement cost
    as much as running it, on every request."""
    columns = (User,) if badge_column is None else (User, badge_column(User.id))
    return (select(*columns).where(User.id == bindparam("user_id"))
            .options(joinedload(User.role_rows), lazyload(User.tisc)))


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if g.get("database_unavailable"):  # the 503 page, rendered without the database
        return None
    try:
        uid, version = (int(part) for part in user_id.split(":", 1))
    except ValueError:
        return None
    badge = badge_count_column()
    row = db.session.execute(_user_statement(badge), {"user_id": uid}).unique().one_or_none()
    if row is None or row[0].session_version != version:
        return None
    if badge is not None:
        remember_unread_notifications(row[1] or 0)
    return row[0]


def _is_local_path(target: str) -> bool:
    # Browsers drop tabs and newlines inside URLs and read "\\" as "/": "/\t/evil.example"
    # and "/\\evil.example" both open evil.example, and a CR/LF breaks the Location header.
    return (
        target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(ch.isspace() or unicodedata.category(ch)[0] == "C" for ch in target)
    )


def _safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site ("/x"), else None (the caller's default page).

    Judged as given and once more percent-decoded, since a proxy or a browser may decode it."""
    if target and _is_local_path(target) and _is_local_path(unquote(target)):
        return target
    return None


def _fill_choices(form) -> None:
    form.country_code.choices = [("", "—")] + country_choices()
    form.preferred_language.choices = [(code, autonym(code)) for code in current_app.config["LANGUAGES"]]
    tiscs = db.session.scalars(select(Tisc).where(Tisc.is_active).order_by(Tisc.country_code, Tisc.name)).all()
    groups: dict[str, list[tuple[str, str]]] = {}
    for t in tiscs:
        groups.setdefault(country_name(t.country_code), []).append((str(t.id), f"{t.name} — {t.city}"))
    form.tisc_id.choices = {"": [("", _("Other (type the name below)"))], **groups}


def _check_profile_fields(form) -> bool:
    ok = True
    if not is_country(form.country_code.data or ""):
        form.country_code.errors.append(_("Choose a country from the list."))
        ok = False
    if form.tisc_id.data:
        tisc = db.session.get(Tisc, int(form.tisc_id.data)) if form.tisc_id.data.isdigit() else None
        if tisc is None or tisc.country_code != form.country_code.data:
            form.tisc_id.errors.append(_("Choose a TISC in your country, or “Other”."))
            ok = False
    elif not form.institution_other.data:
        form.institution_other.errors.append(_("Name your institution, or pick your TISC from the list."))
        ok = False
    return ok


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("courses.dashboard"))
    form = RegistrationForm()
    if request.method == "GET":
        form.preferred_language.data = current_locale()
    _fill_choices(form)
    if form.validate_on_submit() and _check_profile_fields(form):
        try:
            user = create_user(
                email=form.email.data,
                full_name=form.full_name.data,
                password=form.password.data,
                gender=form.gender.data,
                country_code=form.country_code.data,
                tisc_id=int(form.tisc_id.data) if form.tisc_id.data else None,
                institution_other=form.institution_other.data,
                preferred_language=form.preferred_language.data,
            )
        except AccountError as exc:
            if exc.field == "full_name":
                form.full_name.errors.append(str(exc))
            else:
                getattr(form, exc.field or "email").errors.append(_("An account with this email already exists."))
        else:
            login_user(user)
            flash(_("Welcome to Academy! Choose a course to start."), "success")
            return redirect(url_for("courses.catalogue"))
    status = 422 if request.method == "POST" else 200  # reaching here after a POST means invalid
    return render_template("auth/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_IP"], methods=["POST"],
               error_message="too many login attempts")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("courses.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        # The per-account limit (academy.auth.throttle): checked before the password, so a
        # guess during the wait tells nothing, even when it is right.
        wait = wait_before_next_login(form.email.data)
        if wait is not None:
            return render_template(
                "auth/login.html", form=form, retry_in=format_timedelta(wait, add_direction=True)
            ), 429
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            record_login_failure(form.email.data)
            form.password.errors.append(_("Wrong email or password."))
        else:
            clear_login_failures(form.email.data)
            lang = session.get("lang")
            session.clear()  # no session fixation: a fresh session after login
            if lang:
                session["lang"] = lang
            login_user(user, remember=form.remember.data)
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")) or url_for("courses.dashboard"))
    status = 401 if request.method == "POST" and form.password.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    # Session cookies are signed but kept by the browser: a copy taken before logout (and
    # a remember-me cookie) would still log in unless the server stops accepting it. Both
    # carry User.session_version (get_id), so moving it on revokes them, on every device:
    # there is no per-device record to revoke one alone, and "log out" meaning "nobody is
    # logged in as me any more" is the safe reading on a shared TISC computer.
    revoke_sessions(current_user)
    logout_user()
    flash(_("You have been logged out on every device."), "info")
    return redirect(url_for("courses.catalogue"))


@bp.route("/account/logout-everywhere", methods=["POST"])
@login_required
def logout_everywhere():
    # Kept for old bookmarks and forms: every logout now ends every session.
    return logout()


@bp.route("/account", methods=["GET", "POST"])
@learner_required
def profile():
    form = ProfileForm(obj=current_user) if request.method == "GET" else ProfileForm()
    # Once a certificate prints the name, it changes only by a request an admin approves.
    name_locked = name_is_printed(current_user)
    if name_locked:
        del form.full_name
        del form.full_name_latin
    latin_hint = None
    if request.method == "GET":
        form.gender.data = current_user.gender.value
        form.tisc_id.data = str(current_user.tisc_id or "")
        if not name_locked and not current_user.full_name_latin:
            # Offered, not saved: the learner checks it against their passport before saving.
            form.full_name_latin.data = suggest_latin(current_user.full_name) or ""
            if form.full_name_latin.data:
                latin_hint = _("Suggested from your name: correct it to match your passport.")
    _fill_choices(form)
    if form.validate_on_submit() and _check_profile_fields(form):
        if not name_locked:
            current_user.full_name = form.full_name.data
            current_user.full_name_latin = latin_form_of(form.full_name.data, form.full_name_latin.data)
        current_user.gender = form.gender.data
        current_user.country_code = form.country_code.data
        current_user.tisc_id = int(form.tisc_id.data) if form.tisc_id.data else None
        current_user.institution_other = None if form.tisc_id.data else form.institution_other.data
        current_user.preferred_language = form.preferred_language.data
        flash(_("Your profile has been saved."), "success")
        return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form, latin_hint=latin_hint, name_locked=name_locked,
                           pending=pending_name_change(current_user) if name_locked else None)


@bp.route("/account/name", methods=["GET", "POST"])
@learner_required
def name_change():
    """Ask for a change of the name certificates print (and its Latin form), with a reason."""
    user = current_user._get_current_object()
    form = NameChangeRequestForm()
    if request.method == "GET":
        form.requested_name.data = user.full_name
        form.requested_name_latin.data = user.full_name_latin or suggest_latin(user.full_name) or ""
    pending = pending_name_change(user)
    if pending is None and form.validate_on_submit():
        try:
            request_name_change(user, name=form.requested_name.data, latin=form.requested_name_latin.data,
                                reason=form.reason.data)
        except AccountError as exc:
            db.session.rollback()
            target = getattr(form, exc.field, None) if exc.field else None
            if target is not None:
                target.errors.append(str(exc))
            else:
                flash(str(exc), "error")
        else:
            flash(_("Your request has been sent. An administrator will decide on it; you will get an e-mail."),
                  "success")
            return redirect(url_for("auth.name_change"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/name_change.html", form=form, pending=pending, user=user,
                           requests=name_change_requests(user), name_locked=name_is_printed(user)), status


@bp.route("/account/password", methods=["GET", "POST"])
@learner_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("Your current password is not correct."))
        else:
            set_password(current_user, form.password.data)
            login_user(current_user._get_current_object())  # keep this session, end the others
            flash(_("Your password has been changed. Other sessions have been logged out."), "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/password.html", form=form)


@bp.route("/reset-password", methods=["GET", "POST"])
@limiter.limit("10 per 10 minutes", methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = find_user_by_email(form.email.data)
        if user is not None and user.is_active:
            link = external_url("auth.reset_password", token=make_reset_token(user))
            with force_locale(user.preferred_language):  # the reader's language, not the requester's
                subject = _("Reset your Academy password")
                body = _("Open this link within one hour to choose a new password:\n\n%(link)s\n\n"
                         "If you did not ask for this, ignore this message.", link=link)
            send_mail(user.email, subject, body)
        # Same answer, in the same time, whether or not the account exists: the message is
        # only written to the outbox here (the queue sends it once the request commits).
        flash(_("If an account exists for that email, we have sent a link to reset the password."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = user_from_reset_token(token)
    if user is None:
        flash(_("This reset link is invalid or has expired. Ask for a new one."), "error")
        return redirect(url_for("auth.reset_request"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        set_password(user, form.password.data)
        flash(_("Your password has been changed. You can log in now."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/language", methods=["POST"])
def set_language():
    lang = request.form.get("lang", "")
    if lang not in current_app.config["LANGUAGES"]:
        abort(400)
    session["lang"] = lang
    if current_user.is_authenticated:
        set_preferred_language(current_user, lang)
    return redirect(_safe_next(request.form.get("next")) or url_for("courses.catalogue"))
