"""Certification statistics (academy/certification): cohorts and the three phases.

- *Cohort* is a dimension and a filter of enrolments, registrations, quizzes and
  certificates. A learner belongs to the cohort of their latest certification record
  that has one (records are one per programme and attempt; a recertification starts a
  new one), so every learner is counted in one cohort at most and the totals of a table
  by cohort equal the totals without it. Learners never in a cohort show as "No cohort".
- The *certification* fact counts certification records (one per candidate, programme
  and attempt): candidates, how many passed each phase, how many were certified, the
  award rate, and the certification certificates issued and revoked. Its own cohort is
  the record's cohort.
- *Certification phase* is where a record stands: in phase 1, 2 or 3, or certified.
  Phases open in order and a passed phase stays passed (see certification.services.phases
  .evaluate), so "phase 2 passed" counts records with ``phase2_passed_at`` set, and a
  record in phase 3 has passed phases 1 and 2.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement, Select

from academy.auth.models import User
from academy.certificates.models import Certificate, CertificateKind, CertificateStatus
from academy.certification.models import CertificationProgramme, CertificationRecord, Cohort
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
    month_expr,
)

R = CertificationRecord
PHASES = ("phase1", "phase2", "phase3", "certified")


def _phase_titles() -> dict:
    return {
        "phase1": _l("Phase 1: distance learning"),
        "phase2": _l("Phase 2: instructor-led"),
        "phase3": _l("Phase 3: practice"),
        "certified": _l("Certified"),
    }


# ------------------------------------------------------------------------ membership


def latest_membership():
    """(user_id, record_id) of each learner's latest certification record with a cohort."""
    return (
        select(R.user_id.label("user_id"), func.max(R.id).label("record_id"))
        .where(R.cohort_id.is_not(None))
        .group_by(R.user_id)
        .subquery("cohort_membership")
    )


def cohort_members(cohort_ids: tuple[int, ...]) -> Select:
    """The ids of the learners whose cohort (see the module docstring) is one of these."""
    latest = latest_membership()
    return (
        select(latest.c.user_id)
        .join(R, R.id == latest.c.record_id)
        .where(R.cohort_id.in_(cohort_ids))
    )


def cohort_subset(filters: Filters, **_kw) -> Select | None:
    """On ``stats-user-subsets``: the members of the cohorts the filters name."""
    return cohort_members(filters.cohort_ids) if filters.cohort_ids else None


def _enrolment_cohort_key(filters: Filters):
    latest = latest_membership()
    member = aliased(CertificationRecord, name="cohort_record")

    def join(stmt: Select) -> Select:
        return stmt.outerjoin(latest, latest.c.user_id == Enrollment.user_id).outerjoin(
            member, member.id == latest.c.record_id
        )

    return member.cohort_id, False, join


def _cohort_labels(keys: list) -> dict:
    ids = [k for k in keys if k is not None]
    rows = (
        db.session.execute(
            select(Cohort.id, Cohort.name, CertificationProgramme.code)
            .join(CertificationProgramme, CertificationProgramme.id == Cohort.programme_id)
            .where(Cohort.id.in_(ids))
        ).all()
        if ids
        else []
    )
    names = {cid: f"{code} — {name}" for cid, name, code in rows}
    return {k: names.get(k, str(_l("No cohort")) if k is None else str(k)) for k in keys}


def _phase_labels(keys: list) -> dict:
    titles = _phase_titles()
    return {k: str(titles[k]) if k in titles else str(_l("Not recorded")) for k in keys}


def _phase_order(key):
    return (PHASES.index(key) if key in PHASES else len(PHASES), str(key))


# ---------------------------------------------------------------------------- the fact


def _certificates():
    """Per certification record: whether a certificate was issued, and whether any of
    its certificates (an original or a re-issue) is revoked."""
    revoked = case((Certificate.status == CertificateStatus.REVOKED, 1), else_=0)
    return (
        select(
            Certificate.certification_record_id.label("record_id"),
            func.max(revoked).label("revoked"),
        )
        .where(Certificate.kind == CertificateKind.CERTIFICATION, Certificate.certification_record_id.is_not(None))
        .group_by(Certificate.certification_record_id)
        .subquery("record_certificates")
    )


