"""Reads for certificates: lookups by code, serial and hash; the admin search."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.orm import aliased

from academy.auth.models import User
from academy.certificates.models import Certificate, CertificateKind, CertificateStatus
from academy.certificates.services import CODE_RE, SERIAL_RE
from academy.core import signals
from academy.core.models import utcnow
from academy.extensions import db, read


def by_code_or_serial(value: str) -> Certificate | None:
    """The certificate with this verification code or serial number; None for anything else,
    malformed input included (checked before it reaches the database)."""
    value = (value or "").strip()
    if SERIAL_RE.match(value.upper()):
        return db.session.scalar(select(Certificate).where(Certificate.serial == value.upper()))
    if CODE_RE.match(value):
        return db.session.scalar(select(Certificate).where(Certificate.verification_code == value))
    return None


@dataclass(frozen=True)
class Successor:
    serial: str
    verification_code: str


@dataclass(frozen=True)
class VerifiedCertificate:
    """What the public verification page shows of a certificate, read in one Core row
    (no ORM object, no second query for its successor). ``state`` holds every value
    read: the page's cached HTML is keyed by it (see certificates/views.py)."""

    id: int
    serial: str
    verification_code: str
    status: CertificateStatus
    kind: CertificateKind
    subject_code: str
    title: str
    titles: dict
    language: str
    learner_name: str
    hours: float | None
    issued_at: datetime
    expires_at: datetime | None
    pdf_sha256: str
    revoked_at: datetime | None
    revocation_reason: str | None
    superseded_at: datetime | None
    superseded_by: Successor | None
    state: tuple = field(repr=False, compare=False)

    # The model's own rules, not copies of them: they read only the columns above.
    effective_status = Certificate.effective_status
    title_in = Certificate.title_in


_successor = aliased(Certificate)
_VERIFIED = select(
    Certificate.id, Certificate.serial, Certificate.verification_code, Certificate.status, Certificate.kind,
    Certificate.subject_code, Certificate.title, Certificate.titles, Certificate.language,
    Certificate.learner_name, Certificate.hours, Certificate.issued_at, Certificate.expires_at,
    Certificate.pdf_sha256, Certificate.revoked_at, Certificate.revocation_reason, Certificate.superseded_at,
    _successor.serial, _successor.verification_code,
).outerjoin(_successor, _successor.id == Certificate.superseded_by_id)
# Built once: the page is public and hit hard, and building a select costs about as much
# as running it.
_VERIFIED_BY_SERIAL = _VERIFIED.where(Certificate.serial == bindparam("value"))
_VERIFIED_BY_CODE = _VERIFIED.where(Certificate.verification_code == bindparam("value"))


def verified(value: str) -> VerifiedCertificate | None:
    """The certificate with this verification code or serial number as the verification
    page shows it, read from the database now (a revocation in another process shows at
    once); None for anything else, malformed input included."""
    value = (value or "").strip()
    if SERIAL_RE.match(value.upper()):
        statement, value = _VERIFIED_BY_SERIAL, value.upper()
    elif CODE_RE.match(value):
        statement = _VERIFIED_BY_CODE
    else:
        return None
    row = read(statement, {"value": value}).first()
    if row is None:
        return None
    *columns, successor_serial, successor_code = row
    successor = Successor(successor_serial, successor_code) if successor_serial is not None else None
    state = tuple(tuple(sorted(v.items())) if isinstance(v, dict) else v for v in row)
    return VerifiedCertificate(*columns, superseded_by=successor, state=state)


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
    return [title for (title,) in rows]


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
        now = utcnow()
        if filters.status == CertificateStatus.EXPIRED.value:
            stmt = stmt.where(Certificate.status == CertificateStatus.VALID, Certificate.expires_at <= now)
        elif filters.status == CertificateStatus.VALID.value:
            stmt = stmt.where(
                Certificate.status == CertificateStatus.VALID,
                or_(Certificate.expires_at.is_(None), Certificate.expires_at > now),
            )
        else:
            stmt = stmt.where(Certificate.status == filters.status)
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
