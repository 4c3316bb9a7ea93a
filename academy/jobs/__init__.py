"""Long work on the task queue as people see it: jobs, their progress, files and retries."""

from __future__ import annotations


def init_app(app) -> None:
    """The jobs page's header entry."""
    from academy.core import signals
    from academy.jobs import views

    signals.menu_items.connect(views.menu_items)
