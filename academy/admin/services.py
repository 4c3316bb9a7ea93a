"""Writes the admin console makes. Each adds and flushes and records an audit event;
the request commits once.

Refusals the admin can act on raise ``AdminError`` with a translated message.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select, update

from academy.admin.models import Invitation, NameCorrection
from academy.auth.models import Tisc, User, UserRole
from academy.auth.names import InvalidName, clean_name
from academy.auth.services import create_user
from academy.core.audit import record
from academy.core.enums import Role
from academy.core.models import utcnow
from academy.core.transactions import keep_on_error
from academy.core.urls import app_path
from academy.courses.models import Course, CourseVersion
from academy.extensions import db


class AdminError(ValueError):
    """An admin action refused for a reason shown to the admin (on ``field`` of the form, if given)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# --- roles and account status -----------------------------------------------------------


def _lock_active_admins() -> list[int]:
    """Ids of active admins, locked on PostgreSQL so two admins demoting each other at the
    same moment cannot both succeed and leave nobody in charge."""
    stmt = (
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.ADMIN, User.is_active_account)
        .order_by(User.id)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        # Both tables: a concurrent demotion deletes a user_role row and a concurrent
        # deactivation updates a user row; locking both makes PostgreSQL re-check each
        # row against its latest version once the other transaction commits.
        stmt = stmt.with_for_update()
    return list(db.session.scalars(stmt))


def _user_snapshot(user: User) -> dict:
    return {"roles": sorted(r.value for r in user.roles), "is_active": user.is_active_account}


def grant_role(user: User, role: Role) -> bool:
    """Give ``user`` the role; False when they already had it."""
    role = Role(role)
    if role in user.roles:
        return False
    before = _user_snapshot(user)
    user.role_rows.append(UserRole(role=role))
    db.session.flush()
    record("user.role_granted", "user", user.id, before=before, after=_user_snapshot(user))
    return True


def remove_role(user: User, role: Role, *, actor: User) -> bool:
    """Take the role away; refuses to leave a user without roles or Academy without an admin."""
    role = Role(role)
    if role not in user.roles:
        return False
    if len(user.roles) == 1:
        raise AdminError(_("An account needs at least one role. Deactivate the account instead."))
    if role == Role.ADMIN:
        if user.id == actor.id:
            raise AdminError(
                _("You cannot remove your own administrator role. Ask another administrator.")
            )
        admins = _lock_active_admins()
        if user.is_active_account and [a for a in admins if a != user.id] == []:
            raise AdminError(
                _(
                    "This is the last active administrator. "
                    "Make someone else an administrator first."
                )
            )
    before = _user_snapshot(user)
    user.role_rows = [r for r in user.role_rows if r.role != role]
    db.session.flush()
    record("user.role_removed", "user", user.id, before=before, after=_user_snapshot(user))
    return True


def set_active(user: User, active: bool, *, actor: User) -> bool:
    """Deactivate (or reactivate) an account.

    Deactivation ends every session; nothing is deleted."""
    if user.is_active_account == active:
        return False
    if not active:
        if user.id == actor.id:
            raise AdminError(_("You cannot deactivate your own account."))
        if user.has_role(Role.ADMIN) and [a for a in _lock_active_admins() if a != user.id] == []:
            raise AdminError(_("This is the last active administrator and cannot be deactivated."))
    before = _user_snapshot(user)
    user.is_active_account = active
    if not active:
        user.session_version = (user.session_version or 1) + 1  # logs them out everywhere
    db.session.flush()
    record(
        "user.reactivated" if active else "user.deactivated",
        "user",
        user.id,
        before=before,
        after=_user_snapshot(user),
    )
    return True


def password_reset_sent(user: User) -> None:
    """Record that an admin sent ``user`` a password-reset link (the view sends it)."""
    if not user.is_active_account:
        raise AdminError(
            _("This account is deactivated. Reactivate it before sending a reset link.")
        )
    record("user.password_reset_sent", "user", user.id, after={"email": user.email})


