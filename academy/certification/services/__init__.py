"""Writes for the certification. They add, flush and record audit events; the request (or
the CLI command, or the task) commits.

One module per part of the programme's life: ``programmes`` (authoring), ``cohorts``
(cohorts, sessions, enrolment, recertification), ``attendance`` (phase 2), ``submissions``,
``grading`` and ``deadlines`` (phase 3), ``phases`` (``evaluate``: the one place phases
are passed) and ``awards``. The views and tests call them as ``services.<name>``: the
names below are that surface; code elsewhere imports from the module that defines a name.
"""

from __future__ import annotations

from academy.certification.services.attendance import assess, record_attendance
from academy.certification.services.awards import award, issue_award_certificate
from academy.certification.services.cohorts import (
    CSV_MAX_BYTES,
    CSV_MAX_ROWS,
    assign_instructor,
    can_recertify,
    create_cohort,
    create_session,
    enrol_from_csv,
    enrol_learner,
    parse_enrolment_csv,
    recertify,
    remove_instructor,
)
from academy.certification.services.common import (
    CertificateLanguageError,
    CertificationError,
    ConcurrentGradeError,
    SourceLanguageError,
    recipient_task_title,
    record_path,
    task_path,
)
from academy.certification.services.deadlines import REMINDER_WINDOW, extend_deadline, send_deadline_reminders
from academy.certification.services.grading import grade, moderate
from academy.certification.services.phases import (
    evaluate,
    notify_phase_opened,
    on_course_completed,
    on_final_assessment_passed,
)
from academy.certification.services.programmes import (
    KEEP,
    add_task,
    author_programme,
    author_task,
    create_programme,
    rubric_in_use,
    set_required_courses,
    update_programme,
    update_task,
)
from academy.certification.services.submissions import (
    check_practice_open,
    remove_file,
    save_draft,
    submission_for,
    submit,
)

__all__ = [
    "CSV_MAX_BYTES", "CSV_MAX_ROWS", "KEEP", "REMINDER_WINDOW", "CertificateLanguageError", "CertificationError",
    "ConcurrentGradeError",
    "SourceLanguageError", "add_task", "assess", "assign_instructor", "author_programme", "author_task", "award",
    "can_recertify", "check_practice_open", "create_cohort", "create_programme", "create_session", "enrol_from_csv",
    "enrol_learner", "evaluate", "extend_deadline", "grade", "issue_award_certificate", "moderate",
    "notify_phase_opened", "on_course_completed", "on_final_assessment_passed", "parse_enrolment_csv", "recertify",
    "recipient_task_title", "record_attendance", "record_path", "remove_file", "remove_instructor", "rubric_in_use",
    "save_draft", "send_deadline_reminders", "set_required_courses", "submission_for", "submit", "task_path",
    "update_programme", "update_task",
]
