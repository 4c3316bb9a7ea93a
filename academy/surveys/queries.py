"""Reads for follow-up surveys: the admin's lists and response rates."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import case, func, select

from academy.extensions import db
from academy.surveys.models import Survey, SurveyInvitation, SurveySendPoint


@dataclass
class SendPointRate:
    point: SurveySendPoint
    sent: int
    reminded: int
    answered: int

    @property
    def rate(self) -> float | None:
        return self.answered / self.sent if self.sent else None


def surveys() -> list[Survey]:
    return list(db.session.scalars(select(Survey).order_by(Survey.code)))


def response_rates(survey: Survey) -> list[SendPointRate]:
    """Per send point of ``survey``: learners asked, reminded, and who answered."""
    counts = {
        point_id: (sent, reminded, answered)
        for point_id, sent, reminded, answered in db.session.execute(
            select(SurveyInvitation.send_point_id, func.count(SurveyInvitation.id),
                   func.coalesce(func.sum(case((SurveyInvitation.reminded_at.is_not(None), 1), else_=0)), 0),
                   func.coalesce(func.sum(case((SurveyInvitation.submitted_at.is_not(None), 1), else_=0)), 0))
            .join(SurveySendPoint, SurveySendPoint.id == SurveyInvitation.send_point_id)
            .where(SurveySendPoint.survey_id == survey.id)
            .group_by(SurveyInvitation.send_point_id)
        )
    }
    return [SendPointRate(p, *counts.get(p.id, (0, 0, 0))) for p in survey.send_points]


def answers_by_question(invitation: SurveyInvitation) -> dict:
    """{question id: [answers]} of one learner's response, to fill the form again."""
    out: dict = {}
    for a in invitation.answers:
        out.setdefault(a.question_id, []).append(a)
    return out


def response_rows(survey: Survey, include_personal: bool, language: str = "en"):
    """The answers of ``survey``, one row per learner asked at a send point (header first).

    Without ``include_personal`` a row names no one: a response number, the send point,
    dates, the language answered in, gender, country and TISC, and the answers, free text
    included. With it, the learner's name and e-mail address come first."""
    from academy.auth.models import User
    from academy.core.enums import Gender
    from academy.stats.exports import safe_text

    questions = list(survey.questions)
    header = [_("Response"), _("Send point"), _("Sent (UTC)"), _("Answered (UTC)"), _("Language"), _("Gender"),
              _("Country"), _("TISC")]
    if include_personal:
        header = [_("Name"), _("Email"), *header]
    yield header + [q.text(language) for q in questions]
    invitations = db.session.scalars(
        select(SurveyInvitation).join(SurveySendPoint, SurveySendPoint.id == SurveyInvitation.send_point_id)
        .join(User, User.id == SurveyInvitation.user_id)
        .where(SurveySendPoint.survey_id == survey.id)
        .order_by(SurveySendPoint.months_after, SurveyInvitation.id)
    )
    for inv in invitations:
        user = inv.user
        given = answers_by_question(inv)
        labels = {q.id: dict(q.option_labels(language)) for q in questions}
        cells = []
        for q in questions:
            parts = []
            for a in given.get(q.id, []):
                if a.option_key is not None:
                    parts.append(labels[q.id].get(a.option_key, a.option_key))
                elif a.number is not None:
                    parts.append(a.number)
                elif a.text:
                    parts.append(a.text)
            cells.append(parts[0] if len(parts) == 1 and not isinstance(parts[0], str) else
                         "; ".join(str(p) for p in parts))
        row = [inv.id, inv.send_point.months_after, _stamp(inv.sent_at), _stamp(inv.submitted_at),
               inv.language or "", Gender(user.gender).title if user.gender else "", user.country_code,
               user.tisc.name if user.tisc else (user.institution_other or "")]
        if include_personal:
            row = [user.full_name, user.email, *row]
        yield [safe_text(c) for c in row + cells]


def _stamp(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""