def correct_name(user: User, new_name: str, reason: str, *, actor: User,
                 latin: str | None = None) -> NameCorrection:
    """Change the name printed on certificates and, when ``latin`` is given ("" for none), its
    Latin-script form, keeping the old names and the reason. ``latin`` None keeps the Latin
    form as it is (the staff registry sends the name alone)."""
    from academy.auth.latin import latin_form_of, needs_latin_form

    reason = reason.strip()
    if not (new_name or "").strip():
        raise AdminError(_("Enter the corrected name."))
    try:
        new_name = clean_name(new_name)
    except InvalidName as exc:
        raise AdminError(str(exc)) from None
    if latin is None:
        new_latin = latin_form_of(new_name, user.full_name_latin)
    else:
        try:
            new_latin = latin_form_of(new_name, clean_name(latin) if latin.strip() else None)
        except InvalidName as exc:
            raise AdminError(str(exc), field="full_name_latin") from None
        if new_latin and needs_latin_form(new_latin):
            raise AdminError(_("Write this form of the name in Latin letters (A–Z, with accents if needed)."),
                             field="full_name_latin")
    if not reason:
        raise AdminError(_("Say why the name is being corrected."), field="reason")
    old_latin = latin_form_of(user.full_name, user.full_name_latin)
    if new_name == user.full_name and new_latin == old_latin:
        raise AdminError(_("The new name is the same as the current one."))
    correction = NameCorrection(
        user_id=user.id,
        old_name=user.full_name,
        new_name=new_name,
        old_name_latin=old_latin,
        new_name_latin=new_latin,
        reason=reason,
        corrected_by_id=actor.id,
    )
    db.session.add(correction)
    user.full_name = new_name
    user.full_name_latin = new_latin
    db.session.flush()
    record(
        "user.name_corrected",
        "user",
        user.id,
        before={"full_name": correction.old_name, "full_name_latin": old_latin},
        after={"full_name": new_name, "full_name_latin": new_latin, "reason": reason},
    )
    return correction


# --- invitations ---------------------------------------------------------------------------


def _invitation_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="academy.invitation")


def make_invitation_token(user: User) -> str:
    # Bound to the current password hash: the link stops working once a password is chosen.
    return _invitation_serializer().dumps({"uid": user.id, "h": user.password_hash[-16:]})


def user_from_invitation_token(token: str) -> User | None:
    max_age = current_app.config.get("INVITATION_MAX_AGE", 14 * 24 * 3600)
    try:
        data = _invitation_serializer().loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    user = db.session.get(User, data.get("uid"))
    if user is None or not user.is_active_account or user.password_hash[-16:] != data.get("h"):
        return None
    invitation = db.session.scalar(select(Invitation).where(Invitation.user_id == user.id))
    if invitation is None or invitation.accepted_at is not None:
        return None
    return user


def accept_invitation(user: User, password: str) -> None:
    from academy.auth.services import set_password

    set_password(user, password)
    invitation = db.session.scalar(select(Invitation).where(Invitation.user_id == user.id))
    invitation.accepted_at = utcnow()
    db.session.flush()
    record("user.invitation_accepted", "user", user.id, actor_id=user.id)


def pending_invitation(user: User) -> Invitation | None:
    return db.session.scalar(
        select(Invitation).where(Invitation.user_id == user.id, Invitation.accepted_at.is_(None))
    )


@dataclass
class InviteRow:
    line: int
    values: dict
    errors: list[str] = field(default_factory=list)
    user: User | None = None


