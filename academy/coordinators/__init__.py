"""Coordinators: national or network coordinators who see the statistics, the learners at
risk and the certificates of the countries or TISCs assigned to them, and nothing else."""

from __future__ import annotations


def init_app(app) -> None:
    """The coordinator's and the admin's header entries."""
    from academy.coordinators import views
    from academy.core import signals

    signals.menu_items.connect(views.menu_items)
