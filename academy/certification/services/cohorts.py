"""Cohorts, their instructors and sessions, and who is enrolled in them (one by one, from a CSV,
or again after an award expired); audited."""

from __future__ import annotations

import csv
import io
from datetime import date

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import select

from academy.auth.models import User
from academy.certification import queries
from academy.certification.enums import SessionMode
from academy.certification.models import (
    CertificationProgramme,
    CertificationRecord,
    Cohort,
    CohortInstructor,
    TrainingSession,
)
from academy.certification.services.common import CertificationError
from academy.certification.services.phases import evaluate, notify_phase_opened
from academy.core.audit import record as audit
from academy.core.enums import Role
from academy.extensions import db

CSV_MAX_BYTES = 1024 * 1024


CSV_MAX_ROWS = 2000


def create_cohort(programme: CertificationProgramme, name: str, starts_on: date | None = None,
                  ends_on: date | None = None) -> Cohort:
    """Add a cohort to a programme (names are unique within a programme); audited."""
    name = name.strip()
    if db.session.scalar(select(Cohort.id).where(Cohort.programme_id == programme.id, Cohort.name == name)):
        raise CertificationError(_("This programme already has a cohort with that name."))
    if starts_on and ends_on and ends_on < starts_on:
        raise CertificationError(_("The cohort cannot end before it starts."))
    cohort = Cohort(programme_id=programme.id, name=name, starts_on=starts_on, ends_on=ends_on)
    db.session.add(cohort)
    db.session.flush()
    audit("certification.cohort.create", "cohort", cohort.id,
          after={"programme": programme.code, "name": name})
    return cohort


def assign_instructor(cohort: Cohort, user: User) -> CohortInstructor:
    """Make ``user`` (who must hold the instructor role) an instructor of ``cohort``; audited."""
    if not user.has_role(Role.INSTRUCTOR):
        raise CertificationError(_("%(name)s is not an instructor.", name=user.full_name))
    existing = db.session.scalar(select(CohortInstructor).where(CohortInstructor.cohort_id == cohort.id,
                                                                CohortInstructor.user_id == user.id))
    if existing is not None:
        return existing
    row = CohortInstructor(cohort_id=cohort.id, user_id=user.id)
    db.session.add(row)
    db.session.flush()
    db.session.expire(cohort, ["instructors"])
    audit("certification.cohort.instructor.add", "cohort", cohort.id, after={"instructor": user.email})
    return row


def remove_instructor(cohort: Cohort, user: User) -> None:
    row = db.session.scalar(select(CohortInstructor).where(CohortInstructor.cohort_id == cohort.id,
                                                           CohortInstructor.user_id == user.id))
    if row is not None:
        db.session.delete(row)
        db.session.flush()
        db.session.expire(cohort, ["instructors"])
        audit("certification.cohort.instructor.remove", "cohort", cohort.id, before={"instructor": user.email})