def invite_users(rows: list[InviteRow], *, actor: User) -> list[User]:
    """Create an account and a pending invitation for every valid row."""
    created = []
    for row in rows:
        v = row.values
        if v["role"] == Role.ADMIN:  # parse_invites refuses such rows; never create one unseen
            raise AdminError(_("The administrator role cannot be given by an invitation file."))
        user = create_user(
            email=v["email"],
            full_name=v["name"],
            password=secrets.token_urlsafe(32),
            gender=v["gender"],
            country_code=v["country"],
            tisc_id=v["tisc_id"],
            preferred_language=v["language"],
            roles=sorted({Role.LEARNER, v["role"]}, key=lambda r: r.value),
        )
        db.session.add(Invitation(user_id=user.id, invited_by_id=actor.id))
        row.user = user
        created.append(user)
        record(
            "user.invited",
            "user",
            user.id,
            after={
                "email": user.email,
                "full_name": user.full_name,
                "roles": sorted(r.value for r in user.roles),
                "country_code": user.country_code,
                "tisc_id": user.tisc_id,
                "preferred_language": user.preferred_language,
            },
        )
    db.session.flush()
    return created


def invitation_resent(invitation: Invitation) -> None:
    invitation.last_sent_at = utcnow()
    db.session.flush()
    record("user.invitation_resent", "user", invitation.user_id)


# --- courses ------------------------------------------------------------------------------


def set_course_published(course: Course, published: bool) -> bool:
    if course.is_published == published:
        return False
    course.is_published = published
    db.session.flush()
    record(
        "course.published" if published else "course.unpublished",
        "course",
        course.id,
        before={"is_published": not published},
        after={"is_published": published, "code": course.code},
    )
    return True


def set_certificate_second_language(course: Course, language: str | None) -> bool:
    """Completion certificates of ``course`` also print ``language`` (None: one language);
    False if nothing changed. Certificates already issued keep their languages."""
    language = language or None
    if language is not None and language not in current_app.config["LANGUAGES"]:
        raise AdminError(_("Choose a language from the list."))
    if course.certificate_second_language == language:
        return False
    before = course.certificate_second_language
    course.certificate_second_language = language
    db.session.flush()
    record("course.certificate_language", "course", course.id, before={"certificate_second_language": before},
           after={"certificate_second_language": language, "code": course.code})
    return True


def set_version_published(version: CourseVersion, published: bool) -> bool:
    if version.is_published == published:
        return False
    version.is_published = published
    db.session.flush()
    record(
        "course_version.published" if published else "course_version.unpublished",
        "course_version",
        version.id,
        before={"is_published": not published},
        after={
            "is_published": published,
            "course_id": version.course_id,
            "language": version.language,
        },
    )
    return True


# --- TISC directory -------------------------------------------------------------------------

TISC_FIELDS = ("name", "host_institution", "city", "country_code", "national_network")


def _tisc_snapshot(tisc: Tisc) -> dict:
    return {f: getattr(tisc, f) for f in TISC_FIELDS} | {"is_active": tisc.is_active}


def tisc_name_taken(country_code: str, name: str, exclude_id: int | None = None) -> bool:
    stmt = (
        select(func.count())
        .select_from(Tisc)
        .where(Tisc.country_code == country_code, func.lower(Tisc.name) == name.strip().lower())
    )
    if exclude_id is not None:
        stmt = stmt.where(Tisc.id != exclude_id)
    return db.session.scalar(stmt) > 0


def save_tisc(tisc: Tisc | None, data: dict) -> Tisc:
    """Create a TISC (``tisc`` None) or update one from cleaned form data."""
    if tisc_name_taken(data["country_code"], data["name"], tisc.id if tisc else None):
        raise AdminError(_("A TISC with this name already exists in this country."))
    before = _tisc_snapshot(tisc) if tisc else None
    if tisc is None:
        tisc = Tisc(is_active=True)
        db.session.add(tisc)
    elif tisc.country_code != data["country_code"]:
        attached = db.session.scalar(
            select(func.count()).select_from(User).where(User.tisc_id == tisc.id)
        )
        if attached:
            raise AdminError(
                _(
                    "Learners belong to this TISC, so its country cannot change. "
                    "Create the TISC in the other country and merge this one into it."
                )
            )
    for f in TISC_FIELDS:
        setattr(tisc, f, (data.get(f) or None) if f == "national_network" else data[f])
    db.session.flush()
    record(
        "tisc.updated" if before else "tisc.created",
        "tisc",
        tisc.id,
        before=before,
        after=_tisc_snapshot(tisc),
    )
    return tisc


