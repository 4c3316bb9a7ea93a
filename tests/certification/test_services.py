from datetime import timedelta

import pytest

from academy.assessments.rubrics import RubricError, build_rubric
from academy.certificates.models import Certificate, CertificateKind
from academy.certification import queries, services
from academy.certification.enums import (
    AssessmentOutcome,
    AttendanceStatus,
    GradeDecision,
    ModerationOutcome,
    PhaseState,
    SubmissionStatus,
)
from academy.certification.models import Notification
from academy.core import mail
from academy.core.models import utcnow
from academy.extensions import db
from tests.certification.world import build, complete_course, levels


@pytest.fixture
def setup(app_ctx, make_user, mini_course):
    instructor = make_user("instructor", full_name="Ines Instructor")
    second = make_user("instructor", full_name="Sam Second")
    learner = make_user("learner", full_name="Lea Learner")
    w = build(mini_course, instructor, [learner])
    services.assign_instructor(w.cohort, second)
    db.session.commit()
    w.course, w.instructor, w.second, w.learner, w.record = mini_course, instructor, second, learner, w.records[0]
    return w


def pass_phase2(w, record=None):
    record = record or w.record
    services.record_attendance(w.session, {record.id: {d: AttendanceStatus.PRESENT for d in w.session.days}},
                               w.instructor)
    services.assess(record, w.session, outcome=AssessmentOutcome.PASS, comments="Active participant.",
                    score_value=88, by=w.instructor)
    db.session.commit()


def submit_work(w, task=None, record=None):
    task = task or w.tasks[0]
    record = record or w.record
    sub = services.submission_for(record, task, create=True)
    services.save_draft(sub, "My search report.", [], w.learner)
    services.submit(sub)
    db.session.commit()
    return sub


def states(record):
    return [p.state for p in queries.phase_views(record)]


def test_full_path_to_the_award(setup):
    w = setup
    assert states(w.record) == [PhaseState.IN_PROGRESS, PhaseState.LOCKED, PhaseState.LOCKED]
    complete_course(w.learner, w.course)
    db.session.refresh(w.record)
    assert w.record.phase1_passed_at is not None  # via the course_completed signal
    assert states(w.record)[1] == PhaseState.IN_PROGRESS
    pass_phase2(w)
    assert w.record.phase2_passed_at is not None
    sub = submit_work(w)
    services.grade(sub, w.instructor, expected_version=sub.version, picks=levels(w.tasks[0], "Good", "Clear"),
                   criterion_feedback={}, feedback="Well done.", decision=GradeDecision.PASS)
    db.session.commit()
    assert w.record.awarded_at is not None
    assert w.record.expires_at.year == w.record.awarded_at.year + 3
    assert states(w.record) == [PhaseState.PASSED] * 3
    cert = db.session.get(Certificate, w.record.certificate_id)
    assert cert.kind == CertificateKind.CERTIFICATION and cert.subject_code == "TEST-F"
    assert cert.certification_record_id == w.record.id and cert.expires_at == w.record.expires_at
    assert cert.title == "Test certification"
    kinds = [n.kind.value for n in db.session.scalars(db.select(Notification).order_by(Notification.id))]
    assert kinds == ["phase_opened", "phase_opened", "phase_opened", "submission_passed", "certified"]
    assert any("certified" in m["Subject"] for m in mail.outbox)


def test_phase_gates_refuse_early_work(setup):
    w = setup
    with pytest.raises(services.CertificationError):
        services.assess(w.record, w.session, outcome=AssessmentOutcome.PASS, comments="", score_value=None,
                        by=w.instructor)
    with pytest.raises(services.CertificationError):
        services.check_practice_open(w.record, w.tasks[0])


def test_attendance_below_threshold_fails_phase_2(setup):
    w = setup
    complete_course(w.learner, w.course)
    first, second = w.session.days
    services.record_attendance(w.session, {w.record.id: {first: AttendanceStatus.PRESENT,
                                                         second: AttendanceStatus.ABSENT}}, w.instructor)
    services.assess(w.record, w.session, outcome=AssessmentOutcome.PASS, comments="", score_value=None,
                    by=w.instructor)
    db.session.commit()
    assert states(w.record)[1] == PhaseState.FAILED
    assert w.record.phase2_passed_at is None
    # An excused absence does not count against the learner.
    services.record_attendance(w.session, {w.record.id: {second: AttendanceStatus.EXCUSED}}, w.instructor)
    db.session.commit()
    assert w.record.phase2_passed_at is not None


