"""Quiz and attempt enumerations, stored as strings with a CHECK."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from academy.core.enums import TitledEnum


class QuizKind(TitledEnum):
    MODULE = "module"
    FINAL_EXAM = "final_exam"

    @classmethod
    def _titles(cls) -> dict:
        return {cls.MODULE: _l("Module quiz"), cls.FINAL_EXAM: _l("Final exam")}


class ShowAnswers(TitledEnum):
    """When a learner may see the right answers and feedback of a graded attempt."""

    NEVER = "never"
    AFTER_EACH_ATTEMPT = "after_each_attempt"
    ONCE_PASSED = "once_passed"
    AFTER_LAST_ATTEMPT = "after_last_attempt"

    @classmethod
    def _titles(cls) -> dict:
        return {
            cls.NEVER: _l("Never"),
            cls.AFTER_EACH_ATTEMPT: _l("After each attempt"),
            cls.ONCE_PASSED: _l("Once you pass"),
            cls.AFTER_LAST_ATTEMPT: _l("After your last attempt"),
        }


class AttemptState(TitledEnum):
    """in_progress → submitted → graded, or in_progress → expired → graded."""

    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    EXPIRED = "expired"
    GRADED = "graded"

    @classmethod
    def _titles(cls) -> dict:
        return {
            cls.IN_PROGRESS: _l("In progress"),
            cls.SUBMITTED: _l("Submitted"),
            cls.EXPIRED: _l("Time ran out"),
            cls.GRADED: _l("Graded"),
        }
