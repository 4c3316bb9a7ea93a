"""Writes for follow-up surveys: definitions, send points, sending and reminding, answers.

Services add and flush and record audit events; the request (or the periodic task)
commits. Sending is idempotent: an invitation is unique per send point and learner, its
notification carries a dedupe key, and the reminder is sent only while ``reminded_at`` is
empty, so a rerun of the periodic task sends nothing twice.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from academy.auth.models import User
from academy.certification.enums import NotificationKind
from academy.certification.models import CertificationRecord
from academy.certification.notifications import notify
from academy.core import signals
from academy.core.audit import record
from academy.core.enums import EnrollmentStatus
from academy.core.models import utcnow
from academy.courses.models import Enrollment
from academy.extensions import db
from academy.surveys.definitions import DefinitionError, SurveyDef
from academy.surveys.enums import QuestionKind
from academy.surveys.models import Survey, SurveyAnswer, SurveyInvitation, SurveyQuestion, SurveySendPoint


class SurveyError(ValueError):
    pass


def add_months(when: datetime, months: int) -> datetime:
    """``when`` moved by ``months`` calendar months (the 31st becomes the month's last day)."""
    index = when.month - 1 + months
    year, month = when.year + index // 12, index % 12 + 1
    return when.replace(year=year, month=month, day=min(when.day, calendar.monthrange(year, month)[1]))


# --- definitions --------------------------------------------------------------------------


def _shape(defn: SurveyDef) -> list:
    return [(q.key, q.kind.value, [o["key"] for o in q.options]) for q in defn.questions]


def save_survey(defn: SurveyDef, *, code: str, open_days: int, reminder_after_days: int,
                survey: Survey | None = None) -> Survey:
    """Create ``survey`` or replace its title, settings and questions. Once learners have
    answered, its questions' keys, kinds and options may not change (answers refer to
    them): only their texts may be corrected."""
    if reminder_after_days >= open_days:
        raise SurveyError(_("The reminder must go before the survey closes."))
    if open_days > link_days():
        raise SurveyError(_("A survey can stay open for at most %(days)s days (as long as its links work).",
                            days=link_days()))
    taken = db.session.scalar(select(Survey.id).where(Survey.code == code))
    if taken is not None and (survey is None or taken != survey.id):
        raise SurveyError(_("Another survey already has the code %(code)s.", code=code))
    before = None
    if survey is None:
        survey = Survey(code=code, titles=defn.titles, open_days=open_days, reminder_after_days=reminder_after_days)
        db.session.add(survey)
    else:
        before = {"code": survey.code, "open_days": survey.open_days, "questions": len(survey.questions)}
        current = [(q.key, q.kind.value, [o["key"] for o in q.options]) for q in survey.questions]
        if has_answers(survey) and current != _shape(defn):
            raise DefinitionError(_("Learners have answered this survey: its questions, kinds and options can no "
                                    "longer change, only their texts."))
        survey.code, survey.titles = code, defn.titles
        survey.open_days, survey.reminder_after_days = open_days, reminder_after_days
    by_key = {q.key: q for q in survey.questions}
    keep = []
    for position, qd in enumerate(defn.questions, start=1):
        question = by_key.get(qd.key)
        if question is None:
            question = SurveyQuestion(key=qd.key)
        question.position, question.kind, question.texts = position, qd.kind, qd.texts
        question.options, question.is_required = qd.options, qd.is_required
        keep.append(question)
    survey.questions = keep
    db.session.flush()
    record("survey.save", "survey", survey.id, before=before,
           after={"code": code, "open_days": open_days, "reminder_after_days": reminder_after_days,
                  "questions": [q.key for q in survey.questions]})
    return survey


def has_answers(survey: Survey) -> bool:
    return db.session.scalar(
        select(SurveyInvitation.id).join(SurveySendPoint, SurveySendPoint.id == SurveyInvitation.send_point_id)
        .where(SurveySendPoint.survey_id == survey.id, SurveyInvitation.submitted_at.is_not(None)).limit(1)
    ) is not None


def add_send_point(survey: Survey, *, months_after: int, course_id: int | None = None,
                   programme_id: int | None = None) -> SurveySendPoint:
    """Send ``survey`` ``months_after`` a course's completion or a programme's award."""
    if (course_id is None) == (programme_id is None):
        raise SurveyError(_("Choose either a course or a certification programme."))
    same_target = (SurveySendPoint.course_id == course_id) if course_id is not None \
        else (SurveySendPoint.programme_id == programme_id)
    exists = db.session.scalar(select(SurveySendPoint.id).where(
        SurveySendPoint.survey_id == survey.id, same_target, SurveySendPoint.months_after == months_after))
    if exists:
        raise SurveyError(_("This send point exists already."))
    point = SurveySendPoint(survey_id=survey.id, course_id=course_id, programme_id=programme_id,
                            months_after=months_after)
    db.session.add(point)
    db.session.flush()
    record("survey.send_point_add", "survey", survey.id,
           after={"send_point": point.id, "course_id": course_id, "programme_id": programme_id,
                  "months_after": months_after})
    return point


def remove_send_point(point: SurveySendPoint) -> None:
    """Stop sending at ``point``; refused once it has been sent (its answers would go with it)."""
    if db.session.scalar(select(SurveyInvitation.id).where(SurveyInvitation.send_point_id == point.id).limit(1)):
        raise SurveyError(_("This send point has been sent already and is kept with its answers."))
    record("survey.send_point_remove", "survey", point.survey_id,
           before={"send_point": point.id, "course_id": point.course_id, "programme_id": point.programme_id,
                   "months_after": point.months_after})
    db.session.delete(point)
    db.session.flush()


# --- signed links -------------------------------------------------------------------------


class ClockSigner(TimestampSigner):
    """Signs with the app's clock (``utcnow``), so links age with a frozen clock too."""

    def get_timestamp(self) -> int:
        return int(utcnow().timestamp())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="academy.survey", signer=ClockSigner)