def test_return_for_revision_loop_and_resubmission_limit(setup):
    w = setup
    complete_course(w.learner, w.course)
    pass_phase2(w)
    sub = submit_work(w)
    for round_ in (1, 2):
        services.grade(sub, w.instructor, expected_version=sub.version, picks=levels(w.tasks[0], "Adequate", "Unclear"),
                       criterion_feedback={w.tasks[0].rubric.criteria[1].id: "Say what the client should do."},
                       feedback="Add a conclusion.", decision=GradeDecision.REVISE)
        db.session.commit()
        assert sub.status == SubmissionStatus.RETURNED and sub.revision_count == round_
        services.save_draft(sub, f"Revised report {round_}.", [], w.learner)
        services.submit(sub)
        db.session.commit()
    with pytest.raises(services.CertificationError, match="resubmission limit"):
        services.grade(sub, w.instructor, expected_version=sub.version, picks=levels(w.tasks[0], "Adequate", "Unclear"),
                       criterion_feedback={}, feedback="Again.", decision=GradeDecision.REVISE)
    db.session.rollback()
    services.grade(sub, w.instructor, expected_version=sub.version, picks=levels(w.tasks[0], "Adequate", "Unclear"),
                   criterion_feedback={}, feedback="Not enough.", decision=GradeDecision.FAIL)
    db.session.commit()
    assert states(w.record)[2] == PhaseState.FAILED
    assert len(sub.grades) == 3


def test_pass_refused_below_threshold_or_minimum_level(setup):
    w = setup
    complete_course(w.learner, w.course)
    pass_phase2(w)
    sub = submit_work(w)
    with pytest.raises(services.CertificationError, match="minimum level"):
        services.grade(sub, w.instructor, expected_version=sub.version,
                       picks=levels(w.tasks[0], "Insufficient", "Actionable"), criterion_feedback={},
                       feedback="", decision=GradeDecision.PASS)
    with pytest.raises(services.CertificationError, match="threshold"):
        services.grade(sub, w.instructor, expected_version=sub.version,
                       picks=levels(w.tasks[0], "Adequate", "Clear"), criterion_feedback={},
                       feedback="", decision=GradeDecision.PASS)


def test_moderation_agrees_or_overrides(setup):
    w = setup
    complete_course(w.learner, w.course)
    pass_phase2(w)
    sub = submit_work(w)
    services.grade(sub, w.instructor, expected_version=sub.version, picks=levels(w.tasks[0], "Good", "Clear"),
                   criterion_feedback={}, feedback="Needs a conclusion.", decision=GradeDecision.REVISE)
    db.session.commit()
    with pytest.raises(services.CertificationError, match="second instructor"):
        services.moderate(sub, w.instructor, expected_version=sub.version, outcome=ModerationOutcome.AGREE, note="")
    services.moderate(sub, w.second, expected_version=sub.version, outcome=ModerationOutcome.OVERRIDE,
                      decision=GradeDecision.PASS, note="The conclusion is there, on page 3.")
    db.session.commit()
    assert sub.status == SubmissionStatus.PASSED and sub.revision_count == 0
    assert [g.kind.value for g in sub.grades] == ["grade", "moderation"]
    assert w.record.awarded_at is not None


def test_second_concurrent_grade_is_refused(setup):
    w = setup
    complete_course(w.learner, w.course)
    pass_phase2(w)
    sub = submit_work(w)
    loaded_version = sub.version
    services.grade(sub, w.instructor, expected_version=loaded_version, picks=levels(w.tasks[0], "Good", "Clear"),
                   criterion_feedback={}, feedback="Fine.", decision=GradeDecision.PASS)
    db.session.commit()
    with pytest.raises(services.ConcurrentGradeError, match="Ines Instructor"):
        services.grade(sub, w.second, expected_version=loaded_version, picks=levels(w.tasks[0], "Adequate", "Clear"),
                       criterion_feedback={}, feedback="Weak.", decision=GradeDecision.REVISE)


def test_deadline_extension_and_reminders_are_idempotent(setup):
    w = setup
    complete_course(w.learner, w.course)
    pass_phase2(w)
    task = w.tasks[0]
    original = queries.deadline_for(w.record, task)
    assert services.send_deadline_reminders(now=original - timedelta(days=6)) == 1
    assert services.send_deadline_reminders(now=original - timedelta(days=5)) == 0
    db.session.commit()
    with pytest.raises(services.CertificationError, match="reason"):
        services.extend_deadline(w.record, task, original + timedelta(days=14), " ", w.instructor)
    services.extend_deadline(w.record, task, original + timedelta(days=14), "Flooding closed the office.",
                             w.instructor)
    db.session.commit()
    assert queries.deadline_for(w.record, task) == original + timedelta(days=14)
    # Past the original deadline the learner can still submit.
    sub = services.submission_for(w.record, task, create=True)
    services.save_draft(sub, "Report", [], w.learner)
    assert utcnow() < original + timedelta(days=14)
    services.submit(sub)


def test_submission_after_deadline_is_refused(setup):
    w = setup
    complete_course(w.learner, w.course)
    pass_phase2(w)
    w.record.phase2_passed_at = utcnow() - timedelta(days=31)
    db.session.commit()
    sub = services.submission_for(w.record, w.tasks[0], create=True)
    services.save_draft(sub, "Late report", [], w.learner)
    with pytest.raises(services.CertificationError, match="deadline has passed"):
        services.submit(sub)