class CertificationFact(Fact):
    """Certification records: candidates, phases passed, awards, certificates."""

    name = "certification"
    label = _l("Certification")
    measures = (
        Measure("cert_candidates", _l("Candidates"), "count", lambda c: c["candidates"], ("candidates",)),
        Measure("cert_phase1", _l("Phase 1 passed"), "count", lambda c: c["phase1"], ("phase1",)),
        Measure("cert_phase2", _l("Phase 2 passed"), "count", lambda c: c["phase2"], ("phase2",)),
        Measure("cert_phase3", _l("Phase 3 passed"), "count", lambda c: c["phase3"], ("phase3",)),
        Measure("cert_awarded", _l("Certified"), "count", lambda c: c["awarded"], ("awarded",)),
        Measure(
            "cert_award_rate",
            _l("Award rate (%)"),
            "percent",
            _rate("awarded", "candidates"),
            ("awarded", "candidates"),
        ),
        Measure(
            "cert_certificates_issued",
            _l("Certificates issued"),
            "count",
            lambda c: c["certificates"],
            ("certificates",),
        ),
        Measure(
            "cert_certificates_revoked",
            _l("Certificates revoked"),
            "count",
            lambda c: c["revoked"],
            ("revoked",),
        ),
    )

    def __init__(self):
        self._certs = _certificates()

    def base_keys(self) -> set[str]:
        return {"gender", "country", "tisc", "month", "cohort", "certification_phase"}

    def _date_column(self, filters: Filters):
        return R.awarded_at if filters.basis == "completion" else R.started_at

    def key_expr(self, base: str, filters: Filters):
        if base == "month":
            return month_expr(self._date_column(filters)), False, None
        if base == "certification_phase":
            phase = case(
                (R.awarded_at.is_not(None), "certified"),
                (R.phase2_passed_at.is_not(None), "phase3"),
                (R.phase1_passed_at.is_not(None), "phase2"),
                else_="phase1",
            )
            return phase, False, None
        expr, needs_user = {
            "cohort": (R.cohort_id, False),
            "gender": (User.gender, True),
            "country": (User.country_code, True),
            "tisc": (User.tisc_id, True),
        }[base]
        return expr, needs_user, None

    def components(self, filters: Filters) -> dict[str, ColumnElement]:
        certs = self._certs
        return {
            "candidates": func.count(R.id),
            "phase1": func.count(R.phase1_passed_at),
            "phase2": func.count(R.phase2_passed_at),
            "phase3": func.count(R.phase3_passed_at),
            "awarded": func.count(R.awarded_at),
            "certificates": func.count(certs.c.record_id),
            "revoked": func.coalesce(func.sum(certs.c.revoked), 0),
        }

    def select_from(self, stmt: Select, needs_user: bool, filters: Filters | None = None) -> Select:
        stmt = stmt.select_from(R).outerjoin(self._certs, self._certs.c.record_id == R.id)
        if needs_user:
            stmt = stmt.join(User, User.id == R.user_id)
        return stmt

    def where(self, stmt: Select, filters: Filters) -> Select:
        if filters.basis == "completion":
            stmt = stmt.where(R.awarded_at.is_not(None))
        stmt = _date_range(stmt, self._date_column(filters), filters)
        if filters.cohort_ids:
            stmt = stmt.where(R.cohort_id.in_(filters.cohort_ids))
        if filters.course_ids or filters.languages:
            # Candidates restricted to a course: the people enrolled in it.
            sub = select(Enrollment.user_id)
            if filters.course_ids:
                sub = sub.where(Enrollment.course_id.in_(filters.course_ids))
            if filters.languages:
                sub = sub.where(Enrollment.language.in_(filters.languages))
            stmt = stmt.where(R.user_id.in_(sub))
        return _user_filters(stmt, filters)

    def fingerprint(self) -> tuple:
        return (
            *_maxima(R.id, R.updated_at, Certificate.id, Certificate.revoked_at),
            *super().fingerprint(),
        )


_DIMENSIONS = (
    Dimension("cohort", _l("Cohort"), "cohort", labeler=_cohort_labels),
    Dimension("certification_phase", _l("Certification phase"), "certification_phase", order="natural",
              labeler=_phase_labels, natural_order=_phase_order),
)
_FACTS = (CertificationFact(),)


def offered_dimensions(sender, **_kw):
    """On ``stats-dimensions``: cohort and certification phase."""
    yield from _DIMENSIONS


def offered_facts(sender, **_kw):
    """On ``stats-facts``: certification records."""
    yield from _FACTS


def enrolment_keys(sender, **_kw) -> dict:
    """On ``stats-enrolment-keys``: enrolments grouped by their learner's cohort."""
    return {"cohort": _enrolment_cohort_key}
