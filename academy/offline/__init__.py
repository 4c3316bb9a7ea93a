"""Learning on poor connections: courses kept in the browser for offline reading, work
done offline sent later exactly once, and evidence uploads that resume after a dropped link."""

from __future__ import annotations


def init_app(app) -> None:
    """The course home gets the "available offline" panel under its progress; every page of
    a signed-in learner the line where offline work's sync is told."""
    from academy.core import signals
    from academy.offline import views

    signals.course_home_sections.connect(views.offline_section)
    app.jinja_env.globals["sync_status"] = views.sync_status