def set_tisc_active(tisc: Tisc, active: bool) -> bool:
    if tisc.is_active == active:
        return False
    before = _tisc_snapshot(tisc)
    tisc.is_active = active
    db.session.flush()
    record(
        "tisc.reactivated" if active else "tisc.deactivated",
        "tisc",
        tisc.id,
        before=before,
        after=_tisc_snapshot(tisc),
    )
    return True


def merge_tiscs(duplicate: Tisc, survivor: Tisc) -> int:
    """Move every learner of ``duplicate`` to ``survivor`` and deactivate the duplicate.

    The duplicate row stays (deactivated, so nobody can choose it) because audit events
    and exports refer to it. Returns the number of learners moved.
    """
    if duplicate.id == survivor.id:
        raise AdminError(_("Choose a different TISC to merge into."))
    if duplicate.country_code != survivor.country_code:
        raise AdminError(_("Only TISCs in the same country can be merged."))
    if not survivor.is_active:
        raise AdminError(_("The TISC to keep is deactivated. Reactivate it first."))
    moved_ids = list(db.session.scalars(select(User.id).where(User.tisc_id == duplicate.id)))
    if moved_ids:
        db.session.execute(
            update(User).where(User.tisc_id == duplicate.id).values(tisc_id=survivor.id),
            execution_options={"synchronize_session": "fetch"},
        )
    before = _tisc_snapshot(duplicate)
    duplicate.is_active = False
    db.session.flush()
    record(
        "tisc.merged",
        "tisc",
        duplicate.id,
        before=before,
        after={
            "merged_into": survivor.id,
            "survivor_name": survivor.name,
            "learners_moved": len(moved_ids),
        },
    )
    return len(moved_ids)


def import_tiscs(rows: list[dict]) -> tuple[int, int]:
    """Create or update TISCs from validated CSV rows (matched by country and name)."""
    created = updated = 0
    for data in rows:
        tisc = db.session.scalar(
            select(Tisc).where(
                Tisc.country_code == data["country_code"],
                func.lower(Tisc.name) == data["name"].lower(),
            )
        )
        if tisc is None:
            tisc = Tisc(
                is_active=True,
                **{
                    f: (data.get(f) or None) if f == "national_network" else data[f]
                    for f in TISC_FIELDS
                },
            )
            db.session.add(tisc)
            created += 1
        else:
            for f in ("host_institution", "city", "national_network"):
                setattr(tisc, f, (data.get(f) or None) if f == "national_network" else data[f])
            updated += 1
    db.session.flush()
    record(
        "tisc.imported",
        "tisc",
        None,
        after={"created": created, "updated": updated, "rows": len(rows)},
    )
    return created, updated


def audit_exported(rows: int, filters: dict) -> None:
    """Record that the audit log was downloaded (``rows`` events, chosen by ``filters``)."""
    record("audit.exported", "audit_event", None,
           after={"rows": rows, "filters": {k: str(v) for k, v in filters.items() if v}})


def package_rejected(filename: str | None, problems: list) -> None:
    """Record a course package refused on upload, with its first problems. Kept although the
    page answers 422 (a request that fails keeps nothing): who tried to load what is the point."""
    record("course.upload_rejected", "course_package", None,
           after={"filename": filename, "problems": [str(p) for p in problems[:50]]})
    keep_on_error()


def package_imported(course: Course, *, before: dict | None, filename: str | None, package_sha256: str,
                     summary: dict) -> None:
    """Record a course package imported from an upload (``summary``: what changed)."""
    record("course.imported", "course", course.id, before=before,
           after={"code": course.code, "filename": filename, "package_sha256": package_sha256, **summary})


