"""Quizzes, question types and attempts (module quizzes and the course's final exam); the
modules' hands-on exercises."""

from __future__ import annotations


def init_app(app) -> None:
    """Answer the courses feature's signals: quizzes in a course package (read, then
    written on import), and completion needing the module quizzes and the final exam;
    the quiz statistics' header entry."""
    from academy.assessments import exercise_views, exercises, views
    from academy.assessments.package import load_quizzes
    from academy.assessments.services import final_exam_passed, module_quizzes_passed, record_final_score, sync_quizzes
    from academy.core import signals

    signals.course_package_loaded.connect(load_quizzes)
    signals.course_package_loaded.connect(exercises.load_exercises)
    signals.course_imported.connect(sync_quizzes)
    signals.course_imported.connect(exercises.sync_exercises)
    signals.module_requirements.connect(module_quizzes_passed)
    signals.module_requirements.connect(exercises.module_exercises_answered)
    signals.course_outline.connect(exercise_views.module_exercise_extras)
    signals.course_requirements.connect(final_exam_passed)
    signals.before_course_completion.connect(record_final_score)
    signals.course_outline.connect(views.module_quiz_extras)
    signals.course_home_sections.connect(views.final_exam_section)
    signals.menu_items.connect(views.menu_items)
