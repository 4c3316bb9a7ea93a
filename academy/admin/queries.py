"""Reads for the admin console: people search, course overview, audit log."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased, selectinload

from academy.admin.models import Invitation, NameCorrection
from academy.auth.models import User, UserRole
from academy.core.audit import AuditEvent
from academy.core.models import utcnow
from academy.courses.models import Course, Enrollment, Lesson, Module
from academy.extensions import cache, db


def fold(text: str) -> str:
    """Case- and width-insensitive form for matching names in any script."""
    return unicodedata.normalize("NFKC", text).casefold()


@event.listens_for(Engine, "connect")
def _sqlite_fold_function(dbapi_connection, connection_record):
    # SQLite's lower() only knows ASCII; searching "иван" must find "Иванова".
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.create_function(
            "academy_fold", 1, lambda v: fold(v) if v is not None else None, deterministic=True
        )


def _contains(column, text: str):
    if db.session.get_bind().dialect.name == "sqlite":
        return func.academy_fold(column).contains(fold(text), autoescape=True)
    return column.icontains(unicodedata.normalize("NFKC", text), autoescape=True)


# --- people ---------------------------------------------------------------------------

SORTS = {
    "name": User.full_name,
    "email": User.email,
    "country": User.country_code,
    "created": User.created_at,
    "last_login": User.last_login_at,
}
STATUSES = ("active", "deactivated", "invited")


def people_query(f: dict):
    """A select() of users matching the filters in ``f`` (keys as in PeopleFilterForm)."""
    stmt = select(User)
    q = (f.get("q") or "").strip()
    if q:
        stmt = stmt.where(_contains(User.full_name, q) | _contains(User.email, q))
    if f.get("country"):
        stmt = stmt.where(User.country_code == f["country"])
    if f.get("tisc"):
        stmt = stmt.where(User.tisc_id == int(f["tisc"]))
    if f.get("role"):
        stmt = stmt.where(
            select(UserRole.id)
            .where(UserRole.user_id == User.id, UserRole.role == f["role"])
            .exists()
        )
    if f.get("gender"):
        stmt = stmt.where(User.gender == f["gender"])
    if f.get("language"):
        stmt = stmt.where(User.preferred_language == f["language"])
    pending = (
        select(Invitation.id)
        .where(Invitation.user_id == User.id, Invitation.accepted_at.is_(None))
        .exists()
    )
    status = f.get("status")
    if status == "active":
        stmt = stmt.where(User.is_active_account, ~pending)
    elif status == "deactivated":
        stmt = stmt.where(~User.is_active_account)
    elif status == "invited":
        stmt = stmt.where(User.is_active_account, pending)
    column = SORTS.get(f.get("sort") or "name", User.full_name)
    order = column.desc().nulls_last() if f.get("dir") == "desc" else column.asc().nulls_last()
    return stmt.order_by(order, User.id)


def pending_invitation_ids(user_ids: list[int]) -> set[int]:
    return set(
        db.session.scalars(
            select(Invitation.user_id).where(
                Invitation.user_id.in_(user_ids), Invitation.accepted_at.is_(None)
            )
        )
    )


def user_enrollments(user_id: int) -> list[Enrollment]:
    return list(
        db.session.scalars(
            select(Enrollment)
            .where(Enrollment.user_id == user_id)
            .options(selectinload(Enrollment.course).selectinload(Course.versions))
            .order_by(Enrollment.enrolled_at.desc())
        )
    )


def name_corrections(user_id: int) -> list[NameCorrection]:
    return list(
        db.session.scalars(
            select(NameCorrection)
            .where(NameCorrection.user_id == user_id)
            .order_by(NameCorrection.created_at.desc(), NameCorrection.id.desc())
        )
    )


def recent_activity(user_id: int, limit: int = 20) -> list[AuditEvent]:
    """Audit events about this user or done by them, newest first."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                ((AuditEvent.target_type == "user") & (AuditEvent.target_id == str(user_id)))
                | (AuditEvent.actor_id == user_id)
            )
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )


def counts() -> dict:
    """The admin dashboard's figures, counted now (five counts, one over every account)."""
    return {
        "users": db.session.scalar(select(func.count()).select_from(User)),
        "active_admins": db.session.scalar(
            select(func.count())
            .select_from(User)
            .join(UserRole)
            .where(UserRole.role == "admin", User.is_active_account)
        ),
        "courses": db.session.scalar(select(func.count()).select_from(Course)),
        "pending_invitations": db.session.scalar(
            select(func.count()).select_from(Invitation).where(Invitation.accepted_at.is_(None))
        ),
        "audit_today": db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.created_at >= utcnow() - timedelta(days=1))
        ),
    }