def create_session(cohort: Cohort, *, title: str, starts_on: date, ends_on: date, mode: SessionMode,
                   place: str = "", link: str = "", language: str = "en") -> TrainingSession:
    """Schedule a training session for a cohort; audited."""
    if ends_on < starts_on:
        raise CertificationError(_("The session cannot end before it starts."))
    if (ends_on - starts_on).days > 60:
        raise CertificationError(_("A training session lasts at most 60 days."))
    session = TrainingSession(cohort_id=cohort.id, title=title.strip(), starts_on=starts_on, ends_on=ends_on,
                              mode=SessionMode(mode), place=place.strip(), link=link.strip(), language=language)
    db.session.add(session)
    db.session.flush()
    audit("certification.session.create", "training_session", session.id,
          after={"cohort": cohort.id, "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()})
    return session


def _enrolment_problem(cohort: Cohort, user: User) -> str | None:
    """Why ``user`` cannot join ``cohort`` (None when they can)."""
    record = queries.latest_record(user.id, cohort.programme_id)
    if record is None:
        return None
    if record.cohort_id == cohort.id:
        return _("already enrolled in this cohort")
    if record.awarded_at is not None and not record.is_expired:
        return _("already certified in this programme")
    if record.awarded_at is None and record.cohort_id is not None:
        return _("enrolled in another cohort of this programme")
    return None


def enrol_learner(cohort: Cohort, user: User) -> CertificationRecord:
    """Place ``user`` in ``cohort``: a new certification record, or their open one without a cohort.

    Refuses learners already in a cohort of the programme or holding a valid award.
    """
    problem = _enrolment_problem(cohort, user)
    if problem:
        raise CertificationError(_("%(email)s: %(problem)s.", email=user.email, problem=problem))
    record = queries.latest_record(user.id, cohort.programme_id)
    if record is not None and record.awarded_at is None:
        record.cohort_id = cohort.id  # a recertification record waiting for a cohort
    else:
        record = CertificationRecord(user_id=user.id, programme_id=cohort.programme_id, cohort_id=cohort.id,
                                     attempt=(record.attempt + 1) if record else 1,
                                     previous_record_id=record.id if record and record.awarded_at else None)
        db.session.add(record)
    db.session.flush()
    audit("certification.cohort.enrol", "certification_record", record.id,
          after={"cohort": cohort.id, "learner": user.email})
    notify_phase_opened(record, 1)
    evaluate(record)
    return record


def parse_enrolment_csv(cohort: Cohort, data: bytes) -> tuple[list[User], list[dict]]:
    """Check a CSV of learner e-mails as a whole; returns (users, errors) and writes nothing.

    The file needs a header row with an ``email`` column (other columns, such as a name,
    are ignored). Each error is {"line", "value", "reason"}; line 0 is about the file.
    """
    def fail(reason: str) -> tuple[list[User], list[dict]]:
        return [], [{"line": 0, "value": "", "reason": reason}]

    if not data or not data.strip():
        return fail(_("The file is empty."))
    if len(data) > CSV_MAX_BYTES:
        return fail(_("The file is larger than 1 MB."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return fail(_("The file is not UTF-8 text. Save it as “CSV UTF-8”."))
    if "\x00" in text:
        return fail(_("The file is not a CSV text file."))
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        rows = list(reader)
    except csv.Error as exc:
        return fail(_("The file is not valid CSV: %(error)s", error=str(exc)))
    header = [h.strip().lower() for h in rows[0]] if rows else []
    if "email" not in header and "e-mail" not in header:
        return fail(_("The first row must be a header with an “email” column; found: %(columns)s.",
                      columns=", ".join(h for h in header if h) or _("nothing")))
    col = header.index("email") if "email" in header else header.index("e-mail")
    body = [(i, r) for i, r in enumerate(rows[1:], start=2) if any(c.strip() for c in r)]
    if not body:
        return fail(_("The file has a header but no learners."))
    if len(body) > CSV_MAX_ROWS:
        return fail(_("The file has more than %(count)s rows; split it.", count=CSV_MAX_ROWS))
    errors: list[dict] = []
    seen: dict[str, int] = {}
    parsed: list[tuple[int, str]] = []
    for line, row in body:
        value = row[col].strip() if col < len(row) else ""
        if not value:
            errors.append({"line": line, "value": "", "reason": _("no e-mail address")})
            continue
        try:
            email = validate_email(value, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            errors.append({"line": line, "value": value, "reason": _("not a valid e-mail address")})
            continue
        if email in seen:
            errors.append({"line": line, "value": value,
                           "reason": _("duplicate of line %(line)s", line=seen[email])})
            continue
        seen[email] = line
        parsed.append((line, email))
    users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_([e for _l, e in parsed])))}
    found: list[User] = []
    for line, email in parsed:
        user = users.get(email)
        if user is None:
            errors.append({"line": line, "value": email, "reason": _("no account with this e-mail address")})
            continue
        problem = _enrolment_problem(cohort, user)
        if problem:
            errors.append({"line": line, "value": email, "reason": problem})
            continue
        found.append(user)
    errors.sort(key=lambda e: e["line"])
    return (found if not errors else []), errors


def enrol_from_csv(cohort: Cohort, data: bytes) -> tuple[list[CertificationRecord], list[dict]]:
    """Enrol everyone in the CSV, or (when any row is bad) no one; returns (records, errors)."""
    users, errors = parse_enrolment_csv(cohort, data)
    if errors:
        return [], errors
    return [enrol_learner(cohort, u) for u in users], []


def can_recertify(user: User, programme: CertificationProgramme) -> bool:
    latest = queries.latest_record(user.id, programme.id)
    return latest is not None and latest.awarded_at is not None and latest.is_expired


def recertify(user: User, programme: CertificationProgramme) -> CertificationRecord:
    """Start a new record (the next attempt) after the previous certification expired."""
    if not can_recertify(user, programme):
        raise CertificationError(_("Recertification opens when your certification has expired."))
    latest = queries.latest_record(user.id, programme.id)
    record = CertificationRecord(user_id=user.id, programme_id=programme.id, cohort_id=None,
                                 attempt=latest.attempt + 1, previous_record_id=latest.id)
    db.session.add(record)
    db.session.flush()
    audit("certification.recertify", "certification_record", record.id,
          after={"attempt": record.attempt, "renews": latest.id})
    notify_phase_opened(record, 1)
    evaluate(record)
    return record