def test_expiry_opens_recertification(setup):
    w = setup
    with pytest.raises(services.CertificationError):
        services.recertify(w.learner, w.programme)
    complete_course(w.learner, w.course)
    pass_phase2(w)
    sub = submit_work(w)
    services.grade(sub, w.instructor, expected_version=sub.version, picks=levels(w.tasks[0], "Good", "Clear"),
                   criterion_feedback={}, feedback="", decision=GradeDecision.PASS)
    db.session.commit()
    with pytest.raises(services.CertificationError):
        services.recertify(w.learner, w.programme)
    w.record.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()
    new = services.recertify(w.learner, w.programme)
    db.session.commit()
    assert new.attempt == 2 and new.cohort_id is None
    cohort2 = services.create_cohort(w.programme, "Recertification 2027")
    again = services.enrol_learner(cohort2, w.learner)
    assert again.id == new.id and again.cohort_id == cohort2.id


def test_rubric_without_levels_is_refused(app_ctx):
    with pytest.raises(RubricError, match="no levels"):
        build_rubric({"title": "Bad", "pass_threshold": 1, "criteria": [{"title": "Strategy", "levels": []}]})
    with pytest.raises(RubricError, match="rising points"):
        build_rubric({"title": "Bad", "pass_threshold": 1, "criteria": [
            {"title": "Strategy", "levels": [{"title": "A", "points": 3}, {"title": "B", "points": 1}]}]})
    with pytest.raises(RubricError, match="above the maximum"):
        build_rubric({"title": "Bad", "pass_threshold": 9, "criteria": [
            {"title": "Strategy", "levels": [{"title": "A", "points": 0}, {"title": "B", "points": 1}]}]})


def test_instructor_worklists(setup, make_user):
    w = setup
    other = make_user("learner", full_name="Late Learner")
    other_record = services.enrol_learner(w.cohort, other)
    complete_course(w.learner, w.course)
    complete_course(other, w.course)
    ids = [w.cohort.id]
    pending = queries.sessions_needing_attendance(ids)
    assert pending and pending[0]["missing"] == 4  # two learners × two days
    pass_phase2(w)
    pass_phase2(w, other_record)
    assert queries.sessions_needing_attendance(ids) == []
    first = submit_work(w)
    first.submitted_at = utcnow() - timedelta(days=3)
    second = submit_work(w, record=other_record)
    db.session.commit()
    waiting = queries.submissions_waiting(ids)
    assert [row["submission"].id for row in waiting] == [first.id, second.id]
    assert waiting[0]["waiting"].days == 3
    assert queries.submissions_waiting([]) == []
    other_record.phase2_passed_at = utcnow() - timedelta(days=25)
    first.status = SubmissionStatus.PASSED
    db.session.commit()
    second.status = SubmissionStatus.DRAFT
    db.session.commit()
    at_risk = queries.learners_at_risk(ids)
    assert [row["record"].id for row in at_risk] == [other_record.id]
    assert "due in" in at_risk[0]["reasons"][0]


def test_remind_command_is_idempotent(setup, app):
    w = setup
    complete_course(w.learner, w.course)
    pass_phase2(w)
    w.record.phase2_passed_at = utcnow() - timedelta(days=25)  # due in five days
    db.session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["academy", "certification", "remind"])
    assert first.exit_code == 0 and "1 deadline reminder(s) sent" in first.output
    second = runner.invoke(args=["academy", "certification", "remind"])
    assert "0 deadline reminder(s) sent" in second.output
    assert sum("is due on" in m["Subject"] for m in mail.outbox) == 1


def test_reminder_date_is_written_in_the_learners_language(setup, app):
    w = setup
    w.learner.preferred_language = "fr"
    complete_course(w.learner, w.course)
    pass_phase2(w)
    task = w.tasks[0]
    deadline = queries.deadline_for(w.record, task)
    assert services.send_deadline_reminders(now=deadline - timedelta(days=3)) == 1
    db.session.commit()
    subject = next(m["Subject"] for m in mail.outbox if task.title in m["Subject"])
    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
              "novembre", "décembre"]
    assert f"{deadline.day} {months[deadline.month - 1]} {deadline.year}" in subject, subject


def test_daily_command_runs_every_housekeeping_step_once(setup, app):
    from sqlalchemy import func, select

    from academy.jobs.models import Job, JobStatus
    from academy.jobs.services import RETENTION, job_path

    w = setup
    complete_course(w.learner, w.course)
    pass_phase2(w)
    w.record.phase2_passed_at = utcnow() - timedelta(days=25)  # due in five days
    old = Job(kind="stats.learner_export", requested_by_id=w.instructor.id, status=JobStatus.DONE,
              params={"format": "xlsx", "filters": {}}, file_name="old.xlsx",
              created_at=utcnow() - RETENTION - timedelta(hours=1))
    db.session.add(old)
    db.session.commit()
    path = job_path(old)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"old export")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["academy", "daily"])
    assert first.exit_code == 0, first.output
    assert "1 deadline reminder(s) sent" in first.output and "1 expired export(s) deleted" in first.output
    assert not path.exists() and db.session.scalar(select(func.count()).select_from(Job)) == 0
    second = runner.invoke(args=["academy", "daily"])
    assert "0 deadline reminder(s) sent" in second.output and "0 expired export(s) deleted" in second.output