# --- requests to change the printed name --------------------------------------------------


def _decide(req, status, *, actor: User, note: str | None) -> None:
    """Mark a pending request decided; AdminError if it was decided already (two admins at once)."""
    from academy.auth.models import NameChangeRequest, NameChangeStatus

    result = db.session.execute(
        update(NameChangeRequest)
        .where(NameChangeRequest.id == req.id, NameChangeRequest.status == NameChangeStatus.PENDING)
        .values(status=status, decided_at=utcnow(), decided_by_id=actor.id, decision_note=note or None)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(req)
    if result.rowcount != 1:
        raise AdminError(_("This request has already been decided."))


def _tell_learner(user: User, render, link: str) -> None:
    """In the app and by e-mail, in the learner's language. Always e-mailed (a must-send
    kind): the learner asked and waits, and the answer decides what their certificates print."""
    from academy.certification.enums import NotificationKind
    from academy.certification.notifications import notify

    notify(user, NotificationKind.NAME_CHANGE_DECIDED, render, link=link)


def approve_name_change(req, *, actor: User, note: str | None = None):
    """Print the requested names from now on: the user's names change (kept in the name
    corrections with the learner's reason), the change is audited, the certificates that
    carry the old name are re-issued on the queue (superseding them) and the learner is
    told in the app and by e-mail. Returns the re-issue job, or None when nothing needed re-issuing."""
    from academy.auth.models import NameChangeStatus
    from academy.core import signals

    note = (note or "").strip()
    _decide(req, NameChangeStatus.APPROVED, actor=actor, note=note)
    user = req.user
    before = {"full_name": user.full_name, "full_name_latin": user.full_name_latin}
    reason = f"Name change request {req.id}: {req.reason}"
    if req.requested_name != user.full_name or req.requested_name_latin != user.full_name_latin:
        db.session.add(NameCorrection(user_id=user.id, old_name=user.full_name, new_name=req.requested_name,
                                      old_name_latin=user.full_name_latin, new_name_latin=req.requested_name_latin,
                                      reason=reason, corrected_by_id=actor.id))
    user.full_name = req.requested_name
    user.full_name_latin = req.requested_name_latin
    db.session.flush()
    jobs = signals.values_from_signal(signals.printed_name_changed.send(user, reason=reason, actor=actor))
    req.job_id = jobs[0].id if jobs else None
    db.session.flush()
    record("user.name_change_approved", "user", user.id, before=before,
           after={"full_name": user.full_name, "full_name_latin": user.full_name_latin, "request": req.id,
                  "reason": req.reason, "note": note or None, "reissue_job": req.job_id},
           actor_id=actor.id)
    name = user.full_name
    _tell_learner(user, lambda: (_("Your name change has been approved"), _(
        "Your request to print the name “%(name)s” on your certificates has been approved. Your certificates "
        "are being issued again with this name; you will find them here:", name=name)),
        link=app_path("certificates.mine"))
    return jobs[0] if jobs else None


def refuse_name_change(req, *, actor: User, note: str) -> None:
    """Refuse with a reason the learner is told in the app and by e-mail; the names stay as
    they are. Audited."""
    from academy.auth.models import NameChangeStatus

    note = (note or "").strip()
    if not note:
        raise AdminError(_("Tell the learner why the request is refused."))
    _decide(req, NameChangeStatus.REFUSED, actor=actor, note=note)
    user = req.user
    record("user.name_change_refused", "user", user.id,
           after={"request": req.id, "requested_name": req.requested_name,
                  "requested_name_latin": req.requested_name_latin, "note": note},
           actor_id=actor.id)
    name = req.requested_name
    _tell_learner(user, lambda: (_("Your name change request was refused"), _(
        "Your request to print the name “%(name)s” on your certificates was refused.\n\nReason: %(note)s\n\n"
        "You can send a new request from your account:", name=name, note=note)),
        link=app_path("auth.name_change"))
