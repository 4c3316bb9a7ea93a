"""The three-phase TISC staff certification: programmes, cohorts, sessions, practice."""

from __future__ import annotations


def init_app(app) -> None:
    """Phase 1 follows course completions and passed final assessments; cohorts are
    offered as learner groups to the certificate admin; the header gets this feature's
    entries and its unread-notifications badge."""
    from academy.certification import views
    from academy.certification.notifications import unread_count, unread_count_of
    from academy.certification.services.phases import on_course_completed, on_final_assessment_passed
    from academy.certification.translations import rubric_words, task_words, translation_statuses
    from academy.core import signals
    from academy.core.template_helpers import register_badge_counter

    signals.course_completed.connect(on_course_completed)
    signals.final_assessment_passed.connect(on_final_assessment_passed)
    signals.learner_groups.connect(views.cohort_learner_groups)
    signals.menu_items.connect(views.menu_items)
    register_badge_counter(unread_count, unread_count_of)
    # Task and rubric words in a chosen language, for the templates that list or show them.
    app.jinja_env.globals.update(task_words=task_words, rubric_words=rubric_words,
                                 translation_statuses=translation_statuses)
