"""Certification states and choices, stored as strings with a CHECK, shown translated."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from academy.core.enums import TitledEnum


class PhaseState(TitledEnum):
    LOCKED = "locked"
    IN_PROGRESS = "in_progress"
    PASSED = "passed"
    FAILED = "failed"

    @classmethod
    def _titles(cls) -> dict:
        return {cls.LOCKED: _l("Locked"), cls.IN_PROGRESS: _l("In progress"), cls.PASSED: _l("Passed"),
                cls.FAILED: _l("Failed")}


class SessionMode(TitledEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"

    @classmethod
    def _titles(cls) -> dict:
        return {cls.IN_PERSON: _l("In person"), cls.ONLINE: _l("Online")}


class AttendanceStatus(TitledEnum):
    PRESENT = "present"
    ABSENT = "absent"
    EXCUSED = "excused"

    @classmethod
    def _titles(cls) -> dict:
        return {cls.PRESENT: _l("Present"), cls.ABSENT: _l("Absent"), cls.EXCUSED: _l("Excused")}


class AssessmentOutcome(TitledEnum):
    PASS = "pass"  # noqa: S105  (an outcome, not a password)
    FAIL = "fail"

    @classmethod
    def _titles(cls) -> dict:
        return {cls.PASS: _l("Pass"), cls.FAIL: _l("Fail")}


class SubmissionStatus(TitledEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    PASSED = "passed"
    FAILED = "failed"

    @classmethod
    def _titles(cls) -> dict:
        return {cls.DRAFT: _l("Draft"), cls.SUBMITTED: _l("Submitted, waiting for grading"),
                cls.RETURNED: _l("Returned for revision"), cls.PASSED: _l("Passed"), cls.FAILED: _l("Failed")}


class GradeDecision(TitledEnum):
    PASS = "pass"  # noqa: S105  (an outcome, not a password)
    REVISE = "revise"
    FAIL = "fail"

    @classmethod
    def _titles(cls) -> dict:
        return {cls.PASS: _l("Pass"), cls.REVISE: _l("Return for revision"), cls.FAIL: _l("Fail")}


class GradeKind(TitledEnum):
    GRADE = "grade"
    MODERATION = "moderation"

    @classmethod
    def _titles(cls) -> dict:
        return {cls.GRADE: _l("Grading"), cls.MODERATION: _l("Moderation")}


class ModerationOutcome(TitledEnum):
    AGREE = "agree"
    OVERRIDE = "override"

    @classmethod
    def _titles(cls) -> dict:
        return {cls.AGREE: _l("Agree with the grade"), cls.OVERRIDE: _l("Override the decision")}


class NotificationKind(TitledEnum):
    PHASE_OPENED = "phase_opened"
    SUBMISSION_RETURNED = "submission_returned"
    SUBMISSION_PASSED = "submission_passed"
    SUBMISSION_FAILED = "submission_failed"
    DEADLINE_NEAR = "deadline_near"
    DEADLINE_EXTENDED = "deadline_extended"
    CERTIFIED = "certified"
    SURVEY = "survey"
    SURVEY_REMINDER = "survey_reminder"
    CERTIFICATION_EXPIRING = "certification_expiring"
    INACTIVITY_NUDGE = "inactivity_nudge"
    INSTRUCTOR_DIGEST = "instructor_digest"
    ANNOUNCEMENT = "announcement"
    NAME_CHANGE_DECIDED = "name_change_decided"

    @classmethod
    def _titles(cls) -> dict:
        return {
            cls.PHASE_OPENED: _l("Phase opened"),
            cls.SUBMISSION_RETURNED: _l("Submission returned"),
            cls.SUBMISSION_PASSED: _l("Submission passed"),
            cls.SUBMISSION_FAILED: _l("Submission failed"),
            cls.DEADLINE_NEAR: _l("Deadline approaching"),
            cls.DEADLINE_EXTENDED: _l("Deadline extended"),
            cls.CERTIFIED: _l("Certified"),
            cls.SURVEY: _l("Follow-up survey"),
            cls.SURVEY_REMINDER: _l("Follow-up survey reminder"),
            cls.CERTIFICATION_EXPIRING: _l("Certification expiring"),
            cls.INACTIVITY_NUDGE: _l("Reminder to keep going"),
            cls.INSTRUCTOR_DIGEST: _l("Learners to follow up"),
            cls.ANNOUNCEMENT: _l("Cohort announcement"),
            cls.NAME_CHANGE_DECIDED: _l("Name change decided"),
        }
