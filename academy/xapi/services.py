"""The xAPI outbox: receivers add statements in the transaction of the event they record;
the queue sends them to the Learning Record Store after the commit, in batches, with retries.

A page never waits for the LRS: it only adds a row. ``send_pending`` claims a batch, posts it
as one JSON array and marks it sent; an LRS that is down leaves the rows unsent for the retry
and the periodic sweep. Rows keep their statement, so a replay re-sends history as it was.
"""

from __future__ import annotations

import base64
import itertools
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from academy.core.models import utcnow
from academy.core.queue import crontab, periodic, retries_left, task
from academy.extensions import db
from academy.xapi import statements
from academy.xapi.models import XapiStatement

log = logging.getLogger(__name__)
BATCH = 500
CLAIM_TIMEOUT = timedelta(minutes=5)


class LRSError(RuntimeError):
    pass


def add(stmt: dict, user_id: int | None) -> XapiStatement | None:
    """Keep one statement for sending (once per statement id) and ask the queue to send after commit."""
    if db.session.scalar(select(XapiStatement.id).where(XapiStatement.statement_id == stmt["id"])):
        return None
    row = XapiStatement(statement_id=stmt["id"], user_id=user_id, verb=stmt["verb"]["id"], statement=stmt)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return None
    if current_app.config.get("XAPI_LRS_URL"):
        send_pending.after_commit()
    return row


def history(since: datetime) -> Iterator[tuple[dict, int]]:
    """The statement of every learning event since ``since``, rebuilt from the records the
    site keeps (who registered, enrolled, completed a lesson …, when), with the ids the live
    statements have: each event makes the same statement id however it is built."""
    from academy.assessments.models import QuizAttempt
    from academy.auth.models import User
    from academy.certificates.models import Certificate
    from academy.certification.models import CertificationRecord
    from academy.courses.models import Enrollment, Lesson, LessonProgress
    from academy.surveys.models import SurveyInvitation

    def rows(model, when):
        # The ids first, then the rows a chunk at a time: the caller commits between batches,
        # which would close a cursor left open across them (PostgreSQL's server-side ones).
        ids = db.session.scalars(select(model.id).where(when >= since).order_by(model.id)).all()
        for start in range(0, len(ids), 500):
            yield from db.session.scalars(select(model).where(model.id.in_(ids[start:start + 500]))
                                          .order_by(model.id)).all()

    for user in rows(User, User.created_at):
        yield statements.for_registration(user), user.id
    for enrollment in rows(Enrollment, Enrollment.enrolled_at):
        yield statements.for_enrolment(enrollment), enrollment.user_id
    for progress in rows(LessonProgress, LessonProgress.completed_at):
        enrollment = db.session.get(Enrollment, progress.enrollment_id)
        lesson = db.session.get(Lesson, progress.lesson_id)
        yield statements.for_lesson(enrollment, lesson, progress.completed_at), enrollment.user_id
    for attempt in rows(QuizAttempt, QuizAttempt.graded_at):
        yield statements.for_quiz(attempt), attempt.user_id
    for enrollment in rows(Enrollment, Enrollment.completed_at):
        yield statements.for_course_completed(enrollment), enrollment.user_id
    for phase in (1, 2, 3):
        for record in rows(CertificationRecord, getattr(CertificationRecord, f"phase{phase}_passed_at")):
            yield statements.for_phase(record, phase), record.user_id
    for record in rows(CertificationRecord, CertificationRecord.awarded_at):
        yield statements.for_certified(record), record.user_id
    for cert in rows(Certificate, Certificate.issued_at):
        yield statements.for_certificate_issued(cert, cert.issued_at), cert.user_id
    for cert in rows(Certificate, Certificate.revoked_at):
        yield statements.for_certificate_revoked(cert), cert.user_id
    for invitation in rows(SurveyInvitation, SurveyInvitation.submitted_at):
        yield statements.for_survey_answered(invitation), invitation.user_id


def rebuild(since: datetime, batch: int = 500) -> Iterator[int]:
    """Add to the outbox the statements of events since ``since`` that it lacks: events from
    before the outbox existed, or written without the services (a bulk import). Yields how
    many each batch added, so the caller (the CLI: its own transaction boundary) commits as
    it goes; what the outbox has is recognised by its statement id and left alone."""
    events = history(since)
    while chunk := list(itertools.islice(events, batch)):
        ids = [stmt["id"] for stmt, _ in chunk]
        have = set(db.session.scalars(select(XapiStatement.statement_id).where(XapiStatement.statement_id.in_(ids))))
        added = 0
        for stmt, user_id in chunk:
            if stmt["id"] in have:
                continue
            have.add(stmt["id"])
            db.session.add(XapiStatement(statement_id=stmt["id"], user_id=user_id, verb=stmt["verb"]["id"],
                                         statement=stmt))
            added += 1
        db.session.flush()
        yield added


# --- receivers (connected in academy.xapi.init_app) -------------------------------------


def on_user_registered(user, **_kw) -> None:
    add(statements.for_registration(user), user.id)


def on_enrolled(enrollment, **_kw) -> None:
    add(statements.for_enrolment(enrollment), enrollment.user_id)


def on_lesson_completed(enrollment, lesson, **_kw) -> None:
    add(statements.for_lesson(enrollment, lesson, utcnow()), enrollment.user_id)


def on_quiz_graded(attempt, **_kw) -> None:
    add(statements.for_quiz(attempt), attempt.user_id)


