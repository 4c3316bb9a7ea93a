"""Reads for follow-up surveys: the admin's lists and response rates."""

from __future__ import annotations

from dataclasses import dataclass

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
