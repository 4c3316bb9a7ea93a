"""Registers the assessments package with the courses package's extension points."""

from __future__ import annotations

from academy.assessments.package import load_quizzes
from academy.assessments.services import (
    final_exam_passed,
    module_quizzes_passed,
    record_final_score,
    sync_quizzes,
)
from academy.courses import package as course_package
from academy.courses import queries as course_queries
from academy.courses import services as course_services


def _add(registry: list, fn) -> None:
    if fn not in registry:
        registry.append(fn)


def register() -> None:
    """Idempotent: an app factory may run many times in one process (tests)."""
    _add(course_package.PACKAGE_EXTENSIONS, load_quizzes)
    _add(course_services.IMPORT_HOOKS, sync_quizzes)
    _add(course_services.MODULE_REQUIREMENTS, module_quizzes_passed)
    _add(course_services.COURSE_REQUIREMENTS, final_exam_passed)
    _add(course_services.BEFORE_COMPLETION, record_final_score)
    from academy.assessments.views import final_exam_section, module_quiz_extras

    _add(course_queries.OUTLINE_HOOKS, module_quiz_extras)
    _add(course_queries.HOME_SECTIONS, final_exam_section)
