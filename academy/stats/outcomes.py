"""Outcome facts beside enrolments: quiz attempts and pass rates (academy/assessments),
certificates issued and revoked (academy/certificates).

Offered to the query layer through ``stats-facts`` and ``stats-dimensions`` (connected
in academy.stats.init_app), so every dimension they support crosses with any other, and
they appear in the cross-tab builder, the exports and the CLI.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func
from sqlalchemy.sql import ColumnElement, Select

from academy.assessments.enums import AttemptState, QuizKind
from academy.assessments.models import Quiz, QuizAttempt
from academy.auth.models import User
from academy.certificates.models import Certificate, CertificateKind, CertificateStatus
from academy.courses.models import Enrollment
from academy.extensions import db
from academy.stats.queries import (
    Dimension,
    Fact,
    Filters,
    Measure,
    _date_range,
    _maxima,
    _rate,
    _user_filters,
    _user_subset,
    month_expr,
)


class CertificateFact(Fact):
    """Certificates as issued. A re-issue (a corrected name, a new design) supersedes the
    earlier certificate: it is counted as a re-issue, not as a second award."""

    name = "certificate"
    label = _l("Certificates")
    measures = (
        Measure("certificates_issued", _l("Certificates issued"), "count", lambda c: c["issued"], ("issued",)),
        Measure("certificates_revoked", _l("Certificates revoked"), "count", lambda c: c["revoked"], ("revoked",)),
        Measure("certificates_valid", _l("Certificates valid"), "count", lambda c: c["valid"], ("valid",)),
        Measure("certificates_reissued", _l("Certificates re-issued"), "count", lambda c: c["reissued"], ("reissued",)),
        Measure(
            "revocation_rate", _l("Revoked as a share of issued (%)"), "percent", _rate("revoked", "issued"),
            ("revoked", "issued"),
        ),
    )

    def base_keys(self) -> set[str]:
        return {"course", "language", "gender", "country", "tisc", "month", "certificate_kind"}

    def key_expr(self, base: str, filters: Filters):
        if base == "month":
            return month_expr(Certificate.issued_at), False, None
        if base == "course":
            return Enrollment.course_id, False, _join_enrollment
        expr, needs_user = {
            "language": (Certificate.language, False),
            "certificate_kind": (Certificate.kind, False),
            "gender": (User.gender, True),
            "country": (User.country_code, True),
            "tisc": (User.tisc_id, True),
        }[base]
        return expr, needs_user, None

    def components(self, filters: Filters) -> dict[str, ColumnElement]:
        return {
            "issued": func.coalesce(func.sum(case((Certificate.revision == 0, 1), else_=0)), 0),
            "reissued": func.coalesce(func.sum(case((Certificate.revision > 0, 1), else_=0)), 0),
            "revoked": func.coalesce(func.sum(case((Certificate.status == CertificateStatus.REVOKED, 1), else_=0)), 0),
            "valid": func.coalesce(func.sum(case((Certificate.status == CertificateStatus.VALID, 1), else_=0)), 0),
        }

    def select_from(self, stmt: Select, needs_user: bool, filters: Filters | None = None) -> Select:
        stmt = stmt.select_from(Certificate)
        if needs_user:
            stmt = stmt.join(User, User.id == Certificate.user_id)
        return stmt

    def where(self, stmt: Select, filters: Filters) -> Select:
        stmt = _date_range(stmt, Certificate.issued_at, filters)
        if filters.course_ids:
            stmt = stmt.where(
                Certificate.enrollment_id.in_(
                    db.select(Enrollment.id).where(Enrollment.course_id.in_(filters.course_ids))
                )
            )
        if filters.languages:
            stmt = stmt.where(Certificate.language.in_(filters.languages))
        stmt = _user_subset(stmt, Certificate.user_id, filters)
        return _user_filters(stmt, filters)

    def fingerprint(self) -> tuple:
        return (*_maxima(Certificate.id, Certificate.revoked_at, Certificate.superseded_at), *super().fingerprint())


class QuizFact(Fact):
    """Graded quiz attempts: how many, how many passed, and how many passed first time."""

    name = "quiz"
    label = _l("Quizzes")
    measures = (
        Measure("quiz_attempts", _l("Quiz attempts"), "count", lambda c: c["attempts"], ("attempts",)),
        Measure("quiz_passed", _l("Attempts passed"), "count", lambda c: c["passed"], ("passed",)),
        Measure(
            "quiz_pass_rate", _l("Quiz pass rate (%)"), "percent", _rate("passed", "attempts"), ("passed", "attempts")
        ),
        Measure(
            "quiz_first_pass_rate",
            _l("Passed at the first attempt (%)"),
            "percent",
            _rate("first_passed", "first"),
            ("first_passed", "first"),
        ),
    )

    def base_keys(self) -> set[str]:
        return {"course", "language", "gender", "country", "tisc", "month", "quiz_kind"}

    def key_expr(self, base: str, filters: Filters):
        if base == "month":
            return month_expr(QuizAttempt.graded_at), False, None
        if base in ("course", "quiz_kind"):
            return (Quiz.course_id if base == "course" else Quiz.kind), False, _join_quiz
        expr, needs_user = {
            "language": (QuizAttempt.language, False),
            "gender": (User.gender, True),
            "country": (User.country_code, True),
            "tisc": (User.tisc_id, True),
        }[base]
        return expr, needs_user, None

    def components(self, filters: Filters) -> dict[str, ColumnElement]:
        passed = QuizAttempt.is_passed.is_(True)
        first = QuizAttempt.number == 1
        return {
            "attempts": func.count(QuizAttempt.id),
            "passed": func.coalesce(func.sum(case((passed, 1), else_=0)), 0),
            "first": func.coalesce(func.sum(case((first, 1), else_=0)), 0),
            "first_passed": func.coalesce(func.sum(case((first & passed, 1), else_=0)), 0),
        }

    def select_from(self, stmt: Select, needs_user: bool, filters: Filters | None = None) -> Select:
        stmt = stmt.select_from(QuizAttempt)
        if needs_user:
            stmt = stmt.join(User, User.id == QuizAttempt.user_id)
        return stmt

    def where(self, stmt: Select, filters: Filters) -> Select:
        stmt = stmt.where(QuizAttempt.state == AttemptState.GRADED)
        stmt = _date_range(stmt, QuizAttempt.graded_at, filters)
        if filters.course_ids:
            stmt = stmt.where(QuizAttempt.quiz_id.in_(db.select(Quiz.id).where(Quiz.course_id.in_(filters.course_ids))))
        if filters.languages:
            stmt = stmt.where(QuizAttempt.language.in_(filters.languages))
        stmt = _user_subset(stmt, QuizAttempt.user_id, filters)
        return _user_filters(stmt, filters)

    def fingerprint(self) -> tuple:
        return (*_maxima(QuizAttempt.id, QuizAttempt.graded_at), *super().fingerprint())


def _join_quiz(stmt: Select) -> Select:
    return stmt.join(Quiz, Quiz.id == QuizAttempt.quiz_id)


def _enum_labels(enum_cls):
    def labels(keys: list) -> dict:
        out = {}
        for k in keys:
            try:
                out[k] = enum_cls(k).title
            except ValueError:
                out[k] = str(_l("Not recorded"))
        return out

    return labels


def _enum_order(enum_cls):
    members = [m.value for m in enum_cls]
    return lambda k: (members.index(k) if k in members else len(members), str(k))


def _join_enrollment(stmt: Select) -> Select:
    return stmt.outerjoin(Enrollment, Enrollment.id == Certificate.enrollment_id)


_DIMENSIONS = (
    Dimension("certificate_kind", _l("Certificate kind"), "certificate_kind", order="natural",
              labeler=_enum_labels(CertificateKind), natural_order=_enum_order(CertificateKind)),
    Dimension("quiz_kind", _l("Quiz kind"), "quiz_kind", order="natural",
              labeler=_enum_labels(QuizKind), natural_order=_enum_order(QuizKind)),
)
_FACTS = (QuizFact(), CertificateFact())


def offered_dimensions(sender, **_kw):
    """On ``stats-dimensions``: certificate kind and quiz kind."""
    yield from _DIMENSIONS


def offered_facts(sender, **_kw):
    """On ``stats-facts``: quiz attempts and certificates."""
    yield from _FACTS
