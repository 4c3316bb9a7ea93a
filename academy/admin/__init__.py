"""The admin console: people, courses and uploads, quizzes, certification programmes."""

from __future__ import annotations


def init_app(app) -> None:
    """The console's own sections of a person's page and of an upload's preview (the quiz
    and certification parts it shows), and its header entry."""
    from academy.admin import certification, quizzes, views
    from academy.core import signals

    signals.admin_user_sections.connect(quizzes.attempts_section)
    signals.admin_user_sections.connect(certification.records_section)
    signals.upload_preview.connect(quizzes.question_changes)
    signals.menu_items.connect(views.menu_items)
