"""Registration, login, logout, password change and reset, profile."""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import force_locale, format_timedelta
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, lazyload

from academy.auth.access import learner_required
from academy.auth.forms import (
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    RegistrationForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from academy.auth.models import Tisc, User, UserRole
from academy.auth.passwords import verify_password
from academy.auth.services import (
    AccountError,
    authenticate,
    create_user,
    find_user_by_email,
    make_reset_token,
    revoke_sessions,
    set_password,
    user_from_reset_token,
)
from academy.auth.throttle import clear_login_failures, record_login_failure, wait_before_next_login
from academy.core.enums import Role
from academy.core.i18n import autonym, country_choices, country_name, current_locale, is_country
from academy.core.mail import send_mail
from academy.core.template_helpers import badge_column, remember_badge
from academy.core.urls import external_url
from academy.extensions import db, limiter, login_manager, read

bp = Blueprint("auth", __name__, template_folder="templates")


_USER_LOADER_OPTIONS = (joinedload(User.role_rows), lazyload(User.tisc))
# Built once: session.get() builds its statement anew on every request (about 50 µs of
# the ~300 µs this load costs); the result is the same identity-mapped User.
_LOAD_USER = select(User).options(*_USER_LOADER_OPTIONS).where(User.id == bindparam("uid"))
# The same user as plain rows (one per role), for read-only requests, with the header's
# notification badge when a feature provides it as a column (built on first use, once
# every feature has registered).
# (Built on first use also because reading User's mapper at import would configure every
# mapper before all models are imported.)
_USER_KEYS: list[str] = []
_user_rows: list = []


def _user_rows_statement():
    if not _user_rows:
        _USER_KEYS[:] = [attr.key for attr in User.__mapper__.column_attrs]
        badge = badge_column()
        _user_rows.append(
            select(*(getattr(User, key).label(key) for key in _USER_KEYS), UserRole.role.label("role_"),
                   *([badge] if badge is not None else []))
            .outerjoin(UserRole, UserRole.user_id == User.id)
            .where(User.id == bindparam("uid"))
        )
    return _user_rows[0]
_READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@login_manager.user_loader
def load_user(user_id: str) -> User | RequestUser | None:
    try:
        uid, version = (int(part) for part in user_id.split(":", 1))
    except ValueError:
        return None
    if request.method in _READ_ONLY_METHODS:
        # A page view only reads who is asking: the user's row and roles, not an ORM
        # object (whose loading was a third of a lesson page's time). Anything else is
        # loaded from the User on first use (see RequestUser).
        rows = read(_user_rows_statement(), {"uid": uid}).all()
        if not rows or rows[0].session_version != version:
            return None
        if "badge_" in rows[0]._fields:
            remember_badge(uid, rows[0].badge_ or 0)
        return RequestUser(rows)
    # Roles joined in: one query per request for who is asking, not two. The TISC is
    # loaded only by the pages that show it (no join and no object for every request).
    user = db.session.execute(_LOAD_USER, {"uid": uid}).unique().scalar_one_or_none()
    if user is None or user.session_version != version:
        return None
    return user


class RequestUser(UserMixin):
    """The signed-in user of a read-only request, from one row per role.

    It answers what page views ask of ``current_user`` (id, name, language, roles, the
    profile's columns) without the ORM; any other attribute (``tisc``, ``institution_name``,
    relationships) comes from the User, loaded from the session on first use, and so does
    a write, which goes to the User (and so to the database with the session's commit).
    State-changing requests (POST and the like) get the User itself."""

    def __init__(self, rows) -> None:
        values = self.__dict__
        first = rows[0]._mapping
        for key in _USER_KEYS:
            values[key] = first[key]
        values["_roles"] = frozenset(row.role_ for row in rows if row.role_ is not None)
        values["_user"] = None

    @property
    def user(self) -> User:
        """The ORM User (loaded once, on first need)."""
        user = self.__dict__["_user"]
        if user is None:
            user = self.__dict__["_user"] = db.session.get(User, self.__dict__["id"])
        return user

    @property
    def is_active(self) -> bool:
        return self.__dict__["is_active_account"]

    def get_id(self) -> str:
        return f"{self.__dict__['id']}:{self.__dict__['session_version']}"

    @property
    def roles(self) -> set[Role]:
        return set(self.__dict__["_roles"])

    def has_role(self, *roles: Role | str) -> bool:
        return not self.__dict__["_roles"].isdisjoint(Role(r) for r in roles)

    def __getattr__(self, name: str):
        # Only for names not found above: the User's relationships and properties.
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.user, name)

    def __setattr__(self, name: str, value) -> None:
        setattr(self.user, name, value)
        if name in self.__dict__:
            self.__dict__[name] = value

    def __repr__(self) -> str:
        return f"<RequestUser {self.__dict__['id']}>"


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
            db.session.commit()
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
            db.session.commit()
            form.password.errors.append(_("Wrong email or password."))
        else:
            clear_login_failures(form.email.data)
            db.session.commit()
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
    db.session.commit()
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
    if request.method == "GET":
        form.gender.data = current_user.gender.value
        form.tisc_id.data = str(current_user.tisc_id or "")
    _fill_choices(form)
    if form.validate_on_submit() and _check_profile_fields(form):
        current_user.full_name = form.full_name.data
        current_user.gender = form.gender.data
        current_user.country_code = form.country_code.data
        current_user.tisc_id = int(form.tisc_id.data) if form.tisc_id.data else None
        current_user.institution_other = None if form.tisc_id.data else form.institution_other.data
        current_user.preferred_language = form.preferred_language.data
        db.session.commit()
        flash(_("Your profile has been saved."), "success")
        return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@learner_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("Your current password is not correct."))
        else:
            set_password(current_user, form.password.data)
            db.session.commit()
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
        # only written to the outbox here (the queue sends it), and both paths commit.
        db.session.commit()
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
        db.session.commit()
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
        current_user.preferred_language = lang
        db.session.commit()
    return redirect(_safe_next(request.form.get("next")) or url_for("courses.catalogue"))