def on_course_completed(sender, enrollment=None, **_kw) -> None:
    enrollment = enrollment or sender
    add(statements.for_course_completed(enrollment), enrollment.user_id)


def on_phase_passed(record, phase: int, **_kw) -> None:
    add(statements.for_phase(record, phase), record.user_id)


def on_certified(record, **_kw) -> None:
    add(statements.for_certified(record), record.user_id)


def on_certificate_issued(cert, **_kw) -> None:
    add(statements.for_certificate_issued(cert), cert.user_id)


def on_certificate_revoked(cert, **_kw) -> None:
    add(statements.for_certificate_revoked(cert), cert.user_id)


def on_survey_answered(invitation, **_kw) -> None:
    add(statements.for_survey_answered(invitation), invitation.user_id)


# --- sending ----------------------------------------------------------------------------


def post_statements(batch: list[dict]) -> None:
    """POST a batch to the LRS's statements resource (xAPI 1.0.3, basic auth)."""
    cfg = current_app.config
    url = cfg["XAPI_LRS_URL"].rstrip("/") + "/statements"
    if not url.startswith(("https://", "http://")):
        raise ValueError("ACADEMY_XAPI_LRS_URL must be an http(s) address")
    req = urllib.request.Request(url, data=json.dumps(batch).encode(), method="POST")  # noqa: S310 - a configured URL
    req.add_header("Content-Type", "application/json")
    req.add_header("X-Experience-API-Version", "1.0.3")
    if cfg.get("XAPI_LRS_KEY"):
        pair = f"{cfg['XAPI_LRS_KEY']}:{cfg.get('XAPI_LRS_SECRET', '')}".encode()
        req.add_header("Authorization", "Basic " + base64.b64encode(pair).decode())
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310  # nosec B310 - http(s) checked above
            resp.read()
    except urllib.error.HTTPError as exc:
        # 409: a statement with one of these ids is stored already (a replay, a retry after
        # a lost answer): the LRS has it, which is what sending was for.
        if exc.code != 409:
            raise LRSError(f"LRS answered {exc.code}: {exc.read()[:300]!r}") from None
    except OSError as exc:
        raise LRSError(f"LRS unreachable: {exc}") from None


def _claim_batch(now: datetime) -> list[XapiStatement]:
    ids = db.session.scalars(
        select(XapiStatement.id).where(
            XapiStatement.sent_at.is_(None),
            XapiStatement.claimed_at.is_(None) | (XapiStatement.claimed_at < now - CLAIM_TIMEOUT),
        ).order_by(XapiStatement.id).limit(BATCH)
    ).all()
    if not ids:
        return []
    # Conditional: of two consumers that read the same ids, each keeps only the rows its own
    # UPDATE claimed (marked with its own time), so a statement is not posted twice at once.
    db.session.execute(
        update(XapiStatement).where(
            XapiStatement.id.in_(ids), XapiStatement.sent_at.is_(None),
            XapiStatement.claimed_at.is_(None) | (XapiStatement.claimed_at < now - CLAIM_TIMEOUT),
        ).values(claimed_at=now, attempts=XapiStatement.attempts + 1).execution_options(synchronize_session=False)
    )
    db.session.commit()
    return list(db.session.scalars(select(XapiStatement).where(XapiStatement.id.in_(ids),
                                                               XapiStatement.claimed_at == now)
                                   .order_by(XapiStatement.id)))


@task(retries=5, retry_delay=60)
def send_pending(batches: int | None = None, task=None) -> int:
    """Send the unsent statements, a batch at a time (at most ``batches`` batches; all by
    default); returns how many were sent. An LRS error un-claims the batch and raises, so
    Huey tries again later."""
    if not current_app.config.get("XAPI_LRS_URL"):
        return 0
    sent = 0
    for _ in itertools.count() if batches is None else range(batches):
        now = utcnow()
        rows = _claim_batch(now)
        if not rows:
            return sent
        try:
            post_statements([r.statement for r in rows])
        except LRSError as exc:
            for r in rows:
                r.claimed_at, r.error = None, str(exc)[:2000]
            db.session.commit()
            log.warning("xAPI: %d statements not sent (%s retries left): %s", len(rows), retries_left(task), exc)
            raise
        done = utcnow()
        for r in rows:
            r.sent_at, r.error = done, None
        db.session.commit()
        sent += len(rows)
    return sent


@periodic(crontab(minute="*/5"))
def sweep_unsent() -> None:
    """Every five minutes: what a lost task or a down LRS left unsent."""
    if current_app.config.get("XAPI_LRS_URL"):
        send_pending.enqueue()


def replay(since: datetime) -> int:
    """Mark every statement stored since ``since`` unsent again (they are sent by the next
    ``send_pending``); returns how many."""
    result = db.session.execute(
        update(XapiStatement).where(XapiStatement.created_at >= since)
        .values(sent_at=None, claimed_at=None).execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def json_lines(since: datetime | None = None) -> Iterator[str]:
    """Every stored statement as JSON lines, oldest first (streamed a thousand rows at a time)."""
    last = 0
    while True:
        stmt = select(XapiStatement.id, XapiStatement.statement).where(XapiStatement.id > last)
        if since is not None:
            stmt = stmt.where(XapiStatement.created_at >= since)
        rows = db.session.execute(stmt.order_by(XapiStatement.id).limit(1000)).all()
        if not rows:
            return
        for row_id, statement in rows:
            yield json.dumps(statement, ensure_ascii=False, sort_keys=True) + "\n"
            last = row_id
