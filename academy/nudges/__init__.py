"""Nudges: certification expiry reminders, inactivity nudges and the instructors' digest."""

from __future__ import annotations


def init_app(app) -> None:
    """The admin's header entry for the thresholds."""
    from academy.core import signals
    from academy.nudges import views

    signals.menu_items.connect(views.menu_items)
