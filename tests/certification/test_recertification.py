"""The whole certification cycle over four years, on a frozen clock: award, expiry,
recertification with a refresher and new practice, a new award that renews the old one."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from academy.certificates.models import Certificate
from academy.certification import queries, services
from academy.certification.enums import (
    AssessmentOutcome,
    AttendanceStatus,
    GradeDecision,
    PhaseState,
    SessionMode,
)
from academy.certification.models import CertificationRecord
from academy.core.models import frozen_clock
from academy.courses.queries import enrollment_for
from academy.courses.services import enroll
from academy.extensions import db
from tests.assessments.conftest import _one_user_cache_per_request, complete_lessons, quizzed, take_quiz  # noqa: F401
from tests.certification.world import RUBRIC, levels
from tests.conftest import login


def at(year, month, day):
    return datetime(year, month, day, 10, 0, tzinfo=UTC)


@pytest.fixture
def cycle(app_ctx, make_user, quizzed):  # noqa: F811
    from types import SimpleNamespace

    w = SimpleNamespace(course=quizzed)
    w.instructor = make_user("instructor", full_name="Ines Instructor")
    w.learner = make_user("learner", full_name="Lea Learner")
    with frozen_clock(at(2023, 9, 1)):
        w.programme = services.create_programme(code="TEST-F", titles={"en": "Test certification"},
                                                validity_months=36)
        services.set_required_courses(w.programme, [quizzed])
        w.task = services.add_task(w.programme, key="search", title="Search report", instructions="Search.",
                                   due_days=60, rubric=RUBRIC)
        w.cohort = services.create_cohort(w.programme, "2023 pilot")
        services.assign_instructor(w.cohort, w.instructor)
        w.session = services.create_session(w.cohort, title="Workshop", starts_on=at(2023, 11, 6).date(),
                                            ends_on=at(2023, 11, 7).date(), mode=SessionMode.ONLINE)
        w.record = services.enrol_learner(w.cohort, w.learner)
        enroll(w.learner, quizzed, "en")
        db.session.commit()
    return w


def finish_course(client, w):
    for key in ("one", "two"):
        complete_lessons(w.learner, w.course, key)
        take_quiz(client, "quizzed", key, right=True)
    take_quiz(client, "quizzed", "final-exam", right=True)


def pass_practice(w, record, when):
    with frozen_clock(when):
        sub = services.submission_for(record, w.task, create=True)
        services.save_draft(sub, "My search report.", [], w.learner)
        services.submit(sub)
        services.grade(sub, w.instructor, expected_version=sub.version, picks=levels(w.task, "Good", "Clear"),
                       criterion_feedback={}, feedback="", decision=GradeDecision.PASS)
        db.session.commit()


def test_award_expiry_recertification_and_new_award(cycle, client):
    w = cycle
    login(client, w.learner)
    with frozen_clock(at(2023, 10, 2)):
        finish_course(client, w)
    db.session.expire_all()
    assert w.record.phase1_passed_at == at(2023, 10, 2)
    with frozen_clock(at(2023, 11, 7)):
        services.record_attendance(w.session, {w.record.id: {d: AttendanceStatus.PRESENT for d in w.session.days}},
                                   w.instructor)
        services.assess(w.record, w.session, outcome=AssessmentOutcome.PASS, comments="", score_value=None,
                        by=w.instructor)
        db.session.commit()
    pass_practice(w, w.record, at(2023, 12, 15))
    assert w.record.awarded_at == at(2023, 12, 15) and w.record.expires_at == at(2026, 12, 15)
    old_cert = db.session.get(Certificate, w.record.certificate_id)

    # Still valid in 2026: no recertification yet.
    with frozen_clock(at(2026, 12, 1)):
        assert "Valid certificate" in client.get(f"/verify/{old_cert.verification_code}").get_data(as_text=True)
        assert not services.can_recertify(w.learner, w.programme)

    with frozen_clock(at(2027, 2, 1)):
        page = client.get(f"/verify/{old_cert.verification_code}").get_data(as_text=True)
        assert "Expired certificate" in page and "This certificate expired on" in page
        assert "Enrol in recertification" in client.get("/certification/").get_data(as_text=True)
        assert client.post(f"/certification/programmes/{w.programme.id}/recertify").status_code == 302
    new = db.session.scalar(select(CertificationRecord).where(
        CertificationRecord.user_id == w.learner.id, CertificationRecord.attempt == 2))
    assert new.previous_record_id == w.record.id and new.started_at == at(2027, 2, 1)
    # The 2023 completion is older than the 36-month window: phase 1 waits for a refresher.
    assert new.phase1_passed_at is None
    phases = queries.phase_views(new)
    assert phases[0].state == PhaseState.IN_PROGRESS and "Refresh the course" in phases[0].missing[0]
    assert phases[1].state == PhaseState.LOCKED

    cohort2 = services.create_cohort(w.programme, "Recertification 2027")
    services.assign_instructor(cohort2, w.instructor)
    assert services.enrol_learner(cohort2, w.learner).id == new.id
    db.session.commit()

    # The refresher: the final assessment passed again. The training is credited, not repeated.
    with frozen_clock(at(2027, 2, 20)):
        take_quiz(client, "quizzed", "final-exam", right=True)
    db.session.expire_all()
    assert new.phase1_passed_at == at(2027, 2, 20) and new.phase2_passed_at == at(2027, 2, 20)
    with frozen_clock(at(2027, 3, 1)):
        page = client.get(f"/certification/records/{new.id}").get_data(as_text=True)
        assert "Credited: passed on" in page and "Earlier certification" in page
    assert new.awarded_at is None  # new practice evidence is still needed

    pass_practice(w, new, at(2027, 4, 10))
    db.session.expire_all()
    assert new.awarded_at == at(2027, 4, 10) and new.expires_at == at(2030, 4, 10)
    new_cert = db.session.get(Certificate, new.certificate_id)
    assert new_cert.id != old_cert.id
    old_cert = db.session.get(Certificate, old_cert.id)
    assert old_cert.superseded_by_id == new_cert.id
    with frozen_clock(at(2027, 5, 1)):
        page = client.get(f"/verify/{old_cert.verification_code}").get_data(as_text=True)
        assert "Expired certificate" in page and new_cert.serial in page
        assert "Valid certificate" in client.get(f"/verify/{new_cert.verification_code}").get_data(as_text=True)


def test_a_recent_completion_counts_without_a_refresher(cycle, client):
    w = cycle
    login(client, w.learner)
    with frozen_clock(at(2023, 10, 2)):
        finish_course(client, w)
    with frozen_clock(at(2023, 11, 7)):
        services.record_attendance(w.session, {w.record.id: {d: AttendanceStatus.PRESENT for d in w.session.days}},
                                   w.instructor)
        services.assess(w.record, w.session, outcome=AssessmentOutcome.PASS, comments="", score_value=None,
                        by=w.instructor)
        db.session.commit()
    pass_practice(w, w.record, at(2023, 12, 15))
    # A refresher taken in 2026, before expiry, is within the window of a 2027 recertification.
    with frozen_clock(at(2026, 6, 1)):
        take_quiz(client, "quizzed", "final-exam", right=True)
    with frozen_clock(at(2027, 2, 1)):
        new = services.recertify(w.learner, w.programme)
        db.session.commit()
    assert new.phase1_passed_at == at(2027, 2, 1) and new.phase2_passed_at == at(2027, 2, 1)
    assert enrollment_for(w.learner.id, w.course.id).completed_at == at(2023, 10, 2)
