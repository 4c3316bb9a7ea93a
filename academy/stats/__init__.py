"""Enrolment statistics: the query layer, dashboard, charts and CSV/XLSX exports."""


def _register_outcomes() -> None:
    # Quiz and certificate facts join the query layer's registries (see outcomes.py).
    # Cohorts and the certification fact likewise (see certification.py).
    from academy.stats import certification, outcomes  # noqa: F401


_register_outcomes()
