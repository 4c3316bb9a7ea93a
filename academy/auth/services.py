"""Writes for accounts. Each function adds and flushes; the request commits once."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from academy.auth.latin import latin_form_of
from academy.auth.models import NameChangeRequest, NameChangeStatus, Tisc, User, UserRole
from academy.auth.names import InvalidName, clean_name
from academy.auth.passwords import hash_password, needs_rehash, verify_password
from academy.core import signals
from academy.core.enums import Gender, Role
from academy.core.models import utcnow
from academy.extensions import db


class AccountError(ValueError):
    """A write refused for a reason the user can act on; ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def email_taken(email: str) -> bool:
    return db.session.scalar(select(func.count()).where(User.email == normalise_email(email))) > 0


def create_user(*, email: str, full_name: str, password: str, gender: Gender | str, country_code: str,
                tisc_id: int | None = None, institution_other: str | None = None,
                preferred_language: str = "en", roles=(Role.LEARNER,), full_name_latin: str | None = None) -> User:
    """Add a user with the given roles; refuses a taken email (any case) and a name that
    cannot be printed as typed (academy.auth.names)."""
    try:
        full_name = clean_name(full_name)
    except InvalidName as exc:
        raise AccountError(str(exc), field="full_name") from None
    if email_taken(email):
        raise AccountError("An account with this email already exists.", field="email")
    if tisc_id is not None:
        tisc = db.session.get(Tisc, tisc_id)
        if tisc is None or tisc.country_code != country_code:
            raise AccountError("Choose a TISC in your country, or “Other”.", field="tisc_id")
    user = User(
        email=normalise_email(email),
        full_name=full_name,
        full_name_latin=latin_form_of(full_name, full_name_latin),
        password_hash=hash_password(password),
        gender=Gender(gender),
        country_code=country_code,
        tisc_id=tisc_id,
        institution_other=(institution_other or None) if tisc_id is None else None,
        preferred_language=preferred_language,
    )
    user.role_rows = [UserRole(role=Role(r)) for r in roles]
    db.session.add(user)
    db.session.flush()
    signals.user_registered.send(user)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Upgrades old hashes in passing."""
    user = find_user_by_email(email)
    if not verify_password(user.password_hash if user else None, password):
        return None
    if not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def revoke_sessions(user: User) -> None:
    """End every session and remember-me cookie of ``user``: they carry the old
    ``session_version`` (``User.get_id``), which the user loader then refuses."""
    user.session_version = (user.session_version or 1) + 1


def set_preferred_language(user: User, language: str) -> None:
    """Remember the interface language ``user`` chose (pages and mail follow it)."""
    user.preferred_language = language


def set_password(user: User, new_password: str) -> None:
    """Replace the password and end every other session and remember-me cookie."""
    user.password_hash = hash_password(new_password)
    revoke_sessions(user)


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="academy.password-reset")


def make_reset_token(user: User) -> str:
    # The hash's tail makes the token single-use: once the password changes it no longer matches.
    return _reset_serializer().dumps({"uid": user.id, "h": user.password_hash[-16:]})


def user_from_reset_token(token: str) -> User | None:
    try:
        data = _reset_serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except (SignatureExpired, BadSignature):
        return None
    user = db.session.get(User, data.get("uid"))
    if user is None or user.password_hash[-16:] != data.get("h") or not user.is_active:
        return None
    return user


# --- the printed name: free until something is issued, then by request ----------------


def name_is_printed(user: User) -> bool:
    """Whether the person's name is on something issued (a certificate): from then on it
    changes only through a request an admin approves."""
    from academy.core import signals

    return any(signals.values_from_signal(signals.printed_name_holders.send(user)))


def pending_name_change(user: User) -> NameChangeRequest | None:
    return db.session.scalar(select(NameChangeRequest).where(
        NameChangeRequest.user_id == user.id, NameChangeRequest.status == NameChangeStatus.PENDING))


def name_change_requests(user: User) -> list[NameChangeRequest]:
    """The person's requests, newest first."""
    return list(db.session.scalars(select(NameChangeRequest).where(NameChangeRequest.user_id == user.id)
                                   .order_by(NameChangeRequest.created_at.desc(), NameChangeRequest.id.desc())))


def request_name_change(user: User, *, name: str, latin: str | None, reason: str) -> NameChangeRequest:
    """Add a pending request to print ``name`` (and its Latin form ``latin``) instead of the
    current names, with the learner's reason; recorded in the audit log. One open request
    per person (the database's partial unique index settles a double submit)."""
    from flask_babel import gettext as _

    from academy.auth.latin import needs_latin_form
    from academy.core.audit import record

    try:
        name = clean_name(name or "")
    except InvalidName as exc:
        raise AccountError(str(exc), field="requested_name") from None
    latin = latin_form_of(name, clean_name(latin) if (latin or "").strip() else None)
    if latin and needs_latin_form(latin):
        raise AccountError(_("Write this form of your name in Latin letters (A–Z, with accents if needed)."),
                           field="requested_name_latin")
    reason = (reason or "").strip()
    if not reason:
        raise AccountError(_("Say why your name should change (for example: marriage, a spelling mistake)."),
                           field="reason")
    if name == user.full_name and latin == latin_form_of(user.full_name, user.full_name_latin):
        raise AccountError(_("This is the name your certificates already print."), field="requested_name")
    if pending_name_change(user) is not None:
        raise AccountError(_("You already have a request waiting for a decision."))
    req = NameChangeRequest(user_id=user.id, current_name=user.full_name, current_name_latin=user.full_name_latin,
                            requested_name=name, requested_name_latin=latin, reason=reason)
    try:
        with db.session.begin_nested():
            db.session.add(req)
    except IntegrityError:
        raise AccountError(_("You already have a request waiting for a decision.")) from None
    record("user.name_change_requested", "user", user.id,
           before={"full_name": user.full_name, "full_name_latin": user.full_name_latin},
           after={"full_name": name, "full_name_latin": latin, "reason": reason, "request": req.id},
           actor_id=user.id)
    return req