def link_max_age() -> int:
    """How long a survey link works, in seconds."""
    return int(current_app.config.get("SURVEY_LINK_MAX_AGE", 120 * 86400))


def link_days() -> int:
    return link_max_age() // 86400


def make_token(invitation: SurveyInvitation) -> str:
    return _serializer().dumps({"i": invitation.id, "u": invitation.user_id})


def answer_path(invitation: SurveyInvitation) -> str:
    return f"/surveys/{make_token(invitation)}"


def invitation_from_token(token: str) -> SurveyInvitation:
    """The invitation a link opens; SurveyError("expired") or SurveyError("invalid") otherwise.
    A link lives as long as its invitation is open (and no longer than SURVEY_LINK_MAX_AGE)."""
    try:
        data = _serializer().loads(token, max_age=link_max_age())
    except SignatureExpired:
        raise SurveyError("expired") from None
    except BadSignature:
        raise SurveyError("invalid") from None
    invitation = db.session.get(SurveyInvitation, data.get("i")) if isinstance(data, dict) else None
    if invitation is None or invitation.user_id != data.get("u"):
        raise SurveyError("invalid")
    return invitation


# --- sending ------------------------------------------------------------------------------


def _candidates(point: SurveySendPoint, now: datetime, open_days: int):
    """(user, completed_at, cohort_id) reached by ``point`` now: the completion or award lies
    ``months_after`` ago, no longer than the survey stays open (a send point added today does
    not write to people whose survey would have closed long ago)."""
    latest = add_months(now, -point.months_after)
    earliest = add_months(now - timedelta(days=open_days), -point.months_after)
    if point.course_id is not None:
        rows = db.session.execute(
            select(Enrollment.user_id, Enrollment.completed_at).where(
                Enrollment.course_id == point.course_id, Enrollment.status == EnrollmentStatus.COMPLETED,
                Enrollment.completed_at <= latest, Enrollment.completed_at > earliest)
        ).all()
        return [(user_id, when, None) for user_id, when in rows]
    rows = db.session.execute(
        select(CertificationRecord.user_id, CertificationRecord.awarded_at, CertificationRecord.cohort_id).where(
            CertificationRecord.programme_id == point.programme_id, CertificationRecord.awarded_at <= latest,
            CertificationRecord.awarded_at > earliest).order_by(CertificationRecord.awarded_at)
    ).all()
    return [tuple(r) for r in rows]


def _notify_survey(invitation: SurveyInvitation, *, reminder: bool):
    survey = invitation.send_point.survey
    user = invitation.user
    closes = invitation.closes_at

    def render():
        from flask_babel import format_date, get_locale

        title = survey.title(str(get_locale() or "en"))
        if reminder:
            return (_("Reminder: “%(survey)s” closes on %(date)s", survey=title, date=format_date(closes, "long")),
                    _("You have not answered “%(survey)s” yet. It takes a few minutes and tells us what the training "
                      "changed in your work. Open the link below to answer before %(date)s.",
                      survey=title, date=format_date(closes, "long")))
        return (_("A few questions about your training: “%(survey)s”", survey=title),
                _("Some time has passed since your training. Please tell us how you use what you learned: open the "
                  "link below to answer “%(survey)s”. You can change your answers until %(date)s.",
                  survey=title, date=format_date(closes, "long")))

    kind = NotificationKind.SURVEY_REMINDER if reminder else NotificationKind.SURVEY
    key = f"survey-{'reminder' if reminder else 'sent'}:{invitation.id}"
    return notify(user, kind, render, link=answer_path(invitation), dedupe_key=key)


