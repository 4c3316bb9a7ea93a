"""Enrolment statistics: the query layer, dashboard, charts and CSV/XLSX exports."""

from __future__ import annotations


def init_app(app) -> None:
    """Facts and dimensions beyond enrolments and registrations: quiz attempts and
    certificates (outcomes.py), cohorts and certification phases (certification.py);
    and the dashboard's header entry."""
    from academy.core import signals
    from academy.stats import certification, outcomes, views

    for module in (outcomes, certification):
        signals.stats_dimensions.connect(module.offered_dimensions)
        signals.stats_facts.connect(module.offered_facts)
    signals.stats_enrolment_keys.connect(certification.enrolment_keys)
    signals.stats_user_subsets.connect(certification.cohort_subset)
    signals.menu_items.connect(views.menu_items)
