"""Follow-up surveys: asked months after a course is completed or a certification awarded."""

from __future__ import annotations


def init_app(app) -> None:
    """The admin's header entry, and the survey answers offered to the statistics."""
    from academy.core import signals
    from academy.surveys import stats, views

    signals.menu_items.connect(views.menu_items)
    signals.stats_facts.connect(stats.offered_facts)
