"""Reads for certificates: lookups by code, serial and hash; the admin search."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, or_, select

from academy.auth.models import User
from academy.certificates.models import Certificate, CertificateKind, CertificateStatus
from academy.certificates.services import CODE_RE, SERIAL_RE
from academy.core import signals
from academy.core.models import utcnow
from academy.extensions import db


def by_code_or_serial(value: str) -> Certificate | None:
    """The certificate with this verification code or serial number; None for anything else,
    malformed input included (checked before it reaches the database). Its columns are read
    now even if the session holds it already: a revocation elsewhere shows at once."""
    value = (value or "").strip()
    if SERIAL_RE.match(value.upper()):
        condition = Certificate.serial == value.upper()
    elif CODE_RE.match(value):
        condition = Certificate.verification_code == value
    else:
        return None
    return db.session.scalar(select(Certificate).where(condition).execution_options(populate_existing=True))


def by_serial(serial: str) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.serial == serial))


def by_sha256(digest: str) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.pdf_sha256 == digest).limit(1))


def certificates_in_preparation(user_id: int, within: timedelta = timedelta(hours=1)) -> list[str]:
    """Titles (in the course language) of the user's courses completed in the last ``within``
    whose certificate the queue has not issued yet: a learner sees "being prepared" for
    the seconds it takes, not forever if issuing failed (an admin's bulk issue catches that)."""
    from academy.core.enums import EnrollmentStatus
    from academy.courses.models import CourseVersion, Enrollment

    rows = db.session.execute(
        select(CourseVersion.title)
        .select_from(Enrollment)
        .join(CourseVersion, (CourseVersion.course_id == Enrollment.course_id)
              & (CourseVersion.language == Enrollment.language))
        .outerjoin(Certificate, Certificate.enrollment_id == Enrollment.id)
        .where(Enrollment.user_id == user_id, Enrollment.status == EnrollmentStatus.COMPLETED,
               Enrollment.completed_at >= utcnow() - within, Certificate.id.is_(None))
        .order_by(Enrollment.completed_at.desc())
    )
    return [title for (title,) in rows] + certifications_in_preparation(user_id, within)


def certifications_in_preparation(user_id: int, within: timedelta = timedelta(hours=1)) -> list[str]:
    """Titles (in the user's language) of the user's certifications awarded in the last
    ``within`` whose certificate the queue has not issued yet."""
    from academy.certification.models import CertificationRecord

    records = db.session.scalars(
        select(CertificationRecord)
        .where(CertificationRecord.user_id == user_id, CertificationRecord.awarded_at >= utcnow() - within,
               CertificationRecord.certificate_id.is_(None))
        .order_by(CertificationRecord.awarded_at.desc())
    ).all()
    if not records:
        return []
    language = db.session.get(User, user_id).preferred_language
    return [record.programme.title(language) for record in records]


def user_certificates(user_id: int) -> list[Certificate]:
    """Everything issued to the user, newest first (superseded and revoked ones too)."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.user_id == user_id)
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        )
    )


def revoked_ids() -> list[int]:
    return list(db.session.scalars(select(Certificate.id).where(Certificate.status == CertificateStatus.REVOKED)))


@dataclass
class SearchFilters:
    q: str = ""
    subject_code: str = ""
    status: str = ""
    kind: str = ""
    issued_from: date | None = None
    issued_to: date | None = None
    user_ids: list[int] | None = None


def status_is(status: str, now: datetime | None = None):
    """The condition for certificates whose status, as shown (``effective_status``), is
    ``status``: a stored "valid" past its expiry date shows, and is found, as "expired"."""
    now = now or utcnow()
    if status == CertificateStatus.EXPIRED.value:
        return (Certificate.status == CertificateStatus.VALID) & (Certificate.expires_at <= now)
    if status == CertificateStatus.VALID.value:
        return (Certificate.status == CertificateStatus.VALID) & or_(Certificate.expires_at.is_(None),
                                                                     Certificate.expires_at > now)
    return Certificate.status == CertificateStatus(status)


def search(filters: SearchFilters) -> Select:
    """Certificates matching the admin search (name or e-mail, serial, course, status, dates)."""
    stmt = select(Certificate).join(User, User.id == Certificate.user_id)
    if filters.q:
        term = filters.q.strip()
        like = f"%{term.lower()}%"
        stmt = stmt.where(
            or_(
                Certificate.serial == term.upper(),
                Certificate.learner_name.ilike(f"%{term}%"),
                User.full_name.ilike(f"%{term}%"),
                User.email.like(like),
            )
        )
    if filters.subject_code:
        stmt = stmt.where(Certificate.subject_code == filters.subject_code)
    if filters.kind:
        stmt = stmt.where(Certificate.kind == filters.kind)
    if filters.status:
        stmt = stmt.where(status_is(filters.status))
    if filters.issued_from:
        stmt = stmt.where(Certificate.issued_at >= datetime.combine(filters.issued_from, time.min, UTC))
    if filters.issued_to:
        stmt = stmt.where(
            Certificate.issued_at < datetime.combine(filters.issued_to + timedelta(days=1), time.min, UTC)
        )
    if filters.user_ids is not None:
        stmt = stmt.where(Certificate.user_id.in_(filters.user_ids or [-1]))
    return stmt.order_by(Certificate.issued_at.desc(), Certificate.id.desc())


def subject_codes() -> list[str]:
    return list(db.session.scalars(select(Certificate.subject_code).distinct().order_by(Certificate.subject_code)))


@dataclass(frozen=True)
class LearnerGroups:
    """Named groups of learners another feature offers to the admin screens (e.g.
    certification cohorts): ``choices()`` -> [(key, label)], ``members(key)`` -> user ids."""

    label: object
    choices: Callable[[], list[tuple[str, str]]]
    members: Callable[[str], list[int]]


def learner_groups() -> dict[str, LearnerGroups]:
    """The groups other features offer (``learner-groups``), by prefix; the admin search
    and ZIP download take ``group=<prefix>:<key>``."""
    groups: dict[str, LearnerGroups] = {}
    for prefix, offered in signals.values_from_signal(signals.learner_groups.send()):
        groups.setdefault(prefix, offered)
    return groups


def group_choices() -> list[tuple[str, str]]:
    return [
        (f"{prefix}:{key}", f"{groups.label}: {label}")
        for prefix, groups in learner_groups().items()
        for key, label in groups.choices()
    ]


def group_members(value: str) -> list[int] | None:
    """User ids of ``prefix:key``; None when the value names no known group."""
    prefix, _, key = (value or "").partition(":")
    groups = learner_groups().get(prefix)
    if groups is None or not key:
        return None
    return list(groups.members(key))


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


def filters_from(raw) -> tuple[SearchFilters, dict]:
    """The admin search's filters from its query-string arguments (a request's, or a job's
    saved copy), and the arguments that were set."""
    args = {k: (raw.get(k) or "").strip() for k in ("q", "subject", "status", "kind", "from", "to", "group")}
    statuses = {s.value for s in CertificateStatus}
    kinds = {k.value for k in CertificateKind}
    filters = SearchFilters(
        q=args["q"][:200],
        subject_code=args["subject"][:32],
        status=args["status"] if args["status"] in statuses else "",
        kind=args["kind"] if args["kind"] in kinds else "",
        issued_from=_date(args["from"]),
        issued_to=_date(args["to"]),
    )
    if args["group"]:
        members = group_members(args["group"])
        filters.user_ids = members if members is not None else []
    return filters, {k: v for k, v in args.items() if v}
