"""xAPI statements of learning events, kept in an outbox and sent to a Learning Record Store."""

from __future__ import annotations


def init_app(app) -> None:
    """Connect the statement builders to the learning events' signals, and the admin download."""
    from academy.core import signals
    from academy.xapi import services as s
    from academy.xapi import views

    signals.user_registered.connect(s.on_user_registered)
    signals.enrolled.connect(s.on_enrolled)
    signals.lesson_completed.connect(s.on_lesson_completed)
    signals.quiz_graded.connect(s.on_quiz_graded)
    signals.course_completed.connect(s.on_course_completed)
    signals.certification_phase_passed.connect(s.on_phase_passed)
    signals.certified.connect(s.on_certified)
    signals.certificate_issued.connect(s.on_certificate_issued)
    signals.certificate_revoked.connect(s.on_certificate_revoked)
    signals.survey_answered.connect(s.on_survey_answered)
    app.register_blueprint(views.bp)
    app.register_blueprint(views.verbs)
