"""Writes the statistics pages make: the audit events of exports (the request commits)."""

from __future__ import annotations

from academy.core.audit import record
from academy.jobs.models import Job
from academy.stats.queries import Filters


def table_exported(figure: str, fmt: str, spec: dict, filters: Filters, *, suppressed: bool, threshold: int) -> None:
    """Record that a table of figures was downloaded (no personal data: counts only)."""
    record(
        "stats.export",
        "stats_table",
        figure,
        after={
            "format": fmt,
            "figure": figure,
            **spec,
            "filters": filters.as_dict(),
            "suppression": {"enabled": suppressed, "threshold": threshold},
            "personal_data": False,
        },
    )


def export_downloaded(job: Job) -> None:
    """Record that a learner export's file was downloaded."""
    record("stats.export_download", "job", job.id, after={"personal_data": job.has_personal_data})