def dashboard_counts() -> tuple[dict, datetime]:
    """``counts()`` and when they were counted, kept in the shared cache for
    ``ADMIN_COUNTS_SECONDS`` (each view otherwise counts 110,000 accounts; the page says
    "as of" so a figure a minute old is not mistaken for a live one). Totals only: no
    person's data."""
    seconds = int(current_app.config.get("ADMIN_COUNTS_SECONDS", 0 if current_app.testing else 60))
    key = f"admin-counts:{db.engine.url}"
    hit = cache.get(key) if seconds else None
    if hit is not None:
        return hit
    fresh = (counts(), utcnow())
    if seconds:
        cache.set(key, fresh, timeout=seconds)
    return fresh


def forget_counts() -> None:
    """Drop the cached dashboard counts (after an admin changes what they count)."""
    cache.delete(f"admin-counts:{db.engine.url}")


# --- courses --------------------------------------------------------------------------


@dataclass
class CourseRow:
    course: Course
    modules: int
    lessons: int
    enrollments: int
    by_language: dict


def course_rows() -> list[CourseRow]:
    courses = list(
        db.session.scalars(
            select(Course).options(selectinload(Course.versions)).order_by(Course.code)
        )
    )
    modules = dict(
        db.session.execute(
            select(Module.course_id, func.count())
            .where(~Module.is_retired)
            .group_by(Module.course_id)
        ).all()
    )
    lessons = dict(
        db.session.execute(
            select(Module.course_id, func.count())
            .select_from(Lesson)
            .join(Module)
            .where(~Lesson.is_retired, ~Module.is_retired)
            .group_by(Module.course_id)
        ).all()
    )
    by_lang: dict[int, dict[str, int]] = {}
    for course_id, lang, n in db.session.execute(
        select(Enrollment.course_id, Enrollment.language, func.count()).group_by(
            Enrollment.course_id, Enrollment.language
        )
    ):
        by_lang.setdefault(course_id, {})[lang] = n
    return [
        CourseRow(
            c,
            modules.get(c.id, 0),
            lessons.get(c.id, 0),
            sum(by_lang.get(c.id, {}).values()),
            by_lang.get(c.id, {}),
        )
        for c in courses
    ]


# --- audit log ------------------------------------------------------------------------


def _day_start(d: date) -> datetime:
    from datetime import UTC

    return datetime.combine(d, time.min, tzinfo=UTC)


def audit_query(f: dict):
    actor = aliased(User)
    stmt = select(AuditEvent, actor).outerjoin(actor, actor.id == AuditEvent.actor_id)
    if f.get("action"):
        stmt = stmt.where(AuditEvent.action.startswith(f["action"], autoescape=True))
    if f.get("actor"):
        stmt = stmt.where(
            _contains(actor.email, f["actor"]) | _contains(actor.full_name, f["actor"])
        )
    if f.get("target_type"):
        stmt = stmt.where(AuditEvent.target_type == f["target_type"])
    if f.get("target_id"):
        stmt = stmt.where(AuditEvent.target_id == str(f["target_id"]).strip())
    if f.get("since"):
        stmt = stmt.where(AuditEvent.created_at >= _day_start(f["since"]))
    if f.get("until"):
        stmt = stmt.where(AuditEvent.created_at < _day_start(f["until"] + timedelta(days=1)))
    return stmt.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())


def audit_actions() -> list[str]:
    return list(
        db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    )


def audit_target_types() -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.target_type).distinct().order_by(AuditEvent.target_type)
        )
    )


def pending_name_requests() -> list:
    """Name change requests waiting for a decision, oldest first (first come, first served)."""
    from academy.auth.models import NameChangeRequest, NameChangeStatus

    return list(db.session.scalars(
        select(NameChangeRequest).where(NameChangeRequest.status == NameChangeStatus.PENDING)
        .order_by(NameChangeRequest.created_at, NameChangeRequest.id)))


def decided_name_requests(limit: int = 50) -> list:
    """The latest decided name change requests, newest first."""
    from academy.auth.models import NameChangeRequest, NameChangeStatus

    return list(db.session.scalars(
        select(NameChangeRequest).where(NameChangeRequest.status != NameChangeStatus.PENDING)
        .order_by(NameChangeRequest.decided_at.desc(), NameChangeRequest.id.desc()).limit(limit)))
