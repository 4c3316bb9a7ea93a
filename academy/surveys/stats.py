"""Survey answers as a fact of the statistics (offered on ``stats-facts``).

A row is one invitation: a learner asked at one send point. Its measures are the surveys
sent and answered, the response rate, and for every question of every survey the share
of respondents who chose each option (single and multiple choice, the agreement scale)
or the average of a number. Tables break them down by gender, country, region, TISC,
the language it was sent in (or answered in), the cohort of the award and the month the survey was sent, and
go through the same small-cell suppression, charts and exports as every other measure.
Free-text answers are not counted here: they leave only through the responses export.
"""

from __future__ import annotations

from flask import g
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.sql import ColumnElement, Select

from academy.auth.models import User
from academy.extensions import db
from academy.stats.queries import (
    Fact,
    Filters,
    Measure,
    _average,
    _date_range,
    _maxima,
    _rate,
    _user_filters,
    _user_subset,
    display_locale,
    month_expr,
)
from academy.surveys.enums import QuestionKind
from academy.surveys.models import Survey, SurveyAnswer, SurveyInvitation, SurveyQuestion, SurveySendPoint


def _questions() -> list[SurveyQuestion]:
    """The questions that are measures, read once per request (or app context): the
    statistics ask a fact for its measures and components many times over."""
    if "survey_stats_questions" not in g:
        g.survey_stats_questions = list(db.session.scalars(
            select(SurveyQuestion).join(Survey, Survey.id == SurveyQuestion.survey_id)
            .where(SurveyQuestion.kind != QuestionKind.TEXT).order_by(Survey.code, SurveyQuestion.position)))
    return g.survey_stats_questions


def _answered(question_id: int, option_key: str | None = None) -> ColumnElement:
    cond = and_(SurveyAnswer.invitation_id == SurveyInvitation.id, SurveyAnswer.question_id == question_id)
    if option_key is not None:
        cond = and_(cond, SurveyAnswer.option_key == option_key)
    return exists().where(cond)


def _ones(condition) -> ColumnElement:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


class SurveyFact(Fact):
    """Follow-up survey invitations and their answers."""

    name = "survey"
    label = _l("Follow-up surveys")

    @property
    def measures(self) -> tuple[Measure, ...]:
        lang = display_locale()
        out = [
            Measure("survey_sent", _l("Follow-up surveys sent"), "count", lambda c: c["sent"], ("sent",)),
            Measure("survey_answered", _l("Follow-up surveys answered"), "count", lambda c: c["answered"],
                    ("answered",)),
            Measure("survey_response_rate", _l("Follow-up survey response rate (%)"), "percent",
                    _rate("answered", "sent"), ("answered", "sent")),
        ]
        for q in _questions():
            n = f"q{q.id}_n"
            text = q.text(lang)
            if q.kind == QuestionKind.NUMBER:
                out.append(Measure(f"survey_q{q.id}_avg", _l("%(question)s (average)", question=text), "days",
                                   _average(f"q{q.id}_sum", n), (n,)))
                continue
            for i, (_key, label) in enumerate(q.option_labels(lang)):
                comp = f"q{q.id}_o{i}"
                out.append(Measure(f"survey_q{q.id}_o{i}",
                                   _l("%(question)s: %(option)s (%% of respondents)", question=text, option=label),
                                   "percent", _rate(comp, n), (comp, n)))
        return tuple(out)

    def base_keys(self) -> set[str]:
        return {"language", "gender", "country", "tisc", "month", "cohort"}

    def key_expr(self, base: str, filters: Filters):
        if base == "month":
            return month_expr(SurveyInvitation.sent_at), False, None
        expr, needs_user = {
            "language": (SurveyInvitation.language, False),
            "cohort": (SurveyInvitation.cohort_id, False),
            "gender": (User.gender, True),
            "country": (User.country_code, True),
            "tisc": (User.tisc_id, True),
        }[base]
        return expr, needs_user, None

    def components(self, filters: Filters) -> dict[str, ColumnElement]:
        comps = {
            "sent": func.count(SurveyInvitation.id),
            "answered": _ones(SurveyInvitation.submitted_at.is_not(None)),
        }
        for q in _questions():
            comps[f"q{q.id}_n"] = _ones(_answered(q.id))
            if q.kind == QuestionKind.NUMBER:
                total = (select(func.sum(SurveyAnswer.number))
                         .where(SurveyAnswer.invitation_id == SurveyInvitation.id, SurveyAnswer.question_id == q.id)
                         .scalar_subquery())
                comps[f"q{q.id}_sum"] = func.coalesce(func.sum(total), 0)
            else:
                for i, (key, _label) in enumerate(q.option_labels()):
                    comps[f"q{q.id}_o{i}"] = _ones(_answered(q.id, key))
        return comps

    def select_from(self, stmt: Select, needs_user: bool, filters: Filters | None = None) -> Select:
        stmt = stmt.select_from(SurveyInvitation)
        if needs_user:
            stmt = stmt.join(User, User.id == SurveyInvitation.user_id)
        return stmt

    def where(self, stmt: Select, filters: Filters) -> Select:
        stmt = _date_range(stmt, SurveyInvitation.sent_at, filters)
        if filters.course_ids:
            stmt = stmt.where(SurveyInvitation.send_point_id.in_(
                select(SurveySendPoint.id).where(SurveySendPoint.course_id.in_(filters.course_ids))))
        if filters.languages:
            stmt = stmt.where(SurveyInvitation.language.in_(filters.languages))
        if filters.cohort_ids:
            stmt = stmt.where(SurveyInvitation.cohort_id.in_(filters.cohort_ids))
        else:
            stmt = _user_subset(stmt, SurveyInvitation.user_id, filters)
        return _user_filters(stmt, filters)

    def fingerprint(self) -> tuple:
        return (*_maxima(SurveyInvitation.id, SurveyInvitation.updated_at, SurveyInvitation.sent_at),
                *super().fingerprint())


def outcomes_figure(filters: Filters, supp_for):
    """The follow-up surveys by gender (sent, answered, response rate and every answer's
    share), as the scheduled reports and the coordinators' statistics show them."""
    from flask_babel import gettext as _

    from academy.stats import figures

    return figures.fact_figure("outcomes", _("Follow-up surveys by gender"), "gender", "survey",
                               [m.name for m in SurveyFact().measures], filters, supp_for("gender", None))


_FACTS = (SurveyFact(),)


def offered_facts(sender, **_kw):
    """On ``stats-facts``: follow-up survey invitations and answers."""
    yield from _FACTS
