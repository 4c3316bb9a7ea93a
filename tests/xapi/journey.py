"""A learner's whole journey, through the same services the pages use: registration, two
enrolments, lessons, a quiz, a completed course and its certificate, the three phases of a
certification and its award, and finally a revoked certificate."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import select

from academy.extensions import db

EXPECTED_VERBS = {
    "http://adlnet.gov/expapi/verbs/registered",
    "http://adlnet.gov/expapi/verbs/completed",
    "http://adlnet.gov/expapi/verbs/scored",
    "http://adlnet.gov/expapi/verbs/passed",
    "http://id.tincanapi.com/verb/earned",
}


def journey(make_user, import_course) -> SimpleNamespace:
    from academy.assessments.models import Quiz
    from academy.assessments.services import grade_attempt, start_attempt, submit_attempt
    from academy.certificates.models import Certificate
    from academy.certificates.services import issue_for_enrollment, revoke
    from academy.certification import services
    from academy.certification.enums import AssessmentOutcome, AttendanceStatus, GradeDecision
    from academy.courses.queries import enrollment_for
    from academy.courses.services import complete_lesson, enroll
    from tests.certification.world import build, complete_course, levels
    from tests.conftest import FIXTURES

    j = SimpleNamespace()
    j.course = import_course()
    j.quizzed = import_course(FIXTURES / "quizzed")
    j.admin = make_user("admin")
    j.instructor = make_user("instructor", full_name="Ines Instructor")
    j.learner = make_user("learner", full_name="Lea Learner")
    w = build(j.course, j.instructor, [j.learner])
    j.record = w.records[0]
    complete_course(j.learner, j.course)  # enrolled, four lessons, completed, certificate, phase 1

    quizzed = enroll(j.learner, j.quizzed, "fr")
    db.session.flush()
    module_one = next(m for m in j.quizzed.modules if m.key == "one")
    for lesson in module_one.lessons:
        complete_lesson(quizzed, lesson)
    attempt = start_attempt(db.session.scalar(select(Quiz).where(Quiz.module_id == module_one.id)), quizzed)
    submit_attempt(attempt)
    if attempt.graded_at is None:
        grade_attempt(attempt)
    db.session.commit()
    j.attempt = attempt

    services.record_attendance(w.session, {j.record.id: {d: AttendanceStatus.PRESENT for d in w.session.days}},
                               j.instructor)
    services.assess(j.record, w.session, outcome=AssessmentOutcome.PASS, comments="Active participant.",
                    score_value=88, by=j.instructor)
    db.session.commit()  # phase 2
    sub = services.submission_for(j.record, w.tasks[0], create=True)
    services.save_draft(sub, "My search report.", [], j.learner)
    services.submit(sub)
    db.session.commit()
    services.grade(sub, j.instructor, expected_version=sub.version, picks=levels(w.tasks[0], "Good", "Clear"),
                   criterion_feedback={}, feedback="Well done.", decision=GradeDecision.PASS)
    db.session.commit()  # phase 3, certified, the certification's certificate (queue, immediate in tests)
    # Issued on the queue after completion; with a held queue (the LRS test) issue it here, as the task would.
    j.course_certificate = db.session.scalar(select(Certificate).where(Certificate.subject_code == "MINI1")) \
        or issue_for_enrollment(enrollment_for(j.learner.id, j.course.id))
    revoke(j.course_certificate, reason="Issued in error", actor=j.admin)
    db.session.commit()
    return j