def send_due(now: datetime | None = None) -> dict:
    """Invite every learner a send point has reached, and remind once those who have not
    answered after the survey's reminder delay; returns how many of each."""
    now = now or utcnow()
    sent = reminded = 0
    points = db.session.scalars(
        select(SurveySendPoint).join(Survey, Survey.id == SurveySendPoint.survey_id).where(Survey.is_active.is_(True))
    ).all()
    for point in points:
        survey = point.survey
        already = set(db.session.scalars(
            select(SurveyInvitation.user_id).where(SurveyInvitation.send_point_id == point.id)))
        for user_id, completed_at, cohort_id in _candidates(point, now, survey.open_days):
            if user_id in already:
                continue
            already.add(user_id)
            user = db.session.get(User, user_id)
            # The language it is sent in, until an answer says which one was used: the
            # statistics by language then count those who have not answered in their own row.
            invitation = SurveyInvitation(send_point_id=point.id, user_id=user_id, completed_at=completed_at,
                                          cohort_id=cohort_id, sent_at=now, language=user.preferred_language or "en",
                                          closes_at=now + timedelta(days=survey.open_days))
            try:
                with db.session.begin_nested():
                    db.session.add(invitation)
            except IntegrityError:  # sent a moment ago by a concurrent run
                continue
            _notify_survey(invitation, reminder=False)
            sent += 1
    due = db.session.scalars(
        select(SurveyInvitation).join(SurveySendPoint, SurveySendPoint.id == SurveyInvitation.send_point_id)
        .join(Survey, Survey.id == SurveySendPoint.survey_id)
        .where(SurveyInvitation.submitted_at.is_(None), SurveyInvitation.reminded_at.is_(None),
               SurveyInvitation.closes_at > now, Survey.is_active.is_(True))
    ).all()
    for invitation in due:
        if invitation.sent_at + timedelta(days=invitation.send_point.survey.reminder_after_days) > now:
            continue
        invitation.reminded_at = now
        _notify_survey(invitation, reminder=True)
        reminded += 1
    db.session.flush()
    return {"sent": sent, "reminded": reminded}


# --- answers ------------------------------------------------------------------------------


def parse_answers(survey: Survey, form, language: str) -> tuple[list[SurveyAnswer], dict]:
    """The answers in ``form`` (a MultiDict) as rows, and {question key: error} for what is wrong."""
    rows, errors = [], {}
    for q in survey.questions:
        name = f"q_{q.key}"
        if q.kind.has_options:
            allowed = {k for k, _label in q.option_labels(language)}
            chosen = [v for v in form.getlist(name) if v]
            if any(v not in allowed for v in chosen) or (q.kind != QuestionKind.MULTIPLE and len(chosen) > 1):
                errors[q.key] = _("Choose from the options given.")
            elif not chosen and q.is_required:
                errors[q.key] = _("Please answer this question.")
            else:
                rows += [SurveyAnswer(question_id=q.id, option_key=v) for v in dict.fromkeys(chosen)]
        elif q.kind == QuestionKind.NUMBER:
            raw = (form.get(name) or "").strip().replace(",", ".")
            if not raw:
                if q.is_required:
                    errors[q.key] = _("Please answer this question.")
                continue
            try:
                value = float(raw)
            except ValueError:
                errors[q.key] = _("Enter a number.")
                continue
            if not 0 <= value <= 1_000_000:
                errors[q.key] = _("Enter a number between 0 and 1,000,000.")
                continue
            rows.append(SurveyAnswer(question_id=q.id, number=value))
        else:
            text = (form.get(name) or "").strip()
            if len(text) > 5000:
                errors[q.key] = _("Please keep the answer under 5,000 characters.")
            elif not text and q.is_required:
                errors[q.key] = _("Please answer this question.")
            elif text:
                rows.append(SurveyAnswer(question_id=q.id, text=text))
    return rows, errors


def save_answers(invitation: SurveyInvitation, rows: list[SurveyAnswer], language: str) -> None:
    """Replace the learner's answers at this send point (one response per learner and send
    point, which they may change until it closes). The first submission sends
    ``survey-answered``; a change does not."""
    if invitation.is_closed:
        raise SurveyError(_("This survey is closed."))
    now = utcnow()
    db.session.execute(delete(SurveyAnswer).where(SurveyAnswer.invitation_id == invitation.id))
    for row in rows:
        row.invitation_id = invitation.id
        db.session.add(row)
    first = invitation.submitted_at is None
    invitation.submitted_at = invitation.submitted_at or now
    invitation.updated_at, invitation.language = now, language
    db.session.flush()
    record("survey.answer" if first else "survey.answer_change", "survey_invitation", invitation.id,
           actor_id=invitation.user_id, after={"answers": len(rows)})
    if first:
        signals.survey_answered.send(invitation)


def record_responses_export(survey: Survey, fmt: str, include_personal: bool) -> None:
    """The audit event of a responses export; names and e-mail addresses only when asked."""
    record("survey.export_responses", "survey", survey.id, after={"format": fmt, "personal_data": include_personal})
